"""Check a staff reply before it is said: what to change, what is already good, a better wording.

Reply rules are data (:mod:`calmdesk.analysis.reply_rules`). Every phrase of every rule — its
triggers and its context phrases — goes into ONE Aho–Corasick automaton, so a reply is scanned
once. Each trigger hit is then kept or dropped by its rule's context (longer exception phrases,
a negation just before it, required or cancelling phrases just after it), and a rule can be
cancelled by another code in the same reply (an ``alternative`` cancels ``refusal-only``).
Personal numbers are found by the PII recognisers, not by phrases.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

from calmdesk.analysis.pii import detect_pii, digit_runs
from calmdesk.analysis.reply_rules import (
    NEGATIVE_CODES,
    POSITIVE_CODES,
    SLOTS,
    ReplyRule,
    ReplyRuleSet,
    Window,
    code_order,
    load_reply_rules,
)
from calmdesk.analysis.rulebase import RuleSpec
from calmdesk.playbook.model import Scenario, Stage
from calmdesk.text.normalize import NormalizedText, Script, normalize, to_script
from calmdesk.text.phrases import PhraseMatcher

__all__ = ["NEGATIVE_CODES", "POSITIVE_CODES", "ReplyCheck", "ReplyChecker", "ReplyFinding"]

#: Characters that end a clause in normalised text; context windows never cross them.
CLAUSE_END = frozenset(",.!?;:。，！？；：\n")
_SENTENCE_END = "。！？"
_COMPOSE_ORDER = (
    "rule-only",
    "pii-exposure",
    "password-risk",
    "over-promise",
    "blame",
    "hostile",
    "joke",
    "dismissive",
    "refusal-only",
)
_WIDE_PUNCT = str.maketrans({",": "，", "!": "！", "?": "？", ";": "；", ":": "："})


@dataclass(frozen=True, slots=True)
class ReplyFinding:
    code: str
    start: int  # offsets into the ORIGINAL reply text
    end: int
    span_text: str
    principle: int  # METHOD §1 principle number
    message: str
    better: str | None  # a better wording for this part (negative findings only)
    rule: str

    def to_dict(self, script: Script = Script.HANS) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "start": self.start,
            "end": self.end,
            "text": self.span_text,
            "principle": self.principle,
            "message": to_script(self.message, script),
        }
        if self.code in NEGATIVE_CODES:
            out["better"] = to_script(self.better, script) if self.better else None
        return out


@dataclass(frozen=True)
class ReplyCheck:
    text: NormalizedText
    findings: tuple[ReplyFinding, ...]
    strengths: tuple[ReplyFinding, ...]
    score: int
    better: str | None = field(default=None, compare=False)  # the whole reply, improved

    @property
    def codes(self) -> set[str]:
        return {f.code for f in self.findings} | {s.code for s in self.strengths}

    def to_dict(self, script: Script | None = None) -> dict[str, Any]:
        out_script = script or self.text.script
        return {
            "text": self.text.original,
            "script": out_script.value,
            "score": self.score,
            "findings": [f.to_dict(out_script) for f in self.findings],
            "strengths": [s.to_dict(out_script) for s in self.strengths],
            "better": to_script(self.better, out_script) if self.better else None,
        }


class _Role(IntEnum):
    TRIGGER = 0
    EXCEPT = 1
    NEGATION = 2
    UNLESS_AFTER = 3
    REQUIRES_AFTER = 4
    REQUIRES_BEFORE = 5
    UNLESS_IN_REPLY = 6


Span = tuple[int, int]
#: Shortest digit run a ``long-number`` detector reports (a mobile number has 11).
LONG_NUMBER_DIGITS = 11
#: Code-backed detectors over the normalised text; their spans get the same context checks.
_DETECTORS: dict[str, Callable[[str], list[Span]]] = {
    "pii-number": lambda text: [(s.start, s.end) for s in detect_pii(text)],
    "long-number": lambda text: digit_runs(text, LONG_NUMBER_DIGITS),
}


class ReplyChecker:
    """Loaded reply rules compiled into one automaton."""

    def __init__(self, ruleset: ReplyRuleSet) -> None:
        self.ruleset = ruleset
        self._rules = ruleset.rules
        entries: list[tuple[str, tuple[int, _Role]]] = []
        for index, rule in enumerate(self._rules):
            for role, phrases in _context_phrases(rule):
                entries.extend((p, (index, role)) for p in phrases)
        self._matcher: PhraseMatcher[tuple[int, _Role]] = PhraseMatcher(entries)
        deps: dict[str, set[str]] = {}
        for rule in self._rules:
            deps.setdefault(rule.code, set()).update(rule.unless_codes)
        rank = {code: n for n, code in enumerate(code_order(deps))}
        self._evaluation_order = sorted(
            range(len(self._rules)), key=lambda i: rank[self._rules[i].code]
        )
        self._detector_rules = [i for i, r in enumerate(self._rules) if r.detector]
        self._slots_by_scenario: dict[str, dict[str, str]] = {}

    @classmethod
    def load(cls, rules_dirs: Sequence[Path] = ()) -> ReplyChecker:
        return cls(load_reply_rules(rules_dirs))

    def rules(self) -> list[RuleSpec]:
        """Every rule with its own examples, for the shared rule-example test."""
        return [
            RuleSpec(rule.name, rule.source, rule.fire, rule.quiet, self._fires_for(rule.name))
            for rule in self._rules
        ]

    def _fires_for(self, name: str) -> Callable[[str], bool]:
        def fires(text: str) -> bool:
            result = self.check(normalize(text))
            return any(f.rule == name for f in (*result.findings, *result.strengths))

        return fires

    # -- checking -------------------------------------------------------------------------

    def check(self, text: NormalizedText, *, scenario: Scenario | None = None) -> ReplyCheck:
        raw = self._raw_spans(text)
        kept = self._resolve_codes(raw)
        slots = self._slots(scenario)
        findings: list[ReplyFinding] = []
        strengths: list[ReplyFinding] = []
        for index in sorted(kept):
            rule = self._rules[index]
            better = rule.better.format(**slots) if rule.better else None
            target = findings if rule.negative else strengths
            for start, end in kept[index]:
                target.append(
                    ReplyFinding(
                        rule.code,
                        start,
                        end,
                        text.original[start:end],
                        rule.principle,
                        rule.message,
                        better,
                        rule.name,
                    )
                )
        findings = _dedupe(findings)
        strengths = _dedupe(strengths)
        score = self._score(findings, strengths)
        better = _improved_reply(text, findings, strengths, slots) if findings else None
        return ReplyCheck(text, tuple(findings), tuple(strengths), score, better)

    def _raw_spans(self, text: NormalizedText) -> dict[int, list[Span]]:
        """Rule index → kept trigger spans (ORIGINAL offsets), before code cancellation."""
        norm = text.text
        buckets: dict[int, list[list[Span]]] = {}
        for hit in self._matcher.iter_hits(norm):
            index, role = hit.payload
            roles = buckets.get(index)
            if roles is None:
                roles = buckets[index] = [[] for _ in _Role]
            roles[role].append((hit.start, hit.end))
        for index in self._detector_rules:
            detector = self._rules[index].detector
            found = _DETECTORS[detector](norm) if detector else []
            if found:
                roles = buckets.setdefault(index, [[] for _ in _Role])
                roles[_Role.TRIGGER].extend(found)
        raw: dict[int, list[Span]] = {}
        for index, roles in buckets.items():
            if not roles[_Role.TRIGGER] or roles[_Role.UNLESS_IN_REPLY]:
                continue
            rule = self._rules[index]
            spans = [
                text.original_span(*span)
                for span in roles[_Role.TRIGGER]
                if _keeps(norm, span, roles, rule)
            ]
            if spans:
                raw[index] = spans
        return raw

    def _resolve_codes(self, raw: dict[int, list[Span]]) -> dict[int, list[Span]]:
        """Drop rules cancelled by a code that stands in the reply (dependencies first)."""
        present: set[str] = set()
        kept: dict[int, list[Span]] = {}
        for index in self._evaluation_order:
            spans = raw.get(index)
            if not spans:
                continue
            rule = self._rules[index]
            if any(code in present for code in rule.unless_codes):
                continue
            kept[index] = spans
            present.add(rule.code)
        return kept

    def _score(self, findings: list[ReplyFinding], strengths: list[ReplyFinding]) -> int:
        weights = self.ruleset.weights
        codes = {f.code for f in findings} | {s.code for s in strengths}
        score = self.ruleset.base_score + sum(weights.get(code, 0) for code in codes)
        return max(0, min(100, score))

    # -- better wording -------------------------------------------------------------------

    def _slots(self, scenario: Scenario | None) -> dict[str, str]:
        if scenario is None:
            return self.ruleset.suggestions
        cached = self._slots_by_scenario.get(scenario.id)
        if cached is None:
            cached = self._slots_by_scenario[scenario.id] = self._scenario_slots(scenario)
        return cached

    def _scenario_slots(self, scenario: Scenario) -> dict[str, str]:
        """Fill each slot with the scenario's first clean script showing the wanted strength."""
        wanted = {
            "empathise": ("empathy", (Stage.EMPATHISE, Stage.RESPOND, Stage.LISTEN)),
            "resolve": ("alternative", (Stage.RESOLVE, Stage.CLOSE, Stage.CLARIFY)),
            "purpose": ("explains-purpose", (Stage.RESOLVE, Stage.CLARIFY, Stage.EMPATHISE)),
            "ownership": ("ownership", (Stage.CLOSE, Stage.RESOLVE)),
        }
        slots = dict(self.ruleset.suggestions)
        for slot, (code, stages) in wanted.items():
            for stage in stages:
                found = next((s for s in scenario.scripts_for(stage) if self._shows(s, code)), None)
                if found:
                    slots[slot] = found
                    break
        assert set(slots) >= set(SLOTS)
        return slots

    def _shows(self, script: str, code: str) -> bool:
        result = self.check(normalize(script))
        return not result.findings and any(s.code == code for s in result.strengths)


