"""SessionService: the documented dict shapes, errors, PII masking and restarts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from calmdesk import errors
from calmdesk.engine import Engine
from calmdesk.guidance import SessionService
from calmdesk.store import Store

SESSION_KEYS = {
    "id", "title", "created_at", "updated_at", "script", "topic", "scenario", "stage", "anger",
    "status", "turn_count",
}  # fmt: skip
GUIDANCE_KEYS = {
    "speaker", "text", "script", "stage", "stage_name", "stage_goal", "transition", "anger",
    "trajectory", "cues", "topic", "topic_name", "scenario", "scenario_title", "actions",
    "suggestions", "warnings", "escalation", "findings", "strengths", "better",
}  # fmt: skip
TURN_KEYS = {
    "seq",
    "speaker",
    "text",
    "stage",
    "anger",
    "topic",
    "scenario",
    "warnings",
    "created_at",
}

PHONE = "13812345678"
ID_CARD = "11010519491231002X"
BANK_CARD = "6222021234567890128"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sessions.db'}"


@pytest.fixture
def service(stub_engine: Engine, db_url: str) -> Iterator[SessionService]:
    store = Store.open(db_url)
    try:
        yield SessionService(stub_engine, store)
    finally:
        store.close()


def test_create_and_list_shapes(service: SessionService) -> None:
    first = service.create("查流水")
    second = service.create()
    assert set(first) == SESSION_KEYS
    assert first["stage"] == "respond" and first["status"] == "active" and first["turn_count"] == 0
    listed = service.list()
    assert {s["id"] for s in listed} == {first["id"], second["id"]}
    assert all(set(s) == SESSION_KEYS for s in listed)
    assert len(service.list(limit=1)) == 1 and len(service.list(limit=1, offset=2)) == 0


def test_add_turn_shape(service: SessionService) -> None:
    sid = service.create()["id"]
    a = service.add_turn(sid, "customer", "我的身份证忘带了，凭什么不让查！！")
    b = service.add_turn(sid, "staff", "没有身份证不能查，规定就是这样。")
    assert set(a) == GUIDANCE_KEYS | {"session", "seq"}
    assert (a["session"], a["seq"], b["seq"]) == (sid, 1, 2)
    assert a["anger"] == 2 and a["trajectory"] == {"values": [2], "trend": "steady"}
    assert {w["code"] for w in b["warnings"]} >= {"refusal-only", "premature-explanation"}
    assert all(set(w) == {"code", "message"} for w in b["warnings"])
    assert 2 <= len(b["suggestions"]) <= 3 and b["actions"]
    assert b["findings"] and all("better" in f for f in b["findings"])


def test_get_replays_the_stored_turns(service: SessionService) -> None:
    sid = service.create()["id"]
    service.add_turn(sid, "customer", "我的身份证忘带了，凭什么不让查！！")
    last = service.add_turn(sid, "staff", "真是不好意思，让您跑了一趟。")
    got = service.get(sid)
    assert set(got) == {"session", "turns", "guidance"}
    assert got["session"]["turn_count"] == 2 and got["session"]["stage"] == last["stage"]
    assert [t["seq"] for t in got["turns"]] == [1, 2]
    assert all(set(t) == TURN_KEYS for t in got["turns"])
    assert got["guidance"]["stage"] == last["stage"]
    assert got["guidance"]["warnings"] == [] and got["guidance"]["speaker"] is None


def test_draft_changes_nothing(service: SessionService) -> None:
    sid = service.create()["id"]
    service.add_turn(sid, "customer", "凭什么不让查！！")
    before = service.get(sid)
    draft = service.check_draft(sid, "没有身份证不能查，规定就是这样。")
    assert draft["draft"] is True and "seq" not in draft
    assert {"refusal-only", "premature-explanation"} <= {w["code"] for w in draft["warnings"]}
    after = service.get(sid)
    assert after["session"]["turn_count"] == 1 and after["guidance"] == before["guidance"]
    real = service.add_turn(sid, "staff", "真是不好意思，让您着急了。")
    assert real["seq"] == 2 and real["stage"] == "listen"


def test_unknown_session_is_not_found(service: SessionService) -> None:
    for call in (
        lambda: service.get("nope"),
        lambda: service.add_turn("nope", "customer", "你好"),
        lambda: service.check_draft("nope", "你好"),
    ):
        with pytest.raises(errors.NotFound) as info:
            call()
        assert info.value.code == "E401" and "nope" in info.value.message


@pytest.mark.parametrize(
    ("speaker", "text"),
    [("boss", "你好"), ("customer", ""), ("staff", "   "), ("customer", None), ("staff", 42)],
)
def test_bad_input_stores_nothing(service: SessionService, speaker: object, text: object) -> None:
    sid = service.create()["id"]
    with pytest.raises(errors.BadInput):
        service.add_turn(sid, speaker, text)
    assert service.get(sid)["session"]["turn_count"] == 0


def test_bad_list_arguments(service: SessionService) -> None:
    with pytest.raises(errors.BadInput):
        service.list(limit=0)
    with pytest.raises(errors.BadInput):
        service.list(offset=-1)


def test_pii_never_reaches_the_database(service: SessionService, tmp_path: Path) -> None:
    sid = service.create(f"客户手机 {PHONE}")["id"]
    said = service.add_turn(sid, "customer", f"我手机{PHONE}，身份证{ID_CARD}，卡号{BANK_CARD}！")
    told = service.add_turn(sid, "staff", f"您的卡号是{BANK_CARD}，手机{PHONE}对吧？")
    for answer in (said, told, service.get(sid), service.list()):
        text = repr(answer)
        assert PHONE not in text and ID_CARD not in text and BANK_CARD not in text
    service.store.close()  # checkpoint the WAL so every byte is in files we can read
    for f in tmp_path.glob("sessions.db*"):
        data = f.read_bytes()
        for number in (PHONE, ID_CARD, BANK_CARD):
            assert number.encode() not in data, f"{number} found in {f.name}"


def test_session_survives_a_restart(stub_engine: Engine, db_url: str) -> None:
    with Store.open(db_url) as store:
        service = SessionService(stub_engine, store)
        sid = service.create("重启")["id"]
        service.add_turn(sid, "customer", "凭什么不让查！！")
        before = service.add_turn(sid, "staff", "真是不好意思，让您着急了。")
    with Store.open(db_url) as store:  # a new process, as far as the service can tell
        service = SessionService(stub_engine, store)
        assert service.get(sid)["guidance"]["stage"] == before["stage"] == "listen"
        nxt = service.add_turn(sid, "customer", "我就想今天查个流水。")
        assert nxt["seq"] == 3 and nxt["stage"] == "empathise"
        assert nxt["trajectory"]["values"] == [2, 0]


def test_two_services_share_one_database(stub_engine: Engine, db_url: str) -> None:
    with Store.open(db_url) as one, Store.open(db_url) as two:
        a, b = SessionService(stub_engine, one), SessionService(stub_engine, two)
        sid = a.create()["id"]
        a.add_turn(sid, "customer", "凭什么！！")
        b.add_turn(sid, "staff", "真是不好意思。")  # written behind a's back
        third = a.add_turn(sid, "customer", "我想查流水。")
        assert third["seq"] == 3 and third["stage"] == "empathise"  # a replayed b's turn
