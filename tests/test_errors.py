"""Every stable error code is documented, and none is used twice."""

from __future__ import annotations

import re

from tests.conftest import ROOT

from calmdesk import errors

CODE = re.compile(r"E\d{3}")


def _codes() -> dict[str, str]:
    return {
        name: value
        for name, value in vars(errors).items()
        if name.isupper() and isinstance(value, str) and CODE.fullmatch(value)
    }


def test_every_error_code_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = {m.group(1) for m in re.finditer(r"^\| (E\d{3}) \|", readme, re.MULTILINE)}
    missing = set(_codes().values()) - table
    assert not missing, f"README's code table lacks {sorted(missing)}"


def test_no_code_names_two_things() -> None:
    values = list(_codes().values())
    assert len(values) == len(set(values))
