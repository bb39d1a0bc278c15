"""Reply-checker quality on every labelled set, next to a keyword baseline measured in the same run.

For each set found — dev (../shared/dev-data), own (tests/data/replies.tsv), train
(tests/data/replies_train.tsv), the five writers' training files
(tests/data/reply_writers/replies-{a..e}.tsv: each, a-c and d-e pooled, all pooled), held-out
and held-out 2 —
prints per-code precision, recall and F1 and the micro-F1 over negative and over positive codes,
for ``ReplyChecker`` and for a plain baseline: one regex alternation per code over the same
rules' trigger phrases, no context. Then the share of good replies (tests/data/good_replies.txt)
and playbook scripts given a negative finding, and a one-line-per-set summary.

The reply rules are hand-written, not learnt, so the training files need no leave-one-writer-out
split: they are development data, and their figures are dev figures (the held-out sets are the
test of generalisation).

Held-out sets are sealed: only aggregate figures are printed for them. Held-out 3 is measured
once, at the very end, and only with ``--final``. ``--misses`` lists the rows the checker gets
wrong, for the open sets only; ``--only NAME`` (repeatable) limits the run to some sets.

    .venv/bin/python bench/eval_replies.py [--misses] [--only NAME]
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from calmdesk.analysis.replies import ReplyChecker
from calmdesk.analysis.reply_rules import NEGATIVE_CODES, POSITIVE_CODES
from calmdesk.engine import Engine
from calmdesk.text.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
TRAINING = ROOT / "tests" / "data" / "reply_writers"


@dataclass(frozen=True)
class LabelledSet:
    name: str
    paths: tuple[Path, ...]  # several files are pooled into one set
    sealed: bool  # held-out: aggregate figures only, never rows
    final: bool = False  # measured only with --final


#: a-c developed the previous rounds; d and e (new, independent writers) this one.
EARLIER_WRITERS = tuple(TRAINING / f"replies-{w}.tsv" for w in "abc")
NEW_WRITERS = tuple(TRAINING / f"replies-{w}.tsv" for w in "de")
WRITERS = EARLIER_WRITERS + NEW_WRITERS
SETS = (
    LabelledSet("dev", (ROOT.parent / "shared" / "dev-data" / "replies.tsv",), sealed=False),
    LabelledSet("own", (DATA / "replies.tsv",), sealed=False),
    LabelledSet("train", (DATA / "replies_train.tsv",), sealed=False),
    *(LabelledSet(f"writer-{p.stem[-1]}", (p,), sealed=False) for p in WRITERS),
    LabelledSet("writers-abc", EARLIER_WRITERS, sealed=False),
    LabelledSet("writers-de", NEW_WRITERS, sealed=False),
    LabelledSet("writers-pooled", WRITERS, sealed=False),
    LabelledSet("held-out", (DATA / "heldout_replies.tsv",), sealed=True),
    LabelledSet("held-out2", (DATA / "heldout2_replies.tsv",), sealed=True),
    LabelledSet("held-out3", (DATA / "heldout3_replies.tsv",), sealed=True, final=True),
)

Row = tuple[str, set[str], str]  # id, codes, text
Classifier = Callable[[str], set[str]]


def read_rows(path: Path) -> list[Row]:
    """Rows of an ``id<TAB>flags<TAB>text`` file; ``#`` comments and the header are skipped."""
    rows: list[Row] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("id\t"):
            continue
        row_id, flags, text = line.split("\t", 2)
        rows.append(
            (row_id, {f.strip() for f in flags.split(",") if f.strip() not in ("", "-")}, text)
        )
    return rows


def ours(checker: ReplyChecker) -> Classifier:
    def classify(text: str) -> set[str]:
        return checker.check(normalize(text)).codes

    return classify


def keyword_baseline(checker: ReplyChecker) -> Classifier:
    """One regex alternation per code over its rules' trigger phrases; no context, no detectors."""
    by_code: dict[str, list[str]] = {}
    for rule in checker.ruleset.rules:
        by_code.setdefault(rule.code, []).extend(rule.phrases)
    patterns = {
        code: re.compile("|".join(re.escape(p) for p in sorted(set(ph), key=len, reverse=True)))
        for code, ph in by_code.items()
        if ph
    }

    def classify(text: str) -> set[str]:
        norm = normalize(text).text
        return {code for code, rx in patterns.items() if rx.search(norm)}

    return classify


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, got: set[str], want: set[str]) -> None:
        self.tp += len(got & want)
        self.fp += len(got - want)
        self.fn += len(want - got)

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0
        return p, r, f


