"""Find many phrases in one pass (Aho–Corasick), overlaps included.

Every analyser that looks for lexicon phrases (signals, concepts, emotion words, reply rules)
builds one :class:`PhraseMatcher` and scans the normalised text once, instead of a regex
alternation per rule (20–100× slower here, and blind to overlapping matches).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import ahocorasick

__all__ = ["PhraseHit", "PhraseMatcher"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PhraseHit(Generic[T]):
    start: int  # offsets into the searched (normalised) text
    end: int
    phrase: str
    payload: T


class PhraseMatcher(Generic[T]):
    """An immutable automaton over ``(phrase, payload)`` pairs; one phrase may carry many payloads."""

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        table: dict[str, list[T]] = {}
        for phrase, payload in entries:
            if phrase:
                table.setdefault(phrase, []).append(payload)
        self._automaton = ahocorasick.Automaton()
        for phrase, payloads in table.items():
            self._automaton.add_word(phrase, (phrase, tuple(payloads)))
        self._size = len(table)
        if table:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return self._size

    def iter_hits(self, text: str) -> Iterator[PhraseHit[T]]:
        """Every occurrence of every phrase, ordered by end position."""
        if not self._size or not text:
            return
        for end_index, (phrase, payloads) in self._automaton.iter(text):
            start = end_index - len(phrase) + 1
            for payload in payloads:
                yield PhraseHit(start, end_index + 1, phrase, payload)

    def hits(self, text: str) -> list[PhraseHit[T]]:
        return list(self.iter_hits(text))

    def longest_hits(self, text: str) -> list[PhraseHit[T]]:
        """Occurrences with any hit contained in a longer one dropped (e.g. 身份 inside 身份证)."""
        found = sorted(self.iter_hits(text), key=lambda h: (h.start, -(h.end - h.start)))
        kept: list[PhraseHit[T]] = []
        for hit in found:
            if any(
                k.start <= hit.start and hit.end <= k.end and k.phrase != hit.phrase for k in kept
            ):
                continue
            kept.append(hit)
        return kept
