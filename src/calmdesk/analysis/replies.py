"""Check a staff reply before it is said: what to change, what is already good, a better wording.

Reply rules are data (:mod:`calmdesk.analysis.reply_rules`). Every phrase of every rule — its
triggers and its context phrases — goes into ONE Aho–Corasick automaton, so a reply is scanned
once: the scan records each hit as ``(start, end, phrase id)`` and notes which rules it
triggers. Only those rules then look at their context (longer exception phrases, a negation
just before the hit, required or cancelling phrases just after it), by phrase-id sets, and a
rule can be cancelled by another code in the same reply (an ``alternative`` cancels
``refusal-only``). Personal numbers are found by the PII recognisers, not by phrases.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import ahocorasick

from calmdesk.analysis.pii import detect_pii, digit_runs
from calmdesk.analysis.reply_rules import (
    BANK_RULES_FILE,
    BUILTIN_RULES_FILE,
    NEGATIVE_CODES,
    POSITIVE_CODES,
    SLOTS,
    ReplyRuleSet,
    Window,
    code_order,
    load_reply_rules,
)
from calmdesk.analysis.rulebase import RuleSpec
from calmdesk.cache import cached, content_key
from calmdesk.data import DATA_DIR
from calmdesk.playbook.model import Scenario, Stage
from calmdesk.text.normalize import NormalizedText, Script, normalize, to_script

__all__ = ["NEGATIVE_CODES", "POSITIVE_CODES", "ReplyCheck", "ReplyChecker", "ReplyFinding"]

#: Characters that end a clause in normalised text; context windows never cross them.
CLAUSE_END = frozenset(",.!?;:。，！？；：\n")
_CLAUSE_BREAK = re.compile("[" + re.escape("".join(sorted(CLAUSE_END))) + "]")
#: A clause with its closing mark (a run of marks closes one clause; the rest are dropped).
_CLAUSE = re.compile("[^{0}]+(?:[{0}]|$)".format(re.escape("".join(sorted(CLAUSE_END)))))
#: Digits in normalised text (width already folded): the number detectors need one.
_DIGIT = re.compile("[0-9]")
_SENTENCE_END = "。！？"
_SENTENCE = re.compile(f"[^{_SENTENCE_END}]*[{_SENTENCE_END}]|[^{_SENTENCE_END}]+$")
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


Span = tuple[int, int]
Hit = tuple[int, int, int]  # start, end (normalised text), phrase id
#: Shortest digit run a ``long-number`` detector reports (a mobile number has 11).
LONG_NUMBER_DIGITS = 11
#: Shortest digit run a ``digit-run`` detector reports (passport, Taiwan ID and phone numbers).
DIGIT_RUN_DIGITS = 8
#: A number read out digit by digit in characters (一三八一二三四……); amounts use 千/百/万.
_SPOKEN_DIGITS = re.compile("[零〇一二三四五六七八九幺两]{7,}")
#: An ID that starts with letters (normalised text is lower case): Hong Kong (k613482(3)),
#: Taiwan (a123456789), Macau and passports (e12345678).
_LETTER_ID = re.compile(r"(?<![a-z0-9])[a-z]{1,2}[0-9]{6,9}(?:\([0-9a]\))?(?![0-9])")
#: Code-backed detectors over the normalised text; their spans get the same context checks.
_DETECTORS: dict[str, Callable[[str], list[Span]]] = {
    "pii-number": lambda text: [(s.start, s.end) for s in detect_pii(text)],
    "long-number": lambda text: digit_runs(text, LONG_NUMBER_DIGITS),
    "digit-run": lambda text: digit_runs(text, DIGIT_RUN_DIGITS),
    "spoken-number": lambda text: [m.span() for m in _SPOKEN_DIGITS.finditer(text)],
    "letter-id": lambda text: [m.span() for m in _LETTER_ID.finditer(text)],
}
_EMPTY: frozenset[int] = frozenset()
#: Detectors that only ever report runs of ASCII digits.
_DIGIT_DETECTORS = frozenset({"pii-number", "long-number", "digit-run", "letter-id"})


#: One context window with its phrases as phrase ids.
_IdWindow = tuple[Window, frozenset[int]]


@dataclass(frozen=True, slots=True)
class _Windows:
    """A rule's windows of one kind, and the union of their phrase ids (a reply holding none
    of them needs no walk over the hits)."""

    windows: tuple[_IdWindow, ...]
    ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class _Context:
    """One rule's context phrases as phrase-id sets, ready for the hot path."""

    except_in: frozenset[int]
    negation: _Windows | None
    unless_after: _Windows | None
    requires_after: _Windows | None
    requires_before: _Windows | None
    unless_in_reply: frozenset[int]
    #: Every phrase that can cancel a hit, and whether a hit needs a phrase near it: a reply
    #: with none of the first and a rule with no requirement keeps its hits without a walk.
    cancels: frozenset[int] = frozenset()
    requires: bool = False


