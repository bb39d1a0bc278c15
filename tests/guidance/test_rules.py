"""The guidance data file loads, and a broken one names every problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from calmdesk import errors
from calmdesk.guidance.rules import RULES_FILE, builtin_rules, load_guidance_rules
from calmdesk.guidance.warnings import WARNING_RULES
from calmdesk.playbook.model import Stage


def test_builtin_rules_cover_every_stage() -> None:
    rules = builtin_rules()
    assert set(rules.stages) == set(Stage)
    for texts in rules.stages.values():
        assert texts.actions and len(texts.scripts) >= 2


def test_required_warnings_have_messages() -> None:
    rules = builtin_rules()
    codes = {c.warning for c in rules.cues}
    assert {"escalate-security", "fraud-procedure", "exposure-threat", "elderly-care"} <= codes
    assert rules.premature.message and rules.anger_rising_message
    assert all(c.message for c in rules.cues)
    assert WARNING_RULES


def _broken(tmp_path: Path, mutate: dict[str, object]) -> Path:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    data.update(mutate)
    path = tmp_path / "stages.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_every_problem_is_reported(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        {
            "transitions": [
                {"name": "a", "speaker": "boss", "when": {"soothed": True}, "to": "listen"},
                {"name": "b", "speaker": "staff", "when": {"mood": 1}, "to": "calm"},
                {"name": "c", "speaker": "staff", "when": {"anger_at_most": "high"}, "to": "close"},
            ],
            "rematch_margin": 0.5,
        },
    )
    with pytest.raises(errors.DataFileError) as info:
        load_guidance_rules(path)
    assert info.value.code == "E204"
    reasons = {(p.field, p.item) for p in info.value.problems}
    assert ("transitions[0].speaker", "a") in reasons
    assert ("transitions[1].when.mood", "b") in reasons
    assert ("transitions[1].to", None) in reasons
    assert ("transitions[2].when.anger_at_most", "c") in reasons
    assert ("rematch_margin", None) in reasons


def test_yaml_on_key_trap_is_caught(tmp_path: Path) -> None:
    # YAML 1.1 reads a bare `on:` key as True; the loader must not silently accept it.
    path = tmp_path / "stages.yaml"
    text = RULES_FILE.read_text(encoding="utf-8").replace("    speaker: staff", "    on: staff", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(errors.DataFileError):
        load_guidance_rules(path)
