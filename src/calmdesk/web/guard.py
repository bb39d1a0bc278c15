"""The outermost layer of the web app: body limits, encoding checks, access log, last resort.

One small pure-ASGI middleware (no per-request objects beyond what it needs):

* refuses a request body over ``max_body_bytes`` (413, ``E108``) — by ``Content-Length`` before
  reading anything, and by counting for chunked bodies;
* refuses an API body that is not UTF-8 (``E104``) or is binary (``E103``), so the JSON parser
  only ever sees text;
* writes one access-log line per request: method, path (never the query string), status, time
  and the error code if there was one — never a request body;
* catches anything that escaped every handler and answers a generic ``E500`` without internals.
  It counts those (:class:`GuardStats`) so tests can prove no input ever reaches it.
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from calmdesk import errors
from calmdesk.web.errors import (
    BODY_TOO_LARGE,
    PageErrorRenderer,
    error_body,
    internal_error,
    is_api,
    log_error,
    status_for,
)

__all__ = ["MAX_BODY_BYTES", "GuardStats", "RequestGuard"]

#: Largest request body accepted, in bytes. A text is at most 2,000 characters (≤ 8 KB as
#: UTF-8, ≤ 24 KB with JSON \\u escapes); 64 KiB leaves room for every documented option.
MAX_BODY_BYTES = 64 * 1024

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

access_log = logging.getLogger("calmdesk.web.access")
log = logging.getLogger("calmdesk.web")


@dataclass
class GuardStats:
    """Counts kept by the guard; the app exposes them as ``app.state.guard_stats``."""

    internal_errors: int = 0


class RequestGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        render_page_error: PageErrorRenderer,
        stats: GuardStats,
        max_body_bytes: int = MAX_BODY_BYTES,
        access_log_enabled: bool = True,
    ) -> None:
        self.app = app
        self.render_page_error = render_page_error
        self.stats = stats
        self.max_body_bytes = max_body_bytes
        self.access_log_enabled = access_log_enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 0

        async def send_tracking(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if scope["method"] in _BODY_METHODS:
                body = await self._read_body(scope, receive)
                if isinstance(body, errors.CalmdeskError):
                    await self._reject(scope, send_tracking, body)
                    return
                receive = _replay(body, receive)
            await self.app(scope, receive, send_tracking)
        except Exception as exc:
            self.stats.internal_errors += 1
            frames = "".join(traceback.format_tb(exc.__traceback__))
            # The exception's message may quote user input: log its type and frames only.
            log.error(
                "500 E500 %s: %s\n%s", scope.get("path", ""), type(exc).__name__, frames.rstrip()
            )
            scope.setdefault("state", {})["error_code"] = "E500"
            if not status:
                await self._respond(scope, send_tracking, internal_error())
        finally:
            if self.access_log_enabled and access_log.isEnabledFor(logging.INFO):
                code = scope.get("state", {}).get("error_code")
                access_log.info(
                    "%s %s %d %.1fms%s",
                    scope["method"],
                    scope.get("path", ""),
                    status,
                    (time.perf_counter() - began) * 1000,
                    f" {code}" if code else "",
                )

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | errors.CalmdeskError:
        too_large = errors.BadInput(
            f"请求体太大：上限 {self.max_body_bytes // 1024} KiB（每段文字最多 2000 个字符）",
            code=BODY_TOO_LARGE,
            limit=self.max_body_bytes,
        )
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    if int(value) > self.max_body_bytes:
                        return too_large
                except ValueError:
                    pass
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return too_large
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if is_api(scope.get("path", "")) and body:
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as exc:
                return errors.BadInput(
                    f"请求体不是有效的 UTF-8 文本（第 {exc.start} 字节处无法解码）",
                    code=errors.BAD_ENCODING,
                )
            if b"\x00" in body:
                return errors.BadInput(
                    "请求体看起来是二进制数据，应为 UTF-8 编码的 JSON", code=errors.BINARY_TEXT
                )
        return body

    async def _reject(self, scope: Scope, send: Send, exc: errors.CalmdeskError) -> None:
        scope.setdefault("state", {})["error_code"] = exc.code
        log_error(exc, scope.get("path", ""))
        await self._respond(scope, send, exc)

    async def _respond(self, scope: Scope, send: Send, exc: errors.CalmdeskError) -> None:
        status = status_for(exc)
        response: Response
        if is_api(scope.get("path", "")):
            response = JSONResponse(error_body(exc), status_code=status)
        else:
            try:
                response = self.render_page_error(Request(scope), exc, status)
            except Exception:  # the page itself failed: plain text still tells the user
                response = Response(exc.message, status_code=status, media_type="text/plain")
        if exc.code == BODY_TOO_LARGE:
            response.headers["Connection"] = "close"  # the rest of the body is never read
        await response(scope, _no_receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then defers to the server."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
