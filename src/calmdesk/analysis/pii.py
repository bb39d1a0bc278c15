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
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, NamedTuple

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


class PiiSpan(NamedTuple):
    """One personal number found in a text (offsets into that text).

    A named tuple rather than a dataclass: number-dense text creates one per number, and a
    tuple is built several times faster than a frozen dataclass.
    """

    start: int
    end: int
    kind: PiiKind
    text: str  # the raw number as written; never put it in output meant for others
    score: float
    recognizer: str  # "<recogniser>/<pattern>" that found it

    def __repr__(self) -> str:  # never the number: reprs end up in logs and tracebacks
        return (
            f"PiiSpan(start={self.start}, end={self.end}, kind={self.kind!r}, "
            f"score={self.score}, recognizer={self.recognizer!r})"
        )

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


class _CompiledPattern(NamedTuple):
    regex: re.Pattern[str]
    score: float
    label: str  # "<recogniser>/<pattern>"


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
            _CompiledPattern(
                re.compile(_NO_DIGIT_BEFORE + p.regex + _NO_DIGIT_AFTER),
                p.score,
                f"{self.name}/{p.name}",
            )
            for p in self.patterns
        )

    def validate(self, digits: str) -> bool:
        """Checksum or structure test on the bare digits (separators removed)."""
        return True

    def match_whole(self, folded: str, digits: str) -> _CompiledPattern | None:
        """The pattern that takes the whole of an ASCII-folded run, if its bare ``digits``
        validate."""
        if len(digits) in self.digit_counts:
            for pattern in self._compiled:
                if pattern.regex.fullmatch(folded) and self.validate(digits):
                    return pattern
        return None

    def analyze(self, folded: str, offset: int) -> Iterable[tuple[int, int, _CompiledPattern]]:
        """Yield (start, end, pattern) of validated matches anywhere in ``folded``."""
        if folded.isdigit():
            # A plain run of digits is one whole number or none (no digit may continue it).
            found = self.match_whole(folded, folded)
            if found is not None:
                yield offset, offset + len(folded), found
            return
        for pattern in self._compiled:
            for m in pattern.regex.finditer(folded):
                if self.validate(_bare_digits(m.group())):
                    yield offset + m.start(), offset + m.end(), pattern


_SEPARATORS = str.maketrans("", "", " -+")


def _bare_digits(folded: str) -> str:
    """Digits (and a final X) of an ASCII-folded number, separators and plus sign removed."""
    return folded.translate(_SEPARATORS).upper()


# Check digits, computed on the UTF-8 bytes of ASCII digits so the sums run in C. They agree
# with python-stdnum's ``luhn.is_valid`` and ``iso7064.mod_11_2.is_valid`` (the tests compare
# them on random numbers) and are 2–3× faster, which matters on number-dense text.
_LUHN_DOUBLED = str.maketrans("0123456789", "0246813579")  # 2d, minus 9 when above 9
_MOD_11_2_CHECK = "10X98765432"  # check character by weighted sum mod 11


def luhn_valid(digits: str) -> bool:
    """Luhn (ISO/IEC 7812) check of a string of ASCII digits."""
    kept = digits[-1::-2]
    doubled = digits[-2::-2].translate(_LUHN_DOUBLED)
    total = sum(kept.encode()) + sum(doubled.encode()) - 48 * len(digits)
    return total % 10 == 0


def mod_11_2_valid(number: str) -> bool:
    """ISO 7064 MOD 11-2 check of 17 ASCII digits plus a check character (0–9 or X).

    The weights are 2^17 … 2^1 mod 11. Reading the 17 digits as a base-13 number gives
    Σ d·13^k, and 13 ≡ 2 (mod 11), so twice that number is the weighted sum mod 11 — one
    C-level ``int()`` instead of 17 multiplications in Python.
    """
    total = 2 * int(number[:17], 13)
    return _MOD_11_2_CHECK[total % 11] == number[17].upper()


def _plausible_birth_date(yyyymmdd: str) -> bool:
    """A real calendar date from 1900-01-01 to today (YYYYMMDD)."""
    if not "19000101" <= yyyymmdd <= _today():
        return False
    try:
        date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return True


_today_cache: tuple[float, str] = (0.0, "")


def _today() -> str:
    """Today as YYYYMMDD, looked up at most once a minute (the clock call is the slow part)."""
    global _today_cache
    now = time.monotonic()
    if now - _today_cache[0] > 60:
        _today_cache = (now, date.today().strftime("%Y%m%d"))
    return _today_cache[1]


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
            return _plausible_birth_date(digits[6:14]) and mod_11_2_valid(digits)
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
        return 16 <= len(digits) <= 19 and digits.isdigit() and luhn_valid(digits)


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
_SEP = " \\-－\u3000\u2014\u2013\u2010"
_HAS_DIGIT = re.compile(f"[{_DIGIT}]")
# A run of digits possibly broken by single spaces or dashes, optionally ending in X.
_DIGIT_RUN = re.compile(f"[+＋]?[{_DIGIT}]+(?:[{_SEP}][{_DIGIT}]+)*[xXｘＸ]?")
# The same runs, found only when they hold enough digits for any number: the look-ahead counts
# digits inside the regex engine, so short numbers (amounts, dates, queue numbers) never reach
# Python.
_CANDIDATE_RUN = (
    # The first character is matched before the look-behind so the regex engine can skip to
    # candidate characters quickly; possessive quantifiers never backtrack into a run.
    f"[+＋{_DIGIT}](?<![{_DIGIT}][{_DIGIT}])"
    f"(?=(?:[{_SEP}]?[{_DIGIT}]){{{{{{n}}}}}})"
    f"[{_DIGIT}]*+(?:[{_SEP}][{_DIGIT}]++)*+[xXｘＸ]?"
)


