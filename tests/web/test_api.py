"""Every ``/api/v1`` endpoint against the real app and a temporary SQLite database."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from tests.conftest import RunCli
from tests.web.conftest import Client

from calmdesk.engine import Engine
from calmdesk.playbook.model import Place, Topic
from calmdesk.text.normalize import Script

CJK = re.compile(r"[\u4e00-\u9fff]")


def _post(client: Client, path: str, body: Any) -> Any:
    r = client.post(f"/api/v1{path}", json=body)
    assert r.status_code in (200, 201), r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()


# -- analyses -------------------------------------------------------------------------------


def test_health(client: Client, engine: Engine) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "sqlite"
    assert body["scenarios"] == len(engine.playbook)


def test_advise(client: Client, engine: Engine) -> None:
    text = "客户没带身份证要查信用卡流水"
    body = _post(client, "/advise", {"text": text, "top": 2})
    assert body == engine.advise(text, top=2).to_dict()
    assert body["matches"][0]["scenario"] == "no-valid-id.forgot-id-card"
    assert body["playbook"]["id"] == "no-valid-id.forgot-id-card" and len(body["matches"]) == 2


def test_advise_answers_in_the_requested_script(client: Client) -> None:
    body = _post(client, "/advise", {"text": "客户没带身份证", "script": "hant"})
    assert body["script"] == "hant"
    assert "身份證" in body["playbook"]["title"]
    assert body["playbook"]["id"] == "no-valid-id.forgot-id-card"  # codes stay codes


def test_check(client: Client, engine: Engine) -> None:
    body = _post(client, "/check", {"text": "不行，规定就是这样"})
    assert body == engine.check_reply("不行，规定就是这样").to_dict()
    assert {f["code"] for f in body["findings"]} == {"refusal-only", "rule-only"}
    assert body["better"]


def test_check_with_topic_and_situation(client: Client, engine: Engine) -> None:
    text = "没带身份证办不了"
    by_topic = _post(client, "/check", {"text": text, "topic": "no-valid-id"})
    assert by_topic == engine.check_reply(text, topic=Topic.NO_VALID_ID).to_dict()
    by_situation = _post(client, "/check", {"text": text, "situation": "客户没带身份证要查流水"})
    expected = engine.check_reply(text, situation="客户没带身份证要查流水").to_dict()
    assert by_situation == expected
    hant = _post(client, "/check", {"text": text, "script": "hant"})
    assert hant == engine.check_reply(text).to_dict(Script.HANT)


def test_emotion(client: Client, engine: Engine) -> None:
    text = "你们今天不给我办，我就去找记者曝光！"
    body = _post(client, "/emotion", {"text": text})
    assert body == engine.read_emotion(text).to_dict()
    assert body["anger"] == 3 and "exposure-threat" in body["cues"]


def test_mask_never_returns_the_number(client: Client) -> None:
    body = _post(client, "/mask", {"text": "王先生电话13812345678，取款5000元"})
    assert "13812345678" not in json.dumps(body)
    assert body["text"] == "王先生电话138****5678，取款5000元"
    assert [s["kind"] for s in body["spans"]] == ["mobile"]


@pytest.mark.parametrize(
    ("command", "path", "text"),
    [
        ("advise", "/advise", "客户的卡被提款機吞了"),
        ("check", "/check", "不行，规定就是这样"),
        ("emotion", "/emotion", "你们就是故意刁难人！"),
        ("mask", "/mask", "身份证110101198001011232"),
    ],
)
def test_same_json_as_the_cli(
    client: Client, run_cli: RunCli, command: str, path: str, text: str
) -> None:
    out = run_cli(command, "--json", text)
    assert out.returncode == 0, out.stderr
    assert _post(client, path, {"text": text}) == json.loads(out.stdout)


# -- sessions -------------------------------------------------------------------------------


def test_session_round_trip(client: Client) -> None:
    created = client.post("/api/v1/sessions", json={"title": "查流水 13812345678"})
    assert created.status_code == 201
    session = created.json()
    assert session["title"] == "查流水 138****5678"  # a stored title is masked too
    assert session["turn_count"] == 0 and session["stage"] == "respond"
    sid = session["id"]

    turn = client.post(
        f"/api/v1/sessions/{sid}/turns",
        json={"speaker": "customer", "text": "我的卡凭什么不让查？你们就是故意刁难人！"},
    )
    assert turn.status_code == 201
    first = turn.json()
    assert first["session"] == sid and first["seq"] == 1 and first["anger"] >= 2
    assert first["suggestions"] and first["scenario"]

    draft = _post(client, f"/sessions/{sid}/draft", {"text": "没有身份证不能查，规定就是这样。"})
    assert draft["draft"] is True and "seq" not in draft
    assert {"refusal-only", "rule-only"} <= {w["code"] for w in draft["warnings"]}

    staff = _post(
        client,
        f"/sessions/{sid}/turns",
        {"speaker": "staff", "text": "没有身份证不能查，规定就是这样。"},
    )
    assert staff["seq"] == 2  # the draft was not stored
    assert "premature-explanation" in {w["code"] for w in staff["warnings"]}

    detail = client.get(f"/api/v1/sessions/{sid}").json()
    assert [t["speaker"] for t in detail["turns"]] == ["customer", "staff"]
    assert detail["session"]["turn_count"] == 2
    assert detail["guidance"]["session"] == sid

    listed = client.get("/api/v1/sessions").json()
    assert [s["id"] for s in listed] == [sid]


def test_session_created_without_a_body(client: Client) -> None:
    r = client.post("/api/v1/sessions")
    assert r.status_code == 201 and r.json()["title"] is None


def test_session_list_pages(client: Client) -> None:
    ids = [client.post("/api/v1/sessions", json={}).json()["id"] for _ in range(3)]
    first = client.get("/api/v1/sessions", params={"limit": 2}).json()
    rest = client.get("/api/v1/sessions", params={"limit": 2, "offset": 2}).json()
    assert len(first) == 2 and len(rest) == 1
    assert {s["id"] for s in first + rest} == set(ids)


def test_session_in_traditional(client: Client) -> None:
    sid = client.post("/api/v1/sessions", json={}).json()["id"]
    turn = _post(
        client,
        f"/sessions/{sid}/turns",
        {"speaker": "customer", "text": "我的卡被吞了", "script": "hant"},
    )
    assert turn["script"] == "hant" and turn["text"] == "我的卡被吞了"
    detail = client.get(f"/api/v1/sessions/{sid}", params={"script": "hant"}).json()
    assert detail["guidance"]["script"] == "hant"


# -- playbook -------------------------------------------------------------------------------


def test_playbook_list_and_filters(client: Client, engine: Engine) -> None:
    everything = client.get("/api/v1/playbook").json()
    assert [s["id"] for s in everything] == [s.id for s in engine.playbook]
    fraud = client.get("/api/v1/playbook", params={"topic": "fraud-risk"}).json()
    assert fraud and all(s["topic"] == "fraud-risk" for s in fraud)
    counter = client.get("/api/v1/playbook", params={"place": "counter"}).json()
    assert counter and all("counter" in s["places"] for s in counter)
    both = client.get("/api/v1/playbook", params={"topic": "fraud-risk", "place": "counter"})
    assert all(s["topic"] == "fraud-risk" and "counter" in s["places"] for s in both.json())


def test_playbook_search_uses_advise(client: Client, engine: Engine) -> None:
    q = "客户没带身份证要查流水"
    found = client.get("/api/v1/playbook", params={"q": q}).json()
    ranked = [m.scenario.id for m in engine.advise(q, top=len(engine.playbook)).matches]
    assert [s["id"] for s in found] == ranked
    assert found[0]["id"] == "no-valid-id.forgot-id-card"


def test_playbook_scenario(client: Client, engine: Engine) -> None:
    sid = "no-valid-id.forgot-id-card"
    scenario = engine.playbook.get(sid)
    assert scenario is not None
    assert client.get(f"/api/v1/playbook/{sid}").json() == scenario.to_dict()
    hant = client.get(f"/api/v1/playbook/{sid}", params={"script": "hant"}).json()
    assert hant["id"] == sid and "證" in hant["title"]


def test_place_codes_are_listed(client: Client) -> None:
    for place in Place:
        assert client.get("/api/v1/playbook", params={"place": place.value}).status_code == 200
