"""Example situations: how people actually describe each scenario, for the matcher to learn from.

A playbook directory may hold an ``examples/`` folder of tab-separated files::

    # comment lines and blank lines are ignored
    scenario<TAB>text
    card-retained.atm-swallowed-card<TAB>取款机把卡吃了不吐

One row is one way staff or customers put the situation into words — shorthand, the customer's
own voice, a supervisor's case note, traditional Chinese, dialect. Signals say *what* to look
for; examples show *how it is said*, and the matcher weighs their words and learns which
words point to which topic. A bank adds rows for its own scenarios (or more for built-in ones)
in its playbook directory's ``examples/`` folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from calmdesk import errors

__all__ = [
    "EXAMPLES_DIR_NAME",
    "MAX_EXAMPLE_CHARS",
    "read_example_file",
    "read_examples",
    "unknown_example_ids",
]

EXAMPLES_DIR_NAME = "examples"
MAX_EXAMPLE_CHARS = 200
_HEADER = ("scenario", "text")

Examples = dict[str, list[str]]


def read_examples(
    playbook_dir: Path, label_root: Path
) -> tuple[Examples, list[errors.DataFileProblem]]:
    """Every example row under ``playbook_dir/examples/*.tsv``, by scenario id, with problems.

    A missing ``examples`` folder is fine (examples are optional); every bad row is reported
    with its file and line, and the good rows are still returned.
    """
    folder = playbook_dir / EXAMPLES_DIR_NAME
    found: Examples = {}
    problems: list[errors.DataFileProblem] = []
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.glob("*.tsv")):
        label = str(path.relative_to(label_root)) if path.is_relative_to(label_root) else str(path)
        rows, file_problems = read_example_file(path, label)
        problems += file_problems
        for scenario_id, text in rows:
            found.setdefault(scenario_id, []).append(text)
    return found, problems


def read_example_file(
    path: Path, label: str
) -> tuple[list[tuple[str, str]], list[errors.DataFileProblem]]:
    def problem(field: str, reason: str) -> errors.DataFileProblem:
        return errors.DataFileProblem(label, field, reason)

    try:
        content = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return [], [problem("(文件)", f"无法读取：{exc.strerror or exc}")]
    except UnicodeDecodeError as exc:
        return [], [problem("(文件)", f"不是 UTF-8 编码（第 {exc.start} 字节）")]
    rows: list[tuple[str, str]] = []
    problems: list[errors.DataFileProblem] = []
    header_seen = False
    for lineno, line in enumerate(content.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if not header_seen:
            header_seen = True
            if tuple(f.strip() for f in fields) != _HEADER:
                problems.append(problem(f"第 {lineno} 行", "第一行应为表头「scenario<TAB>text」"))
                return [], problems
            continue
        if len(fields) != 2:
            problems.append(
                problem(f"第 {lineno} 行", f"应为「场景 id<TAB>说法」两列，实际 {len(fields)} 列")
            )
            continue
        scenario_id, text = fields[0].strip(), fields[1].strip()
        if not scenario_id or not text:
            problems.append(problem(f"第 {lineno} 行", "场景 id 和说法都不能为空"))
        elif len(text) > MAX_EXAMPLE_CHARS:
            problems.append(
                problem(f"第 {lineno} 行", f"说法太长（{len(text)} 字，上限 {MAX_EXAMPLE_CHARS}）")
            )
        else:
            rows.append((scenario_id, text))
    if not header_seen:
        problems.append(problem("(文件)", "文件是空的，至少要有表头「scenario<TAB>text」"))
    return rows, problems


def unknown_example_ids(
    examples: Mapping[str, list[str]], known: Iterable[str], where: str
) -> list[errors.DataFileProblem]:
    """A problem for each example scenario id that names no scenario."""
    known_ids = set(known)
    return [
        errors.DataFileProblem(where, "scenario", "示例指向的场景不存在", scenario_id)
        for scenario_id in sorted(examples)
        if scenario_id not in known_ids
    ]
