"""The scenario index: BM25F weights precomputed per (feature, scenario).

Each scenario is one bag of features in which a field's features count several times
(signals > title > situation > topic label), a BM25F-style weighting. The document side of
BM25 — idf × saturated term frequency with length normalisation — does not depend on the
query, so it is computed once here; scoring a query is a sum of posting weights, a few
dictionary look-ups per query feature, in pure Python.

Built with jieba (slow to load), then pickled in the cache keyed by the playbook's content.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from calmdesk.matching.features import (
    BIGRAM_PREFIX,
    CONCEPT_PREFIX,
    DocumentFeaturizer,
    fold,
)
from calmdesk.playbook.model import Scenario
from calmdesk.playbook.vocab import topic_label

__all__ = ["FIELD_WEIGHTS", "MatchIndex", "build_index"]

FIELD_WEIGHTS = {"signals": 3, "title": 2, "situation": 1, "topic": 1}
# Feature families weigh differently: a shared concept is strong evidence, a shared bigram weak.
FAMILY_WEIGHTS = {"word": 1.0, "concept": 1.5, "bigram": 0.35}
K1 = 1.2
B = 0.5


def family(feature: str) -> str:
    if feature.startswith(CONCEPT_PREFIX):
        return "concept"
    if feature.startswith(BIGRAM_PREFIX):
        return "bigram"
    return "word"


@dataclass(frozen=True)
class MatchIndex:
    size: int
    postings: dict[str, tuple[tuple[int, float], ...]]  # feature → ((scenario index, weight), …)
    words: tuple[str, ...]  # plain words of the vocabulary (for the query automaton)
    signals: tuple[tuple[str, int], ...]  # (normalised signal, scenario index)
    bags: tuple[frozenset[str], ...]  # each scenario's feature set (for explanations)
    concepts: dict[str, list[str]]  # concept → normalised forms (for the query automaton)

    def score(self, features: list[str]) -> dict[int, float]:
        scores: dict[int, float] = {}
        for feature, count in Counter(features).items():
            posting = self.postings.get(feature)
            if posting is None:
                continue
            q = 1.0 + math.log(count)  # repeated query words count, with diminishing returns
            for doc, weight in posting:
                scores[doc] = scores.get(doc, 0.0) + q * weight
        return scores


def _bag(sc: Scenario, featurizer: DocumentFeaturizer) -> list[str]:
    fields = {
        "signals": sc.signals,
        "title": (sc.title,),
        "situation": (sc.situation,),
        "topic": (topic_label(sc.topic),),
    }
    bag: list[str] = []
    for name, texts in fields.items():
        for text in texts:
            bag += featurizer.features(fold(text)) * FIELD_WEIGHTS[name]
    return bag


def build_index(scenarios: list[Scenario], concepts: dict[str, list[str]]) -> MatchIndex:
    signals = [fold(s) for sc in scenarios for s in sc.signals]
    featurizer = DocumentFeaturizer(concepts, extra_words=signals)
    bags = [Counter(_bag(sc, featurizer)) for sc in scenarios]
    n = len(bags)
    lengths = [sum(b.values()) for b in bags]
    avg = sum(lengths) / n if n else 1.0
    df: Counter[str] = Counter(f for b in bags for f in b)
    postings: dict[str, list[tuple[int, float]]] = {}
    for doc, bag in enumerate(bags):
        norm = K1 * (1 - B + B * lengths[doc] / avg)
        for feature, tf in bag.items():
            idf = math.log(1 + (n - df[feature] + 0.5) / (df[feature] + 0.5))
            weight = FAMILY_WEIGHTS[family(feature)] * idf * tf * (K1 + 1) / (tf + norm)
            postings.setdefault(feature, []).append((doc, weight))
    words = tuple(sorted(f for f in df if family(f) == "word"))
    normalized_signals = tuple(
        (fold(sig), i)
        for i, sc in enumerate(scenarios)
        for sig in sc.signals
        if len(fold(sig)) >= 2
    )
    return MatchIndex(
        size=n,
        postings={f: tuple(p) for f, p in postings.items()},
        words=words,
        signals=normalized_signals,
        bags=tuple(frozenset(b) for b in bags),
        concepts=concepts,
    )
