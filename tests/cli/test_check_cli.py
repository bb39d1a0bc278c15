"""``calmdesk check`` run as a real subprocess."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import RunCli


def test_issue_example(run_cli: RunCli) -> None:
    out = run_cli("check", "不行，规定就是这样")
    assert out.returncode == 0, out.stderr
    assert "refusal-only" in out.stdout and "rule-only" in out.stdout
    assert "得分" in out.stdout and "更好的说法" in out.stdout and "原则4" in out.stdout


def test_good_reply_lists_strengths(run_cli: RunCli) -> None:
    out = run_cli("check", "我理解您着急，这件事我来跟进，您可以先用手机银行查询。")
    assert out.returncode == 0
    assert "empathy" in out.stdout and "ownership" in out.stdout and "没有发现问题" in out.stdout


def test_traditional_in_traditional_out(run_cli: RunCli) -> None:
    out = run_cli("check", "不行，規定就是這樣")
    assert "更好的說法" in out.stdout and "為了" in out.stdout


def test_json_output_with_topic(run_cli: RunCli) -> None:
    out = run_cli("check", "--json", "--topic", "no-valid-id", "不行，没带身份证办不了")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"text", "script", "score", "findings", "strengths", "better"}
    assert data["findings"][0]["code"] == "refusal-only"
    assert "手机银行" in data["better"]


def test_situation_option(run_cli: RunCli) -> None:
    out = run_cli("check", "--json", "--situation", "客户没带身份证要查流水", "不行")
    assert out.returncode == 0, out.stderr
    assert "身份证" in json.loads(out.stdout)["better"]


def test_jsonl_from_stdin(run_cli: RunCli) -> None:
    lines = [
        "我们不收硬币",
        json.dumps({"text": "把密码告诉我", "topic": "security-awareness"}, ensure_ascii=False),
        json.dumps({"text": "不行", "topic": "no-such-topic"}),
        "{broken",
        "谢谢您的耐心",
    ]
    out = run_cli("check", "--json", "-", input="\n".join(lines) + "\n")
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(answers) == 5
    assert answers[0]["findings"][0]["code"] == "refusal-only"
    assert answers[1]["findings"][0]["code"] == "password-risk"
    assert answers[2]["error"]["code"] == "E106"
    assert answers[3]["error"]["code"] == "E105"
    assert answers[4]["strengths"][0]["code"] == "gratitude"


def test_plain_stdin(run_cli: RunCli) -> None:
    out = run_cli("check", "-", input="不行\n\n谢谢您\n")
    assert out.returncode == 0
    assert out.stdout.count("得分") == 2


def test_empty_text_is_bad_input(run_cli: RunCli) -> None:
    out = run_cli("check", "  ")
    assert out.returncode == 2
    assert "E101" in out.stderr


def test_bank_rules_directory(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "replies.yaml").write_text(
        "disable: [reply.refusal-only.cannot-do]\n", encoding="utf-8"
    )
    out = run_cli("check", "--json", "--rules", str(tmp_path), "我们不收硬币")
    assert json.loads(out.stdout)["findings"] == []
    (tmp_path / "replies.yaml").write_text("disable: [reply.nope]\n", encoding="utf-8")
    bad = run_cli("check", "--rules", str(tmp_path), "不行")
    assert bad.returncode == 1 and "E202" in bad.stderr
