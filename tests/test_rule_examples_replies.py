"""Every reply rule carries its own examples, and they behave as the rule says."""

from __future__ import annotations

import pytest

from calmdesk.analysis.replies import ReplyChecker
from calmdesk.analysis.rulebase import RuleSpec

SPECS = ReplyChecker.load([]).rules()


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_rule_has_examples(spec: RuleSpec) -> None:
    assert len(spec.fire) >= 2, f"{spec.name} ({spec.source}) needs at least 2 fire examples"
    assert len(spec.quiet) >= 2, f"{spec.name} ({spec.source}) needs at least 2 quiet examples"


CASES = [(s, text, True) for s in SPECS for text in s.fire] + [
    (s, text, False) for s in SPECS for text in s.quiet
]


@pytest.mark.parametrize(
    ("spec", "text", "should_fire"),
    CASES,
    ids=[f"{s.name}:{'fire' if f else 'quiet'}:{t}" for s, t, f in CASES],
)
def test_rule_example(spec: RuleSpec, text: str, should_fire: bool) -> None:
    assert spec.fires(text) is should_fire
