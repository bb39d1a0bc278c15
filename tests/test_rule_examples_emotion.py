"""Every emotion rule carries its own examples, and they hold."""

from __future__ import annotations

import pytest

from calmdesk.analysis.emotion import EmotionAnalyzer
from calmdesk.analysis.rulebase import RuleSpec

RULES = EmotionAnalyzer.load().rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_examples(rule: RuleSpec) -> None:
    assert len(rule.fire) >= 2 and len(rule.quiet) >= 2, f"{rule.name} has no examples"
    for text in rule.fire:
        assert rule.fires(text), f"{rule.name} should fire on {text!r}"
    for text in rule.quiet:
        assert not rule.fires(text), f"{rule.name} should stay quiet on {text!r}"
