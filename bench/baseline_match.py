"""The plain baseline the matcher must beat: jieba segmentation + BM25 over scenario texts.

No domain dictionary, no signals weighting, no concepts, no bigrams: every scenario's title,
situation, step actions and scripts as one document, rjieba's default dictionary (same output
as jieba), bm25s with default parameters.
"""

from __future__ import annotations

import bm25s
import numpy as np
import rjieba

from calmdesk.playbook.model import Playbook
from calmdesk.text.normalize import normalize


class BaselineMatcher:
    def __init__(self, playbook: Playbook) -> None:
        self.scenarios = list(playbook)
        self._jieba = rjieba.Jieba()
        docs = []
        for sc in self.scenarios:
            parts = [sc.title, sc.situation] + [s.action for s in sc.steps]
            parts += [line for s in sc.steps for line in s.scripts]
            docs.append(self._tokens(" ".join(parts)))
        self._bm25 = bm25s.BM25()
        self._bm25.index(docs, show_progress=False)
        self._vocab = {t for d in docs for t in d}

    def _tokens(self, text: str) -> list[str]:
        return [t for t in self._jieba.cut(text, False) if t.strip()]

    def rank_topics(self, text: str) -> list[str]:
        tokens = [t for t in self._tokens(normalize(text).text) if t in self._vocab]
        if not tokens:
            return []
        scores = np.asarray(self._bm25.get_scores(tokens))
        return [self.scenarios[i].topic.value for i in np.argsort(-scores) if scores[i] > 0]
