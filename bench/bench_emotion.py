"""Emotion throughput (utterances/s, one core) next to a regex-alternation baseline.

    .venv/bin/python bench/bench_emotion.py

The baseline compiles every lexicon phrase into one ``re`` alternation and counts matches — it
does no negation, intensifiers, floors or evidence, so it is a floor on what pattern lookup
alone costs with regex. Target (issue 3): ≥ 20,000 utterances/s.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

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
SECONDS = 2.0


def rate(run: Callable[[str], object]) -> float:
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < SECONDS:
        for text in UTTERANCES:
            run(text)
        n += len(UTTERANCES)
    return n / (time.perf_counter() - start)


def main() -> None:
    analyzer = EmotionAnalyzer.load()
    config = load_yaml_resource("rules/emotion_core.yaml")
    phrases = sorted(
        {
            str(p)
            for section in ("anger", "cues")
            for rule in config[section]
            for p in rule["phrases"]
        },
        key=len,
        reverse=True,
    )
    pattern = re.compile("|".join(map(re.escape, phrases)))

    def baseline(text: str) -> int:
        return sum(1 for _ in pattern.finditer(normalize(text).text))

    ours = rate(lambda t: analyzer.analyze(normalize(t)))
    base = rate(baseline)
    print(f"emotion, {len(phrases)} phrases, {len(UTTERANCES)} utterances, one core")
    print(f"  calmdesk (normalise + analyse)         {ours:10,.0f} utterances/s")
    print(f"  baseline (normalise + regex finditer)  {base:10,.0f} utterances/s")


if __name__ == "__main__":
    main()
