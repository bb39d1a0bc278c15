"""Reply rules as data: load, validate and merge ``replies.yaml`` files.

The built-in rules live in ``data/rules/replies.yaml``. A bank's rules directory may hold its own
``replies.yaml`` with ``rules:`` (new rules, or replacements by ``name``), ``disable:`` (names
of rules to switch off) and ``classes:`` (new word classes, or replacements by name). Every
problem is collected (file, rule, field, reason) before a
:class:`~calmdesk.errors.DataFileError` with code ``E202`` is raised.

Word classes keep the rules short and general: a class of bank actions lets one phrase template
(``"{BANK_VERB}{CANNOT}"``) stand for every "cannot do X" wording, and ``"{GAP?}"`` marks an
optional class; the header of ``replies.yaml`` shows examples. Templates are expanded here, at
load time, into plain phrases, so the checker still scans a reply once with one automaton.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from calmdesk import errors
from calmdesk.data import DATA_DIR, load_yaml_file
from calmdesk.text.normalize import normalize

__all__ = [
    "BUILTIN_RULES_FILE",
    "DETECTORS",
    "NEGATIVE_CODES",
    "POSITIVE_CODES",
    "SLOTS",
    "WINDOW_SCOPES",
    "ReplyRule",
    "ReplyRuleSet",
    "Window",
    "load_reply_rules",
]

NEGATIVE_CODES: tuple[str, ...] = (
    "refusal-only",
    "rule-only",
    "blame",
    "hostile",
    "dismissive",
    "joke",
    "over-promise",
    "password-risk",
    "pii-exposure",
)
POSITIVE_CODES: tuple[str, ...] = (
    "empathy",
    "apology",
    "gratitude",
    "alternative",
    "explains-purpose",
    "ownership",
)
ALL_CODES = frozenset(NEGATIVE_CODES + POSITIVE_CODES)

#: Rules whose matching needs code rather than phrases.
DETECTORS = frozenset({"pii-number", "long-number", "digit-run", "spoken-number", "letter-id"})
#: Placeholders a ``better`` template may use; filled from the scenario or ``suggestions``.
SLOTS = ("empathise", "resolve", "purpose", "ownership")
#: Shortest list of examples each rule must carry, per kind.
MIN_EXAMPLES = 2

BUILTIN_RULES_FILE = "rules/replies.yaml"
BANK_RULES_FILE = "replies.yaml"
_UNKNOWN_FIELD = "未知字段"

_NAME = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+){1,3}$")
_CLASS_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
#: ``{NAME}`` or ``{NAME?}`` (optional) inside a phrase.
_PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)(\??)\}")
#: Most plain phrases one template may expand to (a guard against runaway products).
MAX_EXPANSION = 5000
#: Where a context window may look: the hit's own clause (default) or the whole reply.
WINDOW_SCOPES = ("clause", "reply")
_RULE_FIELDS = frozenset(
    {
        "name",
        "code",
        "principle",
        "message",
        "better",
        "phrases",
        "detector",
        "except_in",
        "negation",
        "unless_after",
        "requires_after",
        "requires_before",
        "unless_in_reply",
        "unless_codes",
        "examples",
    }
)


@dataclass(frozen=True, slots=True)
class Window:
    """Phrases looked for within ``within`` characters of a hit, in the same clause unless
    ``scope`` is ``"reply"`` (then clause ends are crossed)."""

    within: int
    phrases: tuple[str, ...]
    scope: str = "clause"


@dataclass(frozen=True)
class ReplyRule:
    name: str
    code: str
    principle: int
    message: str
    better: str | None
    phrases: tuple[str, ...] = ()
    detector: str | None = None
    except_in: tuple[str, ...] = ()
    # Each context is a tuple of windows: any window that matches cancels (``negation``,
    # ``unless_after``) or satisfies (``requires_after``, ``requires_before``) the hit.
    negation: tuple[Window, ...] = ()  # phrases just before the hit that cancel it
    unless_after: tuple[Window, ...] = ()  # phrases just after the hit that cancel it
    requires_after: tuple[Window, ...] = ()  # phrases that must follow the hit
    requires_before: tuple[Window, ...] = ()  # phrases that must precede the hit
    unless_in_reply: tuple[str, ...] = ()
    unless_codes: tuple[str, ...] = ()
    fire: tuple[str, ...] = ()
    quiet: tuple[str, ...] = ()
    source: str = field(default="", compare=False)

    @property
    def negative(self) -> bool:
        return self.code in NEGATIVE_CODES


@dataclass(frozen=True)
class ReplyRuleSet:
    rules: tuple[ReplyRule, ...]
    base_score: int
    weights: dict[str, int]
    suggestions: dict[str, str]
    #: Character variants folded before matching (the second-person variants of Taiwan text);
    #: one character each, so every offset stays valid.
    variants: dict[str, str] = field(default_factory=dict)


class _Problems:
    """One file's problems, plus the word classes its phrases may use."""

    def __init__(self, file: str, classes: dict[str, tuple[str, ...]] | None = None) -> None:
        self.file = file
        self.items: list[errors.DataFileProblem] = []
        self.classes: dict[str, tuple[str, ...]] = classes if classes is not None else {}

    def add(self, field_name: str, reason: str, item: str | None = None) -> None:
        self.items.append(errors.DataFileProblem(self.file, field_name, reason, item))


