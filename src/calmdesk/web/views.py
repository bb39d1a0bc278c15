"""Small, pure helpers the page templates use: labels, highlighting, time, stage progress."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from calmdesk.engine import Engine
from calmdesk.playbook.model import Contact, Place, Stage, Topic
from calmdesk.playbook.vocab import contact_label, place_label, stage_goal, stage_label, vocab
from calmdesk.playbook.vocab import topic_label as _topic_label
from calmdesk.text.normalize import Script, to_script

__all__ = ["Labels", "Segment", "highlight", "local_time", "stage_steps"]


@dataclass(frozen=True)
class Labels:
    """Chinese names for the product's codes, in one script (templates: ``L.topic(code)``)."""

    script: Script
    anger_names: Mapping[int, str]
    cue_names: Mapping[str, str]

    @classmethod
    def build(cls, engine: Engine, script: Script) -> Labels:
        # A reading carries the analyser's label tables (built-in plus the bank's rules).
        reading = engine.read_emotion("好")
        return cls(script, dict(reading.labels), dict(reading.cue_labels))

    def _zh(self, text: str) -> str:
        return to_script(text, self.script)

    def topic(self, code: str | None) -> str:
        return self._zh(_topic_label(Topic(code))) if code in _TOPICS else (code or "")

    def stage(self, code: str) -> str:
        return self._zh(stage_label(Stage(code))) if code in _STAGES else code

    def stage_goal(self, code: str) -> str:
        return self._zh(stage_goal(Stage(code))) if code in _STAGES else ""

    def place(self, code: str) -> str:
        return self._zh(place_label(Place(code))) if code in _PLACES else code

    def contact(self, code: str) -> str:
        return self._zh(contact_label(Contact(code))) if code in _CONTACTS else code

    def principle(self, number: int) -> str:
        label = vocab().get("principles", {}).get(number)
        return self._zh(f"原则{number}：{label}" if label else f"原则{number}")

    def anger(self, level: int) -> str:
        return self._zh(self.anger_names.get(level, str(level)))

    def cue(self, code: str) -> str:
        return self._zh(self.cue_names.get(code, code))

    def topics(self) -> list[tuple[str, str]]:
        return [(t.value, self.topic(t.value)) for t in Topic]

    def places(self) -> list[tuple[str, str]]:
        return [(p.value, self.place(p.value)) for p in Place]


_TOPICS = frozenset(t.value for t in Topic)
_STAGES = frozenset(s.value for s in Stage)
_PLACES = frozenset(p.value for p in Place)
_CONTACTS = frozenset(c.value for c in Contact)


@dataclass(frozen=True)
class Segment:
    """A piece of a text, marked when a finding covers it."""

    text: str
    code: str | None = None
    title: str = ""
    kind: str = ""  # "bad" or "good"


def highlight(text: str, marks: Iterable[Mapping[str, Any]], *, kind: str = "bad") -> list[Segment]:
    """Cut ``text`` into plain and marked pieces; overlapping marks keep the earliest."""
    pieces: list[Segment] = []
    pos = 0
    for mark in sorted(marks, key=lambda m: (int(m["start"]), -int(m["end"]))):
        start, end = int(mark["start"]), int(mark["end"])
        if start < pos or end <= start or end > len(text):
            continue
        if start > pos:
            pieces.append(Segment(text[pos:start]))
        pieces.append(
            Segment(text[start:end], str(mark["code"]), str(mark.get("message", "")), kind)
        )
        pos = end
    if pos < len(text):
        pieces.append(Segment(text[pos:]))
    return pieces


def local_time(iso: str) -> str:
    """``2026-11-22T21:45:39.312+00:00`` → ``2026-11-22 21:45`` in the server's time zone."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return iso


@dataclass(frozen=True)
class StageStep:
    code: str
    name: str
    state: str  # "done", "current" or "todo"


def stage_steps(current: str, labels: Labels) -> list[StageStep]:
    order = [s.value for s in Stage]
    at = order.index(current) if current in order else 0
    return [
        StageStep(code, labels.stage(code), "done" if i < at else "current" if i == at else "todo")
        for i, code in enumerate(order)
    ]
