"""The schema as it stands after every migration, for building queries.

Migrations (:mod:`calmdesk.store.migrations`) create and change the real tables; they keep
their own frozen definitions so an old migration never changes when this file does.
Timestamps are ISO 8601 UTC strings: they sort correctly and mean the same on every backend.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, Text

__all__ = ["metadata", "schema_migrations", "sessions", "turns"]

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("applied_at", String(32), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
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

turns = Table(
    "turns",
    metadata,
    Column(
        "session_id",
        String(32),
        ForeignKey("sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("speaker", String(16), nullable=False),
    Column("text", Text, nullable=False),  # PII masked before it gets here
    Column("stage", String(16), nullable=False),  # stage after this turn
    Column("anger", Integer, nullable=False),  # customer anger after this turn
    Column("topic", String(64), nullable=True),
    Column("scenario", String(200), nullable=True),
    Column("warnings", Text, nullable=False),  # JSON list of {code, message}
    Column("evidence", Text, nullable=False),  # JSON TurnEvidence: replayed on re-open
    Column("created_at", String(32), nullable=False),
)
