"""Web fixtures: the real app on a temporary SQLite file, and the real server as a subprocess.

``client`` drives the ASGI app in-process through httpx (``starlette.testclient`` is deprecated
with plain httpx and would trip ``filterwarnings = error``). After every test it checks that the
app's last-resort handler never ran: no input may reach the generic E500.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
import pytest
from anyio.from_thread import BlockingPortal
from fastapi import FastAPI

from calmdesk.engine import Engine
from calmdesk.store import Store
from calmdesk.web import create_app

CALMDESK = str(Path(sys.executable).with_name("calmdesk"))


class Client:
    """A synchronous face on ``httpx.AsyncClient`` + ``ASGITransport`` (runs on a portal)."""

    def __init__(self, app: FastAPI, portal: BlockingPortal) -> None:
        self.app = app
        self._portal = portal
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(partial(self._client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    @property
    def cookies(self) -> httpx.Cookies:
        return self._client.cookies

    def close(self) -> None:
        self._portal.call(self._client.aclose)


@pytest.fixture(scope="session")
def portal() -> Iterator[BlockingPortal]:
    with anyio.from_thread.start_blocking_portal() as running:
        yield running


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'web.db'}")
    yield opened
    opened.close()


@pytest.fixture
def app(engine: Engine, store: Store) -> FastAPI:
    return create_app(engine, store, access_log=False)


@pytest.fixture
def client(app: FastAPI, portal: BlockingPortal) -> Iterator[Client]:
    c = Client(app, portal)
    yield c
    c.close()
    assert app.state.guard_stats.internal_errors == 0, "an input reached the generic E500"


# -- the real server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    def __init__(self, url: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.url = url
        self.process = process
        self.log = log


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``calmdesk serve`` on a free loopback port with a fresh CALMDESK_DATA_DIR."""
    base = tmp_path_factory.mktemp("served")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALMDESK_")}
    env["CALMDESK_DATA_DIR"] = str(base / "data")
    port = free_port()
    log = base / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [CALMDESK, "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield Server(url, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"calmdesk serve exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"calmdesk serve did not come up:\n{log.read_text()}")
