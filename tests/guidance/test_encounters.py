"""Every scripted encounter in tests/data/encounters, turn by turn, through the real engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.guidance.conftest import needs_emotion

from calmdesk.engine import Engine
from calmdesk.guidance import Encounter, TurnGuidance
from calmdesk.playbook.model import Topic

ENCOUNTERS = Path(__file__).resolve().parents[1] / "data" / "encounters"
FILES = sorted(ENCOUNTERS.glob("*.yaml"))
SPEAKER_KEYS = ("customer", "staff", "draft")
CHECK_KEYS = {"stage", "topic", "warnings", "forbid", "script", "escalate"}


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def test_there_are_enough_encounters() -> None:
    assert len(FILES) >= 14


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_encounter_file_is_well_formed(path: Path) -> None:
    data = _load(path)
    assert isinstance(data.get("name"), str) and data["turns"]
    for n, turn in enumerate(data["turns"], 1):
        speakers = [k for k in SPEAKER_KEYS if k in turn]
        assert len(speakers) == 1, f"turn {n}: exactly one of {SPEAKER_KEYS}"
        assert set(turn) - set(SPEAKER_KEYS) <= CHECK_KEYS, f"turn {n}: unknown keys"
        assert set(turn) & CHECK_KEYS, f"turn {n} asserts nothing"
        if "topic" in turn:
            Topic(turn["topic"])


@needs_emotion
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_encounter(path: Path, engine: Engine) -> None:
    encounter = Encounter(engine)
    for n, turn in enumerate(_load(path)["turns"], 1):
        where = f"{path.name} turn {n}"
        if "draft" in turn:
            before = encounter.state
            guidance = encounter.check_draft(turn["draft"])
            assert encounter.state == before, f"{where}: a draft changed the state"
        else:
            speaker = "customer" if "customer" in turn else "staff"
            guidance = encounter.add_turn(speaker, turn[speaker])
        _check(turn, guidance, engine, where)


def _check(turn: dict[str, Any], g: TurnGuidance, engine: Engine, where: str) -> None:
    codes = g.warning_codes
    shown = f"stage={g.stage.value} anger={list(g.angers)} warnings={codes}"
    if "stage" in turn:
        allowed = turn["stage"] if isinstance(turn["stage"], list) else [turn["stage"]]
        assert g.stage.value in allowed, f"{where}: {shown}"
    for code in turn.get("warnings", ()):
        assert code in codes, f"{where}: missing warning {code}; {shown}"
    for code in turn.get("forbid", ()):
        assert code not in codes, f"{where}: unexpected warning {code}; {shown}"
    if "script" in turn:
        out = g.to_dict()
        assert out["script"] == turn["script"], where
    for contact in turn.get("escalate", ()):
        assert contact in {e.contact.value for e in g.escalation}, f"{where}: no {contact}"
    if "topic" in turn:
        topic = Topic(turn["topic"])
        if not engine.playbook.by_topic(topic):
            pytest.skip(f"the playbook has no {topic.value} scenario yet")
        got = g.scenario.topic.value if g.scenario else None
        assert got == topic.value, f"{where}: topic {got}"
