from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calmdesk import errors
from calmdesk.text.normalize import MAX_TEXT_CHARS, Script, normalize, to_script


@pytest.mark.parametrize(
    ("raw", "text", "script"),
    [
        ("客户没带身份证", "客户没带身份证", Script.HANS),
        ("客戶的身份證過期了", "客户的身份证过期了", Script.HANT),
        ("帳戶被凍結了", "账户被冻结了", Script.HANT),  # override: 帐户 → 账户
        ("轉帳失敗", "转账失败", Script.HANT),
        ("著急", "着急", Script.HANT),
        ("ＡＴＭ把卡吞了！！", "atm把卡吞了!!", Script.HANS),
        ("１３８ 客户", "138客户", Script.HANS),
        ("客 户  没带 身份证", "客户没带身份证", Script.HANS),
        ("ATM  card", "atm card", Script.HANS),
        ("卡被吞了😡", "卡被吞了😡", Script.HANS),
        ("  前后空格  ", "前后空格", Script.HANS),
    ],
)
def test_normalize(raw: str, text: str, script: Script) -> None:
    norm = normalize(raw)
    assert norm.text == text
    assert norm.script is script


def test_offsets_point_into_the_original() -> None:
    raw = "我 的 帳戶 被凍結了！！"
    norm = normalize(raw)
    start = norm.text.index("冻结")
    assert norm.original_slice(start, start + 2) == "凍結"
    start = norm.text.index("账户")
    assert norm.original_slice(start, start + 2) == "帳戶"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", errors.EMPTY_TEXT),
        ("   \n\t ", errors.EMPTY_TEXT),
        ("字" * (MAX_TEXT_CHARS + 1), errors.TEXT_TOO_LONG),
        ("abc\x00def", errors.BINARY_TEXT),
        ("\x01\x02\x03", errors.BINARY_TEXT),
        (b"\xff\xfe\x00", errors.BAD_ENCODING),
        ("bad \udcff surrogate", errors.BAD_ENCODING),
        (None, errors.BAD_FIELD),
        (42, errors.BAD_FIELD),
    ],
)
def test_bad_input_names_what_is_wrong(raw: object, code: str) -> None:
    with pytest.raises(errors.BadInput) as info:
        normalize(raw)
    assert info.value.code == code
    assert info.value.message  # a Chinese sentence for the user


def test_utf8_bytes_are_accepted() -> None:
    assert normalize("客户".encode()).text == "客户"


def test_to_script_renders_traditional() -> None:
    assert to_script("账户被冻结，请到柜台办理", Script.HANT) == "帳戶被凍結，請到櫃檯辦理"
    assert to_script("账户", Script.HANS) == "账户"


@given(st.text(min_size=1, max_size=80))
def test_offsets_always_valid(raw: str) -> None:
    try:
        norm = normalize(raw)
    except errors.BadInput:
        return
    assert len(norm.starts) == len(norm.text) == len(norm.ends)
    for i in range(len(norm.text)):
        a, b = norm.original_span(i, i + 1)
        assert 0 <= a < b <= len(raw)
