"""Every way a request can be wrong gets a 4xx with a stable code and a Chinese message.

The ``client`` fixture also proves none of these reaches the generic E500 handler.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal
from fastapi import FastAPI
from tests.web.conftest import Client

from calmdesk import errors
from calmdesk.engine import Engine
from calmdesk.store import Store
from calmdesk.text.normalize import MAX_TEXT_CHARS
from calmdesk.web import create_app
from calmdesk.web.errors import status_for
from calmdesk.web.guard import MAX_BODY_BYTES

CJK = re.compile(r"[\u4e00-\u9fff]")


# One app for the whole module: these tests only read, or write to sessions they create.
@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path_factory.mktemp('errors') / 'web.db'}")
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def app(engine: Engine, store: Store) -> FastAPI:
    return create_app(engine, store, access_log=False)


@pytest.fixture(scope="module")
def client(app: FastAPI, portal: BlockingPortal) -> Iterator[Client]:
    c = Client(app, portal)
    yield c
    c.close()
    assert app.state.guard_stats.internal_errors == 0, "an input reached the generic E500"


TEXT_ENDPOINTS = ["/advise", "/check", "/emotion", "/mask"]


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert error["code"] == code, error
    assert CJK.search(error["message"]), error["message"]
    return error


def _session(client: Client) -> str:
    sid: str = client.post("/api/v1/sessions", json={}).json()["id"]
    return sid


BAD_BODIES: list[tuple[str, Any, str]] = [
    ("empty text", {"text": ""}, "E101"),
    ("whitespace", {"text": " \n\t　"}, "E101"),
    ("missing text", {}, "E106"),
    ("number", {"text": 123}, "E106"),
    ("null", {"text": None}, "E106"),
    ("list", {"text": ["a"]}, "E106"),
    ("object", {"text": {"a": 1}}, "E106"),
    ("too long", {"text": "好" * (MAX_TEXT_CHARS + 1)}, "E102"),
    ("control characters", {"text": "abc\u0000\u0001def"}, "E103"),
    ("lone surrogate", {"text": "abc\ud800"}, "E104"),
    ("unknown field", {"text": "你好", "txet": "x"}, "E106"),
    ("bad script", {"text": "你好", "script": "latin"}, "E106"),
]


@pytest.mark.parametrize("path", TEXT_ENDPOINTS)
@pytest.mark.parametrize(("case", "body", "code"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_bad_text(client: Client, path: str, case: str, body: Any, code: str) -> None:
    if path == "/mask" and "script" in body:
        code = "E106"  # mask has no script option: an unknown field
    raw = json.dumps(body).encode()  # ASCII escapes: a lone surrogate travels as \ud800
    error = _error(client.post(f"/api/v1{path}", content=raw, headers=_JSON), 400, code)
    if code in {"E101", "E102", "E106"}:
        assert error["details"]["field"] in {"text", "txet", "script"}


def test_text_at_the_limit_is_fine(client: Client) -> None:
    r = client.post("/api/v1/emotion", json={"text": "好" * MAX_TEXT_CHARS})
    assert r.status_code == 200


def test_too_long_says_the_limit(client: Client) -> None:
    error = _error(
        client.post("/api/v1/check", json={"text": "好" * 2001}), 400, errors.TEXT_TOO_LONG
    )
    assert "2000" in error["message"] and "2001" in error["message"]


RAW_BODIES: list[tuple[str, bytes, str | None, int, str]] = [
    ("malformed json", b'{"text": ', "application/json", 400, "E105"),
    ("trailing garbage", b'{"text": "a"} x', "application/json", 400, "E105"),
    ("json array", b'["text"]', "application/json", 400, "E105"),
    ("json string", b'"text"', "application/json", 400, "E105"),
    ("empty body", b"", "application/json", 400, "E105"),
    ("plain text", "客户没带身份证".encode(), "text/plain", 400, "E105"),
    ("no content type", b'{"text": "a"}', None, 400, "E105"),
    ("form", b"text=a", "application/x-www-form-urlencoded", 400, "E105"),
    ("invalid utf-8", b'{"text": "\xff\xfe"}', "application/json", 400, "E104"),
    ("utf-16", '{"text": "好"}'.encode("utf-16"), "application/json", 400, "E104"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "application/json", 400, "E104"),
    ("nul bytes", b'{"text": "a"}\x00\x00', "application/json", 400, "E103"),
    ("deep nesting", b"[" * 100_000 + b"]" * 100_000, "application/json", 413, "E108"),
    (
        "huge number",
        b'{"text": "a", "top": 1' + b"0" * 5000 + b"}",
        "application/json",
        400,
        "E105",
    ),
    ("nan", b'{"text": "a", "top": NaN}', "application/json", 400, "E106"),
]


@pytest.mark.parametrize("path", ["/advise", "/check"])
@pytest.mark.parametrize(
    ("case", "raw", "content_type", "status", "code"), RAW_BODIES, ids=[c[0] for c in RAW_BODIES]
)
def test_bad_bodies(
    client: Client,
    path: str,
    case: str,
    raw: bytes,
    content_type: str | None,
    status: int,
    code: str,
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    _error(client.post(f"/api/v1{path}", content=raw, headers=headers), status, code)


def test_deeply_nested_json_within_the_size_limit(client: Client) -> None:
    raw = b'{"text": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
    assert len(raw) < MAX_BODY_BYTES
    _error(client.post("/api/v1/check", content=raw, headers=_JSON), 400, "E105")


_JSON = {"content-type": "application/json"}


def test_body_over_the_limit_by_length(client: Client) -> None:
    raw = b'{"text": "' + b"a" * MAX_BODY_BYTES + b'"}'
    error = _error(client.post("/api/v1/check", content=raw, headers=_JSON), 413, "E108")
    assert error["details"]["limit"] == MAX_BODY_BYTES


def test_body_over_the_limit_streamed(client: Client) -> None:
    """A chunked body (no Content-Length) is counted as it arrives."""

    async def chunks() -> Any:
        yield b'{"text": "'
        for _ in range(20):
            yield b"a" * 8192
        yield b'"}'

    r = client.post("/api/v1/check", content=chunks(), headers=_JSON)
    _error(r, 413, "E108")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"text": "客户没带身份证", "top": "3"}, "E106"),
        ({"text": "客户没带身份证", "top": True}, "E106"),
        ({"text": "客户没带身份证", "top": 0}, "E106"),
        ({"text": "客户没带身份证", "top": 21}, "E106"),
        ({"text": "客户没带身份证", "top": 2.5}, "E106"),
    ],
)
def test_advise_options(client: Client, body: dict[str, Any], code: str) -> None:
    _error(client.post("/api/v1/advise", json=body), 400, code)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"text": "不行", "topic": "nope"}, "E106"),
        ({"text": "不行", "topic": 3}, "E106"),
        ({"text": "不行", "situation": ""}, "E101"),
        ({"text": "不行", "situation": "   "}, "E101"),
        ({"text": "不行", "situation": 5}, "E106"),
        ({"text": "不行", "situation": "好" * 2001}, "E102"),
    ],
)
def test_check_options(client: Client, body: dict[str, Any], code: str) -> None:
    _error(client.post("/api/v1/check", json=body), 400, code)


def test_unknown_topic_names_the_choices(client: Client) -> None:
    error = _error(client.post("/api/v1/check", json={"text": "不行", "topic": "x"}), 400, "E106")
    assert error["details"]["field"] == "topic" and "no-valid-id" in error["message"]


# -- sessions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"speaker": "boss", "text": "你好"}, "E106"),
        ({"speaker": "customer"}, "E106"),
        ({"text": "你好"}, "E106"),
        ({"speaker": "customer", "text": ""}, "E101"),
        ({"speaker": "customer", "text": "   "}, "E101"),
        ({"speaker": "customer", "text": "好" * 2001}, "E102"),
        ({"speaker": 1, "text": "你好"}, "E106"),
    ],
)
def test_bad_turns(client: Client, body: dict[str, Any], code: str) -> None:
    sid = _session(client)
    _error(client.post(f"/api/v1/sessions/{sid}/turns", json=body), 400, code)
    assert client.get(f"/api/v1/sessions/{sid}").json()["session"]["turn_count"] == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, "E106"), ({"text": ""}, "E101"), ({"text": " "}, "E101"), ({"text": 1}, "E106")],
)
def test_bad_drafts(client: Client, body: dict[str, Any], code: str) -> None:
    sid = _session(client)
    _error(client.post(f"/api/v1/sessions/{sid}/draft", json=body), 400, code)


@pytest.mark.parametrize(
    ("body", "code"),
    [({"title": ""}, "E101"), ({"title": 5}, "E106"), ({"title": "好" * 201}, "E102")],
)
def test_bad_titles(client: Client, body: dict[str, Any], code: str) -> None:
    _error(client.post("/api/v1/sessions", json=body), 400, code)


def test_blank_title_is_refused(client: Client) -> None:
    _error(client.post("/api/v1/sessions", json={"title": "   "}), 400, "E101")


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 501}, {"limit": "x"}, {"offset": -1}, {"offset": "1.5"}],
)
def test_bad_list_options(client: Client, params: dict[str, Any]) -> None:
    error = _error(client.get("/api/v1/sessions", params=params), 400, "E107")
    assert error["details"]["field"] in params


def test_unknown_session(client: Client) -> None:
    for method, path, body in [
        ("GET", "/api/v1/sessions/0123456789ab", None),
        ("POST", "/api/v1/sessions/0123456789ab/turns", {"speaker": "staff", "text": "你好"}),
        ("POST", "/api/v1/sessions/0123456789ab/draft", {"text": "你好"}),
    ]:
        _error(client.request(method, path, json=body), 404, "E401")


def test_blank_session_id(client: Client) -> None:
    _error(client.get("/api/v1/sessions/%20"), 400, "E106")


# -- playbook, routes, methods --------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"topic": "nope"}, 400, "E107"),
        ({"place": "moon"}, 400, "E107"),
        ({"q": ""}, 400, "E101"),
        ({"q": "   "}, 400, "E101"),
        ({"q": "好" * 2001}, 400, "E102"),
        ({"script": "x"}, 400, "E107"),
    ],
)
def test_bad_playbook_queries(
    client: Client, params: dict[str, Any], status: int, code: str
) -> None:
    _error(client.get("/api/v1/playbook", params=params), status, code)


def test_unknown_scenario(client: Client) -> None:
    error = _error(client.get("/api/v1/playbook/no-such.scenario"), 404, "E402")
    assert error["details"]["scenario"] == "no-such.scenario"


def test_unknown_route_and_method(client: Client) -> None:
    _error(client.get("/api/v1/nothing-here"), 404, "E404")
    r = client.get("/api/v1/check")
    _error(r, 405, "E405")
    assert "POST" in r.headers["allow"]


# -- the status table, logging and the last resort ------------------------------------------


def test_status_table() -> None:
    assert status_for(errors.BadInput("x", code="E101")) == 400
    assert status_for(errors.NotFound("x", code="E401")) == 404
    assert status_for(errors.StorageError("x", code="E302")) == 503
    assert status_for(errors.DataFileError([])) == 500
    assert status_for(errors.BadInput("x", code="E108")) == 413


def test_storage_trouble_is_503(client: Client, store: Store, monkeypatch: Any) -> None:
    def down(**_: Any) -> Any:
        raise errors.StorageError("无法读取数据库", code="E303")

    monkeypatch.setattr(store, "list_sessions", down)
    _error(client.get("/api/v1/sessions"), 503, "E303")


SECRET = "王先生身份证110101198001011232"


def test_logs_carry_the_code_not_the_text(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="calmdesk"):
        client.post("/api/v1/check", json={"text": SECRET + "好" * 2000})
        client.post("/api/v1/check", json={"text": SECRET, "topic": SECRET})
        sid = _session(client)
        client.post(f"/api/v1/sessions/{sid}/turns", json={"speaker": SECRET, "text": SECRET})
    logged = caplog.text
    assert "E102" in logged and "E106" in logged
    assert "110101198001011232" not in logged and "王先生" not in logged


@pytest.fixture
def boom_app(engine: Engine, store: Store) -> FastAPI:
    app = create_app(engine, store, access_log=False)

    async def boom() -> None:
        raise RuntimeError(f"secret internals {SECRET}")

    app.add_api_route("/api/v1/boom", boom)
    app.add_api_route("/boom", boom)
    return app


@pytest.fixture
def boom_client(boom_app: FastAPI, portal: BlockingPortal) -> Iterator[Client]:
    c = Client(boom_app, portal)
    yield c
    c.close()


def test_last_resort_hides_internals(
    boom_app: FastAPI, boom_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="calmdesk"):
        r = boom_client.get("/api/v1/boom")
        page = boom_client.get("/boom")
    error = _error(r, 500, "E500")
    assert "secret" not in r.text and "RuntimeError" not in r.text
    assert error["message"] == "服务器内部出错，请稍后再试。"
    assert page.status_code == 500 and "secret" not in page.text and "E500" in page.text
    assert boom_app.state.guard_stats.internal_errors == 2
    # The log names the exception type and frames (source lines), never the runtime message.
    assert "RuntimeError" in caplog.text and "110101198001011232" not in caplog.text
