"""Schema migrations: ordered, registered functions, each run in its own transaction.

Like sqlite-utils / Datasette: ``@migration(version, name)`` registers a function taking a
Connection; :func:`apply_migrations` runs every version not yet in ``schema_migrations`` in
order, and records it in the same transaction as its DDL (SQLite and PostgreSQL both have
transactional DDL), so a crash leaves either the whole migration or none of it. Re-opening a
database is a no-op. A database recorded with a version this program does not know was written
by a newer calmdesk and is refused rather than damaged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from calmdesk import errors
from calmdesk.store.db import STORE_MIGRATION_FAILED, STORE_SCHEMA_NEWER, WRITE_OPTION
from calmdesk.store.tables import schema_migrations

__all__ = ["MIGRATIONS", "Migration", "applied_versions", "apply_migrations", "migration"]

MigrationFn = Callable[[Connection], None]


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    run: MigrationFn


MIGRATIONS: list[Migration] = []


def migration(version: int, name: str) -> Callable[[MigrationFn], MigrationFn]:
    """Register a migration. Versions must be unique and added in increasing order."""

    def register(fn: MigrationFn) -> MigrationFn:
        if MIGRATIONS and version <= MIGRATIONS[-1].version:
            raise ValueError(f"migration {version} registered after {MIGRATIONS[-1].version}")
        MIGRATIONS.append(Migration(version, name, fn))
        return fn

    return register


@migration(1, "create sessions and turns")
def _create_sessions_and_turns(conn: Connection) -> None:
    md = MetaData()
    Table(
        "sessions",
        md,
        Column("id", String(32), primary_key=True),
        Column("created_at", String(32), nullable=False),
        Column("updated_at", String(32), nullable=False),
        Column("title", Text, nullable=True),
        Column("script", String(8), nullable=False),
        Column("topic", String(64), nullable=True),
        Column("scenario", String(200), nullable=True),
        Column("stage", String(16), nullable=False),
        Column("anger", Integer, nullable=False),
        Column("status", String(16), nullable=False),
        Column("turn_count", Integer, nullable=False),
    )
    Table(
        "turns",
        md,
        Column(
            "session_id",
            String(32),
            ForeignKey("sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column("seq", Integer, primary_key=True, autoincrement=False),
        Column("speaker", String(16), nullable=False),
        Column("text", Text, nullable=False),
        Column("stage", String(16), nullable=False),
        Column("anger", Integer, nullable=False),
        Column("topic", String(64), nullable=True),
        Column("scenario", String(200), nullable=True),
        Column("warnings", Text, nullable=False),
        Column("evidence", Text, nullable=False),
        Column("created_at", String(32), nullable=False),
    )
    md.create_all(conn)


@migration(2, "index sessions by last update")
def _index_sessions_updated(conn: Connection) -> None:
    md = MetaData()
    table = Table("sessions", md, Column("updated_at", String(32)), Column("id", String(32)))
    Index("ix_sessions_updated_at", table.c.updated_at, table.c.id).create(conn)


def applied_versions(conn: Connection) -> list[int]:
    rows = conn.execute(select(schema_migrations.c.version).order_by(schema_migrations.c.version))
    return [int(v) for v in rows.scalars()]


def apply_migrations(engine: Engine) -> list[int]:
    """Bring the schema up to date; returns the versions applied now (empty when current)."""
    known = {m.version for m in MIGRATIONS}
    done: list[int] = []
    try:
        with engine.connect() as conn:
            # Fast path, no write lock: an up-to-date database is the common case at open.
            with conn.begin():
                exists = conn.dialect.has_table(conn, schema_migrations.name)
                current = set(applied_versions(conn)) if exists else set()
            _refuse_newer(current, known)
            if known <= current:
                return done
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                schema_migrations.create(conn, checkfirst=True)
            for m in MIGRATIONS:
                if m.version in current:
                    continue
                with conn.begin():
                    _lock(conn)
                    # Checked inside the locked transaction: another process may have just run it.
                    applied = set(applied_versions(conn))
                    _refuse_newer(applied, known)
                    if m.version in applied:
                        continue
                    m.run(conn)
                    conn.execute(
                        insert(schema_migrations).values(
                            version=m.version,
                            name=m.name,
                            applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
                        )
                    )
                    done.append(m.version)
    except SQLAlchemyError as exc:
        raise errors.StorageError(
            f"数据库结构升级失败：{exc.__class__.__name__}", code=STORE_MIGRATION_FAILED
        ) from exc
    return done


def _refuse_newer(applied: set[int], known: set[int]) -> None:
    newer = applied - known
    if newer:
        raise errors.StorageError(
            f"数据库由更新版本的 calmdesk 创建（结构版本 {max(newer)}），请升级本程序。",
            code=STORE_SCHEMA_NEWER,
        )


def _lock(conn: Connection) -> None:
    """Serialise concurrent migrators. SQLite already holds the write lock (BEGIN IMMEDIATE)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7412093)"))
