"""What the web layer calls: the engine, and the session service behind one lock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from calmdesk.engine import Engine
from calmdesk.guidance.sessions import SessionService
from calmdesk.store import Store

__all__ = ["WebServices"]


@dataclass
class WebServices:
    """The services one app instance uses.

    The engine's analysers are read-only once loaded, so the quick endpoints call them directly
    on the event loop. ``SessionService`` keeps an in-memory cache of session states and the
    database serialises writers anyway, so session work runs in the threadpool one call at a
    time: ``with web.sessions() as service: …``.
    """

    engine: Engine
    store: Store
    owns_store: bool = False  # opened by the app, so closed by it at shutdown
    _service: SessionService = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._service = SessionService(self.engine, self.store)

    @contextmanager
    def sessions(self) -> Iterator[SessionService]:
        with self._lock:
            yield self._service

    def close(self) -> None:
        if self.owns_store:
            self.store.close()
