"""Find and mask personal numbers: resident ID cards, bank cards, mainland mobile numbers.

Modelled on Presidio: each kind is one small :class:`PiiRecognizer` — regex patterns (name,
pattern, score) plus a ``validate()`` checksum — held in a :class:`PiiRegistry`. Detection
(:meth:`PiiRegistry.detect`) is kept apart from masking (:func:`mask_spans`).

Numbers are written with full-width digits, spaces or dashes and sit inside running Chinese
text, where ``\\b`` means nothing (汉字 are word characters). So a text is scanned once for
*digit runs* (a cheap pass that skips text without digits); only runs long enough to hold a
number are folded to ASCII and handed to the recognisers, whose patterns use explicit digit
look-arounds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from stdnum import luhn
from stdnum.iso7064 import mod_11_2

__all__ = [
    "MaskResult",
    "PiiKind",
    "PiiPattern",
    "PiiRecognizer",
    "PiiRegistry",
    "PiiSpan",
    "default_registry",
    "detect_pii",
    "digit_runs",
    "mask_pii",
    "mask_spans",
]

PiiKind = str  # "id-card" | "bank-card" | "mobile"

ID_CARD = "id-card"
BANK_CARD = "bank-card"
MOBILE = "mobile"

MASK_CHAR = "*"


@dataclass(frozen=True, slots=True)
class PiiSpan:
    """One personal number found in a text (offsets into that text)."""

    start: int
    end: int
    kind: PiiKind
    text: str  # the raw number as written; never put it in output meant for others
    score: float
    recognizer: str  # "<recogniser>/<pattern>" that found it

    def to_dict(self) -> dict[str, Any]:
        """Public view: where and what, never the number itself."""
        return {"start": self.start, "end": self.end, "kind": self.kind, "score": self.score}


@dataclass(frozen=True, slots=True)
class MaskResult:
    text: str  # the masked text, same length as the input
    spans: tuple[PiiSpan, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "spans": [s.to_dict() for s in self.spans]}


@dataclass(frozen=True, slots=True)
class PiiPattern:
    """A named regex over ASCII-folded text with the confidence it carries when it validates."""

    name: str
    regex: str
    score: float


# Digits must not continue on either side; a separator is one space or dash between digits.
_NO_DIGIT_BEFORE = r"(?<![0-9])"
_NO_DIGIT_AFTER = r"(?![0-9])"


class PiiRecognizer:
    """One kind of number: patterns find candidates, :meth:`validate` keeps the real ones."""

    kind: PiiKind = ""
    name: str = ""
    patterns: tuple[PiiPattern, ...] = ()
    keep_last: int = 4  # digits left visible at the end when masking
    keep_first: int = 0  # digits left visible at the start when masking
    min_digits: int = 11  # shortest digit count any pattern can match
    digit_counts: frozenset[int] = frozenset()  # digit counts (prefix included) a match can have

    def __init__(self) -> None:
        self._compiled = tuple(
            (p, re.compile(_NO_DIGIT_BEFORE + p.regex + _NO_DIGIT_AFTER)) for p in self.patterns
        )

    def validate(self, digits: str) -> bool:
        """Checksum or structure test on the bare digits (separators removed)."""
        return True

    def analyze(self, folded: str, offset: int) -> Iterable[tuple[int, int, float, str]]:
        """Yield (start, end, score, pattern name) of validated matches in ``folded``."""
        if folded.isdigit():
            # A plain run of digits is one whole number or none (no digit may continue it).
            if len(folded) in self.digit_counts:
                for pattern, compiled in self._compiled:
                    if compiled.fullmatch(folded) and self.validate(_bare_digits(folded)):
                        yield offset, offset + len(folded), pattern.score, pattern.name
                        return
            return
        for pattern, compiled in self._compiled:
            for m in compiled.finditer(folded):
                digits = _bare_digits(m.group())
                if self.validate(digits):
                    yield offset + m.start(), offset + m.end(), pattern.score, pattern.name


_SEPARATORS = str.maketrans("", "", " -+")


def _bare_digits(folded: str) -> str:
    """Digits (and a final X) of an ASCII-folded number, separators and plus sign removed."""
    return folded.translate(_SEPARATORS).upper()


def _plausible_birth_date(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


class IdCardRecognizer(PiiRecognizer):
    """Mainland resident ID: 18 characters with an ISO 7064 MOD 11-2 check digit (may be X),
    or the old 15-digit form whose birth date (YYMMDD, 19xx) is a real date."""

    kind = ID_CARD
    name = "cn-resident-id"
    min_digits = 15
    digit_counts = frozenset({15, 18})
    patterns = (
        PiiPattern("id18", r"[1-9][0-9]{5}(?:19|20)[0-9]{9}[0-9Xx]", 1.0),
        PiiPattern(
            "id18-grouped-6-8-4", r"[1-9][0-9]{5}[ -](?:19|20)[0-9]{6}[ -][0-9]{3}[0-9Xx]", 1.0
        ),
        PiiPattern("id18-grouped-6-12", r"[1-9][0-9]{5}[ -](?:19|20)[0-9]{9}[0-9Xx]", 1.0),
        PiiPattern("id15", r"[1-9][0-9]{14}", 0.6),
        PiiPattern("id15-grouped-6-6-3", r"[1-9][0-9]{5}[ -][0-9]{6}[ -][0-9]{3}", 0.6),
    )

    def validate(self, digits: str) -> bool:
        if len(digits) == 18:
            return _plausible_birth_date(digits[6:14]) and bool(mod_11_2.is_valid(digits))
        if len(digits) == 15 and digits.isdigit():
            return _plausible_birth_date("19" + digits[6:12])
        return False


class BankCardRecognizer(PiiRecognizer):
    """Bank cards: 16–19 digits passing the Luhn check, plain or in groups of four."""

    kind = BANK_CARD
    name = "luhn-card"
    min_digits = 16
    digit_counts = frozenset(range(16, 20))
    patterns = (
        PiiPattern("card", r"[1-9][0-9]{15,18}", 0.9),
        PiiPattern(
            "card-grouped-4", r"[1-9][0-9]{3}(?:[ -][0-9]{4}){3}(?:[ -][0-9]{1,4}|[0-9]{1,3})?", 0.9
        ),
        PiiPattern("card-grouped-6", r"[1-9][0-9]{5}[ -][0-9]{10,13}", 0.9),
    )

    def validate(self, digits: str) -> bool:
        return 16 <= len(digits) <= 19 and digits.isdigit() and bool(luhn.is_valid(digits))


class MobileRecognizer(PiiRecognizer):
    """Mainland mobile numbers 1[3-9]x xxxx xxxx, optionally after +86 / 0086 / 86."""

    kind = MOBILE
    name = "cn-mobile"
    keep_first = 3
    min_digits = 11
    digit_counts = frozenset({11, 13, 15})  # bare, after 86, after 0086
    patterns = (
        PiiPattern(
            "mobile",
            r"(?:(?:\+|00)?86[ -]?)?1[3-9][0-9](?:[0-9]{8}|[ -]?[0-9]{4}[ -]?[0-9]{4})",
            0.8,
        ),
    )

    def validate(self, digits: str) -> bool:
        return len(digits) in self.digit_counts and digits[-11] == "1"


# Full-width digits, plus, dash, X and the ideographic space fold one-to-one, so offsets hold.
_FOLD = str.maketrans(
    "０１２３４５６７８９＋－ｘＸ\u3000\u2014\u2013\u2010",
    "0123456789+-xX ---",
)
_DIGIT = "0-9０-９"
# A run of digits possibly broken by single spaces or dashes, optionally ending in X.
_DIGIT_RUN = re.compile(
    f"[+＋]?[{_DIGIT}]+(?:[ \\-－\u3000\u2014\u2013\u2010][{_DIGIT}]+)*[xXｘＸ]?"
)
_HAS_DIGIT = re.compile(f"[{_DIGIT}]")


class PiiRegistry:
    """The recognisers in force; detection merges their results, strongest first."""

    def __init__(self, recognizers: Iterable[PiiRecognizer]) -> None:
        # Strongest first, so a run fully claimed by a sure match skips the other checksums.
        self.recognizers: tuple[PiiRecognizer, ...] = tuple(
            sorted(recognizers, key=lambda r: -max((p.score for p in r.patterns), default=0))
        )
        self._by_kind = {r.kind: r for r in self.recognizers}
        self._min_digits = min((r.min_digits for r in self.recognizers), default=0)

    def recognizer_for(self, kind: PiiKind) -> PiiRecognizer:
        return self._by_kind[kind]

    def detect(self, text: str) -> tuple[PiiSpan, ...]:
        """Every personal number in ``text``, non-overlapping, in text order."""
        if not self.recognizers or _HAS_DIGIT.search(text) is None:
            return ()
        found: list[PiiSpan] = []
        for run in _DIGIT_RUN.finditer(text):
            if run.end() - run.start() < self._min_digits:
                continue
            found.extend(self._detect_in_run(text, run.start(), run.end()))
        return tuple(found)

    def _detect_in_run(self, text: str, start: int, end: int) -> list[PiiSpan]:
        folded = text[start:end].translate(_FOLD)
        candidates: list[PiiSpan] = []
        for rec in self.recognizers:
            for a, b, score, pattern in rec.analyze(folded, start):
                candidates.append(
                    PiiSpan(a, b, rec.kind, text[a:b], score, f"{rec.name}/{pattern}")
                )
            if candidates and candidates[0].start == start and candidates[0].end == end:
                return candidates[:1]  # the strongest recogniser took the whole run
        if len(candidates) <= 1:
            return candidates
        candidates.sort(key=lambda s: (-s.score, -(s.end - s.start), s.start))
        kept: list[PiiSpan] = []
        for cand in candidates:
            if all(cand.end <= k.start or k.end <= cand.start for k in kept):
                kept.append(cand)
        return sorted(kept, key=lambda s: s.start)


def mask_spans(text: str, spans: Iterable[PiiSpan], registry: PiiRegistry) -> str:
    """Replace the hidden digits of each span with ``*``; separators and length stay."""
    pieces: list[str] = []
    pos = 0
    for span in spans:
        rec = registry.recognizer_for(span.kind)
        pieces.append(text[pos : span.start])
        pieces.append(_mask_number(span.text, rec.keep_first, rec.keep_last))
        pos = span.end
    pieces.append(text[pos:])
    return "".join(pieces)


def _mask_number(number: str, keep_first: int, keep_last: int) -> str:
    folded = number.translate(_FOLD)
    positions = [i for i, ch in enumerate(folded) if ch in _NUMBER_CHARS]
    if keep_first and len(positions) > 11:
        # Digits after a +86 / 0086 / 86 prefix count from the real number's first digit.
        positions = positions[len(positions) - 11 :]
    if len(positions) <= keep_first + keep_last:
        return number
    chars = list(number)
    for i in positions[keep_first : len(positions) - keep_last]:
        chars[i] = MASK_CHAR
    return "".join(chars)


_NUMBER_CHARS = frozenset("0123456789Xx")


@cache
def default_registry() -> PiiRegistry:
    return PiiRegistry([IdCardRecognizer(), BankCardRecognizer(), MobileRecognizer()])


def digit_runs(text: str, min_digits: int) -> list[tuple[int, int]]:
    """Spans of digit runs (single spaces or dashes allowed inside) with at least ``min_digits``
    digits, whether or not they pass any checksum."""
    if _HAS_DIGIT.search(text) is None:
        return []
    return [
        (m.start(), m.end())
        for m in _DIGIT_RUN.finditer(text)
        if m.end() - m.start() >= min_digits
        and len(_bare_digits(m.group().translate(_FOLD))) >= min_digits
    ]


def detect_pii(text: str, registry: PiiRegistry | None = None) -> tuple[PiiSpan, ...]:
    return (registry or default_registry()).detect(text)


def mask_pii(text: str, registry: PiiRegistry | None = None) -> MaskResult:
    """Mask every ID card, bank card and mobile number, keeping a hint (last 4; mobiles 3+4)."""
    reg = registry or default_registry()
    spans = reg.detect(text)
    if not spans:
        return MaskResult(text, ())
    return MaskResult(mask_spans(text, spans, reg), spans)
