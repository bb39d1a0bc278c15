"""The store: URLs, sessions, turns, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from calmdesk import errors
from calmdesk.store import NewTurn, SessionState, Store, data_dir, database_url

STATE = SessionState("hans", None, None, "respond", 0, "active")


def _turn(text: str = "你好", speaker: str = "customer") -> NewTurn:
    return NewTurn(speaker, text, "respond", 1, None, None, [{"code": "x", "message": "m"}], {})


def test_default_url_is_sqlite_in_the_data_dir(data_dir: Path) -> None:
    assert database_url() == f"sqlite:///{data_dir / 'calmdesk.db'}"
    with Store.open() as store:
        store.create_session(None, STATE)
    assert (data_dir / "calmdesk.db").exists()


def test_url_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CALMDESK_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "calmdesk"
    monkeypatch.setenv("CALMDESK_DATABASE_URL", "sqlite:///from-env.db")
    assert database_url() == "sqlite:///from-env.db"
    assert database_url("sqlite:///explicit.db") == "sqlite:///explicit.db"


def test_sessions_and_turns_round_trip(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        a = store.create_session("第一个", STATE)
        b = store.create_session(None, STATE)
        first = store.append_turn(a.id, _turn("一"), STATE)
        second = store.append_turn(a.id, _turn("二", "staff"), STATE)
        assert (first.seq, second.seq) == (1, 2)
        turns = store.turns(a.id)
        assert [t.text for t in turns] == ["一", "二"]
        assert turns[0].warnings == [{"code": "x", "message": "m"}]
        session = store.get_session(a.id)
        assert session is not None and session.turn_count == 2
        listed = [s.id for s in store.list_sessions()]
        assert listed == [a.id, b.id]  # most recently updated first
        assert [s.id for s in store.list_sessions(limit=1, offset=1)] == [b.id]
        assert store.get_session("nope") is None


def test_turn_for_unknown_session_is_not_found(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        with pytest.raises(errors.NotFound) as info:
            store.append_turn("nope", _turn(), STATE)
        assert info.value.code.startswith("E4")
        assert store.turns("nope") == []


def test_bad_url_is_a_storage_error() -> None:
    with pytest.raises(errors.StorageError) as info:
        Store.open("not a url")
    assert info.value.code.startswith("E3")
    with pytest.raises(errors.StorageError):
        Store.open("nosuchdialect://x/y")


def test_unwritable_location_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(errors.StorageError) as info:
        Store.open(f"sqlite:///{blocker / 'sub' / 'db.sqlite'}")
    assert info.value.code.startswith("E3")
    assert "无法" in info.value.message


def test_in_memory_store() -> None:
    with Store.open("sqlite://") as store:
        s = store.create_session(None, STATE)
        store.append_turn(s.id, _turn(), STATE)
        assert len(store.turns(s.id)) == 1
