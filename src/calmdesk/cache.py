"""A small on-disk cache for things derived from data files (parsed playbook, match index).

Entries are keyed by a hash of everything they derive from (file contents) and of calmdesk's own
code (every module of the installed package), so a stale entry is never used: change a YAML
file, or upgrade calmdesk, and the next run rebuilds. Writes
are atomic (temp file + rename). Any problem reading the cache means "rebuild", never an error.
``CALMDESK_CACHE=off`` disables it; ``CALMDESK_CACHE_DIR`` moves it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

__all__ = ["cache_dir", "cached", "content_key"]

T = TypeVar("T")


def cache_dir() -> Path | None:
    if os.environ.get("CALMDESK_CACHE", "").lower() in {"off", "0", "no", "false"}:
        return None
    explicit = os.environ.get("CALMDESK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "calmdesk"


def content_key(parts: Iterable[bytes | str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[:32]


@functools.cache
def code_digest() -> str:
    """A digest of calmdesk's own source files (a few milliseconds, once per process)."""
    package = Path(__file__).resolve().parent
    return content_key(
        part
        for path in sorted(package.rglob("*.py"))
        for part in (str(path.relative_to(package)), path.read_bytes())
    )


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """Return the cached value for (name, key), building and storing it if absent."""
    directory = cache_dir()
    if directory is None:
        return build()
    key = content_key([key, code_digest()])
    path = directory / f"{name}-{key}.pickle"
    try:
        with path.open("rb") as fh:
            value: T = pickle.load(fh)
        return value
    except Exception:  # missing, truncated, from another version: rebuild
        pass
    value = build()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in directory.glob(f"{name}-*.pickle"):  # keep only the current entry
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home must not stop calmdesk
    return value
