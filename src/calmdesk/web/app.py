"""The app factory: ``create_app()`` wires the services, the API, the pages and the errors."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from calmdesk import errors
from calmdesk.engine import Engine
from calmdesk.store import Store
from calmdesk.text.normalize import MAX_TEXT_CHARS, Script, to_script
from calmdesk.web.api import api_router
from calmdesk.web.errors import install_error_handlers
from calmdesk.web.guard import MAX_BODY_BYTES, GuardStats, RequestGuard
from calmdesk.web.pages import page_router
from calmdesk.web.services import WebServices
from calmdesk.web.templating import Templates
from calmdesk.web.views import Labels, local_time, stage_steps

__all__ = ["ACCESS_LOG_ENV", "app_from_env", "create_app"]

STATIC_DIR = Path(__file__).parent / "static"
#: ``0`` turns the access log off (``calmdesk serve --no-access-log`` sets it for workers).
ACCESS_LOG_ENV = "CALMDESK_ACCESS_LOG"

API_DESCRIPTION = f"""
银行网点疑难客户应对助手的 HTTP API。请求体为 JSON（`Content-Type: application/json`），
答复与命令行 `--json` 的格式相同。

**限制**：每段文字 1–{MAX_TEXT_CHARS} 个字符；请求体最大 {MAX_BODY_BYTES // 1024} KiB；
字段类型须与文档一致（`"3"` 不是整数），不认识的字段会被拒绝。

**错误**：一律为 `{{"error": {{"code": "E101", "message": "…"}}}}`，代码稳定：
E101 文字为空 · E102 文字太长 · E103 二进制数据 · E104 不是 UTF-8 · E105 JSON 格式错误 ·
E106 字段缺失或类型不对 · E107 选项取值不对 · E108 请求体太大（413）·
E3xx 数据库（503）· E401 会话不存在 · E402 场景不存在 · E404 地址不存在 · E405 方法不支持 ·
E500 服务器内部错误。
""".strip()


def create_app(
    engine: Engine | None = None,
    store: Store | None = None,
    *,
    db_url: str | None = None,
    access_log: bool = True,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """The calmdesk web app. Without ``store`` it opens ``db_url`` (default: the data dir's
    SQLite file, created on demand) and closes it at shutdown."""
    engine = engine or Engine()
    web = WebServices(engine, store or Store.open(db_url), owns_store=store is None)
    templates = Templates(lambda script: _page_globals(engine, script))
    stats = GuardStats()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        warm_up(web, templates)
        try:
            yield
        finally:
            web.close()

    app = FastAPI(
        title="calmdesk API",
        version=version("calmdesk"),
        description=API_DESCRIPTION,
        docs_url=None,  # served below from vendored files: no CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.web = web
    app.state.guard_stats = stats

    def render_error(request: Request, exc: errors.CalmdeskError, status: int) -> Response:
        return templates.render(
            request, "error.html", {"section": "", "error": exc}, status_code=status
        )

    install_error_handlers(app, render_error)
    app.add_middleware(
        RequestGuard,
        render_page_error=render_error,
        stats=stats,
        max_body_bytes=max_body_bytes,
        access_log_enabled=access_log,
    )
    app.include_router(api_router(web))
    app.include_router(page_router(web, templates))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="calmdesk API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
            swagger_ui_parameters={"validatorUrl": None, "defaultModelsExpandDepth": 0},
        )

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` workers: configuration comes from the environment."""
    return create_app(access_log=os.environ.get(ACCESS_LOG_ENV, "1") != "0")


def warm_up(web: WebServices, templates: Templates) -> None:
    """Load what the first request would otherwise wait for, then freeze it for the GC.

    The playbook index, analysers and templates live as long as the process; frozen, a full
    collection no longer walks them (12.5 ms → 0.1 ms for the engine alone), which keeps
    collection pauses out of the latency tail.
    """
    web.engine.warm_up()
    to_script("简体", Script.HANT)  # loads the simplified → traditional converter
    templates.warm_up()
    gc.collect()
    gc.freeze()


def _page_globals(engine: Engine, script: Script) -> dict[str, Any]:
    return {
        "L": Labels.build(engine, script),
        "local_time": local_time,
        "stage_steps": stage_steps,
        "max_chars": MAX_TEXT_CHARS,
        "switch_script": Script.HANS.value if script is Script.HANT else Script.HANT.value,
        "switch_label": "简体" if script is Script.HANT else "繁體",
    }


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, minus the 422 answers it adds on its own: calmdesk answers bad
    input with 400 and the error body every endpoint documents."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=[
            {"name": "分析", "description": "情景、情绪、回复话术、号码遮盖"},
            {"name": "会话", "description": "逐轮引导一次接待（保存在数据库）"},
            {"name": "场景手册", "description": "浏览与搜索场景"},
            {"name": "系统", "description": "服务状态"},
        ],
    )
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            operation.get("responses", {}).pop("422", None)
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    app.openapi_schema = schema
    return schema
