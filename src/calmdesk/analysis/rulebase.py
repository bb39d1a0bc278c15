"""What every rule-based analyser shares, so one test can run every rule's own examples.

A rule (an emotion cue, an anger feature, a reply rule) is data: a name, phrases or patterns,
and examples that must fire and examples that must stay quiet. Each analyser exposes its rules
through :class:`RuleSpec`; ``tests/test_rule_examples_*.py`` run all of them and fail on a rule
without examples.

Bank rule files follow one convention: a YAML file in a rules directory (``replies.yaml`` for
reply rules, ``emotion.yaml`` for emotion rules) with ``rules:`` (new rules, or replacements by
``name``) and ``disable:`` (names of built-in rules to switch off), validated like the playbook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RuleSpec"]


@dataclass(frozen=True)
class RuleSpec:
    name: str  # namespaced, e.g. "reply.refusal-only.cannot-do" or "emotion.cue.elderly"
    source: str  # file the rule came from
    fire: tuple[str, ...]  # texts on which the rule must fire
    quiet: tuple[str, ...]  # texts on which it must not
    fires: Callable[[str], bool]  # runs the rule (through its analyser) on raw text
