"""Situation matching quality: calmdesk's matcher next to the plain jieba + BM25 baseline.

    .venv/bin/python bench/eval_advise.py [--misses]

Prints top-1 / top-3 (by topic) on every labelled set found: the shared dev set, the team's own
test set, and the held-out set written independently of the playbook.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline_match import BaselineMatcher
from calmdesk.engine import Engine
from calmdesk.matching.evaluate import evaluate_ranking, read_situations

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "dev (shared/dev-data)": ROOT.parent / "shared" / "dev-data" / "situations.tsv",
    "own (tests/data)": ROOT / "tests" / "data" / "situations.tsv",
    "held-out (tests/data)": ROOT / "tests" / "data" / "heldout_situations.tsv",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="list the misses of calmdesk")
    parser.add_argument(
        "--semantic", type=float, default=0.0, help="also try lexical + W × semantic fusion"
    )
    args = parser.parse_args()
    engine = Engine(playbook_dirs=[], rules_dirs=[])
    baseline = BaselineMatcher(engine.playbook)

    def ours(text: str) -> list[str]:
        return [m.scenario.topic.value for m in engine.advise(text, top=10).matches]

    fused = None
    if args.semantic:
        from calmdesk.matching.semantic import SemanticScorer
        from calmdesk.text.normalize import normalize

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

    print(f"playbook: {len(engine.playbook)} scenarios, {len(engine.playbook.topics())} topics")
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
        if args.misses:
            for ident, text, ranked in mine.misses:
                print(f"    miss {ident} {text}  →  {ranked}")


if __name__ == "__main__":
    main()
