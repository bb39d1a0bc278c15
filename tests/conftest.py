"""Shared fixtures: one loaded engine per test session, and the real ``calmdesk`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from calmdesk.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
DEV_DATA = ROOT.parent / "shared" / "dev-data"
CALMDESK = str(Path(sys.executable).with_name("calmdesk"))


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The built-in playbook and rules, ignoring any bank directories in the environment."""
    return Engine(playbook_dirs=[], rules_dirs=[])


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh CALMDESK_DATA_DIR for tests that store sessions."""
    path = tmp_path / "calmdesk-data"
    monkeypatch.setenv("CALMDESK_DATA_DIR", str(path))
    yield path


RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """Run the installed ``calmdesk`` console script as a real subprocess."""

    def run(
        *args: str,
        input: str | bytes | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[str]:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("CALMDESK_")}
        full_env.setdefault("CALMDESK_DATA_DIR", str(tmp_path / "cli-data"))
        full_env.update(env or {})
        data = (
            input.decode("utf-8", errors="surrogateescape") if isinstance(input, bytes) else input
        )
        return subprocess.run(
            [CALMDESK, *args],
            input=data,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            check=False,
        )

    return run
