"""The scenario index: BM25F weights precomputed per (feature, scenario), and a topic model.

Each scenario is one bag of features in which a field's features count several times
(signals > title > situation > topic label > examples), a BM25F-style weighting. The document
side of BM25 — idf × saturated term frequency with length normalisation — does not depend on
the query, so it is computed once here; scoring a query is a sum of posting weights, a few
dictionary look-ups per query feature, in pure Python.

The example situations also train a multinomial naive Bayes model over topics: which features
point to which topic, learnt from hundreds of real phrasings rather than one scenario text.
It is stored sparsely (a feature's log-odds boost only for the topics that saw it), so a query
costs one look-up per feature.

Built with jieba (slow to load), then pickled in the cache keyed by the playbook's content.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
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

FIELD_WEIGHTS = {"signals": 3.0, "title": 2.0, "situation": 1.0, "topic": 1.0, "examples": 0.5}
# Feature families weigh differently: a shared concept is strong evidence, a shared bigram weak.
FAMILY_WEIGHTS = {"word": 1.0, "concept": 1.5, "bigram": 0.35}
K1 = 1.2
B = 0.5
NB_SMOOTHING = 0.1  # additive smoothing of the topic model's feature counts


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
    concepts: dict[str, list[str]]  # concept → normalised forms (for the query automaton)
    topic_of: tuple[int, ...]  # scenario → index into ``topics``
    topics: tuple[str, ...]
    topic_base: tuple[float, ...]  # log P(unseen feature | topic)
    topic_boost: dict[str, tuple[tuple[int, float], ...]]  # feature → ((topic, log-odds), …)

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

    def topic_posterior(self, features: list[str]) -> list[float] | None:
        """P(topic | features) under the naive Bayes model; None if no feature is known."""
        known = 0
        log_p = [0.0] * len(self.topics)
        for feature in features:
            boost = self.topic_boost.get(feature)
            if boost is None:
                continue
            known += 1
            for topic, value in boost:
                log_p[topic] += value
        if not known:
            return None
        log_p = [known * base + v for base, v in zip(self.topic_base, log_p, strict=True)]
        top = max(log_p)
        weights = [math.exp(v - top) for v in log_p]
        total = sum(weights)
        return [w / total for w in weights]


Bag = dict[str, float]  # feature → weighted count


def _add(bag: Bag, features: Iterable[str], weight: float) -> None:
    for feature in features:
        bag[feature] = bag.get(feature, 0.0) + weight


def _bag(sc: Scenario, featurizer: DocumentFeaturizer) -> Bag:
    """The scenario's own fields, each feature counted by its field's weight."""
    fields = {
        "signals": sc.signals,
        "title": (sc.title,),
        "situation": (sc.situation,),
        "topic": (topic_label(sc.topic),),
    }
    bag: Bag = {}
    for name, texts in fields.items():
        for text in texts:
            _add(bag, featurizer.features(fold(text)), FIELD_WEIGHTS[name])
    return bag


def build_index(
    scenarios: list[Scenario],
    concepts: dict[str, list[str]],
    examples: Mapping[str, Sequence[str]] | None = None,
) -> MatchIndex:
    examples = examples or {}
    signals = [fold(s) for sc in scenarios for s in sc.signals]
    featurizer = DocumentFeaturizer(concepts, extra_words=signals)
    own = [_bag(sc, featurizer) for sc in scenarios]
    said: list[Bag] = []  # the example situations, each feature counted once per example
    for sc in scenarios:
        bag: Bag = {}
        for text in examples.get(sc.id, ()):
            _add(bag, featurizer.features(fold(text)), 1.0)
        said.append(bag)
    bags: list[Bag] = []
    for fields, spoken in zip(own, said, strict=True):
        bag = dict(fields)
        _add_scaled(bag, spoken, FIELD_WEIGHTS["examples"])
        bags.append(bag)
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
    topics = tuple(sorted({sc.topic.value for sc in scenarios}))
    topic_of = tuple(topics.index(sc.topic.value) for sc in scenarios)
    # The topic model counts each example once, and the scenario's fields by their weight.
    training: list[Bag] = []
    for fields, spoken in zip(own, said, strict=True):
        bag = dict(fields)
        _add_scaled(bag, spoken, 1.0)
        training.append(bag)
    topic_base, topic_boost = _topic_model(len(topics), topic_of, training)
    return MatchIndex(
        size=n,
        postings={f: tuple(p) for f, p in postings.items()},
        words=words,
        signals=normalized_signals,
        concepts=concepts,
        topic_of=topic_of,
        topics=topics,
        topic_base=topic_base,
        topic_boost=topic_boost,
    )


def _add_scaled(bag: Bag, other: Bag, weight: float) -> None:
    for feature, count in other.items():
        bag[feature] = bag.get(feature, 0.0) + weight * count


def _topic_model(
    n_topics: int, topic_of: Sequence[int], bags: Sequence[Bag]
) -> tuple[tuple[float, ...], dict[str, tuple[tuple[int, float], ...]]]:
    """Multinomial naive Bayes with additive smoothing, stored as a base log-probability per
    topic plus, per feature, the log-odds boost for each topic that has seen it."""
    counts: list[Bag] = [{} for _ in range(n_topics)]
    for topic, bag in zip(topic_of, bags, strict=True):
        _add_scaled(counts[topic], bag, 1.0)
    vocabulary = {f for c in counts for f in c}
    totals = [sum(c.values()) for c in counts]
    base = tuple(
        math.log(NB_SMOOTHING / (total + NB_SMOOTHING * len(vocabulary))) for total in totals
    )
    boost: dict[str, list[tuple[int, float]]] = {}
    for topic, c in enumerate(counts):
        for feature, count in c.items():
            boost.setdefault(feature, []).append(
                (topic, math.log((count + NB_SMOOTHING) / NB_SMOOTHING))
            )
    return base, {f: tuple(b) for f, b in boost.items()}
