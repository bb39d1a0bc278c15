"""Typed request and response bodies of the JSON API (they make the OpenAPI document).

Requests are validated strictly: JSON types must match exactly (``"3"`` is not a number), and
unknown fields are refused so a misspelt option does not pass silently. Responses are the
services' own ``to_dict()`` shapes — the same as the CLI's ``--json`` — declared here so the
document says exactly what comes back; the API returns those dicts without re-validating them
(a schema-driven test checks every answer against this document instead).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from calmdesk.guidance.sessions import MAX_TITLE_CHARS
from calmdesk.playbook.model import Contact, Place, Stage, Topic
from calmdesk.text.normalize import MAX_TEXT_CHARS, Script

__all__ = [
    "TEXT_PATTERN",
    "AdviseRequest",
    "AdviseResult",
    "CheckRequest",
    "CheckResult",
    "DraftGuidance",
    "DraftRequest",
    "EmotionRequest",
    "EmotionResult",
    "ErrorBody",
    "Health",
    "MaskRequest",
    "MaskResult",
    "NewSession",
    "ScenarioOut",
    "SessionDetail",
    "SessionOut",
    "TurnGuidance",
    "TurnRequest",
]

_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
#: What ``check_text`` accepts, for the document: no control characters other than tab and line
#: breaks (E103), and at least one character that is not a space (E101). Documented only: the
#: services validate, so each problem gets its own error code.
TEXT_PATTERN = rf"^[^{_CONTROLS}]*[^\s{_CONTROLS}][^{_CONTROLS}]*$"


def _text(description: str, example: str) -> Any:
    return Field(
        min_length=1,
        max_length=MAX_TEXT_CHARS,
        description=description,
        examples=[example],
        json_schema_extra={"pattern": TEXT_PATTERN},
    )


def _top() -> Any:
    return Field(default=3, ge=1, le=20, description="列出几个候选场景。")


def _whole_number(value: object) -> object:
    """JSON Schema counts ``3.0`` as an integer; strict mode would refuse it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


def _script() -> Any:
    return Field(
        default=None, strict=False, description="输出用简体（hans）或繁体（hant）；默认跟随输入。"
    )


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Response(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- requests -----------------------------------------------------------------------------


class AdviseRequest(_Request):
    text: str = _text("一句话描述现场情况。", "客户没带身份证要查信用卡流水")
    top: WholeNumber = _top()
    script: Script | None = _script()


class CheckRequest(_Request):
    text: str = _text("员工准备说的话。", "不行，规定就是这样")
    topic: Topic | None = Field(
        default=None, strict=False, description="类别代码；更好的说法取自该类别的场景话术。"
    )
    situation: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_TEXT_CHARS,
        description="一句话描述现场情况，用来找最贴切的场景话术。",
        json_schema_extra={"pattern": TEXT_PATTERN},
    )
    script: Script | None = _script()


class EmotionRequest(_Request):
    text: str = _text("客户说的话。", "你们今天不给我办，我就去找记者曝光！")
    script: Script | None = _script()


class MaskRequest(_Request):
    text: str = _text(
        "任意文字；其中的身份证号、银行卡号、手机号会被遮盖。",
        "王先生电话138 1234 5678，取款5000元",
    )


class NewSession(_Request):
    title: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_TITLE_CHARS,
        description="备注标题（可选，号码遮盖后保存）。",
        json_schema_extra={"pattern": TEXT_PATTERN},
    )


class TurnRequest(_Request):
    speaker: Literal["customer", "staff"] = Field(description="谁说的：客户或员工。")
    text: str = _text("这一轮说的话（号码遮盖后保存）。", "我的卡凭什么不让查？")
    script: Script | None = _script()


class DraftRequest(_Request):
    text: str = _text("员工准备说的话；只检查，不保存。", "没有身份证不能查。")
    script: Script | None = _script()


# -- responses ----------------------------------------------------------------------------


class ErrorDetail(_Response):
    code: str = Field(description="稳定的错误代码，如 E101。", examples=["E101"])
    message: str = Field(description="中文说明。")
    details: dict[str, object] | None = None


