"""Migrations: a fresh database gets every version, re-opening is a no-op, newer is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from calmdesk import errors
from calmdesk.store import Store
from calmdesk.store.migrations import MIGRATIONS, migration


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'm.db'}"


def test_fresh_database_records_every_version(tmp_path: Path) -> None:
    with Store.open(_url(tmp_path)) as store:
        assert store.schema_versions() == [m.version for m in MIGRATIONS]
    engine = create_engine(_url(tmp_path))
    try:
        tables = set(inspect(engine).get_table_names())
        indexes = {i["name"] for i in inspect(engine).get_indexes("sessions")}
    finally:
        engine.dispose()
    assert {"schema_migrations", "sessions", "turns"} <= tables
    assert "ix_sessions_updated_at" in indexes


def test_reopen_is_idempotent(tmp_path: Path) -> None:
    for _ in range(3):
        with Store.open(_url(tmp_path)) as store:
            versions = store.schema_versions()
    assert versions == sorted(set(versions)) == [m.version for m in MIGRATIONS]
    engine = create_engine(_url(tmp_path))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version, name FROM schema_migrations")).all()
    finally:
        engine.dispose()
    assert len(rows) == len(MIGRATIONS)
    assert all(name for _, name in rows)


def test_versions_are_ordered_and_unique() -> None:
    versions = [m.version for m in MIGRATIONS]
    assert versions == sorted(set(versions))
    with pytest.raises(ValueError):
        migration(MIGRATIONS[-1].version, "out of order")(lambda conn: None)


def test_database_from_a_newer_calmdesk_is_refused(tmp_path: Path) -> None:
    Store.open(_url(tmp_path)).close()
    engine = create_engine(_url(tmp_path))
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO schema_migrations VALUES (999, 'future', '2099-01-01')"))
    finally:
        engine.dispose()
    with pytest.raises(errors.StorageError) as info:
        Store.open(_url(tmp_path))
    assert info.value.code == "E305"


def test_wal_and_full_sync(tmp_path: Path) -> None:
    with Store.open(_url(tmp_path)) as store, store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
