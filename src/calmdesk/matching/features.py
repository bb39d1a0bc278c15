"""Text → matching features: words, concepts, character bigrams.

Two sides of one vocabulary:

* :class:`DocumentFeaturizer` (index time) segments scenario text with rjieba and the domain
  dictionary — the only place jieba runs, and its result is cached with the index;
* :class:`QueryFeaturizer` (query time) finds, in one Aho–Corasick pass, every index word and
  every concept form inside the query. A query word the index has never seen cannot score
  anyway, so there is nothing to segment — and the hot path needs neither jieba nor numpy.
"""

from __future__ import annotations

from collections.abc import Iterable

from calmdesk.data import load_yaml_resource
from calmdesk.errors import LEXICON_INVALID, DataFileError, DataFileProblem
from calmdesk.text.normalize import normalize
from calmdesk.text.phrases import PhraseMatcher

__all__ = [
    "BIGRAM_PREFIX",
    "CONCEPT_PREFIX",
    "DocumentFeaturizer",
    "QueryFeaturizer",
    "fold",
    "load_concepts",
]

CONCEPT_PREFIX = "§"
BIGRAM_PREFIX = "²"
_CONCEPTS_FILE = "lexicon/concepts.yaml"


def fold(text: str) -> str:
    """Data files go through the same normalisation as user input."""
    return normalize(text, max_chars=100_000).text


def load_concepts() -> dict[str, list[str]]:
    """``lexicon/concepts.yaml``: concept name → surface forms, normalised."""
    data = load_yaml_resource(_CONCEPTS_FILE, code=LEXICON_INVALID)
    if not isinstance(data, dict):
        raise DataFileError(
            [DataFileProblem(_CONCEPTS_FILE, "(文件)", "应为「概念: [说法, …]」的映射")],
            code=LEXICON_INVALID,
        )
    problems = []
    out: dict[str, list[str]] = {}
    for name, forms in data.items():
        # YAML reads 110 or 12378 as numbers; a number is still a way of saying something.
        if isinstance(forms, list):
            forms = [str(f) if isinstance(f, int) and not isinstance(f, bool) else f for f in forms]
        if (
            not isinstance(forms, list)
            or not forms
            or not all(isinstance(f, str) and f for f in forms)
        ):
            problems.append(DataFileProblem(_CONCEPTS_FILE, str(name), "应为非空的说法列表"))
            continue
        out[str(name)] = [fold(f) for f in forms]
    if problems:
        raise DataFileError(problems, code=LEXICON_INVALID)
    return out


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def bigrams(text: str) -> list[str]:
    """Character bigrams of each run of Chinese characters."""
    out: list[str] = []
    run_start = -1
    for i, ch in enumerate(text + " "):
        if _is_cjk(ch):
            if run_start < 0:
                run_start = i
            continue
        if run_start >= 0:
            out += [BIGRAM_PREFIX + text[j : j + 2] for j in range(run_start, i - 1)]
            run_start = -1
    return out


class DocumentFeaturizer:
    """Index-time features. Imports rjieba lazily: a cached index never needs it."""

    def __init__(self, concepts: dict[str, list[str]], extra_words: Iterable[str] = ()) -> None:
        from calmdesk.text.segment import Segmenter, stopwords

        self._concepts: PhraseMatcher[str] = PhraseMatcher(
            (form, name) for name, forms in concepts.items() for form in forms
        )
        words = {w for w in extra_words if 1 < len(w) <= 6}
        words |= {f for forms in concepts.values() for f in forms if 1 < len(f) <= 6}
        self._segmenter = Segmenter(sorted(words))
        self._stop = stopwords()

    def words(self, text: str) -> list[str]:
        return [
            w
            for w in self._segmenter.cut_for_search(text)
            if w not in self._stop and any(_is_cjk(c) or c.isalnum() for c in w)
        ]

    def features(self, text: str) -> list[str]:
        """Features of normalised text: words, concepts, bigrams."""
        concepts = [CONCEPT_PREFIX + h.payload for h in self._concepts.iter_hits(text)]
        return self.words(text) + concepts + bigrams(text)


class QueryFeaturizer:
    """Query-time features: index words and concept forms found by one automaton pass."""

    def __init__(self, words: Iterable[str], concepts: dict[str, list[str]]) -> None:
        entries: list[tuple[str, str]] = [(w, w) for w in words]
        entries += [
            (form, CONCEPT_PREFIX + name) for name, forms in concepts.items() for form in forms
        ]
        self._matcher: PhraseMatcher[str] = PhraseMatcher(entries)

    def features(self, text: str) -> list[str]:
        return [h.payload for h in self._matcher.iter_hits(text)] + bigrams(text)
