"""Turn-by-turn guidance through an encounter with an upset customer (METHOD.md §2).

turn → :class:`Encounter` (evidence → stage rules → warnings) → :class:`TurnGuidance`;
:class:`SessionService` adds persistence for the CLI and the web app.
"""

from __future__ import annotations

from calmdesk.guidance.encounter import Encounter, EncounterState
from calmdesk.guidance.evidence import Speaker, TurnEvidence
from calmdesk.guidance.rules import GuidanceRules, load_guidance_rules
from calmdesk.guidance.sessions import SessionService
from calmdesk.guidance.turn import EscalationAdvice, Trend, TurnGuidance
from calmdesk.guidance.warnings import GuidanceWarning

__all__ = [
    "Encounter",
    "EncounterState",
    "EscalationAdvice",
    "GuidanceRules",
    "GuidanceWarning",
    "SessionService",
    "Speaker",
    "Trend",
    "TurnEvidence",
    "TurnGuidance",
    "load_guidance_rules",
]
