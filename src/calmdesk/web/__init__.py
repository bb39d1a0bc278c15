"""The web app and JSON API (FastAPI): ``create_app()`` builds it, ``calmdesk serve`` runs it.

Pages (server-rendered, htmx-enhanced, work without JavaScript) and ``/api/v1`` are thin
adapters over :class:`calmdesk.engine.Engine` and
:class:`calmdesk.guidance.sessions.SessionService`; errors map to HTTP in
:mod:`calmdesk.web.errors` only.
"""

from __future__ import annotations

from calmdesk.web.app import create_app

__all__ = ["create_app"]