def _context_phrases(rule: ReplyRule) -> list[tuple[_Role, tuple[str, ...]]]:
    def window(w: Window | None) -> tuple[str, ...]:
        return w.phrases if w else ()

    return [
        (_Role.TRIGGER, rule.phrases),
        (_Role.EXCEPT, rule.except_in),
        (_Role.NEGATION, window(rule.negation)),
        (_Role.UNLESS_AFTER, window(rule.unless_after)),
        (_Role.REQUIRES_AFTER, window(rule.requires_after)),
        (_Role.REQUIRES_BEFORE, window(rule.requires_before)),
        (_Role.UNLESS_IN_REPLY, rule.unless_in_reply),
    ]


def _same_clause(text: str, start: int, end: int) -> bool:
    return not any(ch in CLAUSE_END for ch in text[start:end])


def _near_before(text: str, span: Span, others: list[Span], within: int) -> bool:
    start = span[0]
    return any(
        e <= start and start - e <= within and _same_clause(text, e, start) for _, e in others
    )


def _near_after(text: str, span: Span, others: list[Span], within: int) -> bool:
    end = span[1]
    return any(s >= end and s - end <= within and _same_clause(text, end, s) for s, _ in others)


def _keeps(text: str, span: Span, roles: list[list[Span]], rule: ReplyRule) -> bool:
    start, end = span
    if any(s <= start and end <= e for s, e in roles[_Role.EXCEPT]):
        return False
    if rule.negation and _near_before(text, span, roles[_Role.NEGATION], rule.negation.within):
        return False
    if rule.unless_after and _near_after(
        text, span, roles[_Role.UNLESS_AFTER], rule.unless_after.within
    ):
        return False
    if rule.requires_after and not _near_after(
        text, span, roles[_Role.REQUIRES_AFTER], rule.requires_after.within
    ):
        return False
    return not (
        rule.requires_before
        and not _near_before(text, span, roles[_Role.REQUIRES_BEFORE], rule.requires_before.within)
    )


