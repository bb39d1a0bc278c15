"""Guidance tests share the session engine; tests that read emotion need the emotion analyser."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from calmdesk.engine import Engine

#: The encounter tests run the real emotion analyser; until it is installed they skip.
needs_emotion = pytest.mark.skipif(
    importlib.util.find_spec("calmdesk.analysis.emotion") is None,
    reason="calmdesk.analysis.emotion is not available yet",
)


class _Reading:
    def __init__(self, anger: int, cues: tuple[str, ...]) -> None:
        self.anger = anger
        self.cues = cues


class StubEmotionEngine(Engine):
    """The real engine with a tiny, fixed emotion reader.

    Persistence and service tests check storage and shapes, not emotion grading; a fixed reader
    keeps them independent of the emotion analyser's tuning. Anger = count of "！" (max 3).
    """

    def read_emotion(self, text: object) -> Any:
        raw = str(text)
        cues = tuple(c for c, word in (("violence", "打人"), ("fraud", "安全账户")) if word in raw)
        return _Reading(min(raw.count("！"), 3), cues)


@pytest.fixture(scope="session")
def stub_engine() -> Engine:
    return StubEmotionEngine(playbook_dirs=[], rules_dirs=[])