class ErrorBody(_Response):
    error: ErrorDetail


class StepOut(_Response):
    stage: Stage
    action: str
    scripts: list[str]


class EscalationOut(_Response):
    when: str
    contact: Contact


class ScenarioOut(_Response):
    id: str
    topic: Topic
    places: list[Place]
    title: str
    situation: str
    signals: list[str]
    steps: list[StepOut]
    donts: list[str]
    principles: list[int]
    why: str
    escalation: list[EscalationOut]
    compliance: list[str]


class MatchOut(_Response):
    scenario: str
    topic: Topic
    title: str
    score: float
    matched: list[str]


class AdviseResult(_Response):
    text: str
    script: Script
    matches: list[MatchOut]
    playbook: ScenarioOut | None = Field(description="最佳匹配场景的完整手册；没有匹配时为 null。")
    message: str | None = Field(default=None, description="没有匹配时的提示。")


class EvidenceOut(_Response):
    start: int
    end: int
    text: str
    kind: str
    weight: float
    cue: str | None = None
    rule: str | None = None


class EmotionResult(_Response):
    text: str
    script: Script
    anger: int = Field(ge=0, le=3, description="愤怒程度 0–3。")
    anger_label: str
    cues: list[str]
    cue_labels: dict[str, str]
    evidence: list[EvidenceOut]
    score: float


class FindingOut(_Response):
    code: str
    start: int
    end: int
    text: str
    principle: int
    message: str
    better: str | None


class StrengthOut(_Response):
    code: str
    start: int
    end: int
    text: str
    principle: int
    message: str


class CheckResult(_Response):
    text: str
    script: Script
    score: int = Field(ge=0, le=100)
    findings: list[FindingOut]
    strengths: list[StrengthOut]
    better: str | None


class MaskSpanOut(_Response):
    start: int
    end: int
    kind: str
    score: float


class MaskResult(_Response):
    text: str
    spans: list[MaskSpanOut]


class SessionOut(_Response):
    id: str
    title: str | None
    created_at: str
    updated_at: str
    script: Script
    topic: Topic | None
    scenario: str | None
    stage: Stage
    anger: int = Field(ge=0, le=3)
    status: Literal["active", "closed"]
    turn_count: int


class TrajectoryOut(_Response):
    values: list[int]
    trend: Literal["rising", "falling", "steady"]


class WarningOut(_Response):
    code: str
    message: str


class EscalationAdviceOut(_Response):
    contact: Contact
    contact_name: str
    when: str
    urgent: bool


class _Guidance(_Response):
    session: str
    speaker: Literal["customer", "staff"] | None
    text: str | None
    script: Script
    stage: Stage
    stage_name: str
    stage_goal: str
    transition: str | None
    anger: int = Field(ge=0, le=3)
    trajectory: TrajectoryOut
    cues: list[str]
    topic: Topic | None
    topic_name: str | None
    scenario: str | None
    scenario_title: str | None
    actions: list[str]
    suggestions: list[str]
    warnings: list[WarningOut]
    escalation: list[EscalationAdviceOut]
    findings: list[FindingOut]
    strengths: list[StrengthOut]
    better: str | None


class CurrentGuidance(_Guidance):
    """Guidance for where a session stands now (no new turn)."""


class TurnGuidance(_Guidance):
    seq: int = Field(description="这一轮的序号，从 1 开始。")


class DraftGuidance(_Guidance):
    draft: Literal[True]


class TurnOut(_Response):
    seq: int
    speaker: Literal["customer", "staff"]
    text: str
    stage: Stage
    anger: int = Field(ge=0, le=3)
    topic: Topic | None
    scenario: str | None
    warnings: list[WarningOut]
    created_at: str


class SessionDetail(_Response):
    session: SessionOut
    turns: list[TurnOut]
    guidance: CurrentGuidance


class Health(_Response):
    status: Literal["ok"]
    version: str
    scenarios: int
    database: str
