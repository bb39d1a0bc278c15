"""advise latency: warm p50/p99 on the built-in playbook and on a synthetic 2,000-scenario one,
and the cold start of one CLI query — each next to the plain jieba + BM25 baseline.

    .venv/bin/python bench/bench_advise.py

Targets (issue 2): p50 ≤ 2 ms warm built-in; ≤ 20 ms on 2,000 scenarios; CLI ≤ 0.5 s.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import command_seconds, latencies_ms, summary
from baseline_match import BaselineMatcher
from calmdesk.engine import Engine
from calmdesk.matching.evaluate import read_situations

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def queries() -> list[str]:
    texts = []
    for path in [
        ROOT.parent / "shared/dev-data/situations.tsv",
        ROOT / "tests/data/situations.tsv",
    ]:
        if path.exists():
            texts += [row.text for row in read_situations(path)]
    return texts


def synthetic_playbook(engine: Engine, directory: Path, size: int) -> None:
    """Write ``size`` scenarios made by recombining the built-in ones' signals."""
    rng = random.Random(7)
    base = list(engine.playbook)
    pool = [s for sc in base for s in sc.signals]
    for n in range(size - len(base)):
        sc = base[n % len(base)].to_dict()
        sc["id"] = f"{sc['topic']}.synthetic-{n:04d}"
        sc["signals"] = rng.sample(pool, 12)
        sc["title"] = sc["title"] + f"（变体{n}）"
        sc.pop("source", None)
        (directory / f"s{n:04d}.yaml").write_text(
            yaml.safe_dump(sc, allow_unicode=True), encoding="utf-8"
        )


def main() -> None:
    texts = queries()
    engine = Engine(playbook_dirs=[], rules_dirs=[])
    baseline = BaselineMatcher(engine.playbook)
    print(
        f"advise latency, warm, built-in playbook ({len(engine.playbook)} scenarios, {len(texts)} queries)"
    )
    print("  calmdesk  ", summary(latencies_ms(lambda t: engine.advise(t), texts, rounds=20)))
    print("  baseline  ", summary(latencies_ms(baseline.rank_topics, texts, rounds=20)))

    with tempfile.TemporaryDirectory() as tmp:
        synthetic_playbook(engine, Path(tmp), 2000)
        big = Engine(playbook_dirs=[Path(tmp)], rules_dirs=[])
        print(f"advise latency, warm, synthetic playbook ({len(big.playbook)} scenarios)")
        print("  calmdesk  ", summary(latencies_ms(lambda t: big.advise(t), texts, rounds=3)))
        big_baseline = BaselineMatcher(big.playbook)
        print("  baseline  ", summary(latencies_ms(big_baseline.rank_topics, texts, rounds=3)))

    text = "客户没带身份证要查信用卡流水"
    print("one CLI query, end to end (median of 5 runs)")
    cli = command_seconds([str(BIN / "calmdesk"), "advise", "--json", text])
    print(f"  calmdesk advise        {cli:6.3f} s")
    base_cmd = (
        "import sys; sys.path.insert(0, 'bench');"
        "from baseline_match import BaselineMatcher;"
        "from calmdesk.playbook.loader import load_playbook;"
        f"print(BaselineMatcher(load_playbook()).rank_topics({text!r})[:3])"
    )
    base = command_seconds([sys.executable, "-c", base_cmd])
    print(f"  baseline (same query)  {base:6.3f} s")
    floor = command_seconds([sys.executable, "-c", "pass"])
    print(f"  python -c pass         {floor:6.3f} s")


if __name__ == "__main__":
    main()
