"""Text → bag of matching features (words, concepts, character bigrams)."""

from __future__ import annotations

from collections.abc import Iterable

from calmdesk.data import load_yaml_resource
from calmdesk.errors import LEXICON_INVALID, DataFileError, DataFileProblem
from calmdesk.text.normalize import normalize
from calmdesk.text.phrases import PhraseMatcher
from calmdesk.text.segment import Segmenter, stopwords

__all__ = ["FeatureExtractor", "load_concepts"]

CONCEPT_PREFIX = "§"
BIGRAM_PREFIX = "²"


def load_concepts() -> dict[str, list[str]]:
    """``lexicon/concepts.yaml``: concept name → surface forms (simplified Chinese)."""
    label = "lexicon/concepts.yaml"
    data = load_yaml_resource(label, code=LEXICON_INVALID)
    problems = []
    if not isinstance(data, dict):
        raise DataFileError([DataFileProblem(label, "(文件)", "应为「概念: [说法, …]」的映射")], code=LEXICON_INVALID)
    out: dict[str, list[str]] = {}
    for name, forms in data.items():
        # YAML reads 110 or 12378 as numbers; a number is still a way of saying something.
        if isinstance(forms, list):
            forms = [str(f) if isinstance(f, int) and not isinstance(f, bool) else f for f in forms]
        if not isinstance(forms, list) or not forms or not all(isinstance(f, str) and f for f in forms):
            problems.append(DataFileProblem(label, str(name), "应为非空的说法列表"))
            continue
        out[str(name)] = forms
    if problems:
        raise DataFileError(problems, code=LEXICON_INVALID)
    return out


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


class FeatureExtractor:
    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        concepts = load_concepts()
        forms = [(self.fold(form), name) for name, fs in concepts.items() for form in fs]
        self._concepts: PhraseMatcher[str] = PhraseMatcher(forms)
        words = [w for w in {self.fold(w) for w in extra_words} if len(w) <= 6]
        words += [f for f, _ in forms if len(f) <= 6]
        self.segmenter = Segmenter(words)
        self._stop = stopwords()

    @staticmethod
    def fold(text: str) -> str:
        """Data files go through the same normalisation as user input."""
        return normalize(text, max_chars=100_000).text

    def extract(self, text: str) -> list[str]:
        """Features of already-normalised text."""
        stop = self._stop
        feats = [w for w in self.segmenter.cut_for_search(text) if w not in stop and not w.isspace()]
        feats = [w for w in feats if any(_is_cjk(c) or c.isalnum() for c in w)]
        feats += [CONCEPT_PREFIX + h.payload for h in self._concepts.iter_hits(text)]
        run = ""
        for ch in text + " ":
            if _is_cjk(ch):
                run += ch
                continue
            feats += [BIGRAM_PREFIX + run[i : i + 2] for i in range(len(run) - 1)]
            run = ""
        return feats
