"""Each warning rule fires or abstains, on hand-made contexts (no analyser runs)."""

from __future__ import annotations

import pytest

from calmdesk.guidance import Speaker, TurnEvidence
from calmdesk.guidance.rules import builtin_rules
from calmdesk.guidance.warnings import (
    WarningContext,
    anger_rising,
    cue_warnings,
    premature_explanation,
    warnings_for,
)
from calmdesk.playbook.model import Stage
from calmdesk.text.normalize import Script


def ctx(
    turn: TurnEvidence,
    *,
    stage: Stage = Stage.RESPOND,
    anger: int = 2,
    previous_anger: int | None = None,
    previous: Speaker | None = None,
    soothed: bool = False,
) -> WarningContext:
    return WarningContext(
        turn, None, stage, anger, previous_anger, previous, soothed, builtin_rules()
    )


def staff(*codes: str) -> TurnEvidence:
    return TurnEvidence(Speaker.STAFF, "……", Script.HANS, codes=codes)


def customer(*cues: str, anger: int = 2) -> TurnEvidence:
    return TurnEvidence(Speaker.CUSTOMER, "……", Script.HANS, anger=anger, cues=cues)


@pytest.mark.parametrize(
    ("turn", "kwargs", "fires"),
    [
        (staff("rule-only"), {}, True),
        (staff("refusal-only"), {"stage": Stage.CLARIFY, "anger": 2}, True),
        (staff("explains-purpose"), {"stage": Stage.LISTEN, "anger": 0}, True),
        (staff("explains-purpose", "empathy"), {}, False),  # soothed in the same breath
        (staff("rule-only", "apology"), {}, False),
        (staff("rule-only"), {"soothed": True}, False),  # soothed earlier
        (staff("rule-only"), {"stage": Stage.RESOLVE, "anger": 1}, False),  # calm, later stage
        (staff("alternative"), {}, False),
        (customer(), {}, False),
    ],
)
def test_premature_explanation(turn: TurnEvidence, kwargs: dict[str, object], fires: bool) -> None:
    assert bool(premature_explanation(ctx(turn, **kwargs))) is fires  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("previous_anger", "anger", "previous", "fires"),
    [
        (1, 2, Speaker.STAFF, True),
        (2, 2, Speaker.STAFF, False),
        (2, 1, Speaker.STAFF, False),
        (1, 3, Speaker.CUSTOMER, False),  # no staff reply in between: not "after a reply"
        (None, 3, None, False),
    ],
)
def test_anger_rising(
    previous_anger: int | None, anger: int, previous: Speaker | None, fires: bool
) -> None:
    got = anger_rising(
        ctx(customer(anger=anger), anger=anger, previous_anger=previous_anger, previous=previous)
    )
    assert bool(got) is fires


@pytest.mark.parametrize(
    ("cue", "code"),
    [
        ("violence", "escalate-security"),
        ("fraud", "fraud-procedure"),
        ("exposure-threat", "exposure-threat"),
        ("elderly", "elderly-care"),
        ("disability", "accessibility-care"),
        ("repeat-visit", "repeat-visit"),
    ],
)
def test_cue_warnings(cue: str, code: str) -> None:
    assert [w.code for w in cue_warnings(ctx(customer(cue)))] == [code]
    assert cue_warnings(ctx(customer())) == []


def test_safety_first_and_no_duplicates() -> None:
    turn = customer("fraud", "violence")
    codes = [w.code for w in warnings_for(ctx(turn))]
    assert codes == ["escalate-security", "fraud-procedure"]
    assert all(w.message for w in warnings_for(ctx(turn)))
