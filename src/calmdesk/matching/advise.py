"""Situation text → ranked playbook scenarios.

Each scenario becomes one weighted bag of features, and so does the query:

* **words** from the segmenter with the domain dictionary (stopwords dropped);
* **concepts** — synonym sets from ``lexicon/concepts.yaml`` found by Aho–Corasick, so
  "卡被吃了", "ATM吞卡", "取款机把卡扣了" all light up the same ``§card-swallowed`` feature;
* **character bigrams**, a low-weight safety net for words the dictionary has never seen.

Scenario fields weigh differently (signals > title > situation > topic label). BM25 (bm25s)
scores the bags; an exact signal phrase found in the query adds a bonus. The ranked list puts
each topic's best scenario before any topic's second one, so alternatives are real alternatives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import bm25s
import numpy as np

from calmdesk.matching.features import FeatureExtractor
from calmdesk.playbook.model import Playbook, Scenario
from calmdesk.playbook.vocab import topic_label
from calmdesk.text.normalize import NormalizedText, Script, to_script
from calmdesk.text.phrases import PhraseMatcher
from calmdesk.text.render import localize

__all__ = ["Advice", "Match", "Matcher"]

# How many times each field's features count in a scenario's bag (a BM25F-style weighting).
_FIELD_WEIGHTS = {"signals": 3, "title": 2, "situation": 1, "topic": 1}
_SIGNAL_BONUS = 0.6  # per matched signal character, scaled by the best BM25 score
_MIN_SCORE = 0.5


@dataclass(frozen=True, slots=True)
class Match:
    scenario: Scenario
    score: float
    matched: tuple[str, ...]  # the query features that contributed most (for "why this one")

    def to_dict(self, script: Script) -> dict[str, Any]:
        return {
            "scenario": self.scenario.id,
            "topic": self.scenario.topic.value,
            "title": to_script(self.scenario.title, script),
            "score": round(self.score, 3),
            "matched": [to_script(m, script) for m in self.matched],
        }


@dataclass(frozen=True, slots=True)
class Advice:
    query: NormalizedText
    script: Script
    matches: tuple[Match, ...]

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None

    def to_dict(self, *, include_playbook: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.query.original,
            "script": self.script.value,
            "matches": [m.to_dict(self.script) for m in self.matches],
        }
        if include_playbook:
            out["playbook"] = (
                localize(self.matches[0].scenario.to_dict(), self.script) if self.matches else None
            )
        if not self.matches:
            out["message"] = to_script("没有找到匹配的场景，请换个说法，或多写几个字描述客户的情况。", self.script)
        return out


class Matcher:
    """Built once per playbook; ``advise`` is the hot path."""

    def __init__(self, playbook: Playbook, features: FeatureExtractor | None = None) -> None:
        self.playbook = playbook
        self.scenarios: list[Scenario] = list(playbook)
        signals = [s for sc in self.scenarios for s in sc.signals]
        self.features = features or FeatureExtractor(extra_words=signals)
        corpus = [self._scenario_bag(sc) for sc in self.scenarios]
        self._bm25 = bm25s.BM25(k1=1.2, b=0.5)
        self._bm25.index(corpus, show_progress=False)
        self._vocab: frozenset[str] = frozenset(t for doc in corpus for t in doc)
        normalized_signals = [
            (self.features.fold(sig), i) for i, sc in enumerate(self.scenarios) for sig in sc.signals
        ]
        self._signals: PhraseMatcher[int] = PhraseMatcher(
            (sig, i) for sig, i in normalized_signals if len(sig) >= 2
        )

    def _scenario_bag(self, sc: Scenario) -> list[str]:
        bag: list[str] = []
        fields: dict[str, Iterable[str]] = {
            "signals": sc.signals,
            "title": [sc.title],
            "situation": [sc.situation],
            "topic": [topic_label(sc.topic)],
        }
        for name, texts in fields.items():
            weight = _FIELD_WEIGHTS[name]
            for text in texts:
                bag.extend(self.features.extract(self.features.fold(text)) * weight)
        return bag

    def score_all(self, query: NormalizedText) -> tuple[np.ndarray, list[str]]:
        tokens = [t for t in self.features.extract(query.text) if t in self._vocab]
        if not tokens:
            return np.zeros(len(self.scenarios), dtype=np.float32), []
        scores = np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
        best = float(scores.max()) if len(scores) else 0.0
        if best > 0:
            bonus = np.zeros_like(scores)
            seen: set[tuple[int, str]] = set()
            for hit in self._signals.iter_hits(query.text):
                if (hit.payload, hit.phrase) not in seen:
                    seen.add((hit.payload, hit.phrase))
                    bonus[hit.payload] += len(hit.phrase)
            scores = scores + _SIGNAL_BONUS * best * bonus / (bonus.max() + 4.0 if bonus.max() else 1.0)
        return scores, tokens

    def advise(self, query: NormalizedText, *, top: int = 3, script: Script | None = None) -> Advice:
        scores, tokens = self.score_all(query)
        ranked = [i for i in np.argsort(-scores, kind="stable") if scores[i] >= _MIN_SCORE]
        ranked = _topics_first(ranked, self.scenarios)[: max(top, 1)]
        matches = tuple(
            Match(self.scenarios[i], float(scores[i]), self._explain(tokens, self.scenarios[i]))
            for i in ranked
        )
        return Advice(query, script or query.script, matches)

    def _explain(self, tokens: list[str], sc: Scenario) -> tuple[str, ...]:
        words = Counter(t for t in tokens if not t.startswith(("§", "²")))
        own = set(self._scenario_bag(sc))
        return tuple(w for w, _ in words.most_common() if w in own)[:6]


def _topics_first(ranked: list[int], scenarios: list[Scenario]) -> list[int]:
    """Stable reorder: each topic's best scenario, then the remaining ones."""
    firsts, rest, seen = [], [], set()
    for i in ranked:
        topic = scenarios[i].topic
        (rest if topic in seen else firsts).append(i)
        seen.add(topic)
    return firsts + rest
