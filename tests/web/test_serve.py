"""``calmdesk serve`` as a user starts it: a real process on a loopback port."""

from __future__ import annotations

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
