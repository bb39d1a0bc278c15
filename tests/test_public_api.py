"""The public surface is what we think it is."""

from __future__ import annotations

import calmdesk


def test_public_api() -> None:
    assert sorted(calmdesk.__all__) == sorted(
        [
            "BadInput",
            "CalmdeskError",
            "DataFileError",
            "Engine",
            "NormalizedText",
            "NotFound",
            "Playbook",
            "Scenario",
            "Script",
            "Stage",
            "StorageError",
            "Topic",
            "normalize",
            "to_script",
        ]
    )
    for name in calmdesk.__all__:
        assert getattr(calmdesk, name) is not None
