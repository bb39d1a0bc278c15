"""A writer killed with SIGKILL mid-stream loses no committed turn and leaves no partial one."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from calmdesk.store import Store

WRITER = r"""
import sys
from calmdesk.store import NewTurn, SessionState, Store

store = Store.open(sys.argv[1])
state = SessionState("hans", None, None, "listen", 2, "active")
session = store.create_session("crash", state)
print("session", session.id, flush=True)
n = 0
while True:
    n += 1
    # A long text makes each write span several pages, so the kill lands mid-write often.
    turn = NewTurn("customer", f"第{n}轮" + "很着急" * 3000, "listen", n % 4, None, None, [], {"n": n})
    record = store.append_turn(session.id, turn, state)
    print("committed", record.seq, flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("kill_after", [5, 40])
def test_sigkill_mid_write(tmp_path: Path, kill_after: int) -> None:
    db = tmp_path / "crash.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, f"sqlite:///{db}"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    committed: list[int] = []
    session_id = ""
    deadline = time.monotonic() + 60
    try:
        while len(committed) < kill_after and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            kind, value = line.split()
            if kind == "session":
                session_id = value
            else:
                committed.append(int(value))
        os.kill(proc.pid, signal.SIGKILL)
        # Lines already in the pipe were committed before the kill: they count too.
        committed.extend(int(line.split()[1]) for line in proc.stdout if line.startswith("c"))
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert len(committed) >= kill_after

    raw = sqlite3.connect(db)
    try:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        seqs = [r[0] for r in raw.execute("SELECT seq FROM turns ORDER BY seq")]
        count = raw.execute(
            "SELECT turn_count FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
    finally:
        raw.close()
    assert set(committed) <= set(seqs)  # every reported commit survived
    assert seqs == list(range(1, len(seqs) + 1))  # no gap, no duplicate
    assert len(seqs) <= len(committed) + 1  # at most the one in flight, and only if whole
    assert count == (len(seqs),)  # session row committed together with its turn

    with Store.open(f"sqlite:///{db}") as store:  # and the store carries on
        texts = [t.text for t in store.turns(session_id)]
        assert all(t.startswith(f"第{i}轮") for i, t in enumerate(texts, 1))
