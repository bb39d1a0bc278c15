"""The same store on PostgreSQL. Skips cleanly unless CALMDESK_TEST_POSTGRES_URL reaches a server."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from calmdesk.store import NewTurn, SessionState, Store

URL = os.environ.get("CALMDESK_TEST_POSTGRES_URL", "")

pytestmark = pytest.mark.postgres


def _unavailable(reason: str) -> None:
    """Skip — unless CI asked for PostgreSQL (CALMDESK_REQUIRE_POSTGRES=1): then fail."""
    if os.environ.get("CALMDESK_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"CALMDESK_REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def pg_store() -> Iterator[Store]:
    if not URL:
        _unavailable("set CALMDESK_TEST_POSTGRES_URL=postgresql+psycopg://… to run")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install calmdesk[postgres])")
    try:
        store = Store.open(URL)
    except Exception as exc:
        _unavailable(f"PostgreSQL not reachable: {exc}")
    try:
        yield store
    finally:
        store.close()


def test_postgres_round_trip(pg_store: Store) -> None:
    state = SessionState("hans", None, None, "respond", 0, "active")
    s = pg_store.create_session("pg", state)
    for n in range(3):
        pg_store.append_turn(
            s.id, NewTurn("customer", f"第{n}轮", "listen", 1, None, None, [], {}), state
        )
    assert [t.seq for t in pg_store.turns(s.id)] == [1, 2, 3]
    assert pg_store.dialect == "postgresql"


def test_postgres_reopen_is_idempotent(pg_store: Store) -> None:
    versions = pg_store.schema_versions()
    with Store.open(URL) as again:
        assert again.schema_versions() == versions


def test_postgres_sessions_service(pg_store: Store) -> None:
    from tests.guidance.conftest import StubEmotionEngine

    from calmdesk.guidance import SessionService

    service = SessionService(StubEmotionEngine(playbook_dirs=[], rules_dirs=[]), pg_store)
    sid = service.create("pg")["id"]
    service.add_turn(sid, "customer", "凭什么不让查！！")
    second = service.add_turn(sid, "staff", "没有身份证不能查，规定就是这样。")
    assert {"refusal-only", "premature-explanation"} <= {w["code"] for w in second["warnings"]}
    assert service.get(sid)["session"]["turn_count"] == 2
