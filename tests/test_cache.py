from __future__ import annotations

from pathlib import Path

import pytest

from calmdesk.cache import cached, content_key


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CALMDESK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("CALMDESK_CACHE", raising=False)
    return tmp_path


def test_builds_once_per_key(cache_dir: Path) -> None:
    calls: list[int] = []

    def build() -> dict[str, int]:
        calls.append(1)
        return {"n": len(calls)}

    key = content_key(["a", b"b"])
    assert cached("thing", key, build) == {"n": 1}
    assert cached("thing", key, build) == {"n": 1}
    assert len(calls) == 1
    assert cached("thing", content_key(["a", b"c"]), build) == {"n": 2}
    assert len(list(cache_dir.glob("thing-*.pickle"))) == 1  # the stale entry is gone


def test_corrupt_entry_is_rebuilt(cache_dir: Path) -> None:
    key = content_key(["x"])
    (cache_dir / f"thing-{key}.pickle").write_bytes(b"not a pickle")
    assert cached("thing", key, lambda: 42) == 42
    assert cached("thing", key, lambda: 0) == 42


def test_can_be_switched_off(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALMDESK_CACHE", "off")
    assert cached("thing", "k", lambda: 1) == 1
    assert cached("thing", "k", lambda: 2) == 2
    assert not list(cache_dir.iterdir())


def test_key_separates_parts() -> None:
    assert content_key(["ab", "c"]) != content_key(["a", "bc"])
