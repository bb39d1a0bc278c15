"""Situation matching quality: calmdesk's matcher next to the plain jieba + BM25 baseline.

    .venv/bin/python bench/eval_advise.py [--misses] [--semantic W]

Prints top-1 / top-3 (by topic) on every labelled set found, each next to the baseline run on
the same rows:

* the shared dev set and the team's own test set;
* three held-out sets written by people who never saw the playbook, its examples or its
  lexicons (``heldout_situations.tsv``; ``heldout2_situations.tsv`` and
  ``heldout3_situations.tsv`` are sealed: only their aggregate figures are ever printed, never
  their rows or misses; held-out 3 was first measured once the matcher was final);
* leave-one-writer-out: the playbook's example situations come from independent writers, each
  in their own register; the matcher is rebuilt without one writer's examples and tested on
  them — phrasings the model has never seen, in a register it has not been given.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline_match import BaselineMatcher
from calmdesk.engine import Engine
from calmdesk.matching.advise import Matcher
from calmdesk.matching.evaluate import (
    LabelledSituation,
    TopKReport,
    evaluate_ranking,
    read_situations,
)
from calmdesk.playbook.examples import EXAMPLES_DIR_NAME, read_example_file
from calmdesk.playbook.loader import BUILTIN_PLAYBOOK_DIR
from calmdesk.playbook.model import Playbook
from calmdesk.text.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "dev (shared/dev-data)": ROOT.parent / "shared" / "dev-data" / "situations.tsv",
    "own (tests/data)": ROOT / "tests" / "data" / "situations.tsv",
    "held-out (tests/data)": ROOT / "tests" / "data" / "heldout_situations.tsv",
    "held-out 2, sealed": ROOT / "tests" / "data" / "heldout2_situations.tsv",
    "held-out 3, sealed": ROOT / "tests" / "data" / "heldout3_situations.tsv",
}
SEALED = {"held-out 2, sealed", "held-out 3, sealed"}


def topics_of(matcher: Matcher, text: str) -> list[str]:
    return [m.scenario.topic.value for m in matcher.advise(normalize(text), top=10).matches]


def leave_one_writer_out(playbook: Playbook) -> tuple[TopKReport, TopKReport, float]:
    """Pooled top-k over every example file, each predicted without that file's examples;
    also the share whose best match is the very scenario the row was written for."""
    files = sorted((BUILTIN_PLAYBOOK_DIR / EXAMPLES_DIR_NAME).glob("*.tsv"))
    ours, base = TopKReport(), TopKReport()
    same_scenario = 0
    baseline = BaselineMatcher(playbook)
    for held in files:
        rows, _ = read_example_file(held, held.name)
        kept: dict[str, list[str]] = {}
        for other in files:
            if other != held:
                for scenario_id, text in read_example_file(other, other.name)[0]:
                    kept.setdefault(scenario_id, []).append(text)
        matcher = Matcher(Playbook.of(playbook, kept))
        labelled = [
            LabelledSituation(f"{held.stem}:{n}", frozenset({sc.topic.value}), text)
            for n, (scenario_id, text) in enumerate(rows, 1)
            if (sc := playbook.get(scenario_id)) is not None
        ]
        for report, rank in [
            (ours, lambda t, m=matcher: topics_of(m, t)),
            (base, baseline.rank_topics),
        ]:
            part = evaluate_ranking(labelled, rank)
            report.total += part.total
            report.top1 += part.top1
            report.top3 += part.top3
        for scenario_id, text in rows:
            best = matcher.advise(normalize(text), top=1).best
            same_scenario += best is not None and best.scenario.id == scenario_id
    return ours, base, same_scenario / max(ours.total, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="list misses (never sealed sets)")
    parser.add_argument(
        "--semantic", type=float, default=0.0, help="also try lexical + W × semantic fusion"
    )
    parser.add_argument("--no-lowo", action="store_true", help="skip leave-one-writer-out")
    args = parser.parse_args()
    engine = Engine(playbook_dirs=[], rules_dirs=[])
    baseline = BaselineMatcher(engine.playbook)

    def ours(text: str) -> list[str]:
        return [m.scenario.topic.value for m in engine.advise(text, top=10).matches]

    fused = None
    if args.semantic:
        from calmdesk.matching.semantic import SemanticScorer

        scorer = SemanticScorer(engine.matcher.scenarios)

        def fused(text: str) -> list[str]:
            lexical, _ = engine.matcher.scores(normalize(text))
            top = max(lexical.values(), default=0.0) or 1.0
            sims = scorer.similarities(text)
            combined = {
                i: lexical.get(i, 0.0) / top + args.semantic * sims[i] for i in range(len(sims))
            }
            order = sorted(combined, key=lambda i: -combined[i])
            return [engine.matcher.scenarios[i].topic.value for i in order]

    examples = sum(len(v) for v in engine.playbook.examples.values())
    print(
        f"playbook: {len(engine.playbook)} scenarios, {len(engine.playbook.topics())} topics, "
        f"{examples} example situations"
    )
    for name, path in SETS.items():
        if not path.exists():
            continue
        rows = read_situations(path)
        mine = evaluate_ranking(rows, ours)
        base = evaluate_ranking(rows, baseline.rank_topics)
        print(mine.line(f"calmdesk  {name}"))
        if fused is not None:
            print(evaluate_ranking(rows, fused).line(f"+semantic {name}"))
        print(base.line(f"baseline  {name}"))
        if args.misses and name not in SEALED:
            for ident, text, ranked in mine.misses:
                print(f"    miss {ident} {text}  →  {ranked}")
    if not args.no_lowo:
        # Each fold builds its own index; keep them out of the user's cache.
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["CALMDESK_CACHE_DIR"] = tmp
            mine, base, scenario_top1 = leave_one_writer_out(engine.playbook)
        print(
            mine.line("calmdesk  leave-one-writer-out") + f"  scenario top-1 {scenario_top1:6.1%}"
        )
        print(base.line("baseline  leave-one-writer-out"))


if __name__ == "__main__":
    main()
