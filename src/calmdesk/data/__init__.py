"""Built-in data files (playbook, lexicons, rules) and the one YAML loader that reads them.

Domain knowledge lives in these files, not in code: a trainer edits YAML, calmdesk validates it
on load and names the file, the item and the field of every problem.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from calmdesk import errors

__all__ = ["DATA_DIR", "load_yaml_file", "load_yaml_resource"]

# libyaml's safe loader is several times faster; same results.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Folder of the built-in data files inside the installed package.
DATA_DIR = Path(str(resources.files("calmdesk.data")))


def load_yaml_file(
    path: Path, *, label: str | None = None, code: str = errors.LEXICON_INVALID
) -> Any:
    """Parse one YAML file; a missing, unreadable or malformed file is a DataFileError."""
    name = label or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise errors.DataFileError(
            [errors.DataFileProblem(name, "(文件)", f"无法读取：{exc.strerror or exc}")], code=code
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise errors.DataFileError(
            [errors.DataFileProblem(name, "(文件)", f"不是 UTF-8 编码（第 {exc.start} 字节）")],
            code=code,
        ) from None
    try:
        return yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark is not None else "某处"
        problem = getattr(exc, "problem", None) or "格式错误"
        raise errors.DataFileError(
            [errors.DataFileProblem(name, "(YAML)", f"{where}无法解析：{problem}")], code=code
        ) from None


def load_yaml_resource(relative: str, *, code: str = errors.LEXICON_INVALID) -> Any:
    """Load a built-in data file by its path relative to the data folder."""
    return load_yaml_file(DATA_DIR / relative, label=relative, code=code)
