"""Render answers back in the user's script, leaving codes alone."""

from __future__ import annotations

from typing import Any

from calmdesk.text.normalize import Script, to_script

__all__ = ["CODE_KEYS", "localize"]

#: Keys whose string values are stable codes or ids, never converted.
CODE_KEYS = frozenset(
    {
        "id",
        "scenario",
        "topic",
        "stage",
        "contact",
        "places",
        "code",
        "codes",
        "script",
        "cue",
        "cues",
        "kind",
        "label",
        "speaker",
        "session",
        "session_id",
        "rule",
        "principle_code",
        "status",
        "level",
    }
)


def localize(obj: Any, script: Script, *, key: str | None = None) -> Any:
    """Convert every user-facing string in a JSON-like value to ``script``."""
    if script is Script.HANS:
        return obj
    if key in CODE_KEYS:
        return obj
    if isinstance(obj, str):
        return to_script(obj, script)
    if isinstance(obj, list):
        return [localize(v, script, key=key) for v in obj]
    if isinstance(obj, dict):
        return {k: localize(v, script, key=k) for k, v in obj.items()}
    return obj
