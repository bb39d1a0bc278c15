"""One error tree for calmdesk.

Every error carries a stable code (``E101`` …) that logs and clients can key on, a Chinese
message for the person in front of the screen, and optional structured ``details``. The HTTP
layer maps the classes to status codes in one place (``calmdesk.web.errors``); the CLI prints
``[code] message`` and exits non-zero.

Code ranges: E1xx bad input, E2xx data files (playbook, rules, lexicons), E3xx storage,
E4xx things that do not exist, E500 an internal error. Every stable code is a constant in this
module (a test checks that the README's table lists each one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "BadInput",
    "CalmdeskError",
    "DataFileError",
    "DataFileProblem",
    "NotFound",
    "StorageError",
]


class CalmdeskError(Exception):
    """Base of every error calmdesk raises on purpose."""

    code: str = "E000"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details: dict[str, Any] = details

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            out["details"] = self.details
        return out


class BadInput(CalmdeskError):
    """The user's input cannot be used (empty, too long, binary, malformed)."""

    code = "E100"


# Stable input error codes. The message is Chinese because users read it.
EMPTY_TEXT = "E101"
TEXT_TOO_LONG = "E102"
BINARY_TEXT = "E103"
BAD_ENCODING = "E104"
BAD_JSON = "E105"
BAD_FIELD = "E106"
BAD_OPTION = "E107"
BODY_TOO_LARGE = "E108"  # an HTTP request body over the server's limit


@dataclass(frozen=True)
class DataFileProblem:
    """One thing wrong in a data file: where it is and what is wrong."""

    file: str
    field: str
    reason: str
    item: str | None = None  # scenario id or rule name, when known

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.item:
            where += f" [{self.item}]"
        return f"{where} {self.field}: {self.reason}"


class DataFileError(CalmdeskError):
    """A playbook, rule or lexicon file is invalid. Lists every problem found, not just the first."""

    code = "E200"

    def __init__(self, problems: list[DataFileProblem], *, code: str | None = None) -> None:
        self.problems = list(problems)
        head = f"数据文件有 {len(self.problems)} 处错误"
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{head}：\n{body}" if body else head, code=code)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["problems"] = [
            {"file": p.file, "item": p.item, "field": p.field, "reason": p.reason}
            for p in self.problems
        ]
        return out


PLAYBOOK_INVALID = "E201"
RULES_INVALID = "E202"
LEXICON_INVALID = "E203"
ENCOUNTER_DATA_INVALID = "E204"


class StorageError(CalmdeskError):
    """The database could not be reached or written."""

    code = "E300"


STORE_OPEN_FAILED = "E301"
STORE_WRITE_FAILED = "E302"


class NotFound(CalmdeskError):
    """A scenario, topic or session that does not exist."""

    code = "E400"


SESSION_NOT_FOUND = "E401"
SCENARIO_NOT_FOUND = "E402"
ROUTE_NOT_FOUND = "E404"  # no such HTTP address
METHOD_NOT_ALLOWED = "E405"  # an HTTP method the address does not take

#: Something went wrong that no input explains; the HTTP layer answers it without internals.
INTERNAL_ERROR = "E500"
