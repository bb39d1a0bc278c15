"""Persistent sessions: SQLite by default, any SQLAlchemy URL on request.

:class:`Store` is opened with :meth:`Store.open` (connects, applies migrations) and closed with
:meth:`Store.close`. Only masked text ever reaches it.
"""

from __future__ import annotations

from calmdesk.store.db import DATA_DIR_ENV, DATABASE_URL_ENV, data_dir, database_url
from calmdesk.store.repository import (
    NewTurn,
    SessionRecord,
    SessionState,
    Store,
    TurnRecord,
)

__all__ = [
    "DATABASE_URL_ENV",
    "DATA_DIR_ENV",
    "NewTurn",
    "SessionRecord",
    "SessionState",
    "Store",
    "TurnRecord",
    "data_dir",
    "database_url",
]
