"""The four pages: 现场助手 ``/``, 话术检查 ``/check``, 场景手册 ``/playbook``, 会话记录 ``/sessions``.

Plain HTML forms that work without JavaScript (POST, then redirect or re-render); with htmx the
same endpoints answer a fragment (``HX-Request``) that replaces only the part that changed.
Handlers parse the form, call the services, and build a context; templates do the rest.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from calmdesk import errors
from calmdesk.analysis.emotion import LEARNED
from calmdesk.guidance.evidence import Speaker
from calmdesk.playbook.model import Place, Topic
from calmdesk.text.normalize import Script, check_text
from calmdesk.text.render import localize
from calmdesk.web.api import find_scenarios, scenario_or_404
from calmdesk.web.errors import note_error
from calmdesk.web.services import WebServices
from calmdesk.web.templating import Templates, page_script
from calmdesk.web.views import highlight

__all__ = ["SESSION_COOKIE", "page_router"]

#: The encounter the live assistant is following in this browser.
SESSION_COOKIE = "calmdesk_session"
SESSIONS_PER_PAGE = 50

FormText = Annotated[str, Form()]


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def page_router(web: WebServices, templates: Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    engine = web.engine

    def scenario_view(scenario_id: str | None, script: Script) -> dict[str, Any] | None:
        scenario = engine.playbook.get(scenario_id) if scenario_id else None
        return localize(scenario.to_dict(), script) if scenario else None

    def turn_views(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each turn with its text cut into pieces; a customer's anger words are marked."""
        out = []
        for turn in turns:
            marks: list[dict[str, Any]] = []
            if turn["speaker"] == Speaker.CUSTOMER.value:
                reading = engine.read_emotion(turn["text"]).to_dict()
                # the rules' phrases; the learned model's character pairs are no "anger words"
                marks = [
                    {"start": e["start"], "end": e["end"], "code": e.get("cue") or e["kind"]}
                    for e in reading["evidence"]
                    if (e["weight"] > 0 or e.get("cue")) and e["kind"] != LEARNED
                ]
            out.append(turn | {"segments": highlight(turn["text"], marks, kind="anger")})
        return out

    def assist_context(
        request: Request,
        data: dict[str, Any] | None,
        *,
        draft: dict[str, Any] | None = None,
        error: str | None = None,
        typed: str = "",
    ) -> dict[str, Any]:
        script = page_script(request)[0]
        guidance = data["guidance"] if data else None
        turns = data["turns"] if data else []
        return {
            "section": "assist",
            "data": data,
            "guidance": guidance,
            "turns": turn_views(turns),
            "last_warnings": turns[-1]["warnings"] if turns else [],
            "scenario": scenario_view(guidance["scenario"] if guidance else None, script),
            "draft": draft,
            "draft_segments": highlight(draft["text"], draft["findings"]) if draft else [],
            "error": error,
            "typed": typed,
        }

    def remember(response: Response, session_id: str) -> Response:
        response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="lax")
        return response

    # -- 现场助手 ---------------------------------------------------------------------------

    @router.get("/")
    def assistant(request: Request, session: str | None = None) -> Response:
        script = page_script(request)[0]
        wanted = session or request.cookies.get(SESSION_COOKIE)
        data = None
        if wanted:
            try:
                with web.sessions() as service:
                    data = service.get(wanted, script=script)
            except (errors.NotFound, errors.BadInput):
                data = None
        response = templates.render(request, "assist.html", assist_context(request, data))
        if data is not None:
            remember(response, data["session"]["id"])
        elif wanted:
            response.delete_cookie(SESSION_COOKIE)
        return response

    @router.post("/assist/turn")
    def add_turn(
        request: Request,
        session: FormText = "",
        speaker: FormText = "",
        text: FormText = "",
    ) -> Response:
        script = page_script(request)[0]
        try:
            who = Speaker.parse(speaker)
            check_text(text, field="text")
            with web.sessions() as service:
                sid = session.strip() or service.create()["id"]
                try:
                    service.add_turn(sid, who, text, script=script)
                except errors.NotFound:  # a session long gone (say, a fresh database)
                    sid = service.create()["id"]
                    service.add_turn(sid, who, text, script=script)
                data = service.get(sid, script=script)
        except errors.BadInput as exc:
            note_error(request, exc)
            before = _current(web, session, script)
            context = assist_context(request, before, error=exc.message, typed=text)
            name = "_assist.html" if _is_htmx(request) else "assist.html"
            return templates.render(request, name, context, status_code=400)
        response: Response
        if _is_htmx(request):
            response = templates.render(request, "_assist.html", assist_context(request, data))
        else:
            response = RedirectResponse("/#guidance", status_code=303)
        return remember(response, sid)

    @router.post("/assist/draft")
    def check_draft(request: Request, session: FormText = "", text: FormText = "") -> Response:
        """Check a reply before saying it: nothing is stored, the encounter does not move."""
        script = page_script(request)[0]
        data = _current(web, session, script)
        try:
            if data is not None:
                with web.sessions() as service:
                    draft = service.check_draft(data["session"]["id"], text, script=script)
            else:
                draft = engine.check_reply(text).to_dict(script)
        except errors.BadInput as exc:
            note_error(request, exc)
            context = assist_context(request, data, error=exc.message, typed=text)
            name = "_draft.html" if _is_htmx(request) else "assist.html"
            return templates.render(request, name, context, status_code=400)
        context = assist_context(request, data, draft=draft, typed=text)
        return templates.render(
            request, "_draft.html" if _is_htmx(request) else "assist.html", context
        )

    @router.post("/assist/new")
    def new_encounter() -> Response:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    # -- 话术检查 ---------------------------------------------------------------------------

    def check_context(**extra: Any) -> dict[str, Any]:
        return {"section": "check", "result": None, "segments": [], "error": None} | extra

    @router.get("/check")
    async def check_form(request: Request) -> Response:
        return templates.render(
            request, "check.html", check_context(typed="", topic="", situation="")
        )

    @router.post("/check")
    async def check_reply(
        request: Request,
        text: FormText = "",
        topic: FormText = "",
        situation: FormText = "",
    ) -> Response:
        script = page_script(request)[0]
        form = {"typed": text, "topic": topic, "situation": situation}
        name = "_check_result.html" if _is_htmx(request) else "check.html"
        try:
            chosen = _topic(topic)
            result = engine.check_reply(
                text, topic=chosen, situation=situation if situation.strip() else None
            ).to_dict(script)
        except errors.BadInput as exc:
            note_error(request, exc)
            return templates.render(
                request, name, check_context(error=exc.message, **form), status_code=400
            )
        context = check_context(
            result=result, segments=highlight(result["text"], result["findings"]), **form
        )
        return templates.render(request, name, context)

    # -- 场景手册 ---------------------------------------------------------------------------

    @router.get("/playbook")
    async def playbook(
        request: Request,
        q: str = "",
        topic: str = "",
        place: str = "",
    ) -> Response:
        script = page_script(request)[0]
        error = None
        try:
            scenarios = find_scenarios(
                web, topic=_topic(topic), place=_place(place), q=q if q.strip() else None
            )
        except errors.BadInput as exc:
            note_error(request, exc)
            scenarios, error = [], exc.message
        context = {
            "section": "playbook",
            "scenarios": [localize(s.to_dict(), script) for s in scenarios],
            "total": len(engine.playbook),
            "q": q,
            "topic": topic,
            "place": place,
            "error": error,
        }
        target = request.headers.get("hx-target")
        name = "_playbook_results.html" if _is_htmx(request) and target else "playbook.html"
        return templates.render(request, name, context, status_code=400 if error else 200)

    @router.get("/playbook/{scenario_id}")
    async def scenario(request: Request, scenario_id: str) -> Response:
        script = page_script(request)[0]
        found = scenario_or_404(web, scenario_id)
        context = {"section": "playbook", "scenario": localize(found.to_dict(), script)}
        return templates.render(request, "scenario.html", context)

    # -- 会话记录 ---------------------------------------------------------------------------

    @router.get("/sessions")
    def sessions(request: Request, offset: Annotated[int, Query(ge=0)] = 0) -> Response:
        with web.sessions() as service:
            items = service.list(limit=SESSIONS_PER_PAGE + 1, offset=offset)
        context = {
            "section": "sessions",
            "items": items[:SESSIONS_PER_PAGE],
            "offset": offset,
            "more": len(items) > SESSIONS_PER_PAGE,
            "per_page": SESSIONS_PER_PAGE,
        }
        return templates.render(request, "sessions.html", context)

    @router.get("/sessions/{session_id}")
    def session_detail(request: Request, session_id: str) -> Response:
        script = page_script(request)[0]
        with web.sessions() as service:
            data = service.get(session_id, script=script)
        context = {
            "section": "sessions",
            "data": data,
            "turns": turn_views(data["turns"]),
            "scenario": scenario_view(data["session"]["scenario"], script),
        }
        return templates.render(request, "session.html", context)

    return router


def _current(web: WebServices, session_id: str, script: Script) -> dict[str, Any] | None:
    if not session_id:
        return None
    try:
        with web.sessions() as service:
            return service.get(session_id, script=script)
    except (errors.NotFound, errors.BadInput):
        return None


def _topic(value: str) -> Topic | None:
    if not value:
        return None
    try:
        return Topic(value)
    except ValueError:
        raise errors.BadInput("未知的类别", code=errors.BAD_FIELD, field="topic") from None


def _place(value: str) -> Place | None:
    if not value:
        return None
    try:
        return Place(value)
    except ValueError:
        raise errors.BadInput("未知的地点", code=errors.BAD_FIELD, field="place") from None
