"""Search quality on every judgement set, sinmun's configurations beside two BM25 baselines.

Sets: the project's own (seed, own, heldout: tests/fixtures/qrels/) and the real-text
sets built by realsets.py from ../shared/data (KLUE NLI entailment and neutral, the
project's questions about Korean Wikinews). For each set x configuration: nDCG@10,
MRR@10, Recall@10, zero-hit queries and the per-query latency (p50/p99) of the ranking,
and a cross-check of the metrics with ir-measures (trec_eval's code).

    python bench/relevance.py [--sets klue,wikinews] [--configs hybrid,bm25-kiwi] [--out bench/out]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import realsets  # noqa: E402
from sinmun.search.evaluate import NAMES, Judgement, QueryResult, load_qrels, score, summarize  # noqa: E402
from sinmun.service import Archive, queries  # noqa: E402
from sinmun.service.ingest import ingest  # noqa: E402

SEED = ROOT.parent / "shared" / "seed" / "000_ed974366ffe0647b.txt"
QRELS = ROOT / "tests" / "fixtures" / "qrels"
OWN = [ROOT / "tests" / "fixtures" / "sample.jsonl", ROOT / "tests" / "fixtures" / "stories.jsonl"]


def sets(out: Path) -> dict[str, tuple[list[Path], list[tuple[str, Path]]]]:
    """Set name -> (sources to ingest, [(judgement name, qrels file)])."""
    realsets.klue(out)
    realsets.wikinews(out)
    return {
        "seed": ([SEED], [("seed", QRELS / "seed.jsonl")]),
        "own": (OWN, [("own", QRELS / "own.jsonl")]),
        "heldout": ([SEED, *OWN], [("heldout", QRELS / "heldout.jsonl")]),
        "klue": ([out / "klue" / "articles.jsonl"],
                 [("klue-entailment", out / "klue" / "entailment.jsonl"),
                  ("klue-neutral", out / "klue" / "neutral.jsonl")]),
        "wikinews": ([out / "wikinews" / "articles.jsonl"], [("wikinews", out / "wikinews" / "questions.jsonl")]),
    }


def fresh(db: Path, sources: list[Path]) -> Archive:
    for p in (db, db.with_name(db.stem + ".index"), db.with_name(db.stem + ".quarantine")):
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    archive = Archive(db, create=True)
    ingest(archive, sources)
    return archive


def timed_run(rank, judgements: list[Judgement]) -> tuple[list[QueryResult], list[float]]:
    results, seconds = [], []
    for j in judgements:
        start = time.perf_counter()
        ranked = list(rank(j.query))
        seconds.append(time.perf_counter() - start)
        results.append(score(j, ranked))
    return results, seconds


def crosscheck(judgements: list[Judgement], results: list[QueryResult]) -> float:
    """The largest difference between our metrics and ir-measures' on this run
    (nDCG only where every grade is the same: trec_eval's gain is linear)."""
    import ir_measures
    from ir_measures import RR, R, nDCG

    qrels = [ir_measures.Qrel(j.id, doc, g) for j in judgements for doc, g in j.relevant.items()]
    run = [ir_measures.ScoredDoc(r.id, doc, float(100 - rank)) for r in results for rank, doc in enumerate(r.ranked)]
    theirs: dict[tuple[str, str], float] = {}
    for m in ir_measures.iter_calc([nDCG @ 10, RR @ 10, R @ 10], qrels, run):
        theirs[(m.query_id, str(m.measure))] = m.value
    graded = len({g for j in judgements for g in j.relevant.values()}) > 1
    worst = 0.0
    for r in results:
        pairs = [(r.mrr10, "RR@10"), (r.recall10, "R@10")] + ([] if graded else [(r.ndcg10, "nDCG@10")])
        for ours, name in pairs:
            worst = max(worst, abs(ours - theirs.get((r.id, name), 0.0)))
    return worst


def measure(out: Path, only_sets: list[str] | None = None, configs: list[str] | None = None) -> list[dict]:
    rows = []
    for name, (sources, judged) in sets(out).items():
        if only_sets and name not in only_sets:
            continue
        archive = fresh(out / f"eval-{name}.db", sources)
        for config in configs or NAMES:
            rank = queries.ranker(archive, config)
            for label, path in judged:
                judgements = load_qrels(path)
                rank(judgements[0].query)  # warm: the searcher, the model, the OS cache
                results, seconds = timed_run(rank, judgements)
                ms = sorted(s * 1000 for s in seconds)
                rows.append({"set": label, "config": config, **summarize(results)["all"],
                             "p50": statistics.median(ms), "p99": ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))],
                             "crosscheck": crosscheck(judgements, results)})
        archive.close()
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| set | config | nDCG@10 | MRR@10 | R@10 | zero | p50 | p99 |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['set']} ({r['queries']}) | {r['config']} | {r['ndcg@10']:.3f} | {r['mrr@10']:.3f} | "
                     f"{r['recall@10']:.3f} | {r['zero_hits']} | {r['p50']:.1f} ms | {r['p99']:.1f} ms |")
    worst = max((r["crosscheck"] for r in rows), default=0.0)
    lines.append(f"\nir-measures cross-check: largest difference {worst:.2g} "
                 "(RR@10 and R@10 everywhere; nDCG@10 on single-grade sets)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", help="comma-separated: seed, own, heldout, klue, wikinews")
    parser.add_argument("--configs", help=f"comma-separated: {', '.join(NAMES)}")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = measure(args.out, args.sets.split(",") if args.sets else None,
                   args.configs.split(",") if args.configs else None)
    print(table(rows))


if __name__ == "__main__":
    main()
