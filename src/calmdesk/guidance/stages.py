"""Stage transitions: the data-file rules evaluated against one turn's evidence.

The rules (``data/guidance/stages.yaml``) name conditions; this module is the only place that
knows what each condition means. The first rule that matches wins; no match keeps the stage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from calmdesk.guidance.evidence import Speaker, TurnEvidence
from calmdesk.guidance.rules import GuidanceRules, Transition
from calmdesk.playbook.model import Stage

__all__ = ["CHECKS", "StageFacts", "next_stage"]


@dataclass(frozen=True, slots=True)
class StageFacts:
    """What is known right after a turn, in the terms the conditions use."""

    turn: TurnEvidence
    anger: int  # the customer's current anger
    previous_anger: int | None  # at the customer turn before this one (customer turns only)
    soothed: bool  # empathy or apology given so far, this turn included
    demand_known: bool
    offered: bool  # an alternative or ownership given so far, this turn included


_Check = Callable[[StageFacts, Any], bool]


def _rose(f: StageFacts) -> bool:
    return (
        f.turn.speaker is Speaker.CUSTOMER
        and f.previous_anger is not None
        and f.anger > f.previous_anger
    )


def _fell(f: StageFacts) -> bool:
    return (
        f.turn.speaker is Speaker.CUSTOMER
        and f.previous_anger is not None
        and f.anger < f.previous_anger
    )


#: Condition name → its test. ``rules.CONDITIONS`` lists the same names with their value types.
CHECKS: dict[str, _Check] = {
    "anger_rose": lambda f, v: _rose(f) is v,
    "anger_fell": lambda f, v: _fell(f) is v,
    "anger_at_most": lambda f, v: f.anger <= v,
    "anger_at_least": lambda f, v: f.anger >= v,
    "reply_any": lambda f, v: any(code in f.turn.codes for code in v),
    "soothed": lambda f, v: f.soothed is v,
    "demand_known": lambda f, v: f.demand_known is v,
    "asked": lambda f, v: f.turn.asks is v,
    "confirms": lambda f, v: f.turn.confirms is v,
    "offered": lambda f, v: f.offered is v,
}


def _applies(rule: Transition, stage: Stage, facts: StageFacts) -> bool:
    if rule.speaker != facts.turn.speaker.value:
        return False
    if rule.from_stages and stage not in rule.from_stages:
        return False
    return all(CHECKS[name](facts, value) for name, value in rule.when)


def next_stage(
    stage: Stage, facts: StageFacts, rules: GuidanceRules
) -> tuple[Stage, Transition | None]:
    """The stage after this turn and the rule that moved it (None: stayed)."""
    for rule in rules.transitions:
        if _applies(rule, stage, facts):
            return rule.to, rule
    return stage, None
