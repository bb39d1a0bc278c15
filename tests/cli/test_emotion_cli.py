from __future__ import annotations

import json

from tests.conftest import RunCli


def test_issue_example(run_cli: RunCli) -> None:
    out = run_cli("emotion", "你们今天不给我办，我就去找记者曝光！")
    assert out.returncode == 0, out.stderr
    assert "3/3" in out.stdout and "exposure-threat" in out.stdout


def test_jsonl(run_cli: RunCli) -> None:
    lines = ["我不生气", "", '{"text": "憑什麼不讓我取錢？！"}', "{broken"]
    out = run_cli("emotion", "--json", "-", input="\n".join(lines) + "\n")
    answers = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(answers) == 4
    assert answers[0]["anger"] == 0
    assert answers[1]["error"]["code"] == "E101"
    assert answers[2]["anger"] == 2 and answers[2]["script"] == "hant"
    assert answers[3]["error"]["code"] == "E105"
    assert {"anger", "cues", "evidence"} <= set(answers[0])