class ReplyChecker:
    """Loaded reply rules compiled into one automaton."""

    def __init__(self, ruleset: ReplyRuleSet) -> None:
        self.ruleset = ruleset
        self._rules = ruleset.rules
        ids: dict[str, int] = {}
        triggers: dict[int, list[int]] = {}
        contexts: list[_Context] = []

        def id_set(phrases: tuple[str, ...]) -> frozenset[int]:
            return frozenset(ids.setdefault(p, len(ids)) for p in phrases)

        def windows(found: tuple[Window, ...]) -> _Windows | None:
            if not found:
                return None
            pairs = tuple((w, id_set(w.phrases)) for w in found)
            return _Windows(pairs, frozenset().union(*(i for _, i in pairs)))

        for index, rule in enumerate(self._rules):
            for pid in id_set(rule.phrases):
                triggers.setdefault(pid, []).append(index)
            except_in = id_set(rule.except_in)
            negation, unless_after = windows(rule.negation), windows(rule.unless_after)
            requires_after, requires_before = (
                windows(rule.requires_after),
                windows(rule.requires_before),
            )
            contexts.append(
                _Context(
                    except_in=except_in,
                    negation=negation,
                    unless_after=unless_after,
                    requires_after=requires_after,
                    requires_before=requires_before,
                    unless_in_reply=id_set(rule.unless_in_reply),
                    cancels=except_in.union(
                        *(w.ids for w in (negation, unless_after) if w is not None)
                    ),
                    requires=requires_after is not None or requires_before is not None,
                )
            )
        self._contexts = contexts
        # One automaton over every phrase; a hit carries its length, its id and the rules it
        # triggers, so the scan itself never looks anything up.
        self._automaton = ahocorasick.Automaton()
        for phrase, pid in ids.items():
            self._automaton.add_word(phrase, (len(phrase), pid, tuple(triggers.get(pid, ()))))
        self._phrase_count = len(ids)
        self._variants = str.maketrans(ruleset.variants) if ruleset.variants else None
        if ids:
            self._automaton.make_automaton()
        deps: dict[str, set[str]] = {}
        for rule in self._rules:
            deps.setdefault(rule.code, set()).update(rule.unless_codes)
        rank = {code: n for n, code in enumerate(code_order(deps))}
        # Rules are resolved code by code, each code after the codes that can cancel it.
        self._evaluation_rank = [rank[rule.code] for rule in self._rules]
        self._detector_rules = [i for i, r in enumerate(self._rules) if r.detector]
        self._slots_by_scenario: dict[str, dict[str, str]] = {}
        # A rule's better wording with the slots filled, per scenario (None: no scenario).
        self._better: dict[tuple[int, str | None], str | None] = {}

    @property
    def phrase_count(self) -> int:
        """Distinct phrases (triggers and context, templates expanded) in the automaton."""
        return self._phrase_count

    @classmethod
    def load(cls, rules_dirs: Sequence[Path] = ()) -> ReplyChecker:
        """The built-in rules plus each bank directory's ``replies.yaml``.

        Expanding the word classes and building the automaton (some 80,000 phrases) takes a
        quarter of a second, so the built checker is cached on disk, keyed by the rule files
        (and by calmdesk's own code, as every cache entry is); invalid rules raise before
        anything is cached."""
        files = [DATA_DIR / BUILTIN_RULES_FILE] + [Path(d) / BANK_RULES_FILE for d in rules_dirs]
        parts: list[str | bytes] = []
        for path in files:
            parts += [str(path), path.read_bytes() if path.is_file() else b""]
        return cached(
            "reply-checker", content_key(parts), lambda: cls(load_reply_rules(rules_dirs))
        )

    def rules(self) -> list[RuleSpec]:
        """Every rule with its own examples, for the shared rule-example test."""
        return [
            RuleSpec(rule.name, rule.source, rule.fire, rule.quiet, self._fires_for(rule.name))
            for rule in self._rules
        ]

    def _fires_for(self, name: str) -> Callable[[str], bool]:
        """Whether the rule itself fires: its hits survive their context and no cancelling code
        stands in the reply. (A longer span of another rule with the same code may still be the
        one reported.)"""
        index = next(i for i, r in enumerate(self._rules) if r.name == name)

        def fires(text: str) -> bool:
            return index in self._resolve_codes(self._raw_spans(normalize(text)))

        return fires

    # -- checking -------------------------------------------------------------------------

    def check(self, text: NormalizedText, *, scenario: Scenario | None = None) -> ReplyCheck:
        raw = self._raw_spans(text)
        kept = self._resolve_codes(raw)
        slots = self._slots(scenario)
        findings: list[ReplyFinding] = []
        strengths: list[ReplyFinding] = []
        scenario_key = scenario.id if scenario is not None else None
        for index in sorted(kept):
            rule = self._rules[index]
            key = (index, scenario_key)
            if key in self._better:
                better = self._better[key]
            else:
                better = self._better[key] = rule.better.format(**slots) if rule.better else None
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
        norm = text.text.translate(self._variants) if self._variants else text.text
        triggered: dict[int, list[Span]] = {}
        # The automaton's answers are collected in C; only trigger hits get a Python loop.
        found = list(self._automaton.iter(norm)) if self._phrase_count and norm else []
        hits: list[Hit] = [(last - value[0] + 1, last + 1, value[1]) for last, value in found]
        for last, (length, _, rules) in found:
            if rules:
                span = (last - length + 1, last + 1)
                for index in rules:
                    spans = triggered.get(index)
                    if spans is None:
                        triggered[index] = [span]
                    else:
                        spans.append(span)
        present = {hit[2] for hit in hits}
        has_digit = _DIGIT.search(norm) is not None
        for index in self._detector_rules:
            rule = self._rules[index]
            if rule.detector in _DIGIT_DETECTORS and not has_digit:
                continue  # no digit at all: no number to find
            before = self._contexts[index].requires_before
            if before and before.ids.isdisjoint(present):
                continue  # no label anywhere: the detector need not run
            numbers = _DETECTORS[rule.detector](norm) if rule.detector else []
            if numbers:
                triggered.setdefault(index, []).extend(numbers)
        raw: dict[int, list[Span]] = {}
        for index, spans in triggered.items():
            context = self._contexts[index]
            if not context.unless_in_reply.isdisjoint(present):
                continue
            if not context.requires and context.cancels.isdisjoint(present):
                kept = [text.original_span(*span) for span in spans]
            else:
                kept = [
                    text.original_span(*span)
                    for span in spans
                    if _keeps(norm, span, hits, present, context)
                ]
            if kept:
                raw[index] = kept
        return raw

    def _resolve_codes(self, raw: dict[int, list[Span]]) -> dict[int, list[Span]]:
        """Drop rules cancelled by a code that stands in the reply (dependencies first)."""
        present: set[str] = set()
        kept: dict[int, list[Span]] = {}
        for index in sorted(raw, key=self._evaluation_rank.__getitem__):
            spans = raw[index]
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


