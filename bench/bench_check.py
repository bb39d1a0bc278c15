"""Reply checks per second on one core, next to a naive regex-alternation baseline.

The corpus is every reply in tests/data (good replies and the labelled sets), normalised once up
front: this measures ``ReplyChecker.check`` alone. A second line measures the five writers'
training replies (tests/data/reply_writers/replies-*.tsv): longer, and most of them faulty, so
more findings and better wordings to build per reply. The baseline compiles one regex alternation
per rule over the same (expanded) trigger phrases and reports which rules match, without any
context handling.

Throughput is counted per second of this process's CPU time — what one core delivers, whatever
else the machine is running — and, for reference, per second of wall time.

    .venv/bin/python bench/bench_check.py
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from calmdesk.analysis.replies import ReplyChecker
from calmdesk.text.normalize import NormalizedText, normalize

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
TRAINING = ROOT / "tests" / "data" / "reply_writers"
LABELLED = ("replies.tsv", "replies_train.tsv")
MIN_SECONDS = 2.0


def corpus() -> list[NormalizedText]:
    texts = [
        line.strip()
        for line in (DATA / "good_replies.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for name in LABELLED:
        texts += [
            line.split("\t")[2]
            for line in (DATA / name).read_text(encoding="utf-8").splitlines()[1:]
            if line.strip()
        ]
    return [normalize(t) for t in texts]


def training_corpus() -> list[NormalizedText]:
    """The writers' training replies (``id<TAB>flags<TAB>text``, ``#`` comments, a header)."""
    texts = [
        line.split("\t")[2]
        for path in sorted(TRAINING.glob("replies-*.tsv"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith("id\t")
    ]
    return [normalize(t) for t in texts]


def rate(
    run: Callable[[NormalizedText], object], replies: list[NormalizedText]
) -> tuple[float, float]:
    """Replies per CPU second and per wall second."""
    for reply in replies:  # warm caches
        run(reply)
    done = 0
    cpu, wall = time.process_time(), time.perf_counter()
    while time.process_time() - cpu < MIN_SECONDS:
        for reply in replies:
            run(reply)
        done += len(replies)
    return done / (time.process_time() - cpu), done / (time.perf_counter() - wall)


def main() -> None:
    checker = ReplyChecker.load([])
    replies = corpus()
    baseline = [
        re.compile("|".join(re.escape(p) for p in sorted(rule.phrases, key=len, reverse=True)))
        for rule in checker.ruleset.rules
        if rule.phrases
    ]

    def naive(reply: NormalizedText) -> list[int]:
        return [i for i, rx in enumerate(baseline) if rx.search(reply.text)]

    ours_cpu, ours_wall = rate(checker.check, replies)
    base_cpu, base_wall = rate(naive, replies)
    training = training_corpus()
    hard_cpu, hard_wall = rate(checker.check, training)
    print(f"replies in corpus: {len(replies)}; phrases in the automaton: {checker.phrase_count}")
    print(f"{'':24}{'per CPU second':>16}{'per wall second':>17}")
    print(f"calmdesk check():       {ours_cpu:14,.0f}/s {ours_wall:15,.0f}/s  (target ≥ 20,000)")
    print(f"regex alternation/rule: {base_cpu:14,.0f}/s {base_wall:15,.0f}/s  (matching only)")
    print(
        f"check(), {len(training)} training replies: {hard_cpu:8,.0f}/s {hard_wall:15,.0f}/s"
        "  (longer, mostly faulty)"
    )


if __name__ == "__main__":
    main()
