"""The HTTP API under concurrent keep-alive load on loopback, next to two baselines.

Starts the real ``calmdesk serve`` (uvicorn + uvloop + httptools, default settings: access log on)
with a temporary data directory, and loads it with many keep-alive connections:

* baseline  ``POST /echo`` on a bare Starlette app under the same uvicorn settings (parse the
  JSON body, answer a small JSON): the floor any Python ASGI stack pays per request;
* baseline  ``GET /api/v1/health`` on the calmdesk server: calmdesk's own framework floor;
* ``POST /api/v1/check`` with real replies and ``POST /api/v1/advise`` with real situations
  (tests/data), rotated request by request.

The load generator is Debian ``wrk`` (``apt-get install wrk``; a Lua script rotates the bodies)
when it is installed, else a small asyncio raw-socket HTTP/1.1 client in this process. It shares
the machine's cores with the server, so both are reported for 1 and 2 server workers.

    .venv/bin/python bench/bench_api.py [--seconds 10] [--connections 32] [--workers 1,2]
                                        [--client wrk|asyncio] [--no-access-log]

Target (issue 5, this 2-core machine): check ≥ 800 requests/s, p99 < 50 ms, no failed request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from _timing import pct

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
CALMDESK = str(Path(sys.executable).with_name("calmdesk"))
TARGET_RPS, TARGET_P99_MS = 800, 50.0


@dataclass(frozen=True)
class Load:
    name: str
    method: str
    path: str
    bodies: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failed: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def _column(path: Path, index: int) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t")[index] for line in lines if line.strip()]


def replies() -> list[str]:
    good = [
        line.strip()
        for line in (DATA / "good_replies.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return _column(DATA / "replies.tsv", 2) + good


def situations() -> list[str]:
    return _column(DATA / "situations.tsv", 2)


def _bodies(texts: Sequence[str]) -> tuple[bytes, ...]:
    return tuple(json.dumps({"text": t}, ensure_ascii=False).encode() for t in texts)


# -- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def running(cmd: list[str], url: str, env: dict[str, str]) -> Iterator[None]:
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(cmd, stdout=log, stderr=log, env=env, cwd=str(ROOT))
        try:
            _wait_until_up(url, process, log)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read().decode(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def calmdesk_server(port: int, workers: int, data_dir: str, access_log: bool) -> list[str]:
    cmd = [CALMDESK, "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers)]
    return cmd + ([] if access_log else ["--no-access-log"])


def bare_server(port: int, workers: int) -> list[str]:
    return [sys.executable, __file__, "--serve-bare", str(port), "--workers", str(workers)]


def bare_app() -> object:
    """The baseline: Starlette alone, parsing the same JSON bodies."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def echo(request: Request) -> JSONResponse:
        body = await request.json()
        return JSONResponse({"text": body.get("text"), "ok": True})

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/echo", echo, methods=["POST"]), Route("/health", health)])


def serve_bare(port: int, workers: int) -> None:
    import uvicorn

    options: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "loop": "uvloop",
        "http": "httptools",
        "access_log": False,
        "log_level": "warning",
        "server_header": False,
    }
    if workers == 1:
        uvicorn.run(bare_app(), **options)  # type: ignore[arg-type]
    else:
        sys.path.insert(0, str(Path(__file__).parent))
        uvicorn.run("bench_api:bare_app", factory=True, workers=workers, **options)  # type: ignore[arg-type]


# -- load generators ------------------------------------------------------------------------

