"""The issue's acceptance example, exactly."""

from __future__ import annotations

from tests.guidance.conftest import needs_emotion

from calmdesk.engine import Engine
from calmdesk.guidance import Encounter
from calmdesk.guidance.rules import builtin_rules
from calmdesk.playbook.model import Stage

CUSTOMER = "我的卡凭什么不让查？你们就是故意刁难人！"
STAFF = "没有身份证不能查，规定就是这样。"


@needs_emotion
def test_refusal_and_rule_citing_to_an_angry_customer(engine: Engine) -> None:
    encounter = Encounter(engine)
    encounter.add_turn("customer", CUSTOMER)
    second = encounter.add_turn("staff", STAFF)
    assert {"refusal-only", "premature-explanation"} <= set(second.warning_codes)
    assert second.stage in (Stage.LISTEN, Stage.EMPATHISE)
    assert 2 <= len(second.suggestions) <= 3
    # Empathising phrases: each comes from an empathising stage's scripts …
    rules = builtin_rules()
    sc = second.scenario
    allowed = set(rules.stages[Stage.LISTEN].scripts) | set(rules.stages[Stage.EMPATHISE].scripts)
    if sc is not None:
        allowed |= set(sc.scripts_for(Stage.LISTEN)) | set(sc.scripts_for(Stage.EMPATHISE))
    assert set(second.suggestions) <= allowed
    # … and the reply checker itself hears empathy in each, and nothing wrong.
    for line in second.suggestions:
        check = engine.check_reply(line)
        assert {f.code for f in check.strengths} & {"empathy", "apology"}, line
        assert not check.findings, line
