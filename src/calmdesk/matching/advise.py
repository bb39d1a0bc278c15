"""Situation text → ranked playbook scenarios.

Each scenario becomes one weighted bag of features (see :mod:`calmdesk.matching.index`):

* **words** from the segmenter with the domain dictionary (stopwords dropped);
* **concepts** — synonym sets from ``lexicon/concepts.yaml`` found by Aho–Corasick, so
  "卡被吃了", "ATM吞卡", "取款机把卡扣了" all light up the same ``§swallowed`` feature;
* **character bigrams**, a low-weight safety net for words the dictionary has never seen.

BM25F scores the bags (the playbook's example situations count as a light field of their
scenario); an exact signal phrase found in the query adds a bonus, and a naive Bayes topic
model trained on the examples adds its belief in each scenario's topic. The ranked list puts
each topic's best scenario before any topic's second one, so alternatives are real
alternatives.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from calmdesk.cache import cached, content_key
from calmdesk.data import DATA_DIR
from calmdesk.matching.features import CONCEPT_PREFIX, QueryFeaturizer, load_concepts
from calmdesk.matching.index import MatchIndex, build_index, family
from calmdesk.playbook.model import Playbook, Scenario, Topic
from calmdesk.playbook.vocab import vocab
from calmdesk.text.normalize import NormalizedText, Script, to_script
from calmdesk.text.phrases import PhraseMatcher
from calmdesk.text.render import localize

__all__ = ["Advice", "Match", "Matcher"]

INDEX_FORMAT = "3"  # bump when the index layout or feature extraction changes
_SIGNAL_BONUS = 0.6  # share of the best BM25 score a strong signal match can add
_TOPIC_MODEL_WEIGHT = 1.0  # share of the best BM25 score a certain topic model can add
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
            out["message"] = to_script(
                "没有找到匹配的场景，请换个说法，或多写几个字描述客户的情况。", self.script
            )
        return out


class Matcher:
    """Built once per playbook (index cached on disk); ``advise`` is the hot path."""

    def __init__(self, playbook: Playbook) -> None:
        self.playbook = playbook
        self.scenarios: list[Scenario] = list(playbook)
        lexicons = ("concepts.yaml", "domain_words.txt", "stopwords.txt", "script_overrides.yaml")
        key = content_key(
            [INDEX_FORMAT]
            + [(DATA_DIR / "lexicon" / name).read_bytes() for name in lexicons]
            + [
                json.dumps(
                    [sc.to_dict(), playbook.examples_for(sc.id)], ensure_ascii=False, sort_keys=True
                )
                for sc in self.scenarios
            ]
        )
        self.index: MatchIndex = cached(
            "match-index",
            key,
            lambda: build_index(self.scenarios, load_concepts(), playbook.examples),
        )
        self._query = QueryFeaturizer(self.index.words, self.index.concepts)
        self._docs: dict[str, frozenset[int]] = {}
        self._signals: PhraseMatcher[int] = PhraseMatcher(self.index.signals)
        general = vocab().get("general_topics", {})
        self._general = frozenset(general.get("topics", []))
        self._yield_ratio = float(general.get("yield_ratio", 1.0))

    def scores(self, query: NormalizedText) -> tuple[dict[int, float], list[str]]:
        features = self._query.features(query.text)
        scores = self.index.score(features)
        if scores:
            best = max(scores.values())
            bonus: dict[int, int] = {}
            seen: set[tuple[int, str]] = set()
            for hit in self._signals.iter_hits(query.text):
                if (hit.payload, hit.phrase) not in seen:
                    seen.add((hit.payload, hit.phrase))
                    bonus[hit.payload] = bonus.get(hit.payload, 0) + len(hit.phrase)
            if bonus:
                top = max(bonus.values()) + 4.0
                for doc, chars in bonus.items():
                    scores[doc] = scores.get(doc, 0.0) + _SIGNAL_BONUS * best * chars / top
            posterior = self.index.topic_posterior(features)
            if posterior is not None:
                topic_of = self.index.topic_of
                for doc in scores:
                    scores[doc] += _TOPIC_MODEL_WEIGHT * best * posterior[topic_of[doc]]
        return scores, features

    def advise(
        self, query: NormalizedText, *, top: int = 3, script: Script | None = None
    ) -> Advice:
        scores, features = self.scores(query)
        ranked = sorted(
            (i for i, v in scores.items() if v >= _MIN_SCORE), key=lambda i: (-scores[i], i)
        )
        ranked = self._concrete_first(ranked, scores)
        ranked = _topics_first(ranked, self.scenarios)[: max(top, 1)]
        matches = tuple(
            Match(self.scenarios[i], scores[i], self._explain(features, i)) for i in ranked
        )
        return Advice(query, script or query.script, matches)

    def _docs_of(self, feature: str) -> frozenset[int]:
        """The scenarios a feature occurs in (remembered per feature, for explanations)."""
        docs = self._docs.get(feature)
        if docs is None:
            docs = self._docs[feature] = frozenset(
                d for d, _ in self.index.postings.get(feature, ())
            )
        return docs

    def is_general(self, topic: Topic) -> bool:
        """A topic naming the customer's state (angry-complaint), not a problem to solve."""
        return topic.value in self._general

    def _concrete_first(self, ranked: list[int], scores: dict[int, float]) -> list[int]:
        """A general topic (angry-complaint) yields first place to a concrete problem that scores
        at least ``yield_ratio`` of it: the anger is the emotion reader's job, the topic names
        the problem to solve."""
        if not ranked or self.scenarios[ranked[0]].topic.value not in self._general:
            return ranked
        for i in ranked[1:]:
            if self.scenarios[i].topic.value not in self._general:
                if scores[i] >= self._yield_ratio * scores[ranked[0]]:
                    return [i] + [j for j in ranked if j != i]
                break
        return ranked

    def _explain(self, features: list[str], doc: int) -> tuple[str, ...]:
        """The query words and concepts this scenario shares, most frequent first."""
        shared = Counter(f for f in features if family(f) != "bigram" and doc in self._docs_of(f))
        words = [
            f.removeprefix(CONCEPT_PREFIX) for f, _ in shared.most_common() if family(f) == "word"
        ]
        return tuple(w for w in words if not any(w != o and w in o for o in words))[:6]


def _topics_first(ranked: list[int], scenarios: list[Scenario]) -> list[int]:
    """Stable reorder: each topic's best scenario, then the remaining ones."""
    firsts: list[int] = []
    rest: list[int] = []
    seen: set[Topic] = set()
    for i in ranked:
        topic = scenarios[i].topic
        (rest if topic in seen else firsts).append(i)
        seen.add(topic)
    return firsts + rest