_LUA = """
local bodies = {%s}
local i = 0
wrk.method = "%s"
wrk.headers["Content-Type"] = "application/json"
request = function()
  if #bodies == 0 then return wrk.format(nil, nil) end
  i = i %% #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
"""
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(url: str, load: Load, seconds: int, connections: int) -> Result:
    bodies = ",".join(f"[==[{b.decode()}]==]" for b in load.bodies)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as fh:
        fh.write(_LUA % (bodies, load.method))
        script = fh.name
    try:
        cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script]
        out = subprocess.run(
            [*cmd, url + load.path], capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(script)
    requests = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    assert requests, out
    elapsed = float(requests.group(2)) * _UNITS[requests.group(3)] / 1000
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    failed = int(non_2xx.group(1)) if non_2xx else 0
    failed += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return Result(int(requests.group(1)), elapsed, _ms(latency["50"]), _ms(latency["99"]), failed)


def _ms(value: str) -> float:
    number = re.match(r"[\d.]+", value)
    assert number
    return float(number.group()) * _UNITS[value[number.end() :]]


def run_asyncio(url: str, load: Load, seconds: int, connections: int) -> Result:
    """Keep-alive HTTP/1.1 over raw sockets, one coroutine per connection (uvloop)."""
    import uvloop

    host, port = url.removeprefix("http://").split(":")
    heads = [
        (
            f"{load.method} {load.path} HTTP/1.1\r\nHost: {host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
        for body in (load.bodies or (b"",))
    ]
    latencies: list[float] = []
    failed = 0

    async def connection(offset: int, stop: float) -> None:
        nonlocal failed
        reader, writer = await asyncio.open_connection(host, int(port))
        i = offset
        while time.perf_counter() < stop:
            request = heads[i % len(heads)]
            i += 1
            began = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - began) * 1000)
            if not head.startswith(b"HTTP/1.1 2"):
                failed += 1
        writer.close()

    async def main() -> float:
        began = time.perf_counter()
        stop = began + seconds
        await asyncio.gather(*(connection(i, stop) for i in range(connections)))
        return time.perf_counter() - began

    elapsed = uvloop.run(main())
    return Result(len(latencies), elapsed, pct(latencies, 0.5), pct(latencies, 0.99), failed)


# -- the run --------------------------------------------------------------------------------


def check_answers(url: str, load: Load) -> None:
    """Every body the load sends gets a real answer (not an error) before timing starts."""
    for body in load.bodies:
        request = urllib.request.Request(
            url + load.path,
            data=body,
            headers={"Content-Type": "application/json"},
            method=load.method,
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200, body
            json.loads(response.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--client", choices=["wrk", "asyncio"], default=None)
    parser.add_argument("--no-access-log", action="store_true")
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    worker_counts = [int(w) for w in args.workers.split(",")]
    if args.serve_bare:
        serve_bare(args.serve_bare, worker_counts[0])
        return

    client = args.client or ("wrk" if shutil.which("wrk") else "asyncio")
    run = run_wrk if client == "wrk" else run_asyncio
    check, advise = _bodies(replies()), _bodies(situations())
    bare = Load("baseline  bare Starlette  POST /echo", "POST", "/echo", check)
    health = Load("baseline  GET  /api/v1/health", "GET", "/api/v1/health")
    loads = [
        Load("check     POST /api/v1/check", "POST", "/api/v1/check", check),
        Load("advise    POST /api/v1/advise", "POST", "/api/v1/advise", advise),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALMDESK_")}
    warm = max(1, min(2, args.seconds // 2))

    print(
        f"calmdesk API under load: {args.connections} keep-alive connections, "
        f"{args.seconds:g} s per row after {warm:g} s warm-up, client {client}, "
        f"{os.cpu_count()} cores shared by client and server, "
        f"access log {'off' if args.no_access_log else 'on'}"
    )
    print(f"{'':42} {'workers':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7}")
    verdicts = []
    for workers in worker_counts:
        rows: list[tuple[Load, Result]] = []
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with running(bare_server(port, workers), f"{url}/health", env):
            run(url, bare, warm, args.connections)
            rows.append((bare, run(url, bare, args.seconds, args.connections)))
        with tempfile.TemporaryDirectory() as data_dir:
            env["CALMDESK_DATA_DIR"] = data_dir
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            cmd = calmdesk_server(port, workers, data_dir, not args.no_access_log)
            with running(cmd, f"{url}/api/v1/health", env):
                for load in [health, *loads]:
                    check_answers(url, load)
                    run(url, load, warm, args.connections)
                    rows.append((load, run(url, load, args.seconds, args.connections)))
        for load, r in rows:
            print(
                f"{load.name:42} {workers:>7} {r.rps:>9.0f} {r.p50_ms:>8.2f} "
                f"{r.p99_ms:>8.2f} {r.failed:>7}"
            )
            if load is loads[0]:
                ok = r.rps >= TARGET_RPS and r.p99_ms < TARGET_P99_MS and r.failed == 0
                verdicts.append(f"{workers} worker(s): {'met' if ok else 'NOT met'}")
    print(
        f"target for check: ≥ {TARGET_RPS} req/s, p99 < {TARGET_P99_MS:g} ms, 0 failed — "
        + "; ".join(verdicts)
    )


if __name__ == "__main__":
    main()
