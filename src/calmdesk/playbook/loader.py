"""Load and validate playbook directories.

A playbook directory holds YAML files, one scenario per file (any sub-folders). The built-in
playbook ships in the package; a bank may point calmdesk at its own directory
(``--playbook DIR`` or ``CALMDESK_PLAYBOOK``): its scenarios extend the built-in ones, replace
one with the same ``id``, or switch one off with ``disabled: true``.

Validation collects every problem (file, scenario, field, reason) before raising, so a trainer
fixes a file in one pass.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from calmdesk import errors
from calmdesk.cache import cached, content_key
from calmdesk.data import DATA_DIR, load_yaml_file
from calmdesk.playbook.examples import EXAMPLES_DIR_NAME, read_examples, unknown_example_ids
from calmdesk.playbook.model import (
    Contact,
    Escalation,
    Place,
    Playbook,
    Scenario,
    Stage,
    Step,
    Topic,
)

__all__ = [
    "BUILTIN_PLAYBOOK_DIR",
    "PLAYBOOK_ENV",
    "check_playbook_dir",
    "load_playbook",
    "playbook_dirs_from_env",
]

BUILTIN_PLAYBOOK_DIR = DATA_DIR / "playbook"
PLAYBOOK_ENV = "CALMDESK_PLAYBOOK"

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{1,79}$")
_KNOWN_FIELDS = {
    "id",
    "topic",
    "places",
    "title",
    "situation",
    "signals",
    "steps",
    "donts",
    "principles",
    "why",
    "escalation",
    "compliance",
    "disabled",
}
_MAX_TEXT = 600
_E = TypeVar("_E", Topic, Place, Stage, Contact)


# YAML folding (">") joins lines with a space, which is noise between Chinese characters.
_SPACE_BETWEEN_WIDE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


def _tidy(text: str) -> str:
    return _SPACE_BETWEEN_WIDE.sub("", text.strip())


class _FileChecker:
    """Validates one scenario file, collecting problems instead of stopping at the first."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.item: str | None = None
        self.problems: list[errors.DataFileProblem] = []

    def problem(self, field: str, reason: str) -> None:
        self.problems.append(errors.DataFileProblem(self.label, field, reason, self.item))

    def text(self, data: dict[str, Any], key: str, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(key, "缺少此字段")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(key, "应为非空文字")
            return ""
        if len(value) > _MAX_TEXT:
            self.problem(key, f"太长（{len(value)} 字，上限 {_MAX_TEXT}）")
        return _tidy(value)

    def texts(self, data: Any, key: str, *, minimum: int = 1) -> tuple[str, ...]:
        value = data.get(key) if isinstance(data, dict) else data
        if value is None:
            if minimum:
                self.problem(key, "缺少此字段")
            return ()
        if not isinstance(value, list):
            self.problem(key, "应为列表")
            return ()
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{key}[{i}]", "应为非空文字")
            elif len(item) > _MAX_TEXT:
                self.problem(f"{key}[{i}]", f"太长（{len(item)} 字，上限 {_MAX_TEXT}）")
            else:
                out.append(_tidy(item))
        if len(out) < minimum:
            self.problem(key, f"至少需要 {minimum} 项，现有 {len(out)} 项")
        return tuple(out)

    def enum(self, value: Any, kind: type[_E], field: str) -> _E | None:
        try:
            return kind(value)
        except ValueError:
            allowed = "、".join(m.value for m in kind)
            self.problem(field, f"未知的代码「{value}」，可用：{allowed}")
            return None


def _parse_scenario(
    data: Any, label: str
) -> tuple[Scenario | None, str | None, list[errors.DataFileProblem]]:
    """Return (scenario, id-if-disabled, problems)."""
    c = _FileChecker(label)
    if not isinstance(data, dict):
        c.problem("(文件)", "应为一个场景（键值映射），而不是" + type(data).__name__)
        return None, None, c.problems
    raw_id = data.get("id")
    if not isinstance(raw_id, str) or not _ID_PATTERN.match(raw_id):
        c.problem("id", "缺少或格式不对：应为小写字母、数字、点和连字符，2–80 个字符")
        raw_id = None
    c.item = raw_id
    for key in data:
        if key not in _KNOWN_FIELDS:
            c.problem(str(key), "未知字段（拼写错误？）")
    if data.get("disabled") is True:
        return None, raw_id, c.problems
    if "disabled" in data and not isinstance(data["disabled"], bool):
        c.problem("disabled", "应为 true 或 false")

    topic = c.enum(data.get("topic"), Topic, "topic")
    places_raw = data.get("places")
    places: list[Place] = []
    if not isinstance(places_raw, list) or not places_raw:
        c.problem("places", "应为非空列表，如 [lobby, counter]")
    else:
        for i, p in enumerate(places_raw):
            place = c.enum(p, Place, f"places[{i}]")
            if place is not None:
                places.append(place)
    title = c.text(data, "title")
    situation = c.text(data, "situation")
    signals = c.texts(data, "signals", minimum=3)
    steps = _parse_steps(c, data.get("steps"))
    donts = c.texts(data, "donts", minimum=1)
    principles = _parse_principles(c, data.get("principles"))
    why = c.text(data, "why")
    escalation = _parse_escalation(c, data.get("escalation"))
    compliance = c.texts(data, "compliance", minimum=0)

    if c.problems or topic is None or raw_id is None:
        return None, None, c.problems
    scenario = Scenario(
        id=raw_id,
        topic=topic,
        places=tuple(places),
        title=title,
        situation=situation,
        signals=signals,
        steps=steps,
        donts=donts,
        principles=principles,
        why=why,
        escalation=escalation,
        compliance=compliance,
        source=label,
    )
    return scenario, None, []


def _parse_steps(c: _FileChecker, raw: Any) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw:
        c.problem("steps", "步骤为空：至少需要一步，每步写明 stage、action 和 scripts")
        return ()
    steps = []
    last_order = -1
    for i, item in enumerate(raw):
        field = f"steps[{i}]"
        if not isinstance(item, dict):
            c.problem(field, "应为包含 stage、action、scripts 的映射")
            continue
        stage = c.enum(item.get("stage"), Stage, f"{field}.stage")
        action = c.text(item, "action") if "action" in item else ""
        if not action:
            c.problem(f"{field}.action", "缺少此步要做的事")
        scripts = c.texts(item.get("scripts"), f"{field}.scripts", minimum=1)
        if stage is not None:
            if stage.order < last_order:
                c.problem(f"{field}.stage", f"阶段「{stage.value}」排在了更靠后的阶段之后")
            last_order = stage.order
            steps.append(Step(stage, action, scripts))
    return tuple(steps)


def _parse_principles(c: _FileChecker, raw: Any) -> tuple[int, ...]:
    if not isinstance(raw, list) or not raw:
        c.problem("principles", "应为 METHOD 原则编号列表，如 [2, 4]")
        return ()
    out = []
    for i, p in enumerate(raw):
        if not isinstance(p, int) or isinstance(p, bool) or not 1 <= p <= 7:
            c.problem(f"principles[{i}]", f"「{p}」不是 1–7 的原则编号")
        else:
            out.append(p)
    return tuple(out)


def _parse_escalation(c: _FileChecker, raw: Any) -> tuple[Escalation, ...]:
    if not isinstance(raw, list) or not raw:
        c.problem("escalation", "应列出何时找谁，如 - {when: 客户威胁伤人, contact: security}")
        return ()
    out = []
    for i, item in enumerate(raw):
        field = f"escalation[{i}]"
        if not isinstance(item, dict):
            c.problem(field, "应为包含 when 和 contact 的映射")
            continue
        when = c.text(item, "when")
        contact = c.enum(item.get("contact"), Contact, f"{field}.contact")
        if when and contact is not None:
            out.append(Escalation(when, contact))
    return tuple(out)


def _scenario_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


def _read_dir(
    directory: Path, label_root: Path
) -> tuple[list[Scenario], set[str], list[errors.DataFileProblem]]:
    if not directory.is_dir():
        return [], set(), [errors.DataFileProblem(str(directory), "(目录)", "目录不存在")]
    scenarios: list[Scenario] = []
    disabled: set[str] = set()
    problems: list[errors.DataFileProblem] = []
    seen: dict[str, str] = {}
    files = _scenario_files(directory)
    if not files:
        problems.append(errors.DataFileProblem(str(directory), "(目录)", "没有任何 .yaml 场景文件"))
    for path in files:
        label = str(path.relative_to(label_root)) if path.is_relative_to(label_root) else str(path)
        try:
            data = load_yaml_file(path, label=label, code=errors.PLAYBOOK_INVALID)
        except errors.DataFileError as exc:
            problems.extend(exc.problems)
            continue
        scenario, off, found = _parse_scenario(data, label)
        problems.extend(found)
        ident = scenario.id if scenario else off
        if ident is not None:
            if ident in seen:
                problems.append(
                    errors.DataFileProblem(
                        label, "id", f"重复的场景 id，已在 {seen[ident]} 中定义", ident
                    )
                )
                continue
            seen[ident] = label
        if scenario is not None:
            scenarios.append(scenario)
        elif off is not None:
            disabled.add(off)
    return scenarios, disabled, problems


def check_playbook_dir(directory: Path) -> list[errors.DataFileProblem]:
    """Validate one playbook directory on its own; return every problem found.

    Its examples may describe its own scenarios or built-in ones."""
    scenarios, _, problems = _read_dir(directory, directory)
    examples, found = read_examples(directory, directory)
    problems += found
    known = {s.id for s in scenarios}
    if examples.keys() - known and directory.resolve() != BUILTIN_PLAYBOOK_DIR.resolve():
        builtin, _, _ = _read_dir(BUILTIN_PLAYBOOK_DIR, BUILTIN_PLAYBOOK_DIR)
        known |= {s.id for s in builtin}
    problems += unknown_example_ids(examples, known, str(directory / EXAMPLES_DIR_NAME))
    return problems


def playbook_dirs_from_env() -> list[Path]:
    value = os.environ.get(PLAYBOOK_ENV, "").strip()
    return [Path(p) for p in value.split(os.pathsep) if p.strip()] if value else []


def load_playbook(extra_dirs: Sequence[Path] | Iterable[Path] = ()) -> Playbook:
    """The built-in playbook, extended (or overridden by id) by each extra directory in turn.

    Parsing some sixty YAML and example files is most of a CLI command's start-up, so the
    result is cached on disk, keyed by every file's path and content (an invalid playbook is
    never cached: it raises before anything is stored)."""
    dirs = [Path(d) for d in extra_dirs]
    parts: list[str | bytes] = [_CACHE_FORMAT]
    for directory in [BUILTIN_PLAYBOOK_DIR, *dirs]:
        parts.append(str(directory))
        if directory.is_dir():
            for path in sorted(_scenario_files(directory)) + sorted(
                (directory / EXAMPLES_DIR_NAME).glob("*.tsv")
            ):
                parts += [str(path.relative_to(directory)), path.read_bytes()]
    return cached("playbook", content_key(parts), lambda: _load_playbook(dirs))


_CACHE_FORMAT = "playbook-1"  # bump when the model classes or the loader change


def _load_playbook(extra_dirs: Sequence[Path]) -> Playbook:
    scenarios, _, problems = _read_dir(BUILTIN_PLAYBOOK_DIR, BUILTIN_PLAYBOOK_DIR)
    examples, found = read_examples(BUILTIN_PLAYBOOK_DIR, BUILTIN_PLAYBOOK_DIR)
    problems += found
    merged: dict[str, Scenario] = {s.id: s for s in scenarios}
    for directory in extra_dirs:
        directory = Path(directory)
        extra, disabled, found = _read_dir(directory, directory.parent)
        problems.extend(found)
        bank_examples, found = read_examples(directory, directory.parent)
        problems.extend(found)
        for scenario_id, texts in bank_examples.items():
            examples.setdefault(scenario_id, []).extend(texts)
        for scenario_id in disabled:
            if scenario_id not in merged:
                problems.append(
                    errors.DataFileProblem(
                        str(directory), "disabled", "要停用的场景不存在", scenario_id
                    )
                )
            merged.pop(scenario_id, None)
        for s in extra:
            merged[s.id] = s
    disabled_ids = {s.id for s in scenarios} - merged.keys()
    problems += unknown_example_ids(
        {k: v for k, v in examples.items() if k not in disabled_ids}, merged, "examples"
    )
    if problems:
        raise errors.DataFileError(problems, code=errors.PLAYBOOK_INVALID)
    return Playbook.of(merged.values(), examples)
