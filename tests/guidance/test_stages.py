"""Stage transitions from evidence alone (no analyser runs): the rules in stages.yaml."""

from __future__ import annotations

import pytest

from calmdesk.engine import Engine
from calmdesk.guidance import Encounter, EncounterState, Speaker, TurnEvidence
from calmdesk.guidance.rules import CONDITIONS, builtin_rules
from calmdesk.guidance.stages import CHECKS
from calmdesk.playbook.model import Stage
from calmdesk.text.normalize import Script

C, S = Speaker.CUSTOMER, Speaker.STAFF


def customer(anger: int, *, demand: bool = False, confirms: bool = False) -> TurnEvidence:
    return TurnEvidence(
        C, "我的身份证忘带了", Script.HANS, anger=anger, demand=demand, confirms=confirms
    )


def staff(*codes: str, asks: bool = False) -> TurnEvidence:
    return TurnEvidence(S, "……", Script.HANS, codes=codes, asks=asks)


def run(engine: Engine, *turns: TurnEvidence) -> list[tuple[Stage, str | None]]:
    encounter = Encounter(engine)
    out = []
    for t in turns:
        encounter.state, rule = encounter.advance(encounter.state, t)
        out.append((encounter.state.stage, rule))
    return out


def stages(engine: Engine, *turns: TurnEvidence) -> list[str]:
    return [s.value for s, _ in run(engine, *turns)]


def test_every_condition_is_evaluable() -> None:
    assert set(CHECKS) == set(CONDITIONS)


def test_full_good_path(engine: Engine) -> None:
    assert stages(
        engine,
        customer(2),
        staff("apology"),
        customer(2),
        staff("empathy"),
        staff("empathy", asks=True),
        customer(1),
        staff("alternative"),
        customer(0, confirms=True),
    ) == ["respond", "listen", "empathise", "clarify", "clarify", "resolve", "resolve", "close"]


def test_demand_already_stated_skips_clarify(engine: Engine) -> None:
    assert (
        stages(engine, customer(2, demand=True), staff("apology"), customer(1), staff("empathy"))[
            -1
        ]
        == "resolve"
    )


@pytest.mark.parametrize(
    "bad", ["refusal-only", "rule-only", "blame", "hostile", "dismissive", "joke"]
)
def test_a_bad_reply_sends_back_to_listen(engine: Engine, bad: str) -> None:
    result = run(
        engine,
        customer(1, demand=True),
        staff("apology"),
        customer(1),
        staff("empathy"),
        staff(bad),
    )
    assert result[-2][0] is Stage.RESOLVE
    assert result[-1] == (Stage.LISTEN, "bad-reply-back-to-listen")


def test_rising_anger_sends_back_to_listen(engine: Engine) -> None:
    result = run(
        engine,
        customer(1, demand=True),
        staff("apology"),
        customer(1),
        staff("empathy"),
        customer(3),
    )
    assert result[-1] == (Stage.LISTEN, "anger-rose-back-to-listen")


def test_thanks_without_an_offer_does_not_close(engine: Engine) -> None:
    assert stages(engine, customer(1), staff("apology"), customer(0, confirms=True))[-1] != "close"


def test_an_angry_thanks_does_not_close(engine: Engine) -> None:
    turns = (
        customer(2, demand=True),
        staff("apology"),
        customer(2),
        staff("empathy"),
        staff("alternative"),
    )
    assert stages(engine, *turns, customer(2, confirms=True))[-1] == "resolve"


def test_answer_to_a_staff_question_is_the_demand(engine: Engine) -> None:
    turns = (customer(2), staff("apology"), customer(2), staff("empathy"), staff(asks=True))
    assert stages(engine, *turns)[-1] == "clarify"
    assert stages(engine, *turns, customer(1))[-1] == "resolve"


def test_silence_keeps_the_stage(engine: Engine) -> None:
    assert stages(engine, customer(2), customer(2), staff("gratitude"))[:2] == [
        "respond",
        "respond",
    ]


def test_state_is_a_value(engine: Engine) -> None:
    encounter = Encounter(engine)
    before = encounter.state
    after, _ = encounter.advance(before, customer(2))
    assert before == EncounterState() and after.angers == (2,) and after is not before


def test_transitions_name_only_known_stages() -> None:
    rules = builtin_rules()
    assert {t.to for t in rules.transitions} <= set(Stage)
    assert len({t.name for t in rules.transitions}) == len(rules.transitions)
