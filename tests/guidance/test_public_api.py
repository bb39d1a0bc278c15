"""The guidance and store packages export what the CLI and the web app use, and no more."""

from __future__ import annotations

import calmdesk.guidance
import calmdesk.store


def test_guidance_api() -> None:
    assert set(calmdesk.guidance.__all__) == {
        "Encounter", "EncounterState", "EscalationAdvice", "GuidanceRules", "GuidanceWarning",
        "SessionService", "Speaker", "Trend", "TurnEvidence", "TurnGuidance", "load_guidance_rules",
    }  # fmt: skip
    for name in calmdesk.guidance.__all__:
        assert getattr(calmdesk.guidance, name)


def test_store_api() -> None:
    assert {"Store", "SessionState", "NewTurn", "database_url", "data_dir"} <= set(
        calmdesk.store.__all__
    )
    for name in calmdesk.store.__all__:
        assert getattr(calmdesk.store, name)
