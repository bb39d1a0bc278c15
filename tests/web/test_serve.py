"""``calmdesk serve`` as a user starts it: a real process on a loopback port."""

from __future__ import annotations

import asyncio

import httpx
from tests.conftest import RunCli
from tests.web.conftest import Server


def test_serve_help(run_cli: RunCli) -> None:
    out = run_cli("serve", "--help")
    assert out.returncode == 0
    for option in ("--host", "--port", "--db", "--workers", "--playbook", "--rules"):
        assert option in out.stdout


def test_real_server_serves_pages_and_api(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for path in ("/", "/check", "/playbook", "/sessions", "/docs"):
            r = client.get(path)
            assert r.status_code == 200 and "text/html" in r.headers["content-type"], path
        r = client.post("/api/v1/check", json={"text": "不行，规定就是这样"})
        assert r.status_code == 200 and r.json()["findings"]
        bad = client.post(
            "/api/v1/check", content=b"\xff", headers={"content-type": "application/json"}
        )
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "E104"
        assert "server" not in r.headers  # no software banner
    log = server.log.read_text()
    assert "E104" in log and "不行" not in log  # the access log has the code, not the text


def test_bad_database_url_is_a_clear_error(run_cli: RunCli) -> None:
    out = run_cli("serve", "--db", "nonsense://x", "--port", "0")
    assert out.returncode != 0 and "E301" in out.stderr


def test_sessions_and_checks_side_by_side(server: Server) -> None:
    """Session writes (threadpool, one lock) and quick checks (event loop) at the same time."""

    async def main() -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            sids = [(await client.post("/api/v1/sessions", json={})).json()["id"] for _ in range(4)]

            async def encounter(sid: str) -> list[int]:
                seqs = []
                for i in range(8):
                    speaker = "customer" if i % 2 == 0 else "staff"
                    r = await client.post(
                        f"/api/v1/sessions/{sid}/turns",
                        json={"speaker": speaker, "text": "我的卡被吞了，你们快点处理！"},
                    )
                    assert r.status_code == 201, r.text
                    seqs.append(r.json()["seq"])
                return seqs

            async def checks() -> None:
                for _ in range(30):
                    r = await client.post("/api/v1/check", json={"text": "不行，规定就是这样"})
                    assert r.status_code == 200 and r.json()["findings"]

            results = await asyncio.gather(*(encounter(s) for s in sids), checks(), checks())
            for seqs in results[: len(sids)]:
                assert seqs == list(range(1, 9))
            for sid in sids:
                detail = (await client.get(f"/api/v1/sessions/{sid}")).json()
                assert detail["session"]["turn_count"] == 8

    asyncio.run(main())
