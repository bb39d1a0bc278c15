"""calmdesk: an assistant for bank-branch front-line staff handling difficult customers."""

from __future__ import annotations

from calmdesk.engine import Engine
from calmdesk.errors import BadInput, CalmdeskError, DataFileError, NotFound, StorageError
from calmdesk.playbook.model import Playbook, Scenario, Stage, Topic
from calmdesk.text.normalize import NormalizedText, Script, normalize, to_script

__all__ = [
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
