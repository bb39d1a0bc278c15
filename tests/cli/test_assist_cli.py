"""``calmdesk assist``: JSONL through a real subprocess, interactive mode through a real pty."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect
import pytest
from tests.conftest import CALMDESK, RunCli
from tests.guidance.conftest import needs_emotion

pytestmark = needs_emotion

CUSTOMER = "我的卡凭什么不让查？你们就是故意刁难人！"
STAFF = "没有身份证不能查，规定就是这样。"


def _jsonl(*objs: object) -> str:
    return "".join(
        (o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n" for o in objs
    )


def test_jsonl_acceptance_example(run_cli: RunCli) -> None:
    out = run_cli(
        "assist",
        "--json",
        "-",
        input=_jsonl(
            {"speaker": "customer", "text": CUSTOMER}, {"speaker": "staff", "text": STAFF}
        ),
    )
    assert out.returncode == 0, out.stderr
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    for answer in (first, second):
        assert {"stage", "anger", "topic", "warnings", "suggestions", "session", "seq"} <= set(
            answer
        )
    assert first["stage"] == "respond" and first["anger"] >= 2
    codes = {w["code"] for w in second["warnings"]}
    assert {"refusal-only", "premature-explanation"} <= codes
    assert second["stage"] in ("listen", "empathise") and 2 <= len(second["suggestions"]) <= 3


def test_one_answer_per_line_in_order_with_errors(run_cli: RunCli) -> None:
    lines = _jsonl(
        {"speaker": "customer", "text": "排队排了一个小时了！"},
        "not json at all",
        '{"speaker": "customer", "text": ',
        {"speaker": "boss", "text": "你好"},
        {"draft": "您别急，我理解您。"},
        {"speaker": "staff", "text": ""},
        {"speaker": "staff", "text": "让您久等了，真是抱歉。"},
    )
    out = run_cli("assist", "--json", "-", input=lines)
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(answers) == 7
    assert [("error" in a) for a in answers] == [False, True, True, True, False, True, False]
    assert answers[1]["error"]["code"] == "E106" and answers[2]["error"]["code"] == "E105"
    assert answers[4]["draft"] is True and "seq" not in answers[4]
    assert answers[0]["seq"] == 1 and answers[6]["seq"] == 2  # errors and drafts are not turns


def test_traditional_customer_gets_traditional_answers(run_cli: RunCli) -> None:
    out = run_cli(
        "assist",
        "--json",
        "-",
        input=_jsonl({"speaker": "customer", "text": "我的卡憑什麼不讓查？你們就是故意刁難人！"}),
    )
    answer = json.loads(out.stdout)
    assert answer["script"] == "hant"
    assert answer["stage_name"] == "回應"


def test_sessions_are_stored_unless_told_not_to(run_cli: RunCli, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    turn = _jsonl({"speaker": "customer", "text": CUSTOMER})
    stored = json.loads(run_cli("assist", "--json", "-", "--db", db, input=turn).stdout)
    listed = json.loads(run_cli("sessions", "list", "--json", "--db", db).stdout)
    assert [s["id"] for s in listed] == [stored["session"]]
    run_cli("assist", "--json", "-", "--db", db, "--no-store", input=turn)
    assert len(json.loads(run_cli("sessions", "list", "--json", "--db", db).stdout)) == 1
    again = run_cli(
        "assist",
        "--json",
        "-",
        "--db",
        db,
        "--session",
        stored["session"],
        input=_jsonl({"speaker": "staff", "text": STAFF}),
    )
    assert json.loads(again.stdout)["seq"] == 2


def test_unknown_session_and_bad_source(run_cli: RunCli) -> None:
    missing = run_cli("assist", "--json", "-", "--session", "nope", input="")
    assert missing.returncode != 0 and "E401" in missing.stderr
    bad = run_cli("assist", "file.txt")
    assert bad.returncode == 2 and "E107" in bad.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")
def test_interactive_under_a_pty(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALMDESK_")}
    env.update({"CALMDESK_DATA_DIR": str(tmp_path / "data"), "LANG": "C.UTF-8", "TERM": "xterm"})
    child = pexpect.spawn(CALMDESK, ["assist"], env=env, encoding="utf-8", timeout=60)
    try:
        child.expect("会话 ([0-9a-f]{12})")
        sid = child.match.group(1)
        child.expect("客户> ")
        child.sendline(CUSTOMER)
        child.expect("回应")  # stage shown
        child.expect("怒气")
        child.expect("员工> ")  # the prompt flips to the staff member
        child.sendline("/d " + STAFF)
        child.expect("草稿检查")
        child.expect("\x1b\\[31m\x1b\\[1m⚠ \\[refusal-only\\]")  # red on a terminal
        child.expect("员工> ")  # a draft is not a turn: still the staff member's line
        child.sendline(STAFF)
        child.expect(r"\[premature-explanation\]")
        child.expect("可以这样说")
        child.expect("客户> ")
        child.sendline("/stage")
        child.expect("当前情况")
        child.sendline("/help")
        child.expect("/quit")
        child.sendline("/s 真是不好意思，让您着急了。")
        child.expect("第 3 轮")
        child.sendline("/quit")
        child.expect(f"会话 {sid} 已结束")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
