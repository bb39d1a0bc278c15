"""The JSON API under ``/api/v1``: thin adapters over the engine and the session service.

Answers are the services' ``to_dict()`` shapes, the same as the CLI's ``--json``. The quick
analyses (advise, check, emotion, mask: well under a millisecond of CPU) run on the event loop;
anything that touches the database is a plain ``def`` and runs in the threadpool.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import JSONResponse, Response

from calmdesk import errors
from calmdesk.playbook.model import Place, Scenario, Topic
from calmdesk.text.normalize import MAX_TEXT_CHARS, Script
from calmdesk.text.render import localize
from calmdesk.web.errors import SCENARIO_NOT_FOUND
from calmdesk.web.guard import MAX_BODY_BYTES
from calmdesk.web.models import (
    TEXT_PATTERN,
    AdviseRequest,
    AdviseResult,
    CheckRequest,
    CheckResult,
    DraftGuidance,
    DraftRequest,
    EmotionRequest,
    EmotionResult,
    ErrorBody,
    Health,
    MaskRequest,
    MaskResult,
    NewSession,
    ScenarioOut,
    SessionDetail,
    SessionOut,
    TurnGuidance,
    TurnRequest,
)
from calmdesk.web.services import WebServices

__all__ = ["API_PREFIX", "api_router"]

API_PREFIX = "/api/v1"

Responses = dict[int | str, dict[str, Any]]
_BAD_INPUT: Responses = {
    400: {"model": ErrorBody, "description": "输入不可用（E1xx：空、太长、类型不对…）"}
}
_TOO_LARGE: Responses = {
    413: {"model": ErrorBody, "description": f"请求体超过 {MAX_BODY_BYTES} 字节（E108）"}
}
_NOT_FOUND: Responses = {404: {"model": ErrorBody, "description": "会话或场景不存在（E4xx）"}}
_STORAGE: Responses = {503: {"model": ErrorBody, "description": "数据库暂时不可用（E3xx）"}}
_POST = _BAD_INPUT | _TOO_LARGE
_ANALYSE = "分析"
_SESSIONS = "会话"
_PLAYBOOK = "场景手册"


def _json(data: Any, status_code: int = 200) -> Response:
    return JSONResponse(data, status_code=status_code)


ScriptQuery = Annotated[
    Script | None, Query(description="输出用简体（hans）或繁体（hant）；默认简体。")
]
TopicQuery = Annotated[Topic | None, Query(description="只列出这个类别。")]
PlaceQuery = Annotated[Place | None, Query(description="只列出发生在这个地点的场景。")]
SearchQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=MAX_TEXT_CHARS,
        description="一句话描述情况；按匹配程度排序（与 advise 相同）。",
        json_schema_extra={"pattern": TEXT_PATTERN},
    ),
]


def api_router(web: WebServices) -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    engine = web.engine
    calmdesk_version = version("calmdesk")  # reads package metadata: once, not per request

    # -- analyses (event loop) -----------------------------------------------------------

    @router.post(
        "/advise",
        response_model=AdviseResult,
        responses=_POST,
        tags=[_ANALYSE],
        summary="情景 → 应对手册",
    )
    async def advise(body: AdviseRequest) -> Response:
        """一句话描述现场情况，返回最匹配的场景（步骤、话术、禁忌、升级）和其他候选。"""
        return _json(engine.advise(body.text, top=body.top, script=body.script).to_dict())

    @router.post(
        "/check",
        response_model=CheckResult,
        responses=_POST,
        tags=[_ANALYSE],
        summary="说之前检查回复话术",
    )
    async def check(body: CheckRequest) -> Response:
        """找出回复里违背服务原则的说法（位置、原则、说明、更好的说法）和做得好的地方。"""
        result = engine.check_reply(body.text, topic=body.topic, situation=body.situation)
        return _json(result.to_dict(body.script))

    @router.post(
        "/emotion",
        response_model=EmotionResult,
        responses=_POST,
        tags=[_ANALYSE],
        summary="读客户情绪",
    )
    async def emotion(body: EmotionRequest) -> Response:
        """愤怒 0–3，附证据（原文位置）和线索（老人、着急、诈骗、扬言曝光…）。"""
        return _json(engine.read_emotion(body.text).to_dict(body.script))

    @router.post(
        "/mask",
        response_model=MaskResult,
        responses=_POST,
        tags=[_ANALYSE],
        summary="遮盖身份证号、银行卡号、手机号",
    )
    async def mask(body: MaskRequest) -> Response:
        """返回遮盖后的文字和每个号码的位置与类别；答复里从不出现原号码。"""
        return _json(engine.mask(body.text).to_dict())

    # -- sessions (threadpool, one at a time) ----------------------------------------------

    @router.post(
        "/sessions",
        status_code=201,
        response_model=SessionOut,
        responses=_POST | _STORAGE,
        tags=[_SESSIONS],
        summary="开始一次接待",
    )
    def create_session(body: NewSession | None = None) -> Response:
        with web.sessions() as service:
            return _json(service.create(body.title if body else None), 201)

    @router.get(
        "/sessions",
        response_model=list[SessionOut],
        responses=_BAD_INPUT | _STORAGE,
        tags=[_SESSIONS],
        summary="列出接待会话（最近更新的在前）",
    )
    def list_sessions(
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Response:
        with web.sessions() as service:
            return _json(service.list(limit=limit, offset=offset))

    @router.get(
        "/sessions/{session_id}",
        response_model=SessionDetail,
        responses=_BAD_INPUT | _NOT_FOUND | _STORAGE,
        tags=[_SESSIONS],
        summary="一个会话：逐轮记录和当前的指引",
    )
    def get_session(session_id: str, script: ScriptQuery = None) -> Response:
        with web.sessions() as service:
            return _json(service.get(session_id, script=script))

    @router.post(
        "/sessions/{session_id}/turns",
        status_code=201,
        response_model=TurnGuidance,
        responses=_POST | _NOT_FOUND | _STORAGE,
        tags=[_SESSIONS],
        summary="记录一轮对话，返回这一轮之后的指引",
    )
    def add_turn(session_id: str, body: TurnRequest) -> Response:
        """阶段、怒气与走势、匹配的场景、警示（红色）、现在可以说的话、该找谁。"""
        with web.sessions() as service:
            guidance = service.add_turn(session_id, body.speaker, body.text, script=body.script)
        return _json(guidance, 201)

    @router.post(
        "/sessions/{session_id}/draft",
        response_model=DraftGuidance,
        responses=_POST | _NOT_FOUND | _STORAGE,
        tags=[_SESSIONS],
        summary="检查员工的草稿回复（不保存，会话不变）",
    )
    def check_draft(session_id: str, body: DraftRequest) -> Response:
        with web.sessions() as service:
            return _json(service.check_draft(session_id, body.text, script=body.script))

    # -- playbook ---------------------------------------------------------------------------

    @router.get(
        "/playbook",
        response_model=list[ScenarioOut],
        responses=_BAD_INPUT,
        tags=[_PLAYBOOK],
        summary="列出或搜索场景",
    )
    async def list_playbook(
        topic: TopicQuery = None,
        place: PlaceQuery = None,
        q: SearchQuery = None,
        script: ScriptQuery = None,
    ) -> Response:
        scenarios = find_scenarios(web, topic=topic, place=place, q=q)
        out = [s.to_dict() for s in scenarios]
        return _json(localize(out, script) if script else out)

    @router.get(
        "/playbook/{scenario_id}",
        response_model=ScenarioOut,
        responses=_BAD_INPUT | _NOT_FOUND,
        tags=[_PLAYBOOK],
        summary="一个场景的完整手册",
    )
    async def get_scenario(scenario_id: str, script: ScriptQuery = None) -> Response:
        scenario = scenario_or_404(web, scenario_id)
        return _json(localize(scenario.to_dict(), script) if script else scenario.to_dict())

    @router.get("/health", response_model=Health, tags=["系统"], summary="服务状态")
    async def health() -> Response:
        return _json(
            {
                "status": "ok",
                "version": calmdesk_version,
                "scenarios": len(engine.playbook),
                "database": web.store.dialect,
            }
        )

    return router


def find_scenarios(
    web: WebServices,
    *,
    topic: Topic | None = None,
    place: Place | None = None,
    q: str | None = None,
) -> list[Scenario]:
    """Scenarios of a topic and place; with ``q``, those matching it, best first."""
    playbook = web.engine.playbook
    if q is not None:
        advice = web.engine.advise(q, top=len(playbook))
        candidates = [m.scenario for m in advice.matches]
    else:
        candidates = list(playbook)
    return [
        s
        for s in candidates
        if (topic is None or s.topic is topic) and (place is None or place in s.places)
    ]


def scenario_or_404(web: WebServices, scenario_id: str) -> Scenario:
    scenario = web.engine.playbook.get(scenario_id)
    if scenario is None:
        raise errors.NotFound(
            f"找不到场景「{scenario_id}」", code=SCENARIO_NOT_FOUND, scenario=scenario_id
        )
    return scenario