def _same_clause(text: str, start: int, end: int) -> bool:
    return _CLAUSE_BREAK.search(text, start, end) is None


def _near(
    text: str, span: Span, hits: list[Hit], window: Window, ids: frozenset[int], *, after: bool
) -> bool:
    """Whether a hit of one of ``ids`` ends at most ``window.within`` characters before the span
    (or, ``after``, starts that close after it), in the same clause unless the window's scope is
    the whole reply."""
    within, anywhere = window.within, window.scope == "reply"
    for s, e, pid in hits:
        if pid not in ids:
            continue
        # the gap runs from the earlier piece's end to the later piece's start
        a, b = (span[1], s) if after else (e, span[0])
        if 0 <= b - a <= within and (anywhere or _same_clause(text, a, b)):
            return True
    return False


def _any_window(
    text: str,
    span: Span,
    hits: list[Hit],
    windows: _Windows,
    present: set[int],
    *,
    after: bool,
) -> bool:
    """Whether any window holds one of its phrases near the hit. Windows none of whose
    phrases stand in the reply are skipped without walking the hits."""
    for window, ids in windows.windows:
        if not ids.isdisjoint(present) and _near(text, span, hits, window, ids, after=after):
            return True
    return False


def _keeps(text: str, span: Span, hits: list[Hit], present: set[int], context: _Context) -> bool:
    """Whether a trigger hit survives its rule's context. ``present`` (the phrase ids found in
    the reply) lets most checks finish without walking the hits."""
    start, end = span
    except_in = context.except_in
    if not except_in.isdisjoint(present):
        for s, e, pid in hits:
            if pid in except_in and s <= start and end <= e:
                return False
    negation = context.negation
    if (
        negation is not None
        and not negation.ids.isdisjoint(present)
        and _any_window(text, span, hits, negation, present, after=False)
    ):
        return False
    unless_after = context.unless_after
    if (
        unless_after is not None
        and not unless_after.ids.isdisjoint(present)
        and _any_window(text, span, hits, unless_after, present, after=True)
    ):
        return False
    after = context.requires_after
    if after is not None and (
        after.ids.isdisjoint(present)
        or not _any_window(text, span, hits, after, present, after=True)
    ):
        return False
    before = context.requires_before
    return before is None or (
        not before.ids.isdisjoint(present)
        and _any_window(text, span, hits, before, present, after=False)
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
    for m in _CLAUSE.finditer(text.text):
        a, b = text.original_span(m.start(), m.end())
        out.append((m.group(), a, b))
    return out


@cache
def _sentences(text: str) -> tuple[str, ...]:
    """Sentences with their closing mark; a trailing fragment without one is kept if not blank.
    (Cached: it only ever sees the rules' and scenarios' better wordings.)"""
    return tuple(s for s in _SENTENCE.findall(text) if s.strip())


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
