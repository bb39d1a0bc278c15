"""``calmdesk advise`` and ``calmdesk playbook`` run as real subprocesses."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml
from tests.conftest import CALMDESK, RunCli


def test_issue_example(run_cli: RunCli) -> None:
    out = run_cli("advise", "客户没带身份证要查信用卡流水")
    assert out.returncode == 0, out.stderr
    assert "无有效证件" in out.stdout and "no-valid-id" in out.stdout
    assert "步骤与话术" in out.stdout and "不要" in out.stdout and "何时升级" in out.stdout


def test_traditional_in_traditional_out(run_cli: RunCli) -> None:
    out = run_cli("advise", "客戶沒帶身份證要查信用卡流水")
    assert out.returncode == 0
    assert "無有效證件" in out.stdout and "步驟與話術" in out.stdout
    forced = run_cli("advise", "客戶沒帶身份證要查信用卡流水", "--script", "hans")
    assert "无有效证件" in forced.stdout


def test_json_output(run_cli: RunCli) -> None:
    out = run_cli("advise", "--json", "--top", "3", "ATM吞卡了")
    data = json.loads(out.stdout)
    assert data["script"] == "hans"
    assert data["matches"][0]["topic"] == "card-retained"
    assert {"scenario", "topic", "title", "score"} <= set(data["matches"][0])
    assert len(data["matches"]) == 3
    assert data["playbook"]["steps"]


def test_jsonl_one_object_per_line_in_order(run_cli: RunCli) -> None:
    lines = [
        "客户没带身份证要查信用卡流水",
        "",
        "ATM把卡吞了",
        '{"text": "客戶的帳戶被凍結了"}',
        '{"text": ',
        '{"text": 5}',
        "   ",
        "qwerty",
        "客户排队一个多小时很生气",
    ]
    out = run_cli("advise", "--json", "-", input="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(answers) == len(lines)
    assert answers[0]["matches"][0]["topic"] == "no-valid-id"
    assert answers[1]["error"]["code"] == "E101"
    assert answers[2]["matches"][0]["topic"] == "card-retained"
    assert (
        answers[3]["script"] == "hant" and answers[3]["matches"][0]["topic"] == "account-restricted"
    )
    assert answers[4]["error"]["code"] == "E105"
    assert answers[5]["error"]["code"] == "E106"
    assert answers[6]["error"]["code"] == "E101"
    assert answers[7]["matches"] == []
    assert answers[8]["matches"][0]["topic"] == "long-wait"


def test_jsonl_survives_bad_encoding_on_one_line(tmp_path: Path) -> None:
    data = "ATM吞卡\n".encode() + b"\xff\xfe bad\n" + "没带身份证\n".encode()
    out = subprocess.run(
        [CALMDESK, "advise", "--json", "-"], input=data, capture_output=True, check=False
    )
    answers = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert [("error" in a) for a in answers] == [False, True, False]
    assert answers[1]["error"]["code"] == "E104"


def test_empty_text_is_a_clear_error(run_cli: RunCli) -> None:
    out = run_cli("advise", " ")
    assert out.returncode == 2
    assert "E101" in out.stderr and "空" in out.stderr
    assert "Traceback" not in out.stderr


def test_bank_playbook_via_option_and_env(run_cli: RunCli, tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    scenario = {
        "id": "card-retained.bank-own",
        "topic": "card-retained",
        "places": ["self-service"],
        "title": "本行特有：夜间吞卡",
        "situation": "夜间自助银行吞卡。",
        "signals": ["夜间吞卡", "晚上吞卡", "半夜吞卡"],
        "steps": [
            {"stage": "respond", "action": "安抚", "scripts": ["您别急，我们来处理。"]},
            {"stage": "resolve", "action": "登记", "scripts": ["我先帮您登记，明早第一时间取卡。"]},
        ],
        "donts": ["让客户自己砸机器"],
        "principles": [1],
        "why": "夜间无人值守。",
        "escalation": [{"when": "客户砸机器", "contact": "security"}],
    }
    (bank / "own.yaml").write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    by_option = run_cli("advise", "--json", "--playbook", str(bank), "半夜吞卡")
    assert json.loads(by_option.stdout)["matches"][0]["scenario"] == "card-retained.bank-own"
    by_env = run_cli("advise", "--json", "半夜吞卡", env={"CALMDESK_PLAYBOOK": str(bank)})
    assert json.loads(by_env.stdout)["matches"][0]["scenario"] == "card-retained.bank-own"


def test_refuses_to_start_on_invalid_playbook(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: x.y\ntopic: nope\n", encoding="utf-8")
    out = run_cli("advise", "--playbook", str(tmp_path), "吞卡")
    assert out.returncode == 1
    assert "E201" in out.stderr and "bad.yaml" in out.stderr and "nope" in out.stderr


def test_playbook_check(run_cli: RunCli, tmp_path: Path) -> None:
    ok = run_cli("playbook", "check")
    assert ok.returncode == 0 and "校验通过" in ok.stdout
    (tmp_path / "bad.yaml").write_text("id: x.y\ntopic: nope\nsteps: []\n", encoding="utf-8")
    bad = run_cli("playbook", "check", str(tmp_path), "--json")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    fields = {p["field"] for p in report["problems"]}
    assert {"topic", "steps", "title"} <= fields
    assert all(p["file"] == "bad.yaml" and p["scenario"] == "x.y" for p in report["problems"])


def test_playbook_list(run_cli: RunCli) -> None:
    out = run_cli("playbook", "list", "--topic", "fraud-risk", "--json")
    scenarios = json.loads(out.stdout)
    assert scenarios and all(s["topic"] == "fraud-risk" for s in scenarios)


def test_help_lists_commands(run_cli: RunCli) -> None:
    out = run_cli("--help")
    assert out.returncode == 0 and "advise" in out.stdout and "playbook" in out.stdout
