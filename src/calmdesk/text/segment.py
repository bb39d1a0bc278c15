"""Word segmentation behind a small interface of our own.

jieba keeps a global tokenizer; we hold our own ``rjieba.Jieba`` instance per segmenter, loaded
with the domain dictionary, so two segmenters never disturb each other and tests can build one
with exactly the words they need.
"""

from __future__ import annotations

from collections.abc import Iterable

import rjieba

from calmdesk.data import DATA_DIR

__all__ = ["Segmenter", "domain_words", "stopwords"]

_DOMAIN_FREQ = 200_000  # high enough that domain terms win over jieba's default splits


def _word_file(name: str) -> list[str]:
    path = DATA_DIR / "lexicon" / name
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(word)
    return words


def domain_words() -> list[str]:
    """Banking terms the segmenter must keep whole (身份证, 临时身份证, 非柜面, …)."""
    return _word_file("domain_words.txt")


def stopwords() -> frozenset[str]:
    return frozenset(_word_file("stopwords.txt"))


class Segmenter:
    def __init__(self, extra_words: Iterable[str] = (), *, with_domain: bool = True) -> None:
        self._jieba = rjieba.Jieba()
        words = [*domain_words(), *extra_words] if with_domain else list(extra_words)
        for word in words:
            if 1 < len(word) <= 12:
                self._jieba.add_word(word, _DOMAIN_FREQ, None)

    def cut(self, text: str) -> list[str]:
        return list(self._jieba.cut(text, False))

    def cut_for_search(self, text: str) -> list[str]:
        """Words plus their shorter in-vocabulary parts (身份证 → 身份, 身份证)."""
        return list(self._jieba.cut_for_search(text, False))
