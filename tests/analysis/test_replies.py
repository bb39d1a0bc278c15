"""Reply checker: codes, spans, context handling, better wording, bank rule files, accuracy."""

from __future__ import annotations

from pathlib import Path

import pytest

from calmdesk import errors
from calmdesk.analysis.replies import ReplyChecker
from calmdesk.analysis.reply_rules import NEGATIVE_CODES, POSITIVE_CODES, expand_template
from calmdesk.engine import Engine
from calmdesk.playbook.model import Topic
from calmdesk.text.normalize import Script, normalize

DATA = Path(__file__).resolve().parents[1] / "data"
DEV_DATA = Path(__file__).resolve().parents[3] / "shared" / "dev-data"


@pytest.fixture(scope="module")
def checker() -> ReplyChecker:
    return ReplyChecker.load([])


def codes(checker: ReplyChecker, text: str) -> set[str]:
    result = checker.check(normalize(text))
    return {f.code for f in result.findings} | {s.code for s in result.strengths}


def test_refusal_and_rule_with_better_wording(checker: ReplyChecker) -> None:
    result = checker.check(normalize("不行，规定就是这样"))
    assert [f.code for f in result.findings] == ["refusal-only", "rule-only"]
    assert all(f.better for f in result.findings)
    assert result.better and "为了" in result.better
    assert result.score < 70


@pytest.mark.parametrize(
    ("text", "absent", "present"),
    [
        ("我们不会让您白跑，我来帮您想办法。", "refusal-only", "alternative"),
        ("不好意思，让您久等了。", "refusal-only", "apology"),
        ("规定是为了保护您的资金安全。", "rule-only", "explains-purpose"),
        ("请您自己输入密码，不要告诉任何人。", "password-risk", None),
        ("银行不会索要验证码，任何人问都别给。", "password-risk", None),
        ("今天办不了，我帮您预约明天上午优先办理。", "refusal-only", "alternative"),
        ("我不能保证一定追回，但我会全程跟进。", "over-promise", "ownership"),
        ("您能不能先在手机银行上看一下？", "refusal-only", None),
        ("其他客户也在排队，我先帮您看看。", "pii-exposure", "alternative"),
    ],
)
def test_negation_and_context_keep_good_replies_quiet(
    checker: ReplyChecker, text: str, absent: str, present: str | None
) -> None:
    found = codes(checker, text)
    assert absent not in found
    if present:
        assert present in found


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("把密码告诉我，我帮您输。", "password-risk"),
        ("验证码念一下。", "password-risk"),
        ("您把密码写下来给我。", "password-risk"),
        ("刚才那位客户存了五十万。", "pii-exposure"),
        ("您的手机号13812345678对吧？", "pii-exposure"),
        ("你去投诉吧。", "dismissive"),
        ("哈哈，钱又不会跑。", "joke"),
        ("我保证全额赔您。", "over-promise"),
    ],
)
def test_negative_codes_fire(checker: ReplyChecker, text: str, code: str) -> None:
    assert code in codes(checker, text)


def test_spans_point_into_the_original_text(checker: ReplyChecker) -> None:
    original = "ＯＫ，不行！　規定就是這樣"
    result = checker.check(normalize(original))
    assert {original[f.start : f.end] for f in result.findings} == {"不行", "規定"}
    assert all(f.span_text == original[f.start : f.end] for f in result.findings)


def test_traditional_reply_is_answered_in_traditional(checker: ReplyChecker) -> None:
    out = checker.check(normalize("不行，規定就是這樣")).to_dict()
    assert out["script"] == "hant"
    assert "為了" in out["better"]
    assert set(out["findings"][0]) == {
        "code",
        "start",
        "end",
        "text",
        "principle",
        "message",
        "better",
    }
    forced = checker.check(normalize("不行，規定就是這樣")).to_dict(Script.HANS)
    assert "为了" in forced["better"]


