"""Emotion throughput (utterances/s, one core) next to a regex-alternation baseline.

    .venv/bin/python bench/bench_emotion.py

Two mixes: the ten fixed utterances below (the figure earlier notes quote), and every utterance
of the team's own labelled set (tests/data/utterances.tsv; calm and angry, simplified and
traditional). The baseline compiles every lexicon phrase into one ``re`` alternation and counts
matches — no negation, intensifiers, two-part rules, floors or evidence — so it is a floor on what
pattern lookup alone costs with regex. Both include normalisation. Time is CPU time of this
process (``time.process_time``), so other work on a shared machine disturbs it less than wall
time would. Target (issue 3): ≥ 20,000 utterances/s.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from calmdesk.analysis.emotion import EmotionAnalyzer
from calmdesk.data import load_yaml_resource
from calmdesk.text.normalize import normalize

UTTERANCES = [
    "请问开户需要带什么证件？",
    "怎么排了这么久还没轮到我",
    "你们这是什么服务态度！",
    "凭什么不让我取自己的钱？",
    "不给我解决我就找媒体曝光你们！",
    "我不生气，也没有怪你",
    "我七十多岁了还让我跑几趟",
    "警察让我把钱转到安全账户，快点",
    "憑什麼不讓我取錢？！",
    "叫你们领导出来，我不想跟你说",
]
OWN_SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "utterances.tsv"
SECONDS = 2.0


def rate(run: Callable[[str], object], texts: Sequence[str]) -> float:
    for text in texts[:20]:  # warm
        run(text)
    n = 0
    start = time.process_time()
    while time.process_time() - start < SECONDS:
        for text in texts:
            run(text)
        n += len(texts)
    return n / (time.process_time() - start)


def main() -> None:
    analyzer = EmotionAnalyzer.load()
    config = load_yaml_resource("rules/emotion_core.yaml")
    phrases = sorted(
        {
            str(p)
            for section in ("anger", "cues")
            for rule in config[section]
            for p in rule["phrases"] + rule.get("then", [])
        },
        key=len,
        reverse=True,
    )
    pattern = re.compile("|".join(map(re.escape, phrases)))

    def ours(text: str) -> object:
        return analyzer.analyze(normalize(text))

    def baseline(text: str) -> int:
        return sum(1 for _ in pattern.finditer(normalize(text).text))

    mixes = [(f"{len(UTTERANCES)} fixed utterances", UTTERANCES)]
    if OWN_SET.exists():
        with OWN_SET.open(encoding="utf-8", newline="") as fh:
            own = [r["text"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
        mixes.append((f"own set, {len(own)} utterances", own))
    print(f"emotion, {len(phrases)} phrases, one core (CPU time)")
    for label, texts in mixes:
        print(f"  {label}")
        print(f"    calmdesk (normalise + analyse)         {rate(ours, texts):10,.0f} utterances/s")
        print(
            f"    baseline (normalise + regex finditer)  {rate(baseline, texts):10,.0f} utterances/s"
        )


if __name__ == "__main__":
    main()
