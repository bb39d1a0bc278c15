from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import DATA, DEV_DATA

from calmdesk.engine import Engine
from calmdesk.matching.evaluate import evaluate_ranking, read_situations
from calmdesk.text.normalize import Script, normalize


def _ranker(engine: Engine):  # type: ignore[no-untyped-def]
    return lambda text: [m.scenario.topic.value for m in engine.advise(text, top=10).matches]


def test_issue_example_shows_no_valid_id(engine: Engine) -> None:
    advice = engine.advise("客户没带身份证要查信用卡流水")
    assert advice.best is not None
    assert advice.best.scenario.topic.value == "no-valid-id"


@pytest.mark.parametrize(
    "path",
    [DEV_DATA / "situations.tsv", DATA / "situations.tsv", DATA / "heldout_situations.tsv"],
    ids=["dev", "own", "held-out"],
)
def test_matching_targets(engine: Engine, path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} not present")
    report = evaluate_ranking(read_situations(path), _ranker(engine))
    assert report.top1_rate >= 0.90, report.misses
    assert report.top3_rate >= 0.98, report.misses


def test_own_set_covers_every_topic_in_both_scripts(engine: Engine) -> None:
    rows = read_situations(DATA / "situations.tsv")
    seen: set[tuple[str, Script]] = set()
    from calmdesk.text.normalize import normalize

    for row in rows:
        for topic in row.topics:
            seen.add((topic, normalize(row.text).script))
    topics = {t.value for t in engine.playbook.topics()}
    assert {(t, s) for t in topics for s in Script} <= seen


def test_answers_in_the_users_script(engine: Engine) -> None:
    hant = engine.advise("客戶的卡被提款機吞了")
    assert hant.script is Script.HANT
    hans = engine.advise("客户的卡被取款机吞了")
    assert hans.script is Script.HANS
    forced = engine.advise("客户的卡被取款机吞了", script=Script.HANT)
    assert forced.to_dict()["script"] == "hant"


def test_traditional_output_is_traditional(engine: Engine) -> None:
    out = engine.advise("客戶的卡被提款機吞了").to_dict()
    assert out["script"] == "hant"
    title = out["playbook"]["title"]
    from calmdesk.text.normalize import to_script

    assert title == to_script(
        engine.advise("客户的卡被取款机吞了").to_dict()["playbook"]["title"], Script.HANT
    )
    assert out["playbook"]["topic"] == "card-retained"  # codes are never converted


@pytest.mark.parametrize(
    "text", ["卡被吞了😡😡", "ＡＴＭ吞卡！！！", "  atm 吞  卡 ", "客戶卡被吞，急！"]
)
def test_noisy_input_still_matches(engine: Engine, text: str) -> None:
    best = engine.advise(text).best
    assert best is not None and best.scenario.topic.value == "card-retained"


def test_gibberish_gives_no_match_not_an_error(engine: Engine) -> None:
    advice = engine.advise("qwerty zxcv")
    assert advice.matches == ()
    assert "message" in advice.to_dict()


def test_top_n_lists_distinct_topics_first(engine: Engine) -> None:
    advice = engine.advise("客户排队太久很生气，要投诉", top=5)
    topics = [m.scenario.topic for m in advice.matches]
    assert len(advice.matches) == 5
    firsts = topics[: len(set(topics))]
    assert len(set(firsts)) == len(firsts)


def test_concrete_problem_outranks_general_anger(engine: Engine) -> None:
    angry_only = engine.advise("客户大吵大闹，拍桌子骂人，要见负责人")
    assert angry_only.best is not None
    assert angry_only.best.scenario.topic.value == "angry-complaint"
    both = engine.advise("客户大吵大闹说我们故意刁难，其实是身份证忘带了要查流水")
    assert both.best is not None
    assert both.best.scenario.topic.value == "no-valid-id"
    assert "angry-complaint" in [m.scenario.topic.value for m in both.matches]


def test_topic_model_is_a_distribution_over_the_playbook_topics(engine: Engine) -> None:
    index = engine.matcher.index
    features = engine.matcher._query.features(normalize("ATM把卡吞了").text)
    posterior = index.topic_posterior(features)
    assert posterior is not None
    assert abs(sum(posterior) - 1) < 1e-9
    assert index.topics[posterior.index(max(posterior))] == "card-retained"
    assert index.topic_posterior(["§no-such-feature"]) is None