def score(
    classify: Classifier, rows: list[Row]
) -> tuple[dict[str, Counts], list[tuple[Row, set[str]]]]:
    per_code = {code: Counts() for code in (*NEGATIVE_CODES, *POSITIVE_CODES)}
    answers = []
    for row in rows:
        got = classify(row[2])
        answers.append((row, got))
        for code, counts in per_code.items():
            counts.add(got & {code}, row[1] & {code})
    return per_code, answers


def micro(per_code: dict[str, Counts], codes: Iterable[str]) -> float:
    total = Counts()
    for code in codes:
        c = per_code[code]
        total.tp, total.fp, total.fn = total.tp + c.tp, total.fp + c.fp, total.fn + c.fn
    return total.prf()[2]


def fmt(prf: tuple[float, float, float]) -> str:
    return " ".join(f"{x:5.3f}" for x in prf)


def report_set(
    labelled: LabelledSet, rows: list[Row], mine: Classifier, base: Classifier, misses: bool
) -> tuple[float, float, float, float]:
    """Print one set's figures; return ours and baseline micro-F1, negative then positive."""
    ours_counts, answers = score(mine, rows)
    base_counts, _ = score(base, rows)
    files = " + ".join(p.name for p in labelled.paths)
    print(
        f"\n== {labelled.name}: {files}, {len(rows)} rows"
        + (" (sealed)" if labelled.sealed else "")
    )
    print(f"{'code':18} {'n':>4}   {'ours P     R     F1':21}   {'baseline P R F1':21}")
    for code in (*NEGATIVE_CODES, *POSITIVE_CODES):
        c = ours_counts[code]
        n = c.tp + c.fn
        print(f"{code:18} {n:4d}   {fmt(c.prf())}   {fmt(base_counts[code].prf())}")
    for label, codes in (("negative", NEGATIVE_CODES), ("positive", POSITIVE_CODES)):
        print(
            f"micro-F1 {label:9}        ours {micro(ours_counts, codes):5.3f}"
            f"   baseline {micro(base_counts, codes):5.3f}"
        )
    if misses and not labelled.sealed:
        for (row_id, want, text), got in answers:
            if got != want:
                extra = ",".join(sorted(got - want)) or "-"
                missing = ",".join(sorted(want - got)) or "-"
                print(f"  MISS {row_id}  +[{extra}] -[{missing}]  {text}")
    return (
        micro(ours_counts, NEGATIVE_CODES),
        micro(ours_counts, POSITIVE_CODES),
        micro(base_counts, NEGATIVE_CODES),
        micro(base_counts, POSITIVE_CODES),
    )


def good_replies() -> list[str]:
    lines = (DATA / "good_replies.txt").read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def false_positive_rate(classify: Classifier, texts: list[str]) -> tuple[float, list[str]]:
    flagged = [t for t in texts if classify(t) & set(NEGATIVE_CODES)]
    return len(flagged) / len(texts), flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list wrong rows (open sets only)")
    parser.add_argument("--only", action="append", default=[], help="evaluate only this set")
    parser.add_argument(
        "--final", action="store_true", help="also measure held-out 3 (once, at the very end)"
    )
    args = parser.parse_args()
    engine = Engine()
    checker = engine.reply_checker
    mine, base = ours(checker), keyword_baseline(checker)
    summary: list[tuple[str, int, tuple[float, float, float, float]]] = []
    for labelled in SETS:
        if labelled.final and not args.final:
            continue  # sealed until the final measurement: not even read
        if args.only and labelled.name not in args.only:
            continue
        missing = [p for p in labelled.paths if not p.exists()]
        if missing:
            print(f"\n== {labelled.name}: {missing[0]} not present")
            continue
        rows = [row for path in labelled.paths for row in read_rows(path)]
        summary.append(
            (labelled.name, len(rows), report_set(labelled, rows, mine, base, args.misses))
        )
    good = good_replies()
    scripts = [s for sc in engine.playbook for step in sc.steps for s in step.scripts]
    print()
    for label, texts in (("good replies", good), ("playbook scripts", scripts)):
        rate, flagged = false_positive_rate(mine, texts)
        base_rate, _ = false_positive_rate(base, texts)
        print(
            f"{label:17} n={len(texts):4d}  negative-finding rate: ours {rate:6.2%}"
            f"   baseline {base_rate:6.2%}"
        )
        if args.misses:
            for text in flagged:
                found = checker.check(normalize(text)).findings
                print(f"  FP {[(f.code, f.span_text) for f in found]}  {text}")
    print(f"\n{'micro-F1':18} {'rows':>5}   ours neg  pos    baseline neg  pos")
    for name, n, (neg, pos, base_neg, base_pos) in summary:
        print(f"{name:18} {n:5d}   {neg:8.3f} {pos:5.3f}    {base_neg:12.3f} {base_pos:5.3f}")


if __name__ == "__main__":
    main()
