"""A small learned layer over the rules, trained on the labelled examples shipped as data.

Rules give explainable evidence but miss the wordings nobody wrote down; character n-grams
learnt from hundreds of labelled examples catch many of those. Each model here sees both: the
n-grams of the normalised text and the rules' own verdict as extra features (stacking), so it
learns when to trust the rules and when a wording the rules do not know should move the answer.

The model is a multi-class averaged perceptron (:class:`ClassPerceptron`; Collins 2002): linear,
sparse, trained deterministically (fixed seed, a few epochs, weights averaged over every step).
For the anger scale it beat an ordinal PRank model on held-out data — the levels are not evenly
spaced in wording. (A per-code perceptron for reply findings was measured too and not shipped:
on 1,200 training replies it raised false alarms on good replies and playbook scripts.)

Training examples live in ``data/training/*.tsv`` (see :func:`read_labelled`); the analysers
train once per content of those files and their rules, and cache the result on disk like the
match index.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from calmdesk import errors
from calmdesk.data import DATA_DIR

__all__ = [
    "TRAINING_DIR",
    "ClassPerceptron",
    "LabelledText",
    "char_ngrams",
    "learning_enabled",
    "read_labelled",
    "training_files",
]

TRAINING_DIR = DATA_DIR / "training"
EPOCHS = 12
SEED = 7


def char_ngrams(text: str, sizes: Sequence[int] = (1, 2, 3)) -> list[str]:
    """Character n-grams of normalised text, with ^ and $ marking its ends."""
    padded = "^" + text + "$"
    out: list[str] = []
    for n in sizes:
        if n == 1:
            out += padded
        elif n == 2:  # the hot case: pairs built in C
            out += map(str.__add__, padded[:-1], padded[1:])
        else:
            out += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return out


def learning_enabled() -> bool:
    """``CALMDESK_LEARNED=off`` switches the learned layers off (rules alone decide)."""
    return os.environ.get("CALMDESK_LEARNED", "").lower() not in {"off", "0", "no", "false"}


@dataclass(frozen=True, slots=True)
class LabelledText:
    id: str
    labels: tuple[str, ...]  # a level ("2") or reply codes ("refusal-only", "empathy")
    text: str
    source: str  # file the row came from
    line: int = 0  # and its line, for error messages


def training_files(prefix: str) -> list[Path]:
    """The built-in training files for one task, e.g. ``utterances-a.tsv`` … for "utterances"."""
    return sorted(TRAINING_DIR.glob(f"{prefix}-*.tsv"))


def read_labelled(path: Path, label_column: str) -> list[LabelledText]:
    """Rows of ``id<TAB><label_column><TAB>text`` (``#`` comment lines allowed before the
    header). Labels are comma-separated. A malformed file is a DataFileError naming the line."""
    name = path.name
    problems: list[errors.DataFileProblem] = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.DataFileError(
            [errors.DataFileProblem(name, "(文件)", f"无法读取 UTF-8 文本：{exc}")],
            code=errors.LEXICON_INVALID,
        ) from None
    body = [(n, line) for n, line in enumerate(lines, 1) if line.strip() and line[0] != "#"]
    if not body:
        raise errors.DataFileError(
            [errors.DataFileProblem(name, "(文件)", "文件是空的")], code=errors.LEXICON_INVALID
        )
    header = body[0][1].split("\t")
    expected = ["id", label_column, "text"]
    if header != expected:
        raise errors.DataFileError(
            [
                errors.DataFileProblem(
                    name, f"第 {body[0][0]} 行", f"表头应为 {'<TAB>'.join(expected)}"
                )
            ],
            code=errors.LEXICON_INVALID,
        )
    rows: list[LabelledText] = []
    for lineno, line in body[1:]:
        fields = line.split("\t")
        labels = (
            tuple(x.strip() for x in fields[1].split(",") if x.strip()) if len(fields) == 3 else ()
        )
        if len(fields) != 3 or not labels or not fields[2].strip():
            problems.append(
                errors.DataFileProblem(name, f"第 {lineno} 行", "应为三列：编号、标注、文本")
            )
            continue
        rows.append(LabelledText(fields[0].strip(), labels, fields[2].strip(), name, lineno))
    if problems:
        raise errors.DataFileError(problems, code=errors.LEXICON_INVALID)
    return rows


class _Averaged:
    """Weights with lazy averaging: each weight remembers when it last changed."""

    def __init__(self) -> None:
        self.step = 0
        self.weights: dict[str, float] = {}
        self._totals: dict[str, float] = {}
        self._stamps: dict[str, int] = {}

    def add(self, feature: str, value: float) -> None:
        w = self.weights.get(feature, 0.0)
        self._totals[feature] = (
            self._totals.get(feature, 0.0) + (self.step - self._stamps.get(feature, 0)) * w
        )
        self._stamps[feature] = self.step
        self.weights[feature] = w + value

    def averaged(self) -> dict[str, float]:
        out = {}
        for feature, w in self.weights.items():
            total = self._totals.get(feature, 0.0) + (self.step - self._stamps.get(feature, 0)) * w
            mean = total / max(self.step, 1)
            if mean:
                out[feature] = mean
        return out


@dataclass
class ClassPerceptron:
    """One weight column per class; the class with the highest score wins.

    Every column has the same keys, so a feature is looked up once (``in``) and each column's
    score is one C-level ``sum(map(...))`` over the known features.
    """

    columns: tuple[dict[str, float], ...]

    @property
    def classes(self) -> int:
        return len(self.columns)

    def scores(self, features: Iterable[str]) -> list[float]:
        first = self.columns[0]
        known = [f for f in features if f in first]
        return [sum(map(column.__getitem__, known)) for column in self.columns]

    def predict(self, features: Iterable[str]) -> int:
        totals = self.scores(features)
        return totals.index(max(totals))

    @classmethod
    def train(
        cls, examples: Sequence[tuple[Sequence[str], int]], classes: int, *, epochs: int = EPOCHS
    ) -> ClassPerceptron:
        per_class = [_Averaged() for _ in range(classes)]
        order = list(range(len(examples)))
        rng = random.Random(SEED)
        step = 0
        for _ in range(epochs):
            rng.shuffle(order)
            for i in order:
                features, gold = examples[i]
                step += 1
                for w in per_class:
                    w.step = step
                totals = [sum(w.weights.get(f, 0.0) for f in features) for w in per_class]
                guess = totals.index(max(totals))
                if guess != gold:
                    for f in features:
                        per_class[gold].add(f, 1.0)
                        per_class[guess].add(f, -1.0)
        averaged = [w.averaged() for w in per_class]
        names = sorted(set().union(*averaged))
        return cls(tuple({f: a.get(f, 0.0) for f in names} for a in averaged))
