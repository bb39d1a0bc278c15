"""PII recognisers: one table of positive and negative cases, plus masking properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.iso7064 import mod_11_2

from calmdesk.analysis.pii import (
    _DIGIT_RUN,
    _FOLD,
    MaskResult,
    PiiSpan,
    default_registry,
    detect_pii,
    luhn_valid,
    mask_pii,
    mod_11_2_valid,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def _cases() -> list[tuple[str, str, str]]:
    rows = []
    for line in (DATA / "pii_cases.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, text, masked = line.split("\t")
            rows.append((kind, text, masked))
    return rows


CASES = _cases()


@pytest.mark.parametrize(("kind", "text", "masked"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_recogniser_table(kind: str, text: str, masked: str) -> None:
    result = mask_pii(text)
    assert result.text == masked
    if kind == "-":
        assert result.spans == ()
    else:
        assert [s.kind for s in result.spans] == [kind]


def test_every_recogniser_has_positive_and_negative_cases() -> None:
    kinds = {k for k, _, _ in CASES}
    assert {r.kind for r in default_registry().recognizers} <= kinds
    assert "-" in kinds


def test_span_carries_offsets_score_and_recogniser() -> None:
    text = "电话13812345678，卡号6222020200001234562"
    spans = detect_pii(text)
    assert [(s.kind, text[s.start : s.end]) for s in spans] == [
        ("mobile", "13812345678"),
        ("bank-card", "6222020200001234562"),
    ]
    assert all(isinstance(s, PiiSpan) and 0 < s.score <= 1 and "/" in s.recognizer for s in spans)


def test_several_numbers_in_one_run_of_text() -> None:
    text = "6222020200001234562 13812345678 110101198001011232"
    assert [s.kind for s in detect_pii(text)] == ["bank-card", "mobile", "id-card"]


def test_to_dict_never_contains_the_number() -> None:
    result = mask_pii("身份证110101198001011232")
    out = result.to_dict()
    assert out["spans"] == [{"start": 3, "end": 21, "kind": "id-card", "score": 1.0}]
    assert "110101198001011232" not in str(out)


def test_text_without_digits_is_returned_as_is() -> None:
    text = "您好，请问您要办理什么业务？" * 100
    assert mask_pii(text) == MaskResult(text, ())


_CHINESE = st.sampled_from(list("您好请问卡号电话身份证是的了我们银行办理，。！ 元号-"))
_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=20)
_PIECES = st.lists(
    st.one_of(_CHINESE, _DIGITS, st.sampled_from(["13812345678", "6222020200001234562"]))
)


@settings(max_examples=300, deadline=None)
@given(_PIECES)
def test_masking_leaves_no_detectable_number(pieces: list[str]) -> None:
    text = "".join(pieces)
    result = mask_pii(text)
    assert len(result.text) == len(text)
    assert detect_pii(result.text) == ()
    for span in result.spans:
        assert "*" in result.text[span.start : span.end]


@settings(max_examples=300, deadline=None)
@given(_PIECES)
def test_masking_changes_only_detected_spans(pieces: list[str]) -> None:
    text = "".join(pieces)
    result = mask_pii(text)
    if not result.spans:
        assert result.text == text
    inside = {i for s in result.spans for i in range(s.start, s.end)}
    assert all(result.text[i] == text[i] for i in range(len(text)) if i not in inside)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789", min_size=2, max_size=19))
def test_luhn_agrees_with_python_stdnum(digits: str) -> None:
    assert luhn_valid(digits) == bool(luhn.is_valid(digits))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.sampled_from("0123456789Xx"))
def test_mod_11_2_agrees_with_python_stdnum(body: str, check: str) -> None:
    assert mod_11_2_valid(body + check) == bool(mod_11_2.is_valid((body + check).upper()))


def _reference_detect(text: str) -> tuple[PiiSpan, ...]:
    """The general algorithm alone: every digit run through every recogniser's patterns."""
    registry = default_registry()
    found: list[PiiSpan] = []
    for run in _DIGIT_RUN.finditer(text):
        folded = run.group().translate(_FOLD)
        found += registry._detect_in_run(text, folded, run.start(), run.end())
    return tuple(found)


_SEPARATED = st.lists(
    st.one_of(
        _CHINESE,
        _DIGITS,
        st.sampled_from(
            [
                "13812345678",
                "138 1234 5678",
                "+86 138-1234-5678",
                "１３８１２３４５６７８",
                "6222020200001234562",
                "6222 0202 0000 1234 562",
                "110101198001011232",
                "110101 19800101 1232",
                "110105491001001",
                "-",
                " ",
                "x",
            ]
        ),
    )
)


@settings(max_examples=500, deadline=None)
@given(_SEPARATED)
def test_fast_path_finds_what_the_general_algorithm_finds(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert detect_pii(text) == _reference_detect(text)


def test_span_repr_never_shows_the_number() -> None:
    (span,) = detect_pii("卡号6222020200001234562")
    assert "6222020200001234562" not in repr(span)
    assert "6222020200001234562" not in repr(mask_pii("卡号6222020200001234562"))