def _dedupe(found: list[ReplyFinding]) -> list[ReplyFinding]:
    """One finding per code per stretch of text: overlapping same-code spans keep the longest."""
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[ReplyFinding] = []
    for f in found:
        if any(k.code == f.code and f.start < k.end and k.start < f.end for k in kept):
            continue
        kept.append(f)
    return kept


def _clauses(text: NormalizedText) -> list[tuple[str, int, int]]:
    """Normalised clauses with their trailing punctuation and their ORIGINAL span."""
    out: list[tuple[str, int, int]] = []
    start = 0
    norm = text.text
    for i, ch in enumerate(norm):
        if ch in CLAUSE_END:
            if i > start:
                a, b = text.original_span(start, i + 1)
                out.append((norm[start : i + 1], a, b))
            start = i + 1
    if start < len(norm):
        a, b = text.original_span(start, len(norm))
        out.append((norm[start:], a, b))
    return out


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    current = ""
    for ch in text:
        current += ch
        if ch in _SENTENCE_END:
            out.append(current)
            current = ""
    if current.strip():
        out.append(current)
    return out


def _improved_reply(
    text: NormalizedText,
    findings: list[ReplyFinding],
    strengths: list[ReplyFinding],
    slots: dict[str, str],
) -> str:
    """Empathy first, the clauses that were fine, then what can be done instead."""
    parts: list[str] = []
    soothed = any(s.code in ("empathy", "apology") for s in strengths)
    heated = any(f.code not in ("password-risk", "pii-exposure", "over-promise") for f in findings)
    if heated and not soothed:
        parts.extend(_sentences(slots["empathise"]))
    for clause, a, b in _clauses(text):
        if any(f.start < b and a < f.end for f in findings):
            continue
        parts.append(clause.translate(_WIDE_PUNCT))
    if parts and parts[-1] and parts[-1][-1] in "，、：；":
        parts[-1] = parts[-1][:-1] + "。"
    elif parts and parts[-1] and parts[-1][-1] not in _SENTENCE_END:
        parts[-1] += "。"
    # Why before what: the purpose of a rule, then repairs, then what can be done instead.
    for finding in sorted(findings, key=lambda f: _COMPOSE_ORDER.index(f.code)):
        for sentence in _sentences(finding.better or ""):
            if sentence not in parts:
                parts.append(sentence)
    return "".join(parts)