class PiiRegistry:
    """The recognisers in force; detection merges their results, strongest first."""

    def __init__(self, recognizers: Iterable[PiiRecognizer]) -> None:
        # Strongest first, so a run fully claimed by a sure match skips the other checksums.
        self.recognizers: tuple[PiiRecognizer, ...] = tuple(
            sorted(recognizers, key=lambda r: -max((p.score for p in r.patterns), default=0))
        )
        self._by_kind = {r.kind: r for r in self.recognizers}
        self._min_digits = min((r.min_digits for r in self.recognizers), default=0)
        self._candidates = re.compile(_CANDIDATE_RUN.format(n=max(self._min_digits - 1, 1)))
        # Digit count → recognisers that can take a plain run of that length, strongest first.
        self._plain: dict[int, tuple[PiiRecognizer, ...]] = {}
        for rec in self.recognizers:
            for count in rec.digit_counts:
                self._plain[count] = (*self._plain.get(count, ()), rec)

    def recognizer_for(self, kind: PiiKind) -> PiiRecognizer:
        return self._by_kind[kind]

    def detect(self, text: str) -> tuple[PiiSpan, ...]:
        """Every personal number in ``text``, non-overlapping, in text order."""
        return tuple(span for span, _ in self._scan(text))

    def mask(self, text: str) -> MaskResult:
        """Detect and mask in one pass (what :func:`mask_pii` does, without folding and
        counting each number twice)."""
        spans: list[PiiSpan] = []
        pieces: list[str] = []
        pos = 0
        for span, folded in self._scan(text):
            spans.append(span)
            rec = self._by_kind[span.kind]
            pieces.append(text[pos : span.start])
            pieces.append(_mask_number(span.text, rec.keep_first, rec.keep_last, folded))
            pos = span.end
        if not spans:
            return MaskResult(text, ())
        pieces.append(text[pos:])
        return MaskResult("".join(pieces), tuple(spans))

    def _scan(self, text: str) -> Iterator[tuple[PiiSpan, str]]:
        """Each span found, with its text folded to ASCII."""
        if not self.recognizers or _HAS_DIGIT.search(text) is None:
            return
        for run in self._candidates.finditer(text):
            start, end = run.span()
            folded = run.group()
            if not folded.isascii():
                folded = folded.translate(_FOLD)
            # The common case: the whole run is one number (bare or grouped), found with one
            # dictionary look-up by its digit count and one checksum.
            digits = folded if folded.isdigit() else _bare_digits(folded)
            span = self._whole_run(text, folded, digits, start, end)
            if span is not None:
                yield span, folded
            elif folded is not digits:  # separators: the run may hold several numbers
                for part in self._detect_in_run(text, folded, start, end):
                    yield part, folded[part.start - start : part.end - start]

    def _whole_run(
        self, text: str, folded: str, digits: str, start: int, end: int
    ) -> PiiSpan | None:
        for rec in self._plain.get(len(digits), ()):  # only recognisers for this digit count
            for pattern in rec._compiled:
                if pattern.regex.fullmatch(folded) and rec.validate(digits):
                    return PiiSpan(
                        start, end, rec.kind, text[start:end], pattern.score, pattern.label
                    )
        return None

    def _detect_in_run(self, text: str, folded: str, start: int, end: int) -> list[PiiSpan]:
        """A run with separators (spaces, dashes, a plus sign) may hold several numbers.
        ``folded`` is ``text[start:end]`` folded to ASCII."""
        candidates: list[PiiSpan] = []
        for rec in self.recognizers:
            for a, b, found in rec.analyze(folded, start):
                candidates.append(PiiSpan(a, b, rec.kind, text[a:b], found.score, found.label))
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


def _mask_number(number: str, keep_first: int, keep_last: int, folded: str = "") -> str:
    """Hide the digits of ``number`` but the first ``keep_first`` and last ``keep_last``;
    separators stay. A mobile's +86 / 0086 / 86 prefix stays visible and does not count.
    ``folded`` is ``number`` folded to ASCII, when the caller has it already."""
    if not folded:
        folded = number if number.isascii() else number.translate(_FOLD)
    if folded.isdigit():  # bare digits: every character is one
        count = len(folded)
        first = keep_first + (count - 11 if keep_first and count > 11 else 0)
        a, b = first, count - keep_last
    else:
        count = len(_bare_digits(folded))
        first = keep_first + (count - 11 if keep_first and count > 11 else 0)
        a = _after_digits(folded, first)
        b = len(folded) - _after_digits(folded[::-1], keep_last)
    if count <= first + keep_last:
        return number
    return number[:a] + number[a:b].translate(_HIDE_DIGITS) + number[b:]


def _after_digits(folded: str, n: int) -> int:
    """Index just past the ``n``-th digit (or X) of ``folded``; 0 when ``n`` is 0."""
    seen = 0
    for i, ch in enumerate(folded):
        if seen == n:
            return i
        if ch in _NUMBER_CHARS:
            seen += 1
    return len(folded)


_NUMBER_CHARS = frozenset("0123456789Xx")
_HIDE_DIGITS = str.maketrans(dict.fromkeys("0123456789Xx０１２３４５６７８９ｘＸ", MASK_CHAR))


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
    return (registry or default_registry()).mask(text)
