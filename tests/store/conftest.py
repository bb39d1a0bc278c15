"""Markers for the store tests (registered here: ``--strict-markers`` is on)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs a PostgreSQL server (skips without one)")