def load_reply_rules(rules_dirs: Sequence[Path] = ()) -> ReplyRuleSet:
    """Built-in rules, then each bank directory's ``replies.yaml`` in order."""
    problems: list[errors.DataFileProblem] = []
    builtin_path = DATA_DIR / BUILTIN_RULES_FILE
    raw = load_yaml_file(builtin_path, label=BUILTIN_RULES_FILE, code=errors.RULES_INVALID)
    report = _Problems(BUILTIN_RULES_FILE)
    top = _mapping(raw, report)
    classes = _parse_classes(top.get("classes"), report)
    report.classes = classes
    variants = _parse_variants(top.get("variants"), report)
    rules = {r.name: r for r in _parse_rules(top.get("rules"), report, required=True)}
    base, weights = _parse_scoring(top.get("scoring"), report)
    suggestions = _parse_suggestions(top.get("suggestions"), report, required=True)
    problems.extend(report.items)
    for folder in rules_dirs:
        path = Path(folder) / BANK_RULES_FILE
        if not Path(folder).is_dir():
            problems.append(errors.DataFileProblem(str(folder), "(目录)", "规则目录不存在"))
            continue
        if not path.is_file():
            continue
        report = _Problems(str(path))
        bank = _mapping(load_yaml_file(path, code=errors.RULES_INVALID), report)
        classes = {**classes, **_parse_classes(bank.get("classes"), report)}
        report.classes = classes
        variants.update(_parse_variants(bank.get("variants"), report))
        for rule in _parse_rules(bank.get("rules"), report, required=False):
            rules[rule.name] = rule
        for name in _str_list(bank.get("disable"), report, "disable"):
            if rules.pop(name, None) is None:
                report.add("disable", f"没有名为 {name} 的规则可以停用", name)
        suggestions.update(_parse_suggestions(bank.get("suggestions"), report, required=False))
        problems.extend(report.items)
    ruleset = ReplyRuleSet(tuple(rules.values()), base, weights, suggestions, variants)
    problems.extend(_check_code_cycles(ruleset))
    if problems:
        raise errors.DataFileError(problems, code=errors.RULES_INVALID)
    return ruleset


def _mapping(raw: Any, report: _Problems) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        report.add("(文件)", "顶层应为映射（classes: / rules: / disable: …）")
        return {}
    unknown = set(raw) - {
        "version",
        "variants",
        "classes",
        "rules",
        "disable",
        "scoring",
        "suggestions",
    }
    for key in sorted(map(str, unknown)):
        report.add(key, _UNKNOWN_FIELD)
    return raw


