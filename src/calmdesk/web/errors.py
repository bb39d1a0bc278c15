"""The HTTP face of calmdesk's one error tree: status codes, JSON bodies, logging.

Every error a client sees has the body ``{"error": {"code": "E10x", "message": "<中文>", ...}}``.
This module is the ONE place that decides the HTTP status of an error (:func:`status_for`) and
turns FastAPI's and Starlette's own errors (validation, unknown route, wrong method, bad body)
into the same tree, so clients key on the code whatever went wrong.

Logs carry the code, the path and the field — never the text a user typed (it may hold a
customer's personal data), never an exception message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match

from calmdesk import errors

__all__ = [
    "BODY_TOO_LARGE",
    "INTERNAL_ERROR",
    "METHOD_NOT_ALLOWED",
    "ROUTE_NOT_FOUND",
    "SCENARIO_NOT_FOUND",
    "PageErrorRenderer",
    "error_body",
    "from_http_exception",
    "from_validation_errors",
    "install_error_handlers",
    "internal_error",
    "log_error",
    "note_error",
    "status_for",
]

log = logging.getLogger("calmdesk.web")

# Codes the HTTP layer raises itself (all codes live in calmdesk.errors).
BODY_TOO_LARGE = errors.BODY_TOO_LARGE
SCENARIO_NOT_FOUND = errors.SCENARIO_NOT_FOUND
ROUTE_NOT_FOUND = errors.ROUTE_NOT_FOUND
METHOD_NOT_ALLOWED = errors.METHOD_NOT_ALLOWED
INTERNAL_ERROR = errors.INTERNAL_ERROR

# -- the one status table -----------------------------------------------------------------

_STATUS_BY_CODE: Mapping[str, int] = {
    BODY_TOO_LARGE: 413,
    METHOD_NOT_ALLOWED: 405,
    INTERNAL_ERROR: 500,
}
_STATUS_BY_CLASS: Sequence[tuple[type[errors.CalmdeskError], int]] = (
    (errors.BadInput, 400),
    (errors.NotFound, 404),
    (errors.StorageError, 503),  # the database is down or busy: try again later
    (errors.DataFileError, 500),  # a broken playbook or rule file: the operator must fix it
)


def status_for(exc: errors.CalmdeskError) -> int:
    """The HTTP status of a calmdesk error."""
    if exc.code in _STATUS_BY_CODE:
        return _STATUS_BY_CODE[exc.code]
    for cls, status in _STATUS_BY_CLASS:
        if isinstance(exc, cls):
            return status
    return 500


def error_body(exc: errors.CalmdeskError) -> dict[str, Any]:
    return {"error": exc.to_dict()}


def internal_error() -> errors.CalmdeskError:
    """What a client sees when calmdesk itself failed: nothing about the internals."""
    return errors.CalmdeskError("服务器内部出错，请稍后再试。", code=INTERNAL_ERROR)


def log_error(exc: errors.CalmdeskError, path: str) -> None:
    """One line per error: the code and where. Never the message (it can quote user input)."""
    field = exc.details.get("field") if isinstance(exc.details, dict) else None
    status = status_for(exc)
    level = logging.ERROR if status >= 500 else logging.INFO
    log.log(level, "%s %s %s%s", status, exc.code, path, f" field={field}" if field else "")


def note_error(request: Request, exc: errors.CalmdeskError) -> None:
    """Log an error a handler answers itself, and hand its code to the access log."""
    request.state.error_code = exc.code
    log_error(exc, request.url.path)


# -- FastAPI / Starlette errors → the tree ------------------------------------------------

_TYPE_NAMES = {
    "string": "文本",
    "int": "整数",
    "bool": "true 或 false",
    "float": "数字",
    "dict": "JSON 对象",
    "model": "JSON 对象",
    "list": "列表",
}


def from_validation_errors(problems: Sequence[Mapping[str, Any]]) -> errors.BadInput:
    """Turn FastAPI's request validation errors into one BadInput with a stable code.

    The first problem decides the code and message; ``details.problems`` lists them all (field
    and pydantic type, never the input).
    """
    if not problems:
        return errors.BadInput("请求不符合要求", code=errors.BAD_FIELD)
    first = problems[0]
    exc = _one_problem(first)
    if len(problems) > 1:
        exc.details["problems"] = [
            {"field": _field_name(p.get("loc", ())), "type": str(p.get("type", ""))}
            for p in problems
        ]
    return exc


def _field_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc[1:] if not isinstance(p, int)] if loc else []
    return ".".join(parts)


def _one_problem(problem: Mapping[str, Any]) -> errors.BadInput:
    kind = str(problem.get("type", ""))
    loc = tuple(problem.get("loc", ()))
    where = str(loc[0]) if loc else "body"
    field = _field_name(loc)
    ctx: Mapping[str, Any] = problem.get("ctx") or {}
    raw = problem.get("input")

    if kind == "json_invalid":
        return errors.BadInput(
            f"请求体不是有效的 JSON：{ctx.get('error', '格式错误')}", code=errors.BAD_JSON
        )
    if where == "body" and not field:
        return errors.BadInput(
            '请求体应为 JSON 对象，例如 {"text": "…"}，并带上 Content-Type: application/json',
            code=errors.BAD_JSON,
        )
    code = errors.BAD_FIELD if where == "body" else errors.BAD_OPTION
    name = field or where
    details: dict[str, Any] = {"field": name}
    if kind == "missing":
        return errors.BadInput(f"缺少「{name}」", code=code, **details)
    if kind == "extra_forbidden":
        return errors.BadInput(f"不认识的字段「{name}」", code=code, **details)
    if kind in {"string_type", "string_unicode"} and isinstance(raw, str):
        # A JSON string pydantic cannot hold: a lone surrogate escape such as "\ud800".
        return errors.BadInput(
            f"「{name}」含有无法识别的字符（编码错误）", code=errors.BAD_ENCODING, **details
        )
    if kind == "string_too_short":
        return errors.BadInput(f"「{name}」是空的，请输入文字", code=errors.EMPTY_TEXT, **details)
    if kind == "string_too_long":
        limit = ctx.get("max_length")
        length = f"{len(raw)} 个字符，" if isinstance(raw, str) else ""
        return errors.BadInput(
            f"「{name}」太长：{length}上限 {limit} 个",
            code=errors.TEXT_TOO_LONG,
            limit=limit,
            **details,
        )
    if kind in {"enum", "literal_error"}:
        expected = str(ctx.get("expected", "")).replace("'", "")
        return errors.BadInput(f"「{name}」的值不对，可选：{expected}", code=code, **details)
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        bounds = "、".join(f"{k}={v}" for k, v in ctx.items())
        return errors.BadInput(f"「{name}」超出范围（{bounds}）", code=code, **details)
    base = kind.split("_", 1)[0]
    if kind.endswith("_type") or kind.endswith("_parsing") or base in _TYPE_NAMES:
        wanted = _TYPE_NAMES.get(base, "正确的类型")
        return errors.BadInput(f"「{name}」应为{wanted}", code=code, **details)
    return errors.BadInput(f"「{name}」不符合要求", code=code, **details)


def from_http_exception(exc: StarletteHTTPException) -> errors.CalmdeskError:
    if exc.status_code == 404:
        return errors.NotFound("没有这个地址", code=ROUTE_NOT_FOUND)
    if exc.status_code == 405:
        return errors.BadInput("这个地址不支持这种请求方法", code=METHOD_NOT_ALLOWED)
    if exc.status_code == 413:
        return errors.BadInput("请求体太大", code=BODY_TOO_LARGE)
    if exc.status_code == 400:  # FastAPI could not read the body at all
        return errors.BadInput("请求体无法解析，应为 UTF-8 编码的 JSON", code=errors.BAD_JSON)
    if exc.status_code >= 500:
        return internal_error()
    return errors.BadInput("请求不符合要求")  # E100: no more specific code applies


def allowed_methods(routes: Sequence[BaseRoute], scope: Mapping[str, Any]) -> list[str]:
    """Every method some route answers for this path (the router's 405 names only one)."""
    allowed = []
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
        probe = {**scope, "method": method}
        if any(route.matches(probe)[0] is Match.FULL for route in routes):
            allowed.append(method)
    return allowed


# -- handlers -----------------------------------------------------------------------------

#: Renders an error for a page request (HTML); the API always answers JSON.
PageErrorRenderer = Callable[[Request, errors.CalmdeskError, int], Response]


def is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/openapi.json"


def install_error_handlers(app: Any, render_page_error: PageErrorRenderer) -> None:
    """Route every error through :func:`respond`: JSON under /api, an HTML page elsewhere."""

    def respond(
        request: Request, exc: errors.CalmdeskError, headers: Mapping[str, str] | None = None
    ) -> Response:
        status = status_for(exc)
        note_error(request, exc)
        if is_api(request.url.path):
            return JSONResponse(error_body(exc), status_code=status, headers=headers)
        response = render_page_error(request, exc, status)
        response.headers.update(headers or {})
        return response

    async def on_calmdesk_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, errors.CalmdeskError)
        return respond(request, exc)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return respond(request, from_validation_errors(exc.errors()))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        headers = exc.headers
        if exc.status_code == 405:  # every method the path has, not just one route's
            headers = {"Allow": ", ".join(allowed_methods(app.routes, request.scope))}
        return respond(request, from_http_exception(exc), headers)

    app.add_exception_handler(errors.CalmdeskError, on_calmdesk_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
