"""One turn of an encounter reduced to the evidence the state machine needs.

A :class:`TurnEvidence` is small, JSON-serialisable and holds only masked text, so it is what
the store keeps: replaying stored evidence rebuilds an encounter exactly, without running the
analysers again (and without the raw text, which is never stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from calmdesk import errors
from calmdesk.guidance.rules import GuidanceRules
from calmdesk.text.normalize import Script

__all__ = ["Speaker", "TurnEvidence", "asks_question", "confirms", "states_demand"]


class Speaker(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"

    @classmethod
    def parse(cls, value: object) -> Speaker:
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise errors.BadInput(
                f"「speaker」应为 customer（客户）或 staff（员工），收到的是「{value}」",
                code=errors.BAD_FIELD,
                field="speaker",
            ) from None


@dataclass(frozen=True, slots=True)
class TurnEvidence:
    speaker: Speaker
    text: str  # PII already masked
    script: Script
    anger: int | None = None  # customer turns only
    cues: tuple[str, ...] = ()  # customer turns only
    codes: tuple[str, ...] = ()  # reply codes, staff turns only
    demand: bool = False  # customer stated what they want
    confirms: bool = False  # customer accepts or thanks
    asks: bool = False  # staff asked a question

    def to_dict(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker.value,
            "text": self.text,
            "script": self.script.value,
            "anger": self.anger,
            "cues": list(self.cues),
            "codes": list(self.codes),
            "demand": self.demand,
            "confirms": self.confirms,
            "asks": self.asks,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TurnEvidence:
        anger = data.get("anger")
        return cls(
            speaker=Speaker(data["speaker"]),
            text=str(data["text"]),
            script=Script(data.get("script", "hans")),
            anger=int(anger) if anger is not None else None,
            cues=tuple(str(c) for c in data.get("cues", ())),
            codes=tuple(str(c) for c in data.get("codes", ())),
            demand=bool(data.get("demand")),
            confirms=bool(data.get("confirms")),
            asks=bool(data.get("asks")),
        )


def states_demand(text: str, rules: GuidanceRules) -> bool:
    """The customer says what they want ("我要查流水", "能不能今天办")."""
    return any(p in text for p in rules.demand_phrases)


def confirms(text: str, rules: GuidanceRules) -> bool:
    """The customer accepts or thanks ("好的，谢谢"); "可不可以" is a question, not a yes."""
    for exception in rules.confirm_exceptions:
        text = text.replace(exception, "|")
    return any(p in text for p in rules.confirm_phrases)


def asks_question(text: str, rules: GuidanceRules) -> bool:
    """The staff member asks something, which is how a core demand gets clarified."""
    return any(m in text for m in rules.question_markers)