def _str_list(
    value: Any, report: _Problems, field_name: str, item: str | None = None
) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        report.add(field_name, "应为非空字符串的列表", item)
        return ()
    return tuple(value)


@cache
def _norm(piece: str) -> str:
    """Normalise a literal piece of a phrase or a class member the way texts are normalised."""
    return normalize(piece).text if piece.strip() else ""


def _parse_classes(value: Any, report: _Problems) -> dict[str, tuple[str, ...]]:
    """``classes: {NAME: [word, …]}``: word classes that phrases use as ``{NAME}``."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        report.add("classes", "应为「类名: [词, …]」的映射")
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for name, members in value.items():
        if not isinstance(name, str) or not _CLASS_NAME.match(name):
            report.add("classes", f"类名 {name!r} 应为大写字母、数字和下划线，如 BANK_VERB")
            continue
        words = _str_list(members, report, f"classes.{name}")
        if not words:
            report.add(f"classes.{name}", "至少要有一个词")
            continue
        if any(_PLACEHOLDER.search(w) for w in words):
            report.add(f"classes.{name}", "类里的词不能再引用别的类")
            continue
        out[name] = tuple(dict.fromkeys(_norm(w) for w in words))
    return out


def _parse_variants(value: Any, report: _Problems) -> dict[str, str]:
    """``variants: {character: character}``: single characters read as another before
    matching."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(k) == len(v) == 1
        for k, v in value.items()
    ):
        report.add("variants", "应为「单字: 单字」的映射，如 妳: 你")
        return {}
    return {_norm(k) or k: v for k, v in value.items()}


def expand_template(template: str, classes: dict[str, tuple[str, ...]]) -> list[str]:
    """Every plain phrase a template stands for; ``KeyError`` names an unknown class."""
    pieces = _PLACEHOLDER.split(template)
    # split() gives literal, name, optional-mark, literal, name, optional-mark, …, literal
    choices: list[tuple[str, ...]] = []
    for i in range(0, len(pieces), 3):
        choices.append((_norm(pieces[i]),))
        if i + 1 < len(pieces):
            members = classes[pieces[i + 1]]
            choices.append(("", *members) if pieces[i + 2] else members)
    size = 1
    for options in choices:
        size *= len(options)
    if size > MAX_EXPANSION:
        raise OverflowError(size)
    return ["".join(combo) for combo in itertools.product(*choices)]


def _phrases(value: Any, report: _Problems, field_name: str, item: str) -> tuple[str, ...]:
    """Phrases are matched against normalised text, so they are normalised the same way;
    templates (``{CLASS}``) are expanded into every phrase they stand for."""
    out: list[str] = []
    for phrase in _str_list(value, report, field_name, item):
        if "{" not in phrase:
            out.append(_norm(phrase))
            continue
        try:
            out.extend(expand_template(phrase, report.classes))
        except KeyError as exc:
            report.add(field_name, f"未知词类 {{{exc.args[0]}}}（在「{phrase}」中）", item)
        except OverflowError as exc:
            report.add(
                field_name, f"「{phrase}」展开成 {exc.args[0]} 个短语，上限 {MAX_EXPANSION}", item
            )
    return tuple(p for p in dict.fromkeys(out) if p)


def _windows(value: Any, report: _Problems, field_name: str, item: str) -> tuple[Window, ...]:
    """One window (a mapping) or several (a list of mappings): different reaches and scopes
    for different phrases, e.g. a question mark right after the hit, an empathy phrase later
    in the reply."""
    if value is None:
        return ()
    entries = value if isinstance(value, list) else [value]
    if not entries:
        report.add(field_name, "窗口列表不能为空", item)
        return ()
    windows = [
        _window(
            entry, report, f"{field_name}[{n}]" if isinstance(value, list) else field_name, item
        )
        for n, entry in enumerate(entries)
    ]
    return tuple(w for w in windows if w is not None)


