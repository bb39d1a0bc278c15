"""Normalise what a user typed before any analyser sees it.

raw text → validate → fold width and case, tidy spaces → traditional-to-simplified (OpenCC
``tw2s``) → banking-term overrides. The result keeps a character map back to the original, so
evidence spans can be reported as offsets into exactly what the user typed. The script the user
wrote in is detected on the way, so answers can be rendered back in it (:func:`to_script`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import opencc

from calmdesk import errors
from calmdesk.data import load_yaml_resource

__all__ = [
    "MAX_TEXT_CHARS",
    "NormalizedText",
    "Script",
    "check_text",
    "normalize",
    "to_script",
]

#: Longest single text (a situation, an utterance, a reply) calmdesk accepts, in characters.
MAX_TEXT_CHARS = 2000


class Script(StrEnum):
    HANS = "hans"  # simplified Chinese
    HANT = "hant"  # traditional Chinese


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """Simplified, width-folded text plus the map back to the user's original characters."""

    original: str
    text: str
    script: Script
    # starts[i]: index in ``original`` where text[i] came from; ends[i]: just past it. A
    # ``range`` when every character maps to itself (the common case: nothing to copy).
    starts: Sequence[int]
    ends: Sequence[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``text`` to the span of ``original`` it came from."""
        if not self.text or end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def original_slice(self, start: int, end: int) -> str:
        a, b = self.original_span(start, end)
        return self.original[a:b]


class _Converter:
    """OpenCC converters plus the small override table for banking terms."""

    def __init__(self) -> None:
        self._t2s = opencc.OpenCC("tw2s")
        self._s2t: opencc.OpenCC | None = None  # ~40 ms to load; simplified-only runs never need it
        table = load_yaml_resource("lexicon/script_overrides.yaml")
        self.t2s_overrides: list[tuple[str, str]] = _pairs(table, "t2s")
        self.s2t_overrides: list[tuple[str, str]] = _pairs(table, "s2t")

    def t2s(self, text: str) -> str:
        return self._t2s.convert(text)  # type: ignore[no-any-return]

    def s2t(self, text: str) -> str:
        if self._s2t is None:
            self._s2t = opencc.OpenCC("s2tw")
        return self._s2t.convert(text)  # type: ignore[no-any-return]


def _pairs(table: object, key: str) -> list[tuple[str, str]]:
    problems: list[errors.DataFileProblem] = []
    entries = table.get(key, {}) if isinstance(table, dict) else None
    if not isinstance(entries, dict):
        raise errors.DataFileError(
            [
                errors.DataFileProblem(
                    "lexicon/script_overrides.yaml", key, "应为「原词: 替换词」的映射"
                )
            ],
            code=errors.LEXICON_INVALID,
        )
    pairs = []
    for src, dst in entries.items():
        if not isinstance(src, str) or not isinstance(dst, str) or len(src) != len(dst) or not src:
            problems.append(
                errors.DataFileProblem(
                    "lexicon/script_overrides.yaml",
                    f"{key}.{src}",
                    "原词与替换词须为等长的非空字符串",
                )
            )
            continue
        pairs.append((src, dst))
    if problems:
        raise errors.DataFileError(problems, code=errors.LEXICON_INVALID)
    return pairs


@cache
def _converter() -> _Converter:
    return _Converter()


def check_text(raw: object, *, field: str = "text", max_chars: int = MAX_TEXT_CHARS) -> str:
    """Return ``raw`` as usable text or raise :class:`~calmdesk.errors.BadInput` saying why."""
    if isinstance(raw, bytes | bytearray):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise errors.BadInput(
                f"「{field}」不是有效的 UTF-8 文本（第 {exc.start} 字节处无法解码）",
                code=errors.BAD_ENCODING,
                field=field,
            ) from None
    if not isinstance(raw, str):
        raise errors.BadInput(
            f"「{field}」应为文本，收到的是 {type(raw).__name__}",
            code=errors.BAD_FIELD,
            field=field,
        )
    if _SURROGATE.search(raw) is not None:
        raise errors.BadInput(
            f"「{field}」含有无法识别的字符（编码错误）", code=errors.BAD_ENCODING, field=field
        )
    if _BINARY_CONTROL.search(raw) is not None:
        controls = len(_BINARY_CONTROL.findall(raw))
        raise errors.BadInput(
            f"「{field}」看起来是二进制数据而不是文字（含 {controls} 个控制字符）",
            code=errors.BINARY_TEXT,
            field=field,
        )
    if not raw.strip():
        raise errors.BadInput(f"「{field}」是空的，请输入文字", code=errors.EMPTY_TEXT, field=field)
    if len(raw) > max_chars:
        raise errors.BadInput(
            f"「{field}」太长：{len(raw)} 个字符，上限 {max_chars} 个",
            code=errors.TEXT_TOO_LONG,
            field=field,
            limit=max_chars,
        )
    return raw


_SURROGATE = re.compile("[\ud800-\udfff]")
_BINARY_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s")


def normalize(
    raw: object, *, field: str = "text", max_chars: int = MAX_TEXT_CHARS
) -> NormalizedText:
    """Validate and normalise one text. Raises :class:`~calmdesk.errors.BadInput`."""
    original = check_text(raw, field=field, max_chars=max_chars)
    folded, starts, ends = _fold(original)
    conv = _converter()
    simplified = conv.t2s(folded)
    if len(simplified) != len(folded):  # a phrase rule changed the length: go char by char
        simplified = "".join(conv.t2s(ch) if len(conv.t2s(ch)) == 1 else ch for ch in folded)
    script = _detect_script(folded, simplified, conv)
    for src, dst in conv.t2s_overrides:
        if src in simplified:
            simplified = simplified.replace(src, dst)
    return NormalizedText(original, simplified, script, starts, ends)


def _fold(original: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """NFKC per character (full-width → half-width), lower-case, and drop stray spaces.

    Whitespace carries no meaning between Chinese characters, so it is dropped there; between
    two Latin letters or digits it becomes one space.
    """
    if _SPACE.search(original) is None:
        # The common case: no whitespace, and every character folds to exactly one.
        folded = "".join([_PIECES.get(ch) or _piece(ch) for ch in original])
        if len(folded) == len(original):
            return folded, range(len(original)), range(1, len(original) + 1)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pending_space: int | None = None
    for i, ch in enumerate(original):
        if ch.isspace():
            if pending_space is None:
                pending_space = i
            continue
        piece = _PIECES.get(ch) or _piece(ch)
        if pending_space is not None:
            if (
                out
                and out[-1].isascii()
                and out[-1].isalnum()
                and piece[:1].isascii()
                and piece[:1].isalnum()
            ):
                out.append(" ")
                starts.append(pending_space)
                ends.append(pending_space + 1)
            pending_space = None
        for p in piece:
            if p.isspace():
                continue
            out.append(p)
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), tuple(starts), tuple(ends)


#: Folded form of each character seen so far (NFKC then lower-case): one dictionary look-up
#: instead of a Unicode normalisation per character. Bounded, so odd input cannot grow it.
_PIECES: dict[str, str] = {}
_MAX_PIECES = 50_000


def _piece(ch: str) -> str:
    piece = unicodedata.normalize("NFKC", ch).lower()
    if len(_PIECES) < _MAX_PIECES:
        _PIECES[ch] = piece
    return piece


def _detect_script(folded: str, simplified: str, conv: _Converter) -> Script:
    if folded == simplified:
        return Script.HANS
    traditional_only = sum(1 for a, b in zip(folded, simplified, strict=False) if a != b)
    if not traditional_only:
        return Script.HANS
    as_traditional = conv.s2t(folded)
    simplified_only = sum(1 for a, b in zip(folded, as_traditional, strict=False) if a != b)
    return Script.HANT if traditional_only > simplified_only else Script.HANS


def to_script(text: str, script: Script) -> str:
    """Render simplified text in the user's script."""
    if script is Script.HANS or not text:
        return text
    conv = _converter()
    out = conv.s2t(text)
    for src, dst in conv.s2t_overrides:
        if src in out:
            out = out.replace(src, dst)
    return out
