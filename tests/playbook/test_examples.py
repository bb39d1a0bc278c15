"""Example situations: the built-in files, validation of bad files, and a bank's own examples."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from calmdesk import errors
from calmdesk.engine import Engine
from calmdesk.playbook.examples import read_example_file
from calmdesk.playbook.loader import BUILTIN_PLAYBOOK_DIR, check_playbook_dir, load_playbook
from calmdesk.text.normalize import Script, normalize

EXAMPLES = BUILTIN_PLAYBOOK_DIR / "examples"
TEMPLATE = BUILTIN_PLAYBOOK_DIR / "no-valid-id" / "forgot-id-card.yaml"


def _write_examples(directory: Path, body: str, name: str = "bank.tsv") -> Path:
    folder = directory / "examples"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def _write_scenario(directory: Path, **changes: object) -> None:
    data = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    data.update(changes)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{data['id']}.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )


def test_builtin_examples_cover_every_topic_in_both_scripts() -> None:
    playbook = load_playbook()
    by_topic: dict[str, list[str]] = {}
    for scenario in playbook:
        by_topic.setdefault(scenario.topic.value, []).extend(playbook.examples_for(scenario.id))
    for topic, texts in by_topic.items():
        assert len(texts) >= 60, topic
        scripts = {normalize(t).script for t in texts}
        assert scripts == {Script.HANS, Script.HANT}, topic


def test_builtin_example_files_are_clean() -> None:
    files = sorted(EXAMPLES.glob("*.tsv"))
    assert len(files) >= 3
    seen: set[str] = set()
    for path in files:
        rows, problems = read_example_file(path, path.name)
        assert problems == [], path.name
        for _, text in rows:
            key = normalize(text).text
            assert key not in seen, f"duplicate example: {text}"
            seen.add(key)


@pytest.mark.parametrize(
    ("body", "field", "reason_part"),
    [
        ("scenario\ttext\nno-valid-id.forgot-id-card\n", "第 2 行", "两列"),
        ("scenario\ttext\nno-valid-id.forgot-id-card\t \n", "第 2 行", "不能为空"),
        ("scenario\ttext\nno-valid-id.forgot-id-card\t" + "长" * 201 + "\n", "第 2 行", "太长"),
        ("id\tsituation\nx\ty\n", "第 1 行", "表头"),
        ("# only a comment\n", "(文件)", "表头"),
        ("scenario\ttext\nno.such-scenario\t客户没带身份证\n", "scenario", "不存在"),
    ],
)
def test_bad_example_files_name_file_line_and_reason(
    tmp_path: Path, body: str, field: str, reason_part: str
) -> None:
    _write_examples(tmp_path, body)
    problems = check_playbook_dir(tmp_path)
    found = [p for p in problems if p.field == field]
    assert found, problems
    assert reason_part in found[0].reason
    assert "examples" in found[0].file


def test_example_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = _write_examples(tmp_path, "")
    path.write_bytes("scenario\ttext\nno-valid-id.forgot-id-card\t没带身份证\n".encode("gbk"))
    problems = check_playbook_dir(tmp_path)
    assert any("UTF-8" in p.reason for p in problems)


def test_bank_examples_extend_builtin_and_own_scenarios(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    _write_scenario(bank, id="bank.gold-bar-buyback", title="客户要求回购金条")
    _write_examples(
        bank,
        "scenario\ttext\n"
        "bank.gold-bar-buyback\t客户拿着金条要卖回给银行\n"
        "no-valid-id.forgot-id-card\t户口本能不能代替身份证\n",
    )
    builtin = load_playbook()
    merged = load_playbook([bank])
    assert merged.examples_for("bank.gold-bar-buyback") == ("客户拿着金条要卖回给银行",)
    assert len(merged.examples_for("no-valid-id.forgot-id-card")) == (
        len(builtin.examples_for("no-valid-id.forgot-id-card")) + 1
    )


def test_bank_example_for_unknown_scenario_refuses_to_load(tmp_path: Path) -> None:
    _write_examples(tmp_path / "bank", "scenario\ttext\nbank.nothing-here\t随便一句话\n")
    with pytest.raises(errors.DataFileError) as info:
        load_playbook([tmp_path / "bank"])
    assert info.value.code == errors.PLAYBOOK_INVALID
    assert "bank.nothing-here" in str(info.value)


def test_disabled_scenario_drops_its_examples(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "off.yaml").write_text("id: card-retained.atm-swallowed-card\ndisabled: true\n")
    merged = load_playbook([bank])
    assert merged.get("card-retained.atm-swallowed-card") is None
    assert merged.examples_for("card-retained.atm-swallowed-card") == ()


def test_bank_examples_teach_the_matcher_a_new_way_of_saying_it(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    _write_scenario(
        bank,
        id="bank.safe-box-fee",
        topic="fee-dispute",
        title="客户不满保管箱费用上调",
        situation="租用保管箱的客户对续租费用上调不满。",
        signals=["保管箱", "保管箱续租", "保管箱涨价"],
    )
    query = "老太太说存东西的柜子一年比一年贵"
    before = Engine(playbook_dirs=[bank], rules_dirs=[]).advise(query)
    assert before.best is None or before.best.scenario.id != "bank.safe-box-fee"
    _write_examples(
        bank,
        "scenario\ttext\n"
        + "".join(
            f"bank.safe-box-fee\t{t}\n"
            for t in [
                "客户嫌存东西的柜子租金又涨了",
                "租的柜子续费贵了不少客户不乐意",
                "放贵重物品的箱子一年比一年贵",
            ]
        ),
    )
    after = Engine(playbook_dirs=[bank], rules_dirs=[]).advise(query)
    assert after.best is not None and after.best.scenario.id == "bank.safe-box-fee"