def _window(value: Any, report: _Problems, field_name: str, item: str) -> Window | None:
    if (
        not isinstance(value, dict)
        or not {"within", "phrases"} <= set(value)
        or not set(value) <= {"within", "phrases", "scope"}
    ):
        report.add(field_name, "应为 {within: 字数, phrases: [...], scope: clause|reply}", item)
        return None
    within = value["within"]
    if not isinstance(within, int) or isinstance(within, bool) or not 0 <= within <= 50:
        report.add(f"{field_name}.within", "应为 0–50 的整数", item)
        return None
    scope = value.get("scope", "clause")
    if scope not in WINDOW_SCOPES:
        report.add(f"{field_name}.scope", f"应为 {' 或 '.join(WINDOW_SCOPES)}", item)
        return None
    phrases = _phrases(value["phrases"], report, f"{field_name}.phrases", item)
    if not phrases:
        report.add(f"{field_name}.phrases", "至少要有一个短语", item)
        return None
    return Window(within, phrases, scope)


def _parse_rules(value: Any, report: _Problems, *, required: bool) -> list[ReplyRule]:
    if value is None:
        if required:
            report.add("rules", "缺少规则列表")
        return []
    if not isinstance(value, list):
        report.add("rules", "应为规则列表")
        return []
    parsed: list[ReplyRule] = []
    seen: set[str] = set()
    for index, entry in enumerate(value):
        rule = _parse_rule(entry, report, index)
        if rule is None:
            continue
        if rule.name in seen:
            report.add("name", "同一文件里规则名重复", rule.name)
            continue
        seen.add(rule.name)
        parsed.append(rule)
    return parsed


def _parse_rule(entry: Any, report: _Problems, index: int) -> ReplyRule | None:
    if not isinstance(entry, dict):
        report.add(f"rules[{index}]", "每条规则应为映射")
        return None
    name = entry.get("name")
    item = name if isinstance(name, str) else f"rules[{index}]"
    before = len(report.items)
    for key in sorted(map(str, set(entry) - _RULE_FIELDS)):
        report.add(key, _UNKNOWN_FIELD, item)
    if not isinstance(name, str) or not _NAME.match(name):
        report.add("name", "应为命名空间名称，如 reply.refusal-only.cannot-do", item)
    code = entry.get("code")
    if code not in ALL_CODES:
        report.add(
            "code", f"未知代码 {code!r}；可用：{', '.join(NEGATIVE_CODES + POSITIVE_CODES)}", item
        )
    principle = entry.get("principle")
    if not isinstance(principle, int) or isinstance(principle, bool) or not 1 <= principle <= 7:
        report.add("principle", "应为 METHOD §1 的原则编号 1–7", item)
    message = entry.get("message")
    if not isinstance(message, str) or not message.strip():
        report.add("message", "缺少给员工看的说明", item)
    better = entry.get("better")
    if code in NEGATIVE_CODES:
        if not isinstance(better, str) or not better.strip():
            report.add("better", "负面规则必须给出更好的说法", item)
        else:
            _check_template(better, report, item)
    elif better is not None:
        report.add("better", "只有负面规则需要更好的说法", item)
    detector = entry.get("detector")
    phrases = _phrases(entry.get("phrases"), report, "phrases", item)
    if detector is not None and detector not in DETECTORS:
        report.add(
            "detector", f"未知识别器 {detector!r}；可用：{', '.join(sorted(DETECTORS))}", item
        )
    if bool(phrases) == (detector is not None):
        report.add("phrases", "须有 phrases 或 detector 二者之一", item)
    unless_codes = _str_list(entry.get("unless_codes"), report, "unless_codes", item)
    for c in unless_codes:
        if c not in ALL_CODES:
            report.add("unless_codes", f"未知代码 {c!r}", item)
    fire, quiet = _examples(entry.get("examples"), report, item)
    rule_kwargs = {
        "except_in": _phrases(entry.get("except_in"), report, "except_in", item),
        "negation": _windows(entry.get("negation"), report, "negation", item),
        "unless_after": _windows(entry.get("unless_after"), report, "unless_after", item),
        "requires_after": _windows(entry.get("requires_after"), report, "requires_after", item),
        "requires_before": _windows(entry.get("requires_before"), report, "requires_before", item),
        "unless_in_reply": _phrases(entry.get("unless_in_reply"), report, "unless_in_reply", item),
    }
    if len(report.items) > before:
        return None
    return ReplyRule(
        name=str(name),
        code=str(code),
        principle=int(principle),  # type: ignore[arg-type]
        message=str(message).strip(),
        better=better.strip() if isinstance(better, str) else None,
        phrases=phrases,
        detector=detector,
        unless_codes=unless_codes,
        fire=fire,
        quiet=quiet,
        source=report.file,
        **rule_kwargs,  # type: ignore[arg-type]
    )