def test_scenario_scripts_shape_the_better_wording(engine: Engine) -> None:
    plain = engine.check_reply("不行，没带身份证办不了")
    fitted = engine.check_reply("不行，没带身份证办不了", topic=Topic.NO_VALID_ID)
    scenario = engine.playbook.by_topic(Topic.NO_VALID_ID)[0]
    resolve_scripts = [s for step in scenario.steps for s in step.scripts]
    assert fitted.better != plain.better
    assert fitted.better and any(s in fitted.better for s in resolve_scripts)


def test_score_is_clamped(checker: ReplyChecker) -> None:
    worst = checker.check(
        normalize("哈哈，你自己不看清楚怪谁，烦不烦，把密码告诉我，保证全额赔，你去投诉吧")
    )
    assert worst.score == 0
    best = checker.check(
        normalize(
            "抱歉让您久等，我理解您着急，谢谢您的耐心，为了您的资金安全需要核对，我来跟进，您可以先用手机银行。"
        )
    )
    assert 70 < best.score <= 100


def test_rules_expose_every_rule_with_examples(checker: ReplyChecker) -> None:
    specs = checker.rules()
    assert {s.name.split(".")[1] for s in specs} == set(NEGATIVE_CODES) | set(POSITIVE_CODES)
    assert all(len(s.fire) >= 2 and len(s.quiet) >= 2 for s in specs)


# -- bank rule files ------------------------------------------------------------------------


def test_bank_can_add_replace_and_disable_rules(tmp_path: Path) -> None:
    (tmp_path / "replies.yaml").write_text(
        """
rules:
  - name: reply.hostile.bank-slang
    code: hostile
    principle: 2
    message: 本行禁语。
    better: 请换一种说法。
    phrases: [没门儿]
    examples: {fire: [没门儿。, 想都别想，没门儿。], quiet: [有门路。, 我来帮您。]}
disable: [reply.joke.joke-or-sarcasm]
""",
        encoding="utf-8",
    )
    bank = ReplyChecker.load([tmp_path])
    assert "hostile" in codes(bank, "没门儿")
    assert "joke" not in codes(bank, "哈哈，钱又不会跑")
    assert "reply.joke.joke-or-sarcasm" not in {s.name for s in bank.rules()}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            "rules: [{name: reply.x.y, code: nope, principle: 2, message: m, better: b, phrases: [a],"
            " examples: {fire: [a, a], quiet: [b, b]}}]",
            "code",
        ),
        (
            "rules: [{name: reply.hostile.y, code: hostile, principle: 9, message: m, better: b,"
            " phrases: [a], examples: {fire: [a, a], quiet: [b, b]}}]",
            "principle",
        ),
        (
            "rules: [{name: reply.hostile.y, code: hostile, principle: 2, message: m, better: b,"
            " phrases: [a]}]",
            "examples",
        ),
        (
            "rules: [{name: reply.hostile.y, code: hostile, principle: 2, message: m, better: '{oops}',"
            " phrases: [a], examples: {fire: [a, a], quiet: [b, b]}}]",
            "better",
        ),
        ("disable: [reply.no-such-rule]", "disable"),
    ],
)
def test_invalid_bank_rules_name_file_rule_and_field(tmp_path: Path, body: str, field: str) -> None:
    (tmp_path / "replies.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(errors.DataFileError) as caught:
        ReplyChecker.load([tmp_path])
    assert caught.value.code == errors.RULES_INVALID
    assert any(p.field == field and p.file.endswith("replies.yaml") for p in caught.value.problems)


# -- word classes and templates --------------------------------------------------------------


def test_template_expands_classes_and_optional_classes() -> None:
    classes = {"VERB": ("办", "取"), "GAP": ("给您",)}
    assert sorted(expand_template("不能{GAP?}{VERB}", classes)) == sorted(
        ["不能办", "不能取", "不能给您办", "不能给您取"]
    )
    assert expand_template("没有模板", classes) == ["没有模板"]
    with pytest.raises(KeyError):
        expand_template("{NOPE}", classes)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("这笔钱退不回来。", "refusal-only"),  # verb × potential-complement negation
        ("这个我们真的没法给您改。", "refusal-only"),  # modal negation, a gap, then a verb
        ("呢個業務我哋處理唔到。", "refusal-only"),  # Cantonese, traditional
        ("您要是早点挂失，钱就不会被转走了。", "blame"),  # counterfactual lecturing
        ("你叫唤什么，等着。", "hostile"),
        ("您放心，钱一周内就能追回来。", "over-promise"),  # relief word × money outcome
        ("您老伴的密码您知道吗？告诉我，我帮您取。", "password-risk"),  # across clauses
        ("您的手機號碼是一三八一二三四五六七八嗎？", "pii-exposure"),  # digits read as characters
        ("那个穿红衣服的阿姨刚才办了五十万的大额存单。", "pii-exposure"),
        ("妳自己沒看清楚，怪誰？", "blame"),  # Taiwan 妳 is folded to 你 before matching
    ],
)
def test_phrase_families_generalise(checker: ReplyChecker, text: str, code: str) -> None:
    assert code in codes(checker, text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("先把卡冻结，钱就转不走了。", "refusal-only"),  # a consequence, not a refusal
        ("假币必须收缴，是为了不让它再流到别人手里。", "refusal-only"),
        ("密码最好别设成生日，容易被猜到。", "password-risk"),
        ("把密码写在卡套上，卡丢了钱就危险了。", "password-risk"),
        ("我一定跟进到底，有结果第一时间告诉您。", "over-promise"),  # effort, not outcome
        ("王阿姨，您存的两万已经到账了。", "pii-exposure"),  # the customer's own business
        ("这是规定，我们也没办法。", "refusal-only"),  # helplessness about the rule is rule-only
        ("您明天早点来就不用排队了。", "blame"),  # advice about the future
    ],
)
def test_context_keeps_look_alikes_quiet(checker: ReplyChecker, text: str, absent: str) -> None:
    assert absent not in codes(checker, text)


