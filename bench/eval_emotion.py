"""Emotion quality: calmdesk's reader next to its rules alone and a plain keyword-count
baseline, on every set found.

    .venv/bin/python bench/eval_emotion.py [--misses] [--skip-sealed] [--no-lowo]

calmdesk reads anger with rules and then a model learnt from ``data/training/utterances-*.tsv``
(independent writers, different registers); "rules" is the same reader with the model off.
Leave-one-writer-out retrains the model without one writer's file and reads that file: words in
a register the model was never given.

For each labelled set (``id<TAB>level<TAB>text``, optionally a ``cues`` column) prints anger
exact, within ±1 and angry (≥ 2) vs not F1, a confusion matrix, and per-cue precision/recall where
cue labels exist (``tests/data/utterance_cues.tsv``: ``text<TAB>cues``). The baseline is measured
in the same run from the same lexicon: it sums the weights of the anger phrases present (no
negation, intensifiers, structure or floors) into the same 0–3 buckets, and reports a cue
wherever one of its phrases occurs.

The sealed held-out sets (``heldout2_utterances.tsv``, ``heldout3_utterances.tsv``) are only
ever reported in aggregate: ``--misses`` lists misses for the dev, own and held-out (v1) sets,
never for them.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from calmdesk.analysis.emotion import Cue, EmotionAnalyzer, train_anger_model
from calmdesk.analysis.learned import read_labelled, training_files
from calmdesk.data import load_yaml_resource
from calmdesk.text.normalize import normalize
from calmdesk.text.phrases import PhraseMatcher

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@dataclass(frozen=True)
class LabelledSet:
    name: str
    path: Path
    sealed: bool = False  # aggregate figures only, never a row


ANGER_SETS = (
    LabelledSet("dev", ROOT.parent / "shared" / "dev-data" / "utterances.tsv"),
    LabelledSet("own", DATA / "utterances.tsv"),
    LabelledSet("held-out v1 (contaminated: used as dev)", DATA / "heldout_utterances.tsv"),
    LabelledSet("held-out2 (sealed)", DATA / "heldout2_utterances.tsv", sealed=True),
    LabelledSet("held-out3 (sealed, measured once)", DATA / "heldout3_utterances.tsv", sealed=True),
)
CUE_SETS = (LabelledSet("own cue table", DATA / "utterance_cues.tsv"),)
TARGETS = {"exact": 0.80, "within1": 0.97, "angry_f1": 0.90}
CUES = [c.value for c in Cue]

Reader = Callable[[str], tuple[int, frozenset[str]]]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def cue_set(value: str | None) -> frozenset[str]:
    return frozenset(c.strip() for c in (value or "").split(",") if c.strip())


class KeywordBaseline:
    """Sum of anger-phrase weights (each phrase once), same buckets; cues by phrase presence."""

    def __init__(self) -> None:
        config = load_yaml_resource("rules/emotion_core.yaml")
        entries: list[tuple[str, tuple[str, float]]] = []
        for rule in config["anger"]:
            if "then" not in rule and "weight" in rule:  # plain phrases only
                weight = float(rule["weight"])
                entries += [(normalize(str(p)).text, ("anger", weight)) for p in rule["phrases"]]
        for rule in config["cues"]:
            if "then" not in rule:
                cue = str(rule["cue"])
                entries += [(normalize(str(p)).text, (cue, 0.0)) for p in rule["phrases"]]
        self._matcher: PhraseMatcher[tuple[str, float]] = PhraseMatcher(entries)
        self._buckets = tuple(
            float(t) for t in config.get("scoring", {}).get("buckets", (0.6, 1.8, 3.2))
        )

    def __call__(self, text: str) -> tuple[int, frozenset[str]]:
        hits = self._matcher.longest_hits(normalize(text).text)
        score = sum(h.payload[1] for h in hits if h.payload[0] == "anger")
        level = sum(1 for t in self._buckets if score >= t)
        return level, frozenset(h.payload[0] for h in hits if h.payload[0] != "anger")


def ours_reader(*, learned: bool = True) -> Reader:
    return reader_of(EmotionAnalyzer.load(learned=learned))


def reader_of(analyzer: EmotionAnalyzer) -> Reader:
    def read(text: str) -> tuple[int, frozenset[str]]:
        reading = analyzer.analyze(normalize(text))
        return reading.anger, frozenset(c.value for c in reading.cues)

    return read


@dataclass(frozen=True)
class AngerFigures:
    n: int
    exact: float
    within1: float
    angry_f1: float
    confusion: tuple[tuple[int, ...], ...]  # [gold][predicted]

    def meets_targets(self) -> bool:
        return (
            self.exact >= TARGETS["exact"]
            and self.within1 >= TARGETS["within1"]
            and self.angry_f1 >= TARGETS["angry_f1"]
        )


def anger_figures(gold: Sequence[int], pred: Sequence[int]) -> AngerFigures:
    pairs = list(zip(gold, pred, strict=True))
    n = len(pairs)
    tp = sum(g >= 2 and p >= 2 for g, p in pairs)
    fp = sum(g < 2 and p >= 2 for g, p in pairs)
    fn = sum(g >= 2 and p < 2 for g, p in pairs)
    confusion = tuple(
        tuple(sum(g == i and p == j for g, p in pairs) for j in range(4)) for i in range(4)
    )
    return AngerFigures(
        n,
        sum(g == p for g, p in pairs) / n,
        sum(abs(g - p) <= 1 for g, p in pairs) / n,
        2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0,
        confusion,
    )


def cue_figures(
    gold: Sequence[frozenset[str]], pred: Sequence[frozenset[str]]
) -> dict[str, tuple[int, float, float]]:
    """Per cue: (gold count, precision, recall)."""
    out = {}
    for cue in CUES:
        tp = sum(cue in g and cue in p for g, p in zip(gold, pred, strict=True))
        fp = sum(cue not in g and cue in p for g, p in zip(gold, pred, strict=True))
        fn = sum(cue in g and cue not in p for g, p in zip(gold, pred, strict=True))
        out[cue] = (tp + fn, tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)
    return out


def print_anger(
    name: str, ours: AngerFigures, base: AngerFigures, rules: AngerFigures | None = None
) -> None:
    status = "meets targets" if ours.meets_targets() else "BELOW TARGET"
    print(f"\n{name}: {ours.n} utterances — {status}")
    print(f"  {'':10}{'exact':>8}{'±1':>8}{'angry F1':>10}")
    rows = [("calmdesk", ours)] + ([("rules", rules)] if rules else []) + [("baseline", base)]
    for label, f in rows:
        print(f"  {label:10}{f.exact:8.1%}{f.within1:8.1%}{f.angry_f1:10.3f}")
    print("  confusion (rows gold 0–3, columns calmdesk 0–3):")
    for level, row in enumerate(ours.confusion):
        print(f"    {level}  " + " ".join(f"{c:4d}" for c in row))


def print_cues(
    ours: dict[str, tuple[int, float, float]], base: dict[str, tuple[int, float, float]]
) -> None:
    print(f"  {'cue':17}{'n':>4}{'P':>8}{'R':>8}   {'baseline P':>10}{'R':>8}")
    for cue in CUES:
        n, p, r = ours[cue]
        _, bp, br = base[cue]
        print(f"  {cue:17}{n:4d}{p:8.1%}{r:8.1%}   {bp:10.1%}{br:8.1%}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--misses", action="store_true", help="list calmdesk's misses (never for the sealed set)"
    )
    parser.add_argument(
        "--skip-sealed", action="store_true", help="leave the sealed set out (while tuning)"
    )
    parser.add_argument("--no-lowo", action="store_true", help="skip leave-one-writer-out")
    args = parser.parse_args()
    ours, base = ours_reader(), KeywordBaseline()
    rules_alone = ours_reader(learned=False)
    for s in ANGER_SETS:
        if s.sealed and args.skip_sealed:
            print(f"\n{s.name}: skipped (--skip-sealed)")
            continue
        if not s.path.exists():
            print(f"\n{s.name}: {s.path.name} not present")
            continue
        rows = read_rows(s.path)
        gold = [int(r["level"]) for r in rows]
        mine = [ours(r["text"]) for r in rows]
        theirs = [base(r["text"]) for r in rows]
        print_anger(
            s.name,
            anger_figures(gold, [m[0] for m in mine]),
            anger_figures(gold, [t[0] for t in theirs]),
            anger_figures(gold, [rules_alone(r["text"])[0] for r in rows]),
        )
        if rows and "cues" in rows[0]:
            gold_cues = [cue_set(r["cues"]) for r in rows]
            print_cues(
                cue_figures(gold_cues, [m[1] for m in mine]),
                cue_figures(gold_cues, [t[1] for t in theirs]),
            )
        if args.misses and not s.sealed:
            for r, g, (p, _) in zip(rows, gold, mine, strict=True):
                if g != p:
                    print(f"    miss {r.get('id', '')}: gold {g} got {p}  {r['text']}")
    for s in CUE_SETS:
        if not s.path.exists():
            print(f"\n{s.name}: {s.path.name} not present")
            continue
        rows = read_rows(s.path)
        gold_cues = [cue_set(r["cues"]) for r in rows]
        mine_cues = [ours(r["text"])[1] for r in rows]
        print(f"\n{s.name}: {len(rows)} utterances")
        print_cues(
            cue_figures(gold_cues, mine_cues),
            cue_figures(gold_cues, [base(r["text"])[1] for r in rows]),
        )
        if args.misses and not s.sealed:
            for r, g, p in zip(rows, gold_cues, mine_cues, strict=True):
                if g != p:
                    print(f"    miss: gold {sorted(g)} got {sorted(p)}  {r['text']}")

    if not args.no_lowo:
        leave_one_writer_out(base)


def leave_one_writer_out(base: Reader) -> None:
    """Each training file read by a model trained on the other files only."""
    analyzer = EmotionAnalyzer.load(learned=False)
    rules_alone = reader_of(analyzer)
    files = {p: read_labelled(p, "level") for p in training_files("utterances")}
    gold: list[int] = []
    mine: list[int] = []
    rules: list[int] = []
    theirs: list[int] = []
    for held, rows in files.items():
        others = [row for p, r in files.items() if p != held for row in r]
        analyzer.use_model(train_anger_model(analyzer, others))
        read = reader_of(analyzer)
        for row in rows:
            gold.append(int(row.labels[0]))
            mine.append(read(row.text)[0])
        analyzer.use_model(None)
        rules += [rules_alone(row.text)[0] for row in rows]
        theirs += [base(row.text)[0] for row in rows]
    print_anger(
        f"leave-one-writer-out over {len(files)} training files",
        anger_figures(gold, mine),
        anger_figures(gold, theirs),
        anger_figures(gold, rules),
    )


if __name__ == "__main__":
    main()
