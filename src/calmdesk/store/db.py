"""Where the database is and how to connect to it safely.

SQLite is the default: ``$CALMDESK_DATA_DIR/calmdesk.db`` (else ``$XDG_DATA_HOME/calmdesk`` or
``~/.local/share/calmdesk``). Any SQLAlchemy URL works through ``--db`` or
``CALMDESK_DATABASE_URL`` (PostgreSQL: ``postgresql+psycopg://user:pw@host/db``).

SQLite runs in WAL mode with ``synchronous=FULL`` so a committed turn survives a power cut or
``kill -9``, and every write transaction starts with ``BEGIN IMMEDIATE`` so two writers queue
for the lock instead of failing half-way with "database is locked".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from calmdesk import errors

__all__ = [
    "DATABASE_URL_ENV",
    "DATA_DIR_ENV",
    "DB_FILENAME",
    "STORE_MIGRATION_FAILED",
    "STORE_OPEN_FAILED",
    "STORE_READ_FAILED",
    "STORE_SCHEMA_NEWER",
    "STORE_WRITE_FAILED",
    "WRITE_OPTION",
    "connect",
    "data_dir",
    "database_url",
    "redact",
]

DATA_DIR_ENV = "CALMDESK_DATA_DIR"
DATABASE_URL_ENV = "CALMDESK_DATABASE_URL"
DB_FILENAME = "calmdesk.db"

# Stable storage error codes (E3xx).
STORE_OPEN_FAILED = errors.STORE_OPEN_FAILED
STORE_WRITE_FAILED = errors.STORE_WRITE_FAILED
STORE_READ_FAILED = "E303"
STORE_MIGRATION_FAILED = "E304"
STORE_SCHEMA_NEWER = "E305"

#: Execution option marking a connection whose transaction will write (SQLite: BEGIN IMMEDIATE).
WRITE_OPTION = "calmdesk_write"

_BUSY_TIMEOUT_MS = 10_000


def data_dir() -> Path:
    explicit = os.environ.get(DATA_DIR_ENV, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "calmdesk"


def database_url(url: str | None = None) -> str:
    """The URL to use: the explicit one, else CALMDESK_DATABASE_URL, else the SQLite file."""
    chosen = (url or "").strip() or os.environ.get(DATABASE_URL_ENV, "").strip()
    if chosen:
        return chosen
    return f"sqlite:///{data_dir() / DB_FILENAME}"


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(无效的数据库地址)"


def connect(url: str) -> Engine:
    """An Engine for ``url``; creates the SQLite folder and sets the durability pragmas."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise errors.StorageError(f"数据库地址格式不对：{url!r}", code=STORE_OPEN_FAILED) from None
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        in_memory = database in ("", ":memory:") or "mode=memory" in str(parsed.query)
        if in_memory:
            # One connection shared by the process, or every checkout sees an empty database.
            kwargs["poolclass"] = StaticPool
            kwargs["connect_args"] = {"check_same_thread": False}
        else:
            try:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise errors.StorageError(
                    f"无法创建数据目录 {Path(database).parent}：{exc.strerror or exc}",
                    code=STORE_OPEN_FAILED,
                ) from None
    try:
        engine = create_engine(parsed, **kwargs)
    except (SQLAlchemyError, ImportError) as exc:
        raise errors.StorageError(
            f"无法连接数据库 {redact(url)}：{exc}", code=STORE_OPEN_FAILED
        ) from None
    if engine.dialect.name == "sqlite":
        _sqlite_durability(engine)
    return engine


def _sqlite_durability(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so BEGIN is ours to choose.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        writing = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
