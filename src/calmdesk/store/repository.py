"""The store: sessions and their turns, one committed transaction per write.

Callers hand in text that is already masked (:class:`calmdesk.guidance.sessions.SessionService`
masks before calling); the store never sees a raw ID, card or phone number. Each turn is
appended in its own transaction together with the session row it updates, so after a crash the
database holds every committed turn and no half-written one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from calmdesk import errors
from calmdesk.store.db import (
    STORE_OPEN_FAILED,
    STORE_READ_FAILED,
    STORE_WRITE_FAILED,
    WRITE_OPTION,
    connect,
    database_url,
    redact,
)
from calmdesk.store.migrations import applied_versions, apply_migrations
from calmdesk.store.tables import sessions, turns

__all__ = ["SESSION_NOT_FOUND", "NewTurn", "SessionRecord", "SessionState", "Store", "TurnRecord"]

SESSION_NOT_FOUND = errors.SESSION_NOT_FOUND


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class SessionState:
    """The session columns that change with each turn."""

    script: str
    topic: str | None
    scenario: str | None
    stage: str
    anger: int
    status: str


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: str
    created_at: str
    updated_at: str
    title: str | None
    state: SessionState
    turn_count: int

    def to_dict(self) -> dict[str, Any]:
        s = self.state
        return {
            "id": self.id,
            "title": self.title,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "script": s.script,
            "topic": s.topic,
            "scenario": s.scenario,
            "stage": s.stage,
            "anger": s.anger,
            "status": s.status,
            "turn_count": self.turn_count,
        }


@dataclass(frozen=True, slots=True)
class NewTurn:
    speaker: str
    text: str  # masked
    stage: str
    anger: int
    topic: str | None
    scenario: str | None
    warnings: list[dict[str, Any]]
    evidence: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TurnRecord:
    session_id: str
    seq: int
    speaker: str
    text: str
    stage: str
    anger: int
    topic: str | None
    scenario: str | None
    warnings: list[dict[str, Any]]
    evidence: dict[str, Any]
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "speaker": self.speaker,
            "text": self.text,
            "stage": self.stage,
            "anger": self.anger,
            "topic": self.topic,
            "scenario": self.scenario,
            "warnings": self.warnings,
            "created_at": self.created_at,
        }


class Store:
    """A database of guided sessions. ``Store.open()`` connects and migrates; ``close()`` ends."""

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self.url = redact(url)

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        resolved = database_url(url)
        engine = connect(resolved)
        try:
            apply_migrations(engine)
        except errors.StorageError:
            engine.dispose()
            raise
        except Exception as exc:  # a driver error at first connect (server down, bad path)
            engine.dispose()
            raise errors.StorageError(
                f"无法打开数据库 {redact(resolved)}：{exc.__class__.__name__}",
                code=STORE_OPEN_FAILED,
            ) from exc
        return cls(engine, resolved)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise errors.StorageError(
                f"保存失败，数据库写入出错（{exc.__class__.__name__}），本次操作未保存。",
                code=STORE_WRITE_FAILED,
            ) from exc

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn, conn.begin():
                yield conn
        except SQLAlchemyError as exc:
            raise errors.StorageError(
                f"读取数据库出错（{exc.__class__.__name__}）。", code=STORE_READ_FAILED
            ) from exc

    # -- sessions -------------------------------------------------------------------------

    def create_session(self, title: str | None, state: SessionState) -> SessionRecord:
        now = _now()
        record = SessionRecord(uuid.uuid4().hex[:12], now, now, title, state, 0)
        with self._write() as conn:
            conn.execute(
                insert(sessions).values(
                    id=record.id,
                    created_at=now,
                    updated_at=now,
                    title=title,
                    turn_count=0,
                    **_state_columns(state),
                )
            )
        return record

    def get_session(self, session_id: str) -> SessionRecord | None:
        with self._read() as conn:
            row = conn.execute(select(sessions).where(sessions.c.id == session_id)).first()
        return _session(row._mapping) if row is not None else None

    def list_sessions(self, *, limit: int = 50, offset: int = 0) -> list[SessionRecord]:
        query = (
            select(sessions)
            .order_by(sessions.c.updated_at.desc(), sessions.c.id)
            .limit(limit)
            .offset(offset)
        )
        with self._read() as conn:
            return [_session(row._mapping) for row in conn.execute(query)]

    # -- turns ----------------------------------------------------------------------------

    def append_turn(self, session_id: str, turn: NewTurn, state: SessionState) -> TurnRecord:
        """Add the next turn and update its session, in one transaction."""
        now = _now()
        with self._write() as conn:
            # FOR UPDATE locks the session row on PostgreSQL; SQLite already holds the write lock.
            found = conn.execute(
                select(sessions.c.id).where(sessions.c.id == session_id).with_for_update()
            ).first()
            if found is None:
                raise not_found(session_id)
            last = conn.execute(
                select(func.max(turns.c.seq)).where(turns.c.session_id == session_id)
            ).scalar()
            seq = int(last or 0) + 1
            values = {
                "session_id": session_id,
                "seq": seq,
                "speaker": turn.speaker,
                "text": turn.text,
                "stage": turn.stage,
                "anger": turn.anger,
                "topic": turn.topic,
                "scenario": turn.scenario,
                "warnings": json.dumps(turn.warnings, ensure_ascii=False),
                "evidence": json.dumps(turn.evidence, ensure_ascii=False),
                "created_at": now,
            }
            conn.execute(insert(turns).values(**values))
            conn.execute(
                update(sessions)
                .where(sessions.c.id == session_id)
                .values(updated_at=now, turn_count=seq, **_state_columns(state))
            )
        return _turn(values)

    def turns(self, session_id: str) -> list[TurnRecord]:
        query = select(turns).where(turns.c.session_id == session_id).order_by(turns.c.seq)
        with self._read() as conn:
            return [_turn(row._mapping) for row in conn.execute(query)]

    def schema_versions(self) -> list[int]:
        with self._read() as conn:
            return applied_versions(conn)


def not_found(session_id: str) -> errors.NotFound:
    return errors.NotFound(
        f"找不到会话「{session_id}」", code=SESSION_NOT_FOUND, session=session_id
    )


def _state_columns(state: SessionState) -> dict[str, Any]:
    return {
        "script": state.script,
        "topic": state.topic,
        "scenario": state.scenario,
        "stage": state.stage,
        "anger": state.anger,
        "status": state.status,
    }


def _session(row: Any) -> SessionRecord:
    state = SessionState(
        script=row["script"],
        topic=row["topic"],
        scenario=row["scenario"],
        stage=row["stage"],
        anger=int(row["anger"]),
        status=row["status"],
    )
    return SessionRecord(
        id=row["id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        title=row["title"],
        state=state,
        turn_count=int(row["turn_count"]),
    )


def _turn(row: Any) -> TurnRecord:
    def as_json(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    return TurnRecord(
        session_id=row["session_id"],
        seq=int(row["seq"]),
        speaker=row["speaker"],
        text=row["text"],
        stage=row["stage"],
        anger=int(row["anger"]),
        topic=row["topic"],
        scenario=row["scenario"],
        warnings=as_json(row["warnings"]),
        evidence=as_json(row["evidence"]),
        created_at=row["created_at"],
    )
