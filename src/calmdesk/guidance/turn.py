"""What the assistant says after a turn: :class:`TurnGuidance` and its JSON shape.

The shape of :meth:`TurnGuidance.to_dict` is documented in :mod:`calmdesk.guidance.sessions`
(the web app and the CLI both render it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from calmdesk.guidance.evidence import TurnEvidence
from calmdesk.guidance.warnings import GuidanceWarning
from calmdesk.playbook.model import Contact, Scenario, Stage
from calmdesk.playbook.vocab import contact_label, stage_goal, stage_label, topic_label
from calmdesk.text.normalize import Script
from calmdesk.text.render import localize

if TYPE_CHECKING:
    from calmdesk.analysis.replies import ReplyCheck, ReplyFinding

__all__ = ["EscalationAdvice", "Trend", "TurnGuidance", "trend_of"]


class Trend(StrEnum):
    RISING = "rising"
    FALLING = "falling"
    STEADY = "steady"


def trend_of(angers: tuple[int, ...]) -> Trend:
    """Direction of the last change in the customer's anger."""
    if len(angers) < 2 or angers[-1] == angers[-2]:
        return Trend.STEADY
    return Trend.RISING if angers[-1] > angers[-2] else Trend.FALLING


@dataclass(frozen=True, slots=True)
class EscalationAdvice:
    contact: Contact
    when: str
    urgent: bool  # raised by a cue or by anger now, not a scenario's "if … then"

    def to_dict(self) -> dict[str, Any]:
        return {
            "contact": self.contact.value,
            "contact_name": contact_label(self.contact),
            "when": self.when,
            "urgent": self.urgent,
        }


@dataclass(frozen=True)
class TurnGuidance:
    turn: TurnEvidence | None  # None: guidance for the current state, no new turn
    stage: Stage
    transition: str | None  # name of the stage rule that fired on this turn
    angers: tuple[int, ...]  # customer anger over customer turns
    cues: tuple[str, ...]
    scenario: Scenario | None
    actions: tuple[str, ...]
    suggestions: tuple[str, ...]
    warnings: tuple[GuidanceWarning, ...]
    escalation: tuple[EscalationAdvice, ...]
    reply: ReplyCheck | None  # staff turns and drafts
    script: Script  # the customer's script

    @property
    def anger(self) -> int:
        return self.angers[-1] if self.angers else 0

    @property
    def warning_codes(self) -> list[str]:
        return [w.code for w in self.warnings]

    def to_dict(self, script: Script | None = None) -> dict[str, Any]:
        out_script = script or self.script
        sc = self.scenario
        body: dict[str, Any] = {
            "stage": self.stage.value,
            "stage_name": stage_label(self.stage),
            "stage_goal": stage_goal(self.stage),
            "transition": self.transition,
            "anger": self.anger,
            "trajectory": {"values": list(self.angers), "trend": trend_of(self.angers).value},
            "cues": list(self.cues),
            "topic": sc.topic.value if sc else None,
            "topic_name": topic_label(sc.topic) if sc else None,
            "scenario": sc.id if sc else None,
            "scenario_title": sc.title if sc else None,
            "actions": list(self.actions),
            "suggestions": list(self.suggestions),
            "warnings": [w.to_dict() for w in self.warnings],
            "escalation": [e.to_dict() for e in self.escalation],
        }
        body = localize(body, out_script)
        masked = self.turn.text if self.turn else ""
        reply = self.reply
        head: dict[str, Any] = {
            "speaker": self.turn.speaker.value if self.turn else None,
            "text": masked if self.turn else None,
            "script": out_script.value,
        }
        tail: dict[str, Any] = {
            "findings": [_finding(f, masked, out_script) for f in reply.findings] if reply else [],
            "strengths": [_finding(f, masked, out_script) for f in reply.strengths]
            if reply
            else [],
            "better": localize(reply.better, out_script) if reply and reply.better else None,
        }
        return head | body | tail


def _finding(finding: ReplyFinding, masked: str, script: Script) -> dict[str, Any]:
    out = finding.to_dict(script)
    # The span is quoted from the masked text: a number read aloud must not leave the process.
    out["text"] = masked[finding.start : finding.end]
    return out
