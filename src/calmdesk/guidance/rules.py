"""Guidance rules as data: load and validate ``data/guidance/stages.yaml``.

The file holds the stage transitions (conditions named here, evaluated in
:mod:`calmdesk.guidance.stages`), the phrase lists that turn text into evidence, the warning
messages and the generic per-stage actions and scripts. Every problem is collected (field and
reason) before one :class:`~calmdesk.errors.DataFileError` with code ``E204`` is raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from calmdesk import errors
from calmdesk.data import DATA_DIR, load_yaml_file
from calmdesk.playbook.model import Contact, Stage, Topic

__all__ = [
    "CONDITIONS",
    "CueRule",
    "GuidanceRules",
    "StageTexts",
    "Transition",
    "load_guidance_rules",
]

RULES_FILE = DATA_DIR / "guidance" / "stages.yaml"

#: Condition name → the type its value must have. The evaluator in ``stages.py`` knows each one.
CONDITIONS: dict[str, type] = {
    "anger_rose": bool,
    "anger_fell": bool,
    "anger_at_most": int,
    "anger_at_least": int,
    "reply_any": list,
    "soothed": bool,
    "demand_known": bool,
    "asked": bool,
    "confirms": bool,
    "offered": bool,
}
SPEAKERS = ("customer", "staff")


@dataclass(frozen=True, slots=True)
class Transition:
    name: str
    speaker: str  # whose turn it applies to: "customer" | "staff"
    from_stages: frozenset[Stage]  # empty: any stage
    when: tuple[tuple[str, Any], ...]
    to: Stage


@dataclass(frozen=True, slots=True)
class StageTexts:
    actions: tuple[str, ...]
    scripts: tuple[str, ...]
    borrow: tuple[Stage, ...]


@dataclass(frozen=True, slots=True)
class CueEscalation:
    contact: Contact
    when: str


@dataclass(frozen=True, slots=True)
class CueRule:
    cue: str
    warning: str
    message: str
    topic: Topic | None  # scenarios of this topic take precedence while the cue is active
    escalate: tuple[CueEscalation, ...]


@dataclass(frozen=True, slots=True)
class PrematureRule:
    message: str
    codes: frozenset[str]
    unless_soothed_by: frozenset[str]
    anger_at_least: int
    stages: frozenset[Stage]


@dataclass(frozen=True)
class GuidanceRules:
    transitions: tuple[Transition, ...]
    demand_phrases: tuple[str, ...]
    confirm_phrases: tuple[str, ...]
    confirm_exceptions: tuple[str, ...]
    question_markers: tuple[str, ...]
    rematch_margin: float
    stages: dict[Stage, StageTexts]
    premature: PrematureRule
    anger_rising_message: str
    cues: tuple[CueRule, ...]  # in priority order
    anger_escalation_at: int
    anger_escalation: CueEscalation

    def cue_rule(self, cue: str) -> CueRule | None:
        return next((c for c in self.cues if c.cue == cue), None)


class _Reader:
    """Pulls typed fields out of the parsed YAML, recording every problem instead of stopping."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[errors.DataFileProblem] = []

    def problem(self, field: str, reason: str, item: str | None = None) -> None:
        self.problems.append(errors.DataFileProblem(self.label, field, reason, item))

    def strings(
        self, data: dict[str, Any], key: str, *, allow_empty: bool = False
    ) -> tuple[str, ...]:
        value = data.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.problem(key, "应为非空文字的列表")
            return ()
        if not value and not allow_empty:
            self.problem(key, "列表不能为空")
        return tuple(value)

    def text(self, data: dict[str, Any], key: str, field: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(field, "应为非空文字")
            return ""
        return value

    def stage(self, value: object, field: str) -> Stage:
        try:
            return Stage(str(value))
        except ValueError:
            self.problem(field, f"未知阶段「{value}」，可用：{', '.join(s.value for s in Stage)}")
            return Stage.RESPOND

    def stages(self, value: object, field: str) -> frozenset[Stage]:
        if value is None:
            return frozenset()
        if not isinstance(value, list):
            self.problem(field, "应为阶段列表")
            return frozenset()
        return frozenset(self.stage(v, field) for v in value)

    def contact(self, value: object, field: str) -> Contact:
        try:
            return Contact(str(value))
        except ValueError:
            self.problem(
                field, f"未知联系人「{value}」，可用：{', '.join(c.value for c in Contact)}"
            )
            return Contact.SUPERVISOR


def load_guidance_rules(path: Path = RULES_FILE) -> GuidanceRules:
    """Parse and validate a guidance rules file. Raises DataFileError (E204) listing every problem."""
    label = "guidance/stages.yaml" if path == RULES_FILE else str(path)
    data = load_yaml_file(path, label=label, code=errors.ENCOUNTER_DATA_INVALID)
    r = _Reader(label)
    if not isinstance(data, dict):
        r.problem("(文件)", "应为 YAML 映射")
        raise errors.DataFileError(r.problems, code=errors.ENCOUNTER_DATA_INVALID)
    transitions = _transitions(r, data.get("transitions"))
    stages = _stage_texts(r, data.get("stages"))
    margin = data.get("rematch_margin")
    if not isinstance(margin, int | float) or margin < 1:
        r.problem("rematch_margin", "应为不小于 1 的数")
        margin = 1.0
    warnings = data.get("warnings") if isinstance(data.get("warnings"), dict) else {}
    assert isinstance(warnings, dict)
    premature = _premature(r, warnings.get("premature-explanation"))
    rising = warnings.get("anger-rising")
    rising_message = r.text(
        rising if isinstance(rising, dict) else {}, "message", "warnings.anger-rising.message"
    )
    cues = _cues(r, data.get("cues"))
    esc = data.get("anger_escalation")
    esc = esc if isinstance(esc, dict) else {}
    at = esc.get("at_least")
    if not isinstance(at, int) or not 0 <= at <= 3:
        r.problem("anger_escalation.at_least", "应为 0–3 的整数")
        at = 3
    escalation = CueEscalation(
        r.contact(esc.get("contact"), "anger_escalation.contact"),
        r.text(esc, "when", "anger_escalation.when"),
    )
    rules = GuidanceRules(
        transitions=transitions,
        demand_phrases=r.strings(data, "demand_phrases"),
        confirm_phrases=r.strings(data, "confirm_phrases"),
        confirm_exceptions=r.strings(data, "confirm_exceptions", allow_empty=True),
        question_markers=r.strings(data, "question_markers"),
        rematch_margin=float(margin),
        stages=stages,
        premature=premature,
        anger_rising_message=rising_message,
        cues=cues,
        anger_escalation_at=at,
        anger_escalation=escalation,
    )
    if r.problems:
        raise errors.DataFileError(r.problems, code=errors.ENCOUNTER_DATA_INVALID)
    return rules


@cache
def builtin_rules() -> GuidanceRules:
    return load_guidance_rules()


def _transitions(r: _Reader, value: object) -> tuple[Transition, ...]:
    if not isinstance(value, list) or not value:
        r.problem("transitions", "应为非空的规则列表")
        return ()
    out: list[Transition] = []
    names: set[str] = set()
    for n, item in enumerate(value):
        field = f"transitions[{n}]"
        if not isinstance(item, dict):
            r.problem(field, "应为映射（name/speaker/from/when/to）")
            continue
        name = r.text(item, "name", f"{field}.name")
        if name in names:
            r.problem(f"{field}.name", f"规则名「{name}」重复")
        names.add(name)
        speaker = item.get("speaker")
        if speaker not in SPEAKERS:
            r.problem(f"{field}.speaker", "应为 customer 或 staff", name)
        when = item.get("when")
        conditions: list[tuple[str, Any]] = []
        if not isinstance(when, dict) or not when:
            r.problem(f"{field}.when", "应为非空的条件映射", name)
        else:
            for key, cond in when.items():
                expected = CONDITIONS.get(str(key))
                if expected is None:
                    r.problem(
                        f"{field}.when.{key}", f"未知条件，可用：{', '.join(CONDITIONS)}", name
                    )
                elif not isinstance(cond, expected) or (expected is int and isinstance(cond, bool)):
                    r.problem(f"{field}.when.{key}", f"取值应为 {expected.__name__}", name)
                else:
                    conditions.append((str(key), tuple(cond) if isinstance(cond, list) else cond))
        out.append(
            Transition(
                name=name,
                speaker=str(speaker),
                from_stages=r.stages(item.get("from"), f"{field}.from"),
                when=tuple(conditions),
                to=r.stage(item.get("to"), f"{field}.to"),
            )
        )
    return tuple(out)


def _stage_texts(r: _Reader, value: object) -> dict[Stage, StageTexts]:
    out: dict[Stage, StageTexts] = {}
    if not isinstance(value, dict):
        r.problem("stages", "应为「阶段: {actions, scripts, borrow}」的映射")
        return out
    for stage in Stage:
        item = value.get(stage.value)
        if not isinstance(item, dict):
            r.problem(f"stages.{stage.value}", "缺少这一阶段的通用做法和话术")
            continue
        scripts = r.strings(item, "scripts")
        if len(scripts) < 2:
            r.problem(f"stages.{stage.value}.scripts", "至少要有 2 句通用话术")
        out[stage] = StageTexts(
            actions=r.strings(item, "actions"),
            scripts=scripts,
            borrow=tuple(
                r.stage(b, f"stages.{stage.value}.borrow") for b in item.get("borrow") or ()
            ),
        )
    return out


def _premature(r: _Reader, value: object) -> PrematureRule:
    item = value if isinstance(value, dict) else {}
    if not item:
        r.problem("warnings.premature-explanation", "缺少这条警示的设置")
    at = item.get("anger_at_least")
    if not isinstance(at, int) or not 0 <= at <= 3:
        r.problem("warnings.premature-explanation.anger_at_least", "应为 0–3 的整数")
        at = 2
    return PrematureRule(
        message=r.text(item, "message", "warnings.premature-explanation.message"),
        codes=frozenset(r.strings(item, "codes")),
        unless_soothed_by=frozenset(r.strings(item, "unless_soothed_by")),
        anger_at_least=at,
        stages=r.stages(item.get("stages"), "warnings.premature-explanation.stages"),
    )


def _cues(r: _Reader, value: object) -> tuple[CueRule, ...]:
    if not isinstance(value, dict):
        r.problem("cues", "应为「线索: {warning, message, escalate}」的映射")
        return ()
    out: list[CueRule] = []
    for cue, item in value.items():
        field = f"cues.{cue}"
        if not isinstance(item, dict):
            r.problem(field, "应为映射")
            continue
        escalate: list[CueEscalation] = []
        for n, esc in enumerate(item.get("escalate") or ()):
            if not isinstance(esc, dict):
                r.problem(f"{field}.escalate[{n}]", "应为 {contact, when}")
                continue
            escalate.append(
                CueEscalation(
                    r.contact(esc.get("contact"), f"{field}.escalate[{n}].contact"),
                    r.text(esc, "when", f"{field}.escalate[{n}].when"),
                )
            )
        topic: Topic | None = None
        if item.get("topic") is not None:
            try:
                topic = Topic(str(item["topic"]))
            except ValueError:
                r.problem(f"{field}.topic", f"未知类别「{item['topic']}」")
        out.append(
            CueRule(
                cue=str(cue),
                warning=r.text(item, "warning", f"{field}.warning"),
                message=r.text(item, "message", f"{field}.message"),
                topic=topic,
                escalate=tuple(escalate),
            )
        )
    return tuple(out)
