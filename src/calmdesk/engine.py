"""The service layer: one object the CLI, the HTTP API and the web pages all call.

``Engine`` loads the playbook and the analysers once (lazily, so a command pays only for what it
uses) and exposes the product's operations. Adapters hold no business rules: they parse input,
call an ``Engine`` method, and render the typed result.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from calmdesk.playbook.loader import load_playbook, playbook_dirs_from_env
from calmdesk.playbook.model import Playbook, Scenario, Topic
from calmdesk.text.normalize import Script, normalize

if TYPE_CHECKING:
    from calmdesk.analysis.emotion import EmotionAnalyzer, EmotionReading
    from calmdesk.analysis.pii import MaskResult
    from calmdesk.analysis.replies import ReplyCheck, ReplyChecker
    from calmdesk.matching.advise import Advice, Matcher

__all__ = ["RULES_ENV", "Engine"]

#: Folders holding a bank's own rule files (``replies.yaml``, ``emotion.yaml``), os.pathsep-separated.
RULES_ENV = "CALMDESK_RULES"


def rules_dirs_from_env() -> list[Path]:
    value = os.environ.get(RULES_ENV, "").strip()
    return [Path(p) for p in value.split(os.pathsep) if p.strip()] if value else []


class Engine:
    """Loaded playbook + analysers. Cheap to create; each part loads on first use."""

    def __init__(
        self,
        playbook_dirs: Sequence[Path] | None = None,
        rules_dirs: Sequence[Path] | None = None,
    ) -> None:
        self.playbook_dirs = (
            list(playbook_dirs) if playbook_dirs is not None else playbook_dirs_from_env()
        )
        self.rules_dirs = list(rules_dirs) if rules_dirs is not None else rules_dirs_from_env()

    # -- loaded parts ---------------------------------------------------------------------

    @cached_property
    def playbook(self) -> Playbook:
        return load_playbook(self.playbook_dirs)

    @cached_property
    def matcher(self) -> Matcher:
        from calmdesk.matching.advise import Matcher

        return Matcher(self.playbook)

    @cached_property
    def emotion_analyzer(self) -> EmotionAnalyzer:
        from calmdesk.analysis.emotion import EmotionAnalyzer

        return EmotionAnalyzer.load(self.rules_dirs)

    @cached_property
    def reply_checker(self) -> ReplyChecker:
        from calmdesk.analysis.replies import ReplyChecker

        return ReplyChecker.load(self.rules_dirs)

    def warm_up(self) -> None:
        """Load everything now (servers call this at start so the first request is fast)."""
        _ = self.playbook, self.matcher, self.emotion_analyzer, self.reply_checker

    # -- operations -----------------------------------------------------------------------

    def advise(self, text: object, *, top: int = 3, script: Script | None = None) -> Advice:
        """Best-matching playbook scenarios for a situation described in a few words."""
        norm = normalize(text, field="text")
        return self.matcher.advise(norm, top=top, script=script)

    def read_emotion(self, text: object) -> EmotionReading:
        """Anger 0–3 with evidence and cues for one customer utterance."""
        return self.emotion_analyzer.analyze(normalize(text, field="text"))

    def check_reply(
        self,
        text: object,
        *,
        topic: Topic | None = None,
        situation: str | None = None,
    ) -> ReplyCheck:
        """Findings on a staff reply; better wordings draw on the matching scenario if given."""
        scenario = self.scenario_for(topic=topic, situation=situation)
        return self.reply_checker.check(normalize(text, field="text"), scenario=scenario)

    def mask(self, text: object) -> MaskResult:
        from calmdesk.analysis.pii import mask_pii
        from calmdesk.text.normalize import check_text

        return mask_pii(check_text(text, field="text", max_chars=1_000_000))

    def scenario_for(
        self, *, topic: Topic | None = None, situation: str | None = None
    ) -> Scenario | None:
        """The scenario that best fits a situation text, else the first one of a topic."""
        if situation:
            advice = self.advise(situation, top=5)
            if topic is not None:
                for m in advice.matches:
                    if m.scenario.topic is topic:
                        return m.scenario
            elif advice.matches:
                return advice.matches[0].scenario
        if topic is not None:
            found = self.playbook.by_topic(topic)
            return found[0] if found else None
        return None
