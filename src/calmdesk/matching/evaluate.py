"""Measure situation matching against labelled examples (top-k by topic)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["LabelledSituation", "TopKReport", "evaluate_ranking", "read_situations"]


@dataclass(frozen=True)
class LabelledSituation:
    id: str
    topics: frozenset[str]
    text: str


def read_situations(path: Path) -> list[LabelledSituation]:
    """Read ``id<TAB>topics<TAB>text`` (topics comma-separated) with a header line."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [
            LabelledSituation(
                row["id"], frozenset(t.strip() for t in row["topics"].split(",")), row["text"]
            )
            for row in reader
            if row.get("text")
        ]


@dataclass
class TopKReport:
    total: int = 0
    top1: int = 0
    top3: int = 0
    misses: list[tuple[str, str, list[str]]] = field(default_factory=list)

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0

    def line(self, name: str) -> str:
        return (
            f"{name:32} n={self.total:4}  top-1 {self.top1_rate:6.1%}  top-3 {self.top3_rate:6.1%}"
        )


def evaluate_ranking(
    rows: Iterable[LabelledSituation], rank_topics: Callable[[str], list[str]]
) -> TopKReport:
    """``rank_topics(text)`` returns topic codes best first; top-k counts distinct topics."""
    report = TopKReport()
    for row in rows:
        ranked: list[str] = []
        for topic in rank_topics(row.text):
            if topic not in ranked:
                ranked.append(topic)
        report.total += 1
        if ranked[:1] and ranked[0] in row.topics:
            report.top1 += 1
        else:
            report.misses.append((row.id, row.text, ranked[:3]))
        if row.topics & set(ranked[:3]):
            report.top3 += 1
    return report
