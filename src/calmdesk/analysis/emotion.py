"""Read the customer: anger 0–3 (METHOD.md §5) with evidence, and cues.

One Aho–Corasick pass over the normalised text finds every lexicon phrase: anger phrases (each
with a kind and a weight), negators, intensifiers, polite markers and cue phrases. Then:

* a **negator** ending at most two characters before an anger phrase (no punctuation between)
  cancels it — "我不生气", "没有怪你你们";
* an **intensifier** just before an anger phrase multiplies its weight — "太慢", "简直离谱";
* runs of ``!`` and ``?!`` add a little; polite markers pull a weak reading back towards 0;
* some kinds set a **floor**: a threat or an insult is 3 whatever else is said, an accusation,
  a demand or a rhetorical challenge ("凭什么") at least 2;
* otherwise the score — the strongest piece of evidence plus a share of the rest — is bucketed
  into 0–3.

Cues (elderly, urgency, repeat-visit, exposure-threat, violence, fraud, disability) are
independent of anger. All phrases live in ``data/rules/emotion_core.yaml``; a bank adds or
replaces rules by name, or switches them off, with ``emotion.yaml`` in a rules directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from calmdesk import errors
from calmdesk.analysis.rulebase import RuleSpec
from calmdesk.data import load_yaml_file, load_yaml_resource
from calmdesk.text.normalize import NormalizedText, Script, normalize, to_script
from calmdesk.text.phrases import PhraseMatcher

__all__ = ["Cue", "EmotionAnalyzer", "EmotionReading", "Evidence"]

BUILTIN_FILE = "rules/emotion_core.yaml"
BANK_FILE = "emotion.yaml"
_NEGATION_GAP = 2  # characters allowed between a negator and what it negates
_PUNCTUATION = frozenset("，。！？,.!?；;：:、~…")
_BUCKETS = (0.6, 1.8, 3.2)  # score thresholds for levels 1, 2, 3
_EXTRA_SHARE = 0.3  # evidence beyond the strongest piece counts at this share


class Cue(StrEnum):
    ELDERLY = "elderly"
    URGENCY = "urgency"
    REPEAT_VISIT = "repeat-visit"
    EXPOSURE_THREAT = "exposure-threat"
    VIOLENCE = "violence"
    FRAUD = "fraud"
    DISABILITY = "disability"


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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
    kind: str  # anger kind, or "cue"
    weight: float
    cue: Cue | None
    phrases: tuple[str, ...]
    fire: tuple[str, ...]
    quiet: tuple[str, ...]
    source: str


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


def _parse_rule(raw: Any, section: str, p: _Problems) -> _Rule | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        p.add(section, "每条规则应为带 name 的映射")
        return None
    name = raw["name"]
    phrases = _phrases(raw.get("phrases"))
    if phrases is None:
        p.add("phrases", "应为非空的短语列表", name)
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
        raw_weight = raw.get("weight")
        if (
            isinstance(raw_weight, int | float)
            and not isinstance(raw_weight, bool)
            and raw_weight > 0
        ):
            weight = float(raw_weight)
        else:
            p.add("weight", "应为正数", name)
    if phrases is None:
        return None
    return _Rule(name, kind, float(weight), cue, phrases, tuple(fire), tuple(quiet), p.label)


class EmotionAnalyzer:
    def __init__(self, config: dict[str, Any], rules: list[_Rule]) -> None:
        self._rules = rules
        self._floors: dict[str, int] = dict(config["floors"])
        self._labels = {int(k): str(v) for k, v in config["labels"].items()}
        self._cue_labels = {str(k): str(v) for k, v in config["cue_labels"].items()}
        entries: list[tuple[str, tuple[str, Any]]] = []
        for i, rule in enumerate(rules):
            entries += [(ph, ("rule", i)) for ph in rule.phrases]
        entries += [(normalize(w).text, ("neg", 0.0)) for w in config["negators"]]
        entries += [
            (normalize(w).text, ("int", float(m))) for w, m in config["intensifiers"].items()
        ]
        entries += [(normalize(w).text, ("polite", 0.0)) for w in config["polite"]]
        self._matcher: PhraseMatcher[tuple[str, Any]] = PhraseMatcher(entries)

    @classmethod
    def load(cls, rules_dirs: Sequence[Path] = ()) -> EmotionAnalyzer:
        config = load_yaml_resource(BUILTIN_FILE, code=errors.RULES_INVALID)
        p = _Problems(BUILTIN_FILE)
        for key in ("labels", "cue_labels", "floors", "negators", "intensifiers", "polite"):
            if key not in config:
                p.add(key, "缺少此部分")
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
        return cls(config, list(rules.values()))

    def analyze(self, text: NormalizedText) -> EmotionReading:
        body = text.text
        hits = self._matcher.hits(body)
        negators = [h for h in hits if h.payload[0] == "neg" and not _is_a_not_a(body, h)]
        boosts = [h for h in hits if h.payload[0] == "int"]
        rule_hits = [h for h in hits if h.payload[0] == "rule"]
        # a polite word inside a complaint phrase ("好麻烦") is not politeness
        polite = any(
            h.payload[0] == "polite"
            and not any(
                r.start <= h.start and h.end <= r.end and r.phrase != h.phrase for r in rule_hits
            )
            for h in hits
        )
        # a phrase inside a longer phrase of the same rule family counts once
        rule_hits = [
            h
            for h in rule_hits
            if not any(
                o is not h
                and o.start <= h.start
                and h.end <= o.end
                and (o.end - o.start) > (h.end - h.start)
                and (self._rules[o.payload[1]].cue is None)
                == (self._rules[h.payload[1]].cue is None)
                for o in rule_hits
            )
        ]
        evidence: list[Evidence] = []
        cues: list[Cue] = []
        weights: dict[str, float] = {}  # per rule: several phrases of one rule are one signal
        floor = 0
        for hit in rule_hits:
            rule = self._rules[hit.payload[1]]
            a, b = text.original_span(hit.start, hit.end)
            negator = _closest_before(body, negators, hit.start)
            if negator is not None and body[hit.start : hit.end].startswith(negator.phrase):
                negator = None  # the phrase carries its own negation (不满意, 没人理)
            if rule.cue is not None:
                if negator is not None:  # 不着急, 我不会动手
                    continue
                if rule.cue not in cues:
                    cues.append(rule.cue)
                evidence.append(Evidence(a, b, text.original[a:b], "cue", 0.0, rule.cue, rule.name))
                continue
            if negator is not None:
                na, _ = text.original_span(negator.start, negator.end)
                evidence.append(
                    Evidence(na, b, text.original[na:b], "negation", 0.0, None, rule.name)
                )
                continue
            weight = rule.weight
            boost = _closest_before(body, boosts, hit.start)
            if boost is not None:
                weight *= float(boost.payload[1])
            weights[rule.name] = max(weights.get(rule.name, 0.0), weight)
            floor = max(floor, self._floors.get(rule.kind, 0))
            evidence.append(Evidence(a, b, text.original[a:b], rule.kind, weight, None, rule.name))
        # The strongest piece decides; more of the same adds with diminishing weight.
        strongest = max(weights.values(), default=0.0)
        total = strongest + _EXTRA_SHARE * (sum(weights.values()) - strongest)
        total += self._punctuation(text, evidence)
        if polite and floor == 0:
            total = max(0.0, total - 0.5)
        level = max(floor, sum(1 for t in _BUCKETS if total >= t))
        if floor == 0 and not any(
            e.kind not in ("cue", "negation", "punctuation") for e in evidence
        ):
            level = min(level, 1)  # punctuation alone is impatience at most
        evidence.sort(key=lambda e: (e.start, e.end))
        return EmotionReading(
            text, min(level, 3), tuple(cues), tuple(evidence), total, self._labels, self._cue_labels
        )

    @staticmethod
    def _punctuation(text: NormalizedText, evidence: list[Evidence]) -> float:
        """``!`` and ``?!`` runs: a little weight each, capped."""
        body = text.text
        added = 0.0
        i = 0
        while i < len(body):
            if body[i] in "!?":
                j = i
                while j < len(body) and body[j] in "!?":
                    j += 1
                run = body[i:j]
                weight = 0.0
                if "!" in run:
                    weight = 0.3 + 0.2 * min(len(run) - 1, 3)
                    if "?" in run:
                        weight += 0.3
                elif len(run) >= 2:
                    weight = 0.4
                if weight:
                    a, b = text.original_span(i, j)
                    evidence.append(Evidence(a, b, text.original[a:b], "punctuation", weight))
                    added += weight
                i = j
            else:
                i += 1
        return min(added, 1.2)

    def rules(self) -> list[RuleSpec]:
        def fires_for(rule: _Rule) -> Any:
            def fires(raw: str) -> bool:
                reading = self.analyze(normalize(raw))
                return any(e.rule == rule.name and e.kind != "negation" for e in reading.evidence)

            return fires

        return [RuleSpec(r.name, r.source, r.fire, r.quiet, fires_for(r)) for r in self._rules]


def _is_a_not_a(body: str, negator: Any) -> bool:
    """是不是 / 有没有 / 好不好: the character before the negator repeats right after it."""
    before = negator.start - 1
    after = negator.start + 1  # right after 不 / 没 (也覆盖 “不是” 在 “是不是” 里)
    return before >= 0 and after < len(body) and body[before] == body[after]


def _closest_before(body: str, hits: list[Any], start: int) -> Any:
    """The hit ending closest before ``start`` within the gap, with no punctuation between."""
    best = None
    for h in hits:
        near = start - _NEGATION_GAP <= h.end <= start
        if near and not any(c in _PUNCTUATION for c in body[h.end : start]):
            best = h if best is None or h.end > best.end else best
    return best
