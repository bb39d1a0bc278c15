"""Read the customer: anger 0–3 (METHOD.md §5) with evidence, and cues.

One Aho–Corasick pass over the normalised text finds every lexicon phrase: rule phrases (anger
rules with a kind and a weight, cue rules, and *neutral* rules that only shadow), the second
halves of two-part rules, negators, intensifiers/downtoners, politeness markers and the words
that aim a sentence at the staff (你们, 你). Then:

* a **two-part rule** (``phrases`` + ``then``) fires only when one of its phrases is followed
  within ``window`` characters of the same sentence by one of its ``then`` phrases — "我就去…
  电视台", "叫…出来", "你们…就是";
* a **neutral** rule's phrase hides every rule phrase inside it — "垃圾桶" is not "垃圾",
  "一刀切" not a knife; a negator inside any rule phrase is part of that phrase (看我不…, 取不出来);
* a **negator** ending at most ``negation_gap`` characters before a phrase (no punctuation between)
  cancels it — "我不生气", "没有怪你们"; not the 不 of an A-not-A question ("是不是", and 靠不靠谱
  is not 不靠谱), nor the 不是 of a 不是…吗 question;
* an **intensifier** just before a phrase multiplies its weight ("太慢", "简直离谱"), a
  **downtoner** lowers it ("有点着急");
* several phrases of one kind are one signal; the score is the strongest kind plus a share of the
  others, plus ``!``/``?!`` runs, plus a little when an exclaimed sentence is aimed at the staff;
* politeness without an exclamation pulls the score down and lifts the floors of the kinds in
  ``scoring.polite_lifts_floors`` (a polite demand is firm, not angry); a demand asked as a
  question (能不能给我办？) counts as a weaker request;
* some kinds set a **floor**: a threat, an insult or refusing to leave is 3 whatever else is said,
  an accusation, a demand, a challenge or an ultimatum at least 2;
* otherwise the score is bucketed into 0–3 by ``scoring.buckets``; an impolite exclamation with
  nothing else reads as 1.

Cues (elderly, urgency, repeat-visit, exposure-threat, violence, fraud, disability) are
independent of anger. Every phrase and threshold lives in ``data/rules/emotion_core.yaml``; a bank
adds or replaces rules by name, or switches them off, with ``emotion.yaml`` in a rules directory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import ahocorasick

from calmdesk import errors
from calmdesk.analysis.anger_model import AngerModel, anger_features
from calmdesk.analysis.learned import (
    LabelledText,
    learning_enabled,
    read_labelled,
    training_files,
)
from calmdesk.analysis.rulebase import RuleSpec
from calmdesk.cache import cached, content_key
from calmdesk.data import DATA_DIR, load_yaml_file, load_yaml_resource
from calmdesk.text.normalize import NormalizedText, Script, normalize, to_script

__all__ = ["Cue", "EmotionAnalyzer", "EmotionReading", "Evidence"]

BUILTIN_FILE = "rules/emotion_core.yaml"
BANK_FILE = "emotion.yaml"
NEUTRAL = "neutral"  # the kind of a rule that only hides phrases inside its own
LEARNED = "learned"  # the kind of evidence the learned model gives when it moves the level
_PUNCTUATION = frozenset("，。！？,.!?；;：:、~…")  # stops negators and intensifiers
_SENTENCE_END = frozenset("。！？!?；;…")  # stops the two halves of a two-part rule
_MAX_WINDOW = 30
_A_NOT_A_NEGATORS = frozenset("不没")

# what else a phrase is to the analyser, besides starting or completing rules (bit flags)
_NEGATOR, _POLITE, _DEGREE, _ADDRESS, _SHADOW = 1, 2, 4, 8, 16


class Cue(StrEnum):
    ELDERLY = "elderly"
    URGENCY = "urgency"
    REPEAT_VISIT = "repeat-visit"
    EXPOSURE_THREAT = "exposure-threat"
    VIOLENCE = "violence"
    FRAUD = "fraud"
    DISABILITY = "disability"


# Results are plain slotted dataclasses, not frozen ones: a frozen __init__ costs five times as
# much, and the reader builds several per utterance on a path measured in microseconds.
@dataclass(slots=True)
class Evidence:
    start: int  # offsets into the original input
    end: int
    text: str
    kind: str
    weight: float
    cue: Cue | None = None
    rule: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
            "weight": round(self.weight, 2),
        }
        if self.cue is not None:
            out["cue"] = self.cue.value
        if self.rule:
            out["rule"] = self.rule
        return out


@dataclass(slots=True)
class EmotionReading:
    text: NormalizedText
    anger: int
    cues: tuple[Cue, ...]
    evidence: tuple[Evidence, ...]
    score: float
    labels: dict[int, str]
    cue_labels: dict[str, str]

    def to_dict(self, script: Script | None = None) -> dict[str, Any]:
        s = script or self.text.script
        return {
            "text": self.text.original,
            "script": s.value,
            "anger": self.anger,
            "anger_label": to_script(self.labels[self.anger], s),
            "cues": [c.value for c in self.cues],
            "cue_labels": {c.value: to_script(self.cue_labels[c.value], s) for c in self.cues},
            "evidence": [e.to_dict() for e in self.evidence],
            "score": round(self.score, 2),
        }


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    kind: str  # anger kind, "neutral", or "cue"
    weight: float
    cue: Cue | None
    phrases: tuple[str, ...]
    then: tuple[str, ...]  # second halves; empty for a one-part rule
    window: int  # characters allowed between a phrase and its second half
    fire: tuple[str, ...]
    quiet: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class _Scoring:
    buckets: tuple[float, float, float]  # score thresholds for levels 1, 2, 3
    extra_share: float  # evidence beyond the strongest piece counts at this share
    negation_gap: int  # characters allowed between a negator and what it negates
    degree_gap: int  # … between an intensifier or downtoner and what it modifies
    polite_discount: float
    polite_lifts_floors: frozenset[str]
    punctuation_cap: float
    addressed_exclamation: float  # added when a sentence aimed at the staff is exclaimed
    asked_kinds: dict[str, str]  # kind → the kind it becomes inside a question (demand → request)
    asked_factor: float  # … and its weight is multiplied by this
    exclamation_alone: bool  # an exclamation without politeness or other evidence reads as 1


class _Problems:
    def __init__(self, label: str) -> None:
        self.label = label
        self.items: list[errors.DataFileProblem] = []

    def add(self, field: str, reason: str, item: str | None = None) -> None:
        self.items.append(errors.DataFileProblem(self.label, field, reason, item))


def _phrases(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not value:
        return None
    out = [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
    if not all(isinstance(v, str) and v for v in out):
        return None
    return tuple(normalize(v, max_chars=200).text for v in out)


def _positive(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def _parse_rule(raw: Any, section: str, p: _Problems) -> _Rule | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        p.add(section, "每条规则应为带 name 的映射")
        return None
    name = raw["name"]
    phrases = _phrases(raw.get("phrases"))
    if phrases is None:
        p.add("phrases", "应为非空的短语列表", name)
    then: tuple[str, ...] | None = ()
    if "then" in raw:
        then = _phrases(raw.get("then"))
        if then is None:
            p.add("then", "应为非空的短语列表（后半部分）", name)
    window = raw.get("window", 6)
    if not (
        isinstance(window, int) and not isinstance(window, bool) and 0 <= window <= _MAX_WINDOW
    ):
        p.add("window", f"应为 0–{_MAX_WINDOW} 的整数", name)
        window = 6
    examples = raw.get("examples")
    fire = quiet = None
    if isinstance(examples, dict):
        fire = examples.get("fire")
        quiet = examples.get("quiet")
    if not (
        isinstance(fire, list) and len(fire) >= 2 and isinstance(quiet, list) and len(quiet) >= 2
    ):
        p.add("examples", "需要 fire 和 quiet 各至少 2 个例句", name)
        fire = quiet = []
    cue = None
    kind = "cue"
    weight = 0.0
    if section == "cues":
        try:
            cue = Cue(str(raw.get("cue")))
        except ValueError:
            p.add("cue", f"未知的线索代码「{raw.get('cue')}」", name)
    else:
        kind = str(raw.get("kind") or "")
        if not kind:
            p.add("kind", "缺少类别", name)
        elif kind != NEUTRAL:
            w = _positive(raw.get("weight"))
            if w is None:
                p.add("weight", "应为正数", name)
            weight = w or 0.0
    if phrases is None or then is None:
        return None
    return _Rule(name, kind, weight, cue, phrases, then, window, tuple(fire), tuple(quiet), p.label)


def _scoring(raw: Any, p: _Problems) -> _Scoring:
    raw = raw if isinstance(raw, dict) else {}
    buckets = raw.get("buckets")
    if not (
        isinstance(buckets, list)
        and len(buckets) == 3
        and all(_positive(b) is not None for b in buckets)
        and buckets == sorted(buckets)
    ):
        p.add("scoring.buckets", "应为三个递增的正数（1、2、3 级的分数线）")
        buckets = [0.6, 1.8, 3.2]

    def number(key: str, default: float) -> float:
        value = raw.get(key, default)
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            p.add(f"scoring.{key}", "应为非负数")
            return default
        return float(value)

    asked = raw.get("asked_kinds", {})
    if not isinstance(asked, dict):
        p.add("scoring.asked_kinds", "应为「类别: 提问时的类别」的映射")
        asked = {}
    asked = {str(k): str(v) for k, v in asked.items()}
    lifts = raw.get("polite_lifts_floors", [])
    if not isinstance(lifts, list):
        p.add("scoring.polite_lifts_floors", "应为类别列表")
        lifts = []
    return _Scoring(
        (float(buckets[0]), float(buckets[1]), float(buckets[2])),
        number("extra_share", 0.3),
        int(number("negation_gap", 2)),
        int(number("degree_gap", 2)),
        number("polite_discount", 0.5),
        frozenset(str(k) for k in lifts),
        number("punctuation_cap", 1.2),
        number("addressed_exclamation", 0.0),
        asked,
        number("asked_factor", 1.0),
        bool(raw.get("exclamation_alone", False)),
    )


class EmotionAnalyzer:
    def __init__(self, config: dict[str, Any], rules: list[_Rule], scoring: _Scoring) -> None:
        self._rules = rules
        self._scoring = scoring
        self._model: AngerModel | None = None
        self._floors: dict[str, int] = dict(config["floors"])
        self._labels = {int(k): str(v) for k, v in config["labels"].items()}
        # 不是…吗 asks "isn't it …?": such a negator affirms what follows instead of negating it.
        self._question_negators = frozenset(
            normalize(w).text for w in config.get("question_negators") or ()
        )
        # 能办吗 / 怎么办么: how a question ends when there is no "?"
        self._question_endings = tuple(str(w) for w in config.get("question_endings") or ())
        self._trailing_particles = "".join(str(w) for w in config.get("trailing_particles") or ())
        self._cue_labels = {str(k): str(v) for k, v in config["cue_labels"].items()}
        # Per-rule facts the hot path reads by index.
        self._neutral = [r.kind == NEUTRAL for r in rules]
        self._two_part = [bool(r.then) for r in rules]
        # phrase → [rules it starts, rules it completes, negator?, polite?, degree multiplier]
        table: dict[str, list[Any]] = {}

        def entry(phrase: str) -> list[Any]:
            return table.setdefault(phrase, [[], [], False, False, 0.0, False])

        for i, rule in enumerate(rules):
            for ph in rule.phrases:
                if i not in entry(ph)[0]:
                    entry(ph)[0].append(i)
            for ph in rule.then:
                if i not in entry(ph)[1]:
                    entry(ph)[1].append(i)
        for w in config["negators"]:
            entry(normalize(w).text)[2] = True
        for w in config["polite"]:
            entry(normalize(w).text)[3] = True
        for section in ("intensifiers", "downtoners"):
            for w, m in (config.get(section) or {}).items():
                entry(normalize(str(w)).text)[4] = float(m)
        for w in config.get("addressees") or ():
            entry(normalize(w).text)[5] = True
        # One automaton, scanned once per text.
        self._automaton = ahocorasick.Automaton()
        for phrase, (starts, ends, neg, polite, degree, address) in table.items():
            opens = tuple(i for i in starts if self._two_part[i])
            shadow = any(self._neutral[i] for i in starts)
            flags = (_NEGATOR if neg else 0) | (_POLITE if polite else 0)
            flags |= (_DEGREE if degree else 0) | (_ADDRESS if address else 0)
            flags |= _SHADOW if shadow else 0
            value = (len(phrase), tuple(starts), tuple(ends), opens, flags, degree)
            self._automaton.add_word(phrase, value)
        self._automaton.make_automaton()

    @classmethod
    def load(
        cls, rules_dirs: Sequence[Path] = (), *, learned: bool | None = None
    ) -> EmotionAnalyzer:
        """The built-in rules plus each bank's ``emotion.yaml``; with the learned model trained on
        ``data/training/utterances-*.tsv`` unless ``learned`` is False (or CALMDESK_LEARNED=off)."""
        analyzer, banks_allow_model = cls._load_rules(rules_dirs)
        wanted = learned if learned is not None else learning_enabled()
        if wanted and banks_allow_model:
            sources = [DATA_DIR / BUILTIN_FILE]
            sources += [p for d in rules_dirs if (p := Path(d) / BANK_FILE).exists()]
            analyzer._model = load_anger_model(analyzer, sources)
        return analyzer

    @classmethod
    def _load_rules(cls, rules_dirs: Sequence[Path]) -> tuple[EmotionAnalyzer, bool]:
        """The rules, and whether every bank file allows the learned model (``learned: false``
        in a bank's ``emotion.yaml`` switches it off: its rules alone then decide)."""
        allow_model = True
        config = load_yaml_resource(BUILTIN_FILE, code=errors.RULES_INVALID)
        p = _Problems(BUILTIN_FILE)
        for key in ("labels", "cue_labels", "floors", "negators", "intensifiers", "polite"):
            if key not in config:
                p.add(key, "缺少此部分")
        scoring = _scoring(config.get("scoring"), p)
        rules: dict[str, _Rule] = {}
        for section in ("anger", "cues"):
            for raw in config.get(section) or []:
                rule = _parse_rule(raw, section, p)
                if rule is not None:
                    rules[rule.name] = rule
        for directory in rules_dirs:
            path = Path(directory) / BANK_FILE
            if not path.exists():
                continue
            bank = load_yaml_file(path, code=errors.RULES_INVALID)
            bp = _Problems(str(path))
            if not isinstance(bank, dict):
                bp.add("(文件)", "应为包含 rules 和/或 disable 的映射")
                bank = {}
            if "learned" in bank:
                if isinstance(bank["learned"], bool):
                    allow_model = allow_model and bank["learned"]
                else:
                    bp.add("learned", "应为 true 或 false")
            for raw in bank.get("rules") or []:
                section = "cues" if isinstance(raw, dict) and "cue" in raw else "anger"
                rule = _parse_rule(raw, section, bp)
                if rule is not None:
                    rules[rule.name] = rule
            for name in bank.get("disable") or []:
                if name not in rules:
                    bp.add("disable", "要停用的规则不存在", str(name))
                rules.pop(str(name), None)
            p.items += bp.items
        if p.items:
            raise errors.DataFileError(p.items, code=errors.RULES_INVALID)
        return cls(config, list(rules.values()), scoring), allow_model

    def analyze(self, text: NormalizedText) -> EmotionReading:
        model = self._model
        if model is None:
            return self._read(text, None)
        hidden: list[tuple[int, int]] = []
        reading = self._read(text, None, hidden)
        rule_level = reading.anger
        if rule_level >= 3:  # a threat, an insult, refusing to leave: the rules decide
            return reading
        level = model.decide(
            anger_features(text, rule_level, [e.kind for e in reading.evidence], hidden),
            rule_level,
        )
        if level != rule_level:
            reading.anger = level
            learned = []
            for s, e, pull in model.reasons(text, level, rule_level):
                a, b = text.original_span(s, e)
                learned.append(Evidence(a, b, text.original[a:b], LEARNED, pull, None, ""))
            reading.evidence = tuple(sorted((*reading.evidence, *learned), key=_by_position))
        return reading

    def _asks(self, body: str, start: int) -> bool:
        return _asks(body, start, self._question_endings, self._trailing_particles)

    def rule_reading(self, text: NormalizedText) -> EmotionReading:
        """What the rules alone say (the learned model's input)."""
        return self._read(text, None)

    @property
    def model(self) -> AngerModel | None:
        return self._model

    def use_model(self, model: AngerModel | None) -> None:
        """Decide with ``model`` from now on (None: the rules alone)."""
        self._model = model

    def _read(
        self,
        text: NormalizedText,
        fired: set[str] | None,
        hidden: list[tuple[int, int]] | None = None,
    ) -> EmotionReading:
        """The reading; the names of the rules that fire (neutral ones too) go into ``fired``,
        and into ``hidden`` the spans the rules know carry no anger: an anger phrase inside a
        harmless one (垃圾 in 垃圾桶), a negated one (不生气)."""
        body = text.text
        rules = self._rules
        neutral = self._neutral
        two_part = self._two_part
        sc = self._scoring
        firsts: list[tuple[int, int, int]] = []  # (start, end, rule index)
        seconds: dict[int, list[tuple[int, int]]] = {}  # rule index → second halves found
        negators: list[tuple[int, int]] = []
        degrees: list[tuple[int, int, float]] = []
        polite: list[tuple[int, int]] = []
        opened: set[int] = set()  # two-part rules whose first half has been seen
        addressed: list[int] = []  # where the text speaks to the staff (你们, 你 …)
        shadows: list[tuple[int, int]] = []  # phrases of neutral rules
        for last, (length, starts, ends, opens, flags, degree) in self._automaton.iter(body):
            end = last + 1
            start = end - length
            if starts:
                for i in starts:
                    firsts.append((start, end, i))
                if opens:
                    opened.update(opens)
            if ends and opened:
                for i in ends:
                    if i in opened:
                        seconds.setdefault(i, []).append((start, end))
            if flags:
                if flags & _NEGATOR:
                    negators.append((start, end))
                if flags & _POLITE:
                    polite.append((start, end))
                if flags & _DEGREE:
                    degrees.append((start, end, degree))
                if flags & _ADDRESS:
                    addressed.append(start)
                if flags & _SHADOW:
                    shadows.append((start, end))

        # Neutral phrases hide what lies inside them.
        if shadows:
            if fired is not None:
                fired.update(rules[i].name for _, _, i in firsts if neutral[i])
            if hidden is not None:
                hidden += [
                    (a, b) for a, b, i in firsts if not neutral[i] and _inside((a, b), shadows)
                ]
            firsts = [h for h in firsts if not neutral[h[2]] and not _inside(h, shadows)]
            seconds = {
                i: [h for h in found if not _inside(h, shadows)] for i, found in seconds.items()
            }
        # Two-part rules: a phrase, then within the window (same sentence) its second half.
        spans: list[tuple[int, int, int, int]] = []  # (start, end, rule, end of first half)
        paired: set[tuple[int, int]] = set()  # a second half completes its rule once
        for s, e, i in firsts:
            if not two_part[i]:
                # 靠不靠谱, 合不合理: a question, not the negative phrase inside it
                if body[s] in _A_NOT_A_NEGATORS and _is_a_not_a(body, s):
                    continue
                spans.append((s, e, i, e))
                continue
            limit = e + rules[i].window
            for s2, e2 in seconds.get(i, ()):
                if e <= s2 <= limit and _SENTENCE_END.isdisjoint(body[e:s2]):
                    if (i, s2) not in paired:
                        paired.add((i, s2))
                        spans.append((s, e2, i, e))
                    break
        if not spans and "!" not in body and "??" not in body:
            return EmotionReading(text, 0, (), (), 0.0, self._labels, self._cue_labels)
        # A phrase inside a longer, at least as strong one of the same kind (or cue) counts once.
        if len(spans) > 1:
            spans = [h for h in spans if not _swallowed(h, spans, rules)]
        # Words that are part of a rule phrase do not negate or soften anything, nor does the
        # 不是 of a 不是…吗 question.
        # Only negators right before some phrase can matter; check those alone.
        if negators:
            reach = {h[0] - k for h in spans for k in range(sc.negation_gap + 1)}
            near = [n for n in negators if n[1] in reach]
            if near:
                asked = [
                    n
                    for n in negators
                    if body[n[0] : n[1]] in self._question_negators and self._asks(body, n[1])
                ]
                near = [
                    n
                    for n in near
                    if not _is_a_not_a(body, n[0])
                    and not _inside(n, shadows)
                    and not _within(n, spans)
                    and not any(a <= n[0] and n[1] <= b for a, b in asked)
                ]
            negators = near
        if polite:
            polite = [h for h in polite if not _within(h, spans)]

        evidence: list[Evidence] = []
        cues: list[Cue] = []
        weights: dict[str, float] = {}  # per kind: several complaints are one signal
        original_span = text.original_span
        original = text.original
        to_start, to_end = text.starts, text.ends
        # one piece of evidence per span and kind; value: did it count (not negated)?
        seen: dict[tuple[int, int, str, Cue | None], bool] = {}
        for s, e, i, _ in spans:
            rule = rules[i]
            key = (s, e, rule.kind, rule.cue)
            if key in seen:
                if fired is not None and seen[key]:
                    fired.add(rule.name)
                continue
            a, b = to_start[s], to_end[e - 1]
            negator = _closest_before(body, negators, s, sc.negation_gap) if negators else None
            seen[key] = negator is None
            if rule.cue is not None:
                if negator is not None:  # 不着急, 我不会动手
                    continue
                if rule.cue not in cues:
                    cues.append(rule.cue)
                if fired is not None:
                    fired.add(rule.name)
                evidence.append(Evidence(a, b, original[a:b], "cue", 0.0, rule.cue, rule.name))
                continue
            if negator is not None:
                if hidden is not None:
                    hidden.append((negator[0], e))
                na, _ = original_span(negator[0], negator[1])
                evidence.append(Evidence(na, b, original[na:b], "negation", 0.0, None, rule.name))
                continue
            weight = rule.weight
            kind = rule.kind
            if degrees:
                degree = _closest_before(body, degrees, s, sc.degree_gap)
                if degree is not None:
                    weight *= degree[2]
            if kind in sc.asked_kinds and self._asks(body, e) and not _exclaimed_after(body, e):
                # 能不能给我办？ asks for something; it does not order it
                kind = sc.asked_kinds[kind]
                weight *= sc.asked_factor
            if fired is not None:
                fired.add(rule.name)
            if weight > weights.get(kind, 0.0):
                weights[kind] = weight
            evidence.append(Evidence(a, b, original[a:b], kind, weight, None, rule.name))

        # The strongest piece decides; more of the same adds with diminishing weight.
        total = 0.0
        if weights:
            strongest = max(weights.values())
            total = strongest + sc.extra_share * (sum(weights.values()) - strongest)
        exclaimed, punctuation = self._punctuation(text, evidence)
        total += punctuation
        if exclaimed and weights and addressed and _exclaims_at(body, addressed):
            total += sc.addressed_exclamation
        floor_kinds: Iterable[str] = weights
        if polite and not exclaimed:
            total = total - sc.polite_discount if total > sc.polite_discount else 0.0
            floor_kinds = weights.keys() - sc.polite_lifts_floors
        floor = 0
        for kind in floor_kinds:
            floor = max(floor, self._floors.get(kind, 0))
        low, mid, high = sc.buckets
        level = 3 if total >= high else 2 if total >= mid else 1 if total >= low else 0
        if not weights:
            # punctuation alone is impatience at most; an impolite exclamation is at least that
            level = 1 if level > 1 or (exclaimed and not polite and sc.exclamation_alone) else level
        if floor > level:
            level = floor
        if len(evidence) > 1:
            evidence.sort(key=_by_position)
        return EmotionReading(
            text, level, tuple(cues), tuple(evidence), total, self._labels, self._cue_labels
        )

    def _punctuation(self, text: NormalizedText, evidence: list[Evidence]) -> tuple[bool, float]:
        """``!`` and ``?!`` runs: a little weight each, capped. Also: was anything exclaimed?"""
        body = text.text
        if "!" not in body and "??" not in body:
            return False, 0.0
        added = 0.0
        exclaimed = False
        n = len(body)
        i = body.find("!")
        q = body.find("?")
        if i < 0 or 0 <= q < i:
            i = q
        while i < n:
            if body[i] not in "!?":
                i += 1
                continue
            j = i + 1
            while j < n and body[j] in "!?":
                j += 1
            run = body[i:j]
            if "!" in run:
                exclaimed = True
                weight = 0.3 + 0.2 * min(j - i - 1, 3)
                if "?" in run:
                    weight += 0.3
            elif j - i >= 2:
                weight = 0.4
            else:
                i = j
                continue
            a, b = text.starts[i], text.ends[j - 1]
            evidence.append(Evidence(a, b, text.original[a:b], "punctuation", weight))
            added += weight
            i = j
        return exclaimed, min(added, self._scoring.punctuation_cap)

    def rules(self) -> list[RuleSpec]:
        def fires_for(rule: _Rule) -> Callable[[str], bool]:
            def fires(raw: str) -> bool:
                fired: set[str] = set()
                self._read(normalize(raw), fired)
                return rule.name in fired

            return fires

        return [RuleSpec(r.name, r.source, r.fire, r.quiet, fires_for(r)) for r in self._rules]


def _inside(hit: tuple[int, int, Any] | tuple[int, int], shadows: list[tuple[int, int]]) -> bool:
    s, e = hit[0], hit[1]
    return any(a <= s and e <= b and (b - a) > (e - s) for a, b in shadows)


def _within(hit: tuple[int, int], spans: list[tuple[int, int, int, int]]) -> bool:
    """Inside the first half of a rule phrase (a negator or a polite word that belongs to it)."""
    s, e = hit
    return any(a <= s and e <= f and (a != s or e != f) for a, _, _, f in spans)


def _by_position(ev: Evidence) -> tuple[int, int]:
    return ev.start, ev.end


def _swallowed(
    hit: tuple[int, int, int, int], spans: list[tuple[int, int, int, int]], rules: list[_Rule]
) -> bool:
    """Inside a longer, at least as strong phrase of the same family (anger or cue), or inside a
    longer two-part span of the same kind (「找媒体」 within 「我就找媒体」)."""
    s, e, i, _ = hit
    rule = rules[i]
    length = e - s
    for a, b, j, _ in spans:
        if b - a > length and a <= s and e <= b:
            other = rules[j]
            if other.weight < rule.weight:
                continue
            if other.then:
                if other.kind == rule.kind and other.cue == rule.cue:
                    return True
            elif (other.cue is None) == (rule.cue is None):
                return True
    return False


def _exclaims_at(body: str, positions: list[int]) -> bool:
    """Does a sentence holding one of ``positions`` end in ``!``?"""
    for pos in positions:
        end = pos
        while end < len(body) and body[end] not in _SENTENCE_END:
            end += 1
        if end < len(body) and body[end] == "!":
            return True
    return False


def _exclaimed_after(body: str, start: int) -> bool:
    """Does the sentence running from ``start`` end in ``!`` (or ``?!``)?"""
    end = start
    while end < len(body) and body[end] not in _SENTENCE_END:
        end += 1
    return "!" in body[end : end + 3]


def _asks(body: str, start: int, endings: tuple[str, ...], particles: str) -> bool:
    """Does the sentence running from ``start`` end as a question — a "?", or one of the
    question ``endings`` before any trailing ``particles``?"""
    end = start
    while end < len(body) and body[end] not in _SENTENCE_END:
        end += 1
    if end < len(body) and body[end] == "?":
        return True
    return body[start:end].rstrip(particles).endswith(endings)


def _is_a_not_a(body: str, start: int) -> bool:
    """是不是 / 有没有 / 好不好: the character before the negator repeats right after it."""
    before = start - 1
    after = start + 1  # right after 不 / 没 (also covers 不是 inside 是不是)
    return before >= 0 and after < len(body) and body[before] == body[after]


def _closest_before(body: str, hits: list[Any], start: int, gap: int) -> Any:
    """The hit ending closest before ``start`` within the gap, with no punctuation between."""
    best = None
    for h in hits:
        end = h[1]
        if (
            start - gap <= end <= start
            and (best is None or end > best[1])
            and _PUNCTUATION.isdisjoint(body[end:start])
        ):
            best = h
    return best


def train_anger_model(analyzer: EmotionAnalyzer, rows: Sequence[LabelledText]) -> AngerModel:
    """Train the model on labelled utterances as ``analyzer``'s rules read them."""
    examples = []
    for row in rows:
        if row.labels[0] not in _LEVEL_LABELS:
            raise errors.DataFileError(
                [errors.DataFileProblem(row.source, f"第 {row.line} 行", "愤怒等级应为 0–3")],
                code=errors.LEXICON_INVALID,
            )
        text = normalize(row.text, max_chars=100_000)
        hidden: list[tuple[int, int]] = []
        reading = analyzer._read(text, None, hidden)
        features = anger_features(text, reading.anger, [e.kind for e in reading.evidence], hidden)
        examples.append((features, int(row.labels[0])))
    return AngerModel.train(examples)


def load_anger_model(analyzer: EmotionAnalyzer, rule_files: Sequence[Path]) -> AngerModel:
    """The model trained on the built-in ``utterances-*.tsv``, cached on disk by the content of
    the training files and the rule files (the rules' verdict is one of its features)."""
    files = training_files("utterances")
    key = content_key(
        [MODEL_FORMAT] + [p.read_bytes() for p in rule_files] + [p.read_bytes() for p in files]
    )
    return cached(
        "anger-model",
        key,
        lambda: train_anger_model(
            analyzer, [row for path in files for row in read_labelled(path, "level")]
        ),
    )


MODEL_FORMAT = "anger-model-5"  # bump when the features or the model change
_LEVEL_LABELS = frozenset("0123")
