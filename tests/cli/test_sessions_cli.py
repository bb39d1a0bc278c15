"""``calmdesk sessions list`` and ``calmdesk sessions show``."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import RunCli
from tests.guidance.conftest import needs_emotion

pytestmark = needs_emotion


def _new_session(run_cli: RunCli, db: str) -> str:
    lines = [
        {"speaker": "customer", "text": "我的卡凭什么不让查？你们就是故意刁难人！"},
        {"speaker": "staff", "text": "没有身份证不能查，规定就是这样。"},
    ]
    text = "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in lines)
    out = run_cli("assist", "--json", "-", "--db", db, "--title", "查流水", input=text)
    assert out.returncode == 0, out.stderr
    return str(json.loads(out.stdout.splitlines()[0])["session"])


def test_list_and_show(run_cli: RunCli, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    sid = _new_session(run_cli, db)
    listed = run_cli("sessions", "list", "--db", db)
    assert listed.returncode == 0 and sid in listed.stdout and "查流水" in listed.stdout
    shown = run_cli("sessions", "show", sid, "--db", db)
    assert shown.returncode == 0
    assert "#1 客户" in shown.stdout and "#2 员工" in shown.stdout
    assert "[refusal-only]" in shown.stdout and "[premature-explanation]" in shown.stdout


def test_json_output(run_cli: RunCli, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    sid = _new_session(run_cli, db)
    listed = json.loads(run_cli("sessions", "list", "--json", "--db", db).stdout)
    assert listed[0]["id"] == sid and listed[0]["turn_count"] == 2
    shown = json.loads(run_cli("sessions", "show", sid, "--json", "--db", db).stdout)
    assert shown["session"]["id"] == sid
    assert [t["speaker"] for t in shown["turns"]] == ["customer", "staff"]
    assert shown["guidance"]["stage"] == shown["session"]["stage"]


def test_default_database_from_the_data_dir(run_cli: RunCli, tmp_path: Path) -> None:
    env = {"CALMDESK_DATA_DIR": str(tmp_path / "d")}
    assert "还没有" in run_cli("sessions", "list", env=env).stdout
    assert (tmp_path / "d" / "calmdesk.db").exists()


def test_unknown_session(run_cli: RunCli, tmp_path: Path) -> None:
    out = run_cli("sessions", "show", "nope", "--db", f"sqlite:///{tmp_path / 's.db'}")
    assert out.returncode == 1 and "E401" in out.stderr and "找不到会话" in out.stderr
