"""``calmdesk mask`` run as a real subprocess."""

from __future__ import annotations

import json

from tests.conftest import RunCli


def test_mask_text(run_cli: RunCli) -> None:
    out = run_cli("mask", "王先生电话138 1234 5678，身份证110101198001011232")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "王先生电话138 **** 5678，身份证**************1232\n"


def test_json_never_contains_the_number(run_cli: RunCli) -> None:
    out = run_cli("mask", "--json", "卡号6222020200001234562")
    data = json.loads(out.stdout)
    assert data == {
        "text": "卡号***************4562",
        "spans": [{"start": 2, "end": 21, "kind": "bank-card", "score": 0.9}],
    }
    assert "6222020200001234562" not in out.stdout


def test_stdin_streams_lines_unchanged_but_masked(run_cli: RunCli) -> None:
    text = "卡号6222-0202-0000-1234-562\n\n金额5000元，日期2024-05-01\n１３８１２３４５６７８\n"
    out = run_cli("mask", "-", input=text)
    assert out.returncode == 0
    assert (
        out.stdout
        == "卡号****-****-****-***4-562\n\n金额5000元，日期2024-05-01\n１３８****５６７８\n"
    )


def test_jsonl_from_stdin(run_cli: RunCli) -> None:
    out = run_cli("mask", "--json", "-", input='13812345678\n{"text": "无号码"}\n{"text": 5}\n')
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert answers[0]["text"] == "138****5678"
    assert answers[1] == {"text": "无号码", "spans": []}
    assert answers[2]["error"]["code"] == "E106"
    assert "13812345678" not in out.stdout


def test_empty_text_is_bad_input(run_cli: RunCli) -> None:
    out = run_cli("mask", "")
    assert out.returncode == 2 and "E101" in out.stderr