def _check_template(template: str, report: _Problems, item: str) -> None:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        report.add("better", f"模板格式错误：{exc}", item)
        return
    for f in fields:
        if f not in SLOTS:
            report.add(
                "better",
                f"未知占位符 {{{f}}}；可用：{', '.join('{' + s + '}' for s in SLOTS)}",
                item,
            )


def _examples(value: Any, report: _Problems, item: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not isinstance(value, dict):
        report.add("examples", "每条规则都要带 examples: {fire: [...], quiet: [...]}", item)
        return (), ()
    out: list[tuple[str, ...]] = []
    for kind in ("fire", "quiet"):
        texts = _str_list(value.get(kind), report, f"examples.{kind}", item)
        if len(texts) < MIN_EXAMPLES:
            report.add(f"examples.{kind}", f"至少要 {MIN_EXAMPLES} 个例句", item)
        out.append(texts)
    return out[0], out[1]


def _parse_scoring(value: Any, report: _Problems) -> tuple[int, dict[str, int]]:
    if not isinstance(value, dict) or not isinstance(value.get("base"), int):
        report.add("scoring", "应为 {base: 整数, weights: {代码: 整数}}")
        return 70, {}
    weights = value.get("weights") or {}
    if not isinstance(weights, dict) or not all(
        k in ALL_CODES and isinstance(v, int) for k, v in weights.items()
    ):
        report.add("scoring.weights", "应为「回复代码: 整数分值」的映射")
        return int(value["base"]), {}
    return int(value["base"]), {str(k): int(v) for k, v in weights.items()}


def _parse_suggestions(value: Any, report: _Problems, *, required: bool) -> dict[str, str]:
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        report.add("suggestions", f"应为映射，键为 {', '.join(SLOTS)}")
        return {}
    out: dict[str, str] = {}
    for key, text in value.items():
        if key not in SLOTS or not isinstance(text, str) or not text.strip():
            report.add(f"suggestions.{key}", "未知占位符或内容为空")
            continue
        out[key] = text.strip()
    if required:
        for slot in SLOTS:
            if slot not in out:
                report.add(f"suggestions.{slot}", "缺少默认建议")
    return out


def _check_code_cycles(ruleset: ReplyRuleSet) -> list[errors.DataFileProblem]:
    """``unless_codes`` must not loop (A cancelled by B cancelled by A)."""
    deps: dict[str, set[str]] = {}
    for rule in ruleset.rules:
        deps.setdefault(rule.code, set()).update(rule.unless_codes)
    try:
        code_order(deps)
    except ValueError as exc:
        return [errors.DataFileProblem("replies.yaml", "unless_codes", str(exc))]
    return []


def code_order(deps: dict[str, set[str]]) -> list[str]:
    """Codes ordered so that every code comes after the codes that can cancel it."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(code: str, path: tuple[str, ...]) -> None:
        if state.get(code) == 2:
            return
        if state.get(code) == 1:
            raise ValueError("unless_codes 形成循环：" + " → ".join((*path, code)))
        state[code] = 1
        for dep in sorted(deps.get(code, ())):
            visit(dep, (*path, code))
        state[code] = 2
        order.append(code)

    for code in sorted(deps):
        visit(code, ())
    return order
