"""Reply checks per second on one core, next to a naive regex-alternation baseline.

The corpus is every reply in tests/data (good and labelled), normalised once up front: this
measures ``ReplyChecker.check`` alone. The baseline compiles one regex alternation per rule
over the same phrases and reports which rules match, without any context handling.

    .venv/bin/python bench/bench_check.py
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from calmdesk.analysis.replies import ReplyChecker
from calmdesk.text.normalize import NormalizedText, normalize

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
MIN_SECONDS = 2.0


def corpus() -> list[NormalizedText]:
    texts = [
        line.strip()
        for line in (DATA / "good_replies.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    texts += [
        line.split("\t")[2]
        for line in (DATA / "replies.tsv").read_text(encoding="utf-8").splitlines()[1:]
        if line.strip()
    ]
    return [normalize(t) for t in texts]


def rate(run: object, replies: list[NormalizedText]) -> float:
    assert callable(run)
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < MIN_SECONDS:
        for reply in replies:
            run(reply)
        done += len(replies)
    return done / (time.perf_counter() - start)


def main() -> None:
    checker = ReplyChecker.load([])
    replies = corpus()
    baseline = [
        re.compile("|".join(re.escape(p) for p in rule.phrases))
        for rule in checker.ruleset.rules
        if rule.phrases
    ]

    def naive(reply: NormalizedText) -> list[int]:
        return [i for i, rx in enumerate(baseline) if rx.search(reply.text)]

    ours = rate(checker.check, replies)
    base = rate(naive, replies)
    print(f"replies in corpus: {len(replies)}")
    print(f"calmdesk check():        {ours:10,.0f} replies/s  (target ≥ 20,000)")
    print(f"regex alternation/rule:  {base:10,.0f} replies/s  (matching only, no context)")


if __name__ == "__main__":
    main()
