"""Run every benchmark and quality evaluation in turn (``make bench``).

Each script prints its own figures next to a baseline measured in the same run; this one only
runs them in order and stops at the first that fails.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "eval_advise.py",
    "eval_emotion.py",
    "eval_replies.py",
    "bench_advise.py",
    "bench_emotion.py",
    "bench_check.py",
    "bench_mask.py",
    "bench_api.py",
]


def main() -> int:
    for name in SCRIPTS:
        print(f"\n=== {name} ===", flush=True)
        done = subprocess.run([sys.executable, str(HERE / name)], check=False)
        if done.returncode:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
