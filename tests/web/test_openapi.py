"""The API against its own OpenAPI document: hand-written checks, then schemathesis."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from tests.web.conftest import Client

from calmdesk.engine import Engine
from calmdesk.store import Store
from calmdesk.text.normalize import MAX_TEXT_CHARS
from calmdesk.web import create_app


def test_document(client: Client) -> None:
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    expected = {
        ("/api/v1/advise", "post"),
        ("/api/v1/check", "post"),
        ("/api/v1/emotion", "post"),
        ("/api/v1/mask", "post"),
        ("/api/v1/sessions", "post"),
        ("/api/v1/sessions", "get"),
        ("/api/v1/sessions/{session_id}", "get"),
        ("/api/v1/sessions/{session_id}/turns", "post"),
        ("/api/v1/sessions/{session_id}/draft", "post"),
        ("/api/v1/playbook", "get"),
        ("/api/v1/playbook/{scenario_id}", "get"),
        ("/api/v1/health", "get"),
    }
    assert {(p, m) for p, ops in paths.items() for m in ops} == expected
    for path, ops in paths.items():
        for method, op in ops.items():
            assert "422" not in op["responses"], (path, method)
            assert "200" in op["responses"] or "201" in op["responses"]
            if method == "post":
                assert op["responses"]["400"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorBody"
                }
    schemas = doc["components"]["schemas"]
    assert schemas["CheckRequest"]["properties"]["text"]["maxLength"] == MAX_TEXT_CHARS
    assert schemas["CheckRequest"]["additionalProperties"] is False
    assert "HTTPValidationError" not in schemas


def test_docs_page_is_offline(client: Client) -> None:
    html = client.get("/docs").text
    assert "/static/swagger-ui/swagger-ui-bundle.js" in html and "/openapi.json" in html
    assert "cdn" not in html.lower()


# Loaded when the module is collected: schemathesis' lazy ``from_fixture`` loader reads a node
# attribute pytest 9 no longer has. The app is cheap to build (the engine loads on first use)
# and uses an in-memory database.
APP = create_app(Engine(playbook_dirs=[], rules_dirs=[]), Store.open("sqlite://"), access_log=False)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_matches_its_document(case: Any) -> None:
    case.call_and_validate()
    assert APP.state.guard_stats.internal_errors == 0