def test_bank_file_can_define_and_use_classes(tmp_path: Path) -> None:
    (tmp_path / "replies.yaml").write_text(
        """
classes:
  SLANG_NO: [没门儿, 门儿都没有]
rules:
  - name: reply.refusal-only.bank-slang
    code: refusal-only
    principle: 4
    message: 本行禁语。
    better: "{resolve}"
    phrases: ["{SLANG_NO}", "{BANK_VERB}不来"]
    examples: {fire: [没门儿。, 这个办不来。], quiet: [有门路。, 我来帮您。]}
""",
        encoding="utf-8",
    )
    bank = ReplyChecker.load([tmp_path])
    assert "refusal-only" in codes(bank, "门儿都没有。")
    assert "refusal-only" in codes(bank, "这个取不来。")  # the built-in BANK_VERB class


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            "rules: [{name: reply.hostile.y, code: hostile, principle: 2, message: m, better: b,"
            " phrases: ['{NO_SUCH_CLASS}x'], examples: {fire: [a, a], quiet: [b, b]}}]",
            "phrases",
        ),
        ("classes: {lower_case: [a]}", "classes"),
        ("classes: {EMPTY: []}", "classes.EMPTY"),
        (
            "rules: [{name: reply.hostile.y, code: hostile, principle: 2, message: m, better: b,"
            " phrases: [a], requires_after: {within: 3, phrases: [b], scope: sentence},"
            " examples: {fire: [a, a], quiet: [b, b]}}]",
            "requires_after.scope",
        ),
    ],
)
def test_invalid_classes_and_windows_name_the_field(tmp_path: Path, body: str, field: str) -> None:
    (tmp_path / "replies.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(errors.DataFileError) as caught:
        ReplyChecker.load([tmp_path])
    assert any(p.field == field for p in caught.value.problems)


def test_variants_keep_spans_on_the_original_text(checker: ReplyChecker) -> None:
    original = "妳的密碼告訴我"
    finding = checker.check(normalize(original)).findings[0]
    assert finding.code == "password-risk"
    assert original[finding.start : finding.end] == finding.span_text


def test_window_scope_reply_crosses_clauses(tmp_path: Path) -> None:
    rule = (
        "rules: [{{name: reply.hostile.scoped, code: hostile, principle: 2, message: m, better: b,"
        " phrases: [等着], requires_before: {{within: 8, phrases: [甲乙], {scope}}},"
        " examples: {{fire: [甲乙等着, 甲乙等着。], quiet: [等着, 等着。]}}}}]"
    )
    (tmp_path / "replies.yaml").write_text(rule.format(scope="scope: clause"), encoding="utf-8")
    assert "hostile" not in codes(ReplyChecker.load([tmp_path]), "甲乙，等着")
    (tmp_path / "replies.yaml").write_text(rule.format(scope="scope: reply"), encoding="utf-8")
    assert "hostile" in codes(ReplyChecker.load([tmp_path]), "甲乙，等着")


# -- accuracy on labelled sets ----------------------------------------------------------------


def _good_replies() -> list[str]:
    lines = (DATA / "good_replies.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_good_replies_raise_no_negative_finding(checker: ReplyChecker) -> None:
    replies = _good_replies()
    assert len(replies) >= 400
    flagged = {
        text: [(f.code, f.span_text) for f in checker.check(normalize(text)).findings]
        for text in replies
    }
    assert {t: f for t, f in flagged.items() if f} == {}


def _labelled(path: Path) -> list[tuple[set[str], str]]:
    """Rows of an ``id<TAB>flags<TAB>text`` file; ``#`` comments and the header are skipped."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and not line.startswith("id\t"):
            _, flags, text = line.split("\t")
            rows.append(({f for f in flags.split(",") if f and f != "-"}, text))
    return rows


def _micro_f1(
    checker: ReplyChecker, rows: list[tuple[set[str], str]], vocabulary: tuple[str, ...]
) -> float:
    tp = fp = fn = 0
    for want, text in rows:
        got = codes(checker, text) & set(vocabulary)
        want = want & set(vocabulary)
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


WRITERS = [DATA / "reply_writers" / f"replies-{w}.tsv" for w in "abcde"]
LABELLED = [DATA / "replies.tsv", DATA / "replies_train.tsv", DEV_DATA / "replies.tsv", *WRITERS]


@pytest.mark.parametrize("path", LABELLED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_micro_f1(checker: ReplyChecker, path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} not present")
    rows = _labelled(path)
    assert _micro_f1(checker, rows, NEGATIVE_CODES) >= 0.90
    assert _micro_f1(checker, rows, POSITIVE_CODES) >= 0.85


def test_own_labelled_set_is_big_and_bilingual() -> None:
    rows = _labelled(DATA / "replies.tsv")
    assert len(rows) >= 150
    traditional = sum(normalize(text).script is Script.HANT for _, text in rows)
    assert traditional >= len(rows) // 4


def test_training_set_covers_every_code_in_both_scripts() -> None:
    rows = _labelled(DATA / "replies_train.tsv")
    assert len(rows) >= 400
    counts = {
        code: sum(code in want for want, _ in rows) for code in NEGATIVE_CODES + POSITIVE_CODES
    }
    assert all(counts[code] >= 25 for code in NEGATIVE_CODES), counts
    assert all(counts[code] >= 30 for code in POSITIVE_CODES), counts
    assert sum(len(want) > 1 for want, _ in rows) >= 50  # mixed replies
    traditional = sum(normalize(text).script is Script.HANT for _, text in rows)
    assert traditional >= len(rows) // 4


def test_playbook_scripts_raise_no_negative_finding(engine: Engine) -> None:
    checker = engine.reply_checker
    flagged = [
        (
            scenario.id,
            script,
            [f.code for f in checker.check(normalize(script), scenario=scenario).findings],
        )
        for scenario in engine.playbook
        for step in scenario.steps
        for script in step.scripts
    ]
    assert [f for f in flagged if f[2]] == []


def test_a_context_may_list_several_windows(tmp_path: Path) -> None:
    """Each window keeps its own reach and scope; any of them cancels the hit."""
    (tmp_path / "replies.yaml").write_text(
        """
rules:
  - name: reply.hostile.two-windows
    code: hostile
    principle: 2
    message: m
    better: b
    phrases: [甲乙]
    unless_after:
      - {within: 1, phrases: ["?"]}
      - {within: 12, scope: reply, phrases: [丙丁]}
    examples: {fire: [甲乙。, 甲乙，戊己。], quiet: [甲乙?, 甲乙，戊己丙丁。]}
""",
        encoding="utf-8",
    )
    bank = ReplyChecker.load([tmp_path])
    assert "hostile" in codes(bank, "甲乙，戊己庚辛壬癸子丑寅卯辰巳丙丁。")  # beyond 12
    assert "hostile" not in codes(bank, "甲乙，戊己丙丁。")  # second window, across a clause
    assert "hostile" not in codes(bank, "甲乙?")  # first window
    assert "hostile" in codes(bank, "甲乙戊己?")  # the first window reaches one character


# -- families written for this round (fresh wordings, not rows of any labelled set) ----------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("是您未仔细阅读短信里的收费说明。", "blame"),  # lax: 您 + 未 + diligence
        ("您平时不看新闻的吗？", "blame"),
        ("密码自己设的还能忘？", "blame"),  # rhetorical question
        ("这么简单的表格填错三回了。", "blame"),  # counted repeats
        ("本行對此不負任何責任。", "blame"),  # not our fault
        ("若再辱骂客服，我们将终止本次服务。", "hostile"),  # conditional threat
        ("用途不说清楚，一分钱都别想取。", "hostile"),
        ("该问题请咨询当地网点。", "dismissive"),  # written referral
        ("本行不作进一步回应。", "dismissive"),
        ("系统就这样我有什么办法。", "dismissive"),  # shrug
        ("亲，手续费就当请我们喝奶茶啦～", "joke"),  # 就当…了 and the flippant tilde
        ("这张假币印得比真的还真。", "joke"),  # mock comparison
        ("我认得您，不用带证件，先帮您取了。", "over-promise"),  # private favour
        ("只要您删除差评，我们给您补偿。", "over-promise"),
        ("請在對話框輸入您的提款卡密碼。", "password-risk"),  # written channel
        ("您常用的几组数字发给我，我一个个帮您试。", "password-risk"),  # guess and try
        ("身份證K613482(3)，我讀一次俾你聽。", "pii-exposure"),  # letter-prefixed ID
        ("那个男的叫赵伟，天天来闹。", "pii-exposure"),  # a third party's name
        ("请节哀，手续的事我们一步步帮您。", "empathy"),
        ("您可透过App遥距开户，全程约十五分钟。", "alternative"),  # formal 可 + verb
        ("已为您登记，处理结果三个工作日内回复您。", "ownership"),  # written callback
        ("问用途不是查您，是最近冒充公安的骗子多。", "explains-purpose"),
    ],
)
def test_new_families_fire(checker: ReplyChecker, text: str, code: str) -> None:
    assert code in codes(checker, text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("大老远赶来办不成，换谁都窝火。", "refusal-only"),  # a predicament, then empathy
        ("按规定，继承业务须全体继承人到场，否则无法办理。", "explains-purpose"),
        ("我先帮您把卡冻结，防止再被扣款。", "explains-purpose"),  # the staff's own safeguard
        ("您不问我们也会主动告诉您。", "blame"),
        ("这不是您自己的问题。", "blame"),
        ("如再接到可疑电话，请立即报警。", "hostile"),
        ("若您正在接聽自稱警察的電話，請先掛斷，再自行撥打165查證。", "dismissive"),
        ("您好，该业务线上无法办理。", "alternative"),  # a channel named in a refusal
        ("存钱罐里的硬币我们用机器帮您点。", "joke"),
        ("您像平时一样输密码就行。", "joke"),
        ("我们不会私下收任何费用。", "over-promise"),
        ("我们会把验证码发送到您的手机上。", "password-risk"),
        ("我叫王芳，有事直接找我。", "pii-exposure"),  # the staff member's own name
        ("您别担心，我私下帮您免了年费。", "empathy"),  # reassurance fronting an over-promise
        ("我现在就给您改，一分钱不收。", "ownership"),  # doing the service now
    ],
)
def test_new_families_stay_quiet(checker: ReplyChecker, text: str, absent: str) -> None:
    assert absent not in codes(checker, text)


# -- families written for the writers d and e (fresh wordings, not rows of any labelled set) --


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("恭喜你啊，這張是假鈔，要沒收喔。", "joke"),  # congratulations on a bad event
        ("卡被吞了？恭喜，今天第一個中獎的就是您。", "joke"),
        ("提款機今天胃口特別好，吃了好幾張卡了。", "joke"),  # the machine as a living thing
        ("手續費才五塊而已，一杯咖啡的錢都不到。", "joke"),  # a cheap thing's price
        ("人哋八十歲都識用App啦，你後生仔都唔識？", "joke"),  # compared with other customers
        ("拍吧，記得把我拍漂亮一點。", "joke"),  # a filming joke
        ("您這是第五次來了吧，都認識路了。", "joke"),  # a mock guess
        ("排队嘛，就当来吹空调了，多划算。", "joke"),  # 就当… with a flippant gain
        ("账户冻了就冻了，又不会少块肉。", "joke"),
        ("等公证办下来，您孙子都上大学了。", "joke"),  # an exaggerated wait
        ("那點手續費，還不夠您喝杯咖啡。", "joke"),
        ("这笔理财保您不亏，跌了我负责。", "over-promise"),
        ("這種簡訊您也點？", "blame"),  # believing a stranger
        ("上次就跟您講過要帶正本。", "blame"),  # told-you-so
        ("钱当面不点清，现在回来说少了？", "blame"),  # after the fact
        ("您把卡跟密码放一起，被盗刷也是难免的。", "blame"),  # you did it yourself
        ("你眼睛長哪裡了？旁邊就寫著。", "hostile"),
        ("我知道你住哪，你再鬧試試。", "hostile"),  # intimidation
        ("你講完未呀？唔好指住我。", "hostile"),
        ("保險的事找保險公司，別問我們。", "dismissive"),  # the matter goes elsewhere
        ("這筆錢去了哪裡我們也不知道。", "dismissive"),
        ("不願意填就算了，下一位。", "dismissive"),
        ("您說要上新聞？好啊，幫我們打打廣告。", "dismissive"),  # a sarcastic go-ahead
        ("不用双录了，我直接给您签了。", "over-promise"),  # a waived safeguard
        ("唔使本人嚟，我幫你搞掂。", "over-promise"),
        ("错转的钱我明天就帮您追回来。", "over-promise"),  # an outcome given a date
        ("责任我来担，您就让儿子代签就行。", "over-promise"),
        ("手續費我幫您免了，沒人會知道。", "over-promise"),  # keeping it quiet
        ("驗證碼收到了嗎？截個圖發我，我幫您弄。", "password-risk"),  # hand-over next clause
        ("把密碼也填在這張單子上吧。", "password-risk"),
        ("您戶頭裡還有三十萬，放心吧。", "pii-exposure"),  # a balance read aloud
        ("B123456789這個身分證號已經過期了。", "pii-exposure"),  # letter ID before its label
        ("隔壁那位阿姨也被冻了，她欠了好多贷款。", "pii-exposure"),
        ("我們這裡沒有外幣兌換服務。", "refusal-only"),  # no such service
        ("收走的假币不会再还给您。", "refusal-only"),
        ("新卡到了我给您发短信。", "ownership"),  # a callback on an event
        ("材料我周三前帮您整理好。", "ownership"),  # by a set time
        ("我知道排这么久很累。", "empathy"),
        ("包别放椅子上，人多容易被拿走。", "explains-purpose"),
        ("户口本没带的话，结婚证也能证明。", "alternative"),
    ],
)
def test_writer_families_fire(checker: ReplyChecker, text: str, code: str) -> None:
    assert code in codes(checker, text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("恭喜您，贷款今天批下来了。", "joke"),  # real good news
        ("您的账户已经解冻了，恭喜您，可以正常使用了。", "joke"),
        ("今天人多得跟过年似的，让您久等了，真不好意思。", "joke"),  # a simile about the crowd
        ("阿姨又来啦，今天还是存零钱吗？我帮您用机器点。", "joke"),  # a warm greeting with help
        ("哪怕只是一杯咖啡的钱，也是您的钱，我帮您查。", "joke"),
        ("是我没听清楚，刚才打断您了，对不起。", "blame"),  # the staff's own fault
        ("您明天早上来就不用等这么久了。", "blame"),  # advice about the future
        ("密码忘了不丢人，我帮您重置。", "hostile"),
        ("您的密码我们也不知道，只有您自己知道。", "dismissive"),
        ("您要投诉的话，好啊，我把投诉电话写给您，也请给我个机会先把事办好。", "dismissive"),
        ("老人不用亲自来，我们可以安排上门核实。", "over-promise"),  # another check is offered
        ("正常情况下，转账失败的钱明天就退回来，没到的话您找我。", "over-promise"),
        ("这笔手续费以后也不收了，是因为您绑定了工资卡，符合减免条件。", "over-promise"),
        ("残币我给您按比例兑换。", "password-risk"),  # 按 is not the keypad
        ("您已经把密码告诉别人了？那我们先把卡冻结。", "password-risk"),
        ("您卡里有二十万以上的话，可以考虑大额存单。", "pii-exposure"),
        ("隔壁那位是我们的大堂经理，有问题也可以找她。", "pii-exposure"),
        ("排了两个小时还办不了，换作是我也会生气。", "refusal-only"),  # a predicament
        ("你再闹就不给你办了。", "refusal-only"),  # a threat's consequence (hostile)
        ("卡冻上了，钱就不会再被转走了。", "refusal-only"),
        ("需要本人或者公证委托才能办。", "alternative"),  # 或者 listing requirements
        ("監管就是這麼要求的，一筆一筆都要登記。", "alternative"),
    ],
)
def test_writer_families_stay_quiet(checker: ReplyChecker, text: str, absent: str) -> None:
    assert absent not in codes(checker, text)


def test_rules_file_has_no_repeated_keys() -> None:
    """A second ``except_in`` in one rule would silently replace the first."""
    import yaml

    from calmdesk.data import DATA_DIR

    repeated: list[tuple[int, list[str]]] = []

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[object, object]:
        keys = [k.value for k, _ in node.value]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            repeated.append((node.start_mark.line + 1, twice))
        return dict(loader.construct_pairs(node))

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    loaded = yaml.load((DATA_DIR / "rules" / "replies.yaml").read_text(encoding="utf-8"), Loader)
    assert loaded["rules"]
    assert repeated == []


def test_letter_ids_need_a_label_nearby(checker: ReplyChecker) -> None:
    assert "pii-exposure" in codes(checker, "您的身份证号码A123456(7)已核实。")
    assert "pii-exposure" not in codes(checker, "您的预约号是A023456，请留意叫号。")


def test_heldout3_is_only_measured_with_final(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sealed set v3 is read by bench/eval_replies.py only when given ``--final``."""
    import importlib.util
    import sys

    path = Path(__file__).resolve().parents[2] / "bench" / "eval_replies.py"
    spec = importlib.util.spec_from_file_location("eval_replies_under_test", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    sealed3 = [s for s in module.SETS if any("heldout3" in p.name for p in s.paths)]
    assert sealed3
    assert all(s.final and s.sealed for s in sealed3)
    assert all(not s.final for s in module.SETS if s not in sealed3)
