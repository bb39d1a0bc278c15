"""Normalise what a user typed before any analyser sees it.

raw text → validate → fold width and case, tidy spaces → traditional-to-simplified (OpenCC
``tw2s``) → banking-term overrides. The result keeps a character map back to the original, so
evidence spans can be reported as offsets into exactly what the user typed. The script the user
wrote in is detected on the way, so answers can be rendered back in it (:func:`to_script`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.metadata import PackageNotFoundError, version

import opencc

from calmdesk import errors
from calmdesk.cache import cached, content_key
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


_T2S_CONFIG = "tw2s"
_S2T_CONFIG = "s2tw"
#: Unified ideographs, extension A, compatibility ideographs, extension B.
_CJK_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0))


def _changed(chars: str, convert: Callable[[str], str]) -> frozenset[str]:
    """The characters of ``chars`` that ``convert`` changes, each taken on its own."""
    converted = convert(chars)
    if len(converted) != len(chars):  # a phrase rule fired across characters: one by one
        return frozenset(ch for ch in chars if convert(ch) != ch)
    return frozenset(a for a, b in zip(chars, converted, strict=True) if a != b)


def opencc_version() -> str:
    try:
        return version("opencc")
    except PackageNotFoundError:  # pragma: no cover - opencc is a hard dependency
        return "unknown"


class _Converter:
    """OpenCC converters plus the small override table for banking terms."""

    def __init__(self) -> None:
        self._t2s = opencc.OpenCC(_T2S_CONFIG)
        self._s2t: opencc.OpenCC | None = None  # ~40 ms to load; simplified-only runs never need it
        table = load_yaml_resource("lexicon/script_overrides.yaml")
        self.t2s_overrides: list[tuple[str, str]] = _pairs(table, "t2s")
        # one search finds whether any override applies (most texts: none)
        self.t2s_override_any = re.compile(
            "|".join(re.escape(src) for src, _ in self.t2s_overrides) or "(?!)"
        )
        self.s2t_overrides: list[tuple[str, str]] = _pairs(table, "s2t")
        # Characters OpenCC converts on their own. Text without any is already simplified, and
        # skipping OpenCC for it is faster and safer: tw2s also rewrites some simplified
        # phrases (系统一坏 → 系统一坯).
        # ...and the characters s2tw converts: counting both tells the script a text is in.
        self.traditional, self.simplified = cached(
            "script-characters",
            content_key([_T2S_CONFIG, _S2T_CONFIG, opencc_version()]),
            self._script_characters,
        )

    def _script_characters(self) -> tuple[frozenset[str], frozenset[str]]:
        chars = "".join(chr(c) for start, end in _CJK_BLOCKS for c in range(start, end))
        return _changed(chars, self.t2s), _changed(chars, self.s2t)

    def t2s(self, text: str) -> str:
        return self._t2s.convert(text)  # type: ignore[no-any-return]

    def s2t(self, text: str) -> str:
        if self._s2t is None:
            self._s2t = opencc.OpenCC(_S2T_CONFIG)
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
    if conv.traditional.isdisjoint(folded):
        simplified, script = folded, Script.HANS
    else:
        simplified = conv.t2s(folded)
        if len(simplified) != len(folded):  # a phrase rule changed the length: char by char
            simplified = "".join(conv.t2s(ch) if len(conv.t2s(ch)) == 1 else ch for ch in folded)
        script = _detect_script(folded, conv)
    if conv.t2s_override_any.search(simplified) is None:
        return NormalizedText(original, simplified, script, starts, ends)
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
        folded = original.translate(_fold_table())
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
        piece = _piece(ch)
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


@cache
def _fold_table() -> dict[int, str]:
    """Every Basic Multilingual Plane character that NFKC plus lower-casing changes (full-width
    forms, compatibility characters, capitals), for ``str.translate``: one C-level pass instead
    of a normalisation per character. Built once per Unicode version, then cached on disk."""
    return cached("fold-table", content_key([unicodedata.unidata_version]), _build_fold_table)


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        piece = unicodedata.normalize("NFKC", ch).lower()
        if piece != ch:
            table[code] = piece
    return table


def _piece(ch: str) -> str:
    """One character folded (the slow path, for text with whitespace or expansions)."""
    return _fold_table().get(ord(ch)) or unicodedata.normalize("NFKC", ch).lower()


def _detect_script(folded: str, conv: _Converter) -> Script:
    """Traditional when more characters are traditional-only than simplified-only."""
    traditional = sum(map(conv.traditional.__contains__, folded))
    simplified = sum(map(conv.simplified.__contains__, folded))
    return Script.HANT if traditional > simplified else Script.HANS


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
