"""Warnings on a turn: small rules that each fire or abstain.

Each rule is a plain function of a :class:`WarningContext` returning the warnings it raises
(usually none). :data:`WARNING_RULES` is the registry the encounter consults; the Chinese
messages come from the data file, or — for reply codes — from the reply checker's own finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from calmdesk.guidance.evidence import Speaker, TurnEvidence
from calmdesk.guidance.rules import GuidanceRules
from calmdesk.playbook.model import Stage

if TYPE_CHECKING:
    from calmdesk.analysis.replies import ReplyCheck

__all__ = ["WARNING_RULES", "GuidanceWarning", "WarningContext", "warnings_for"]


@dataclass(frozen=True, slots=True)
class GuidanceWarning:
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class WarningContext:
    turn: TurnEvidence
    reply: ReplyCheck | None  # staff turns only
    stage_before: Stage
    anger: int  # customer's current anger
    previous_anger: int | None  # at the customer turn before this one
    previous_speaker: Speaker | None
    soothed_before: bool  # empathy or apology given in an EARLIER staff turn
    rules: GuidanceRules


WarningRule = Callable[[WarningContext], list[GuidanceWarning]]


def reply_codes(ctx: WarningContext) -> list[GuidanceWarning]:
    """Every negative reply code of a staff turn, once per code (e.g. ``refusal-only``)."""
    if ctx.reply is None:
        return []
    seen: dict[str, GuidanceWarning] = {}
    for finding in ctx.reply.findings:
        seen.setdefault(finding.code, GuidanceWarning(finding.code, finding.message))
    return list(seen.values())


def premature_explanation(ctx: WarningContext) -> list[GuidanceWarning]:
    """Rules or refusals before any empathy, to a customer still angry: "规定就是这样" at once."""
    rule = ctx.rules.premature
    codes = set(ctx.turn.codes)
    if ctx.turn.speaker is not Speaker.STAFF or not codes & rule.codes:
        return []
    if ctx.soothed_before or codes & rule.unless_soothed_by:
        return []
    if ctx.anger >= rule.anger_at_least or ctx.stage_before in rule.stages:
        return [GuidanceWarning("premature-explanation", rule.message)]
    return []


def anger_rising(ctx: WarningContext) -> list[GuidanceWarning]:
    """The customer got angrier right after a staff turn: that reply made things worse."""
    if (
        ctx.turn.speaker is Speaker.CUSTOMER
        and ctx.previous_speaker is Speaker.STAFF
        and ctx.previous_anger is not None
        and ctx.anger > ctx.previous_anger
    ):
        return [GuidanceWarning("anger-rising", ctx.rules.anger_rising_message)]
    return []


def cue_warnings(ctx: WarningContext) -> list[GuidanceWarning]:
    """Violence, fraud, exposure threats, elderly customers …: one warning per cue in the turn."""
    return [
        GuidanceWarning(rule.warning, rule.message)
        for rule in ctx.rules.cues
        if rule.cue in ctx.turn.cues
    ]


#: Safety warnings first: a screen shows the most urgent one at the top.
WARNING_RULES: tuple[WarningRule, ...] = (
    cue_warnings,
    anger_rising,
    premature_explanation,
    reply_codes,
)


def warnings_for(ctx: WarningContext) -> tuple[GuidanceWarning, ...]:
    out: list[GuidanceWarning] = []
    for rule in WARNING_RULES:
        out.extend(w for w in rule(ctx) if all(w.code != o.code for o in out))
    return tuple(out)
