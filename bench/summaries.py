"""Summaries against lead-3 on two reference sets, and how their weights were chosen.

The sets: the seed's 11 `[Summary]` blocks (written by its editors; the summary is made
from the body without them), and the 3-5 sentences the project picked, as an editor
would, for 40 Wikinews articles of ../shared/data (tests/fixtures/summary_picks.json,
indices only), where sentence recall is counted too. ROUGE is over Kiwi morphemes.

    python bench/summaries.py          # sinmun's summaries and lead-3 (make bench prints these as (d))
    python bench/summaries.py --tune   # the weight grid and its 5-fold cross-validation
    python bench/summaries.py --ceiling  # the best any choice of three sentences can score

`--tune` scores every (position weight, headline weight) of a small grid on both sets,
picks the pair whose worse set is furthest above lead-3 (as a ratio), and checks that
choice by 5-fold cross-validation: the pair is chosen on four fifths of each set and
scored on the fifth left out, over three shuffles.

`--ceiling` is the extractive ceiling: for each article, the best ROUGE-L of any three of
its sentences (every combination tried, knowing the reference), beside lead-3 and 1.25
times lead-3 (what issue 14 asks of the summaries). On the seed the two meet: no
choice of three sentences can score much above 1.25 x lead-3, so that bar asks for
the best choice on every article.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sinmun.analysis.korean import Analyzer  # noqa: E402
from sinmun.connect.summarize import (  # noqa: E402
    POSITION_WEIGHT,
    TITLE_WEIGHT,
    choose,
    morphemes,
    rouge,
    rouge_of,
    split_sentences,
)
from sinmun.ingest import read_path  # noqa: E402

SEED = ROOT.parent / "shared" / "seed" / "000_ed974366ffe0647b.txt"
WIKINEWS = ROOT.parent / "shared" / "data" / "ko_wikinews_dev.jsonl.gz"
PICKS = ROOT / "tests" / "fixtures" / "summary_picks.json"
SETS = ("seed", "wikinews")
POSITION_GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
TITLE_GRID = (0.0, 0.5, 1.0)
FOLDS = 5


@dataclass
class Reference:
    set: str
    title: str
    reference: str
    sentences: list[str]
    picked: set[int] | None  # the picked sentences' indices (Wikinews only)


def references(analyzer: Analyzer) -> list[Reference]:
    out = [Reference("seed", a.title, a.summary, split_sentences(analyzer, a.body), None)
           for a in read_path(SEED).articles if a.summary]
    picks = json.loads(PICKS.read_text(encoding="utf-8"))["articles"]
    with gzip.open(WIKINEWS, "rt", encoding="utf-8") as rows:
        articles = {r["id"]: r for r in map(json.loads, rows) if r["id"] in picks}
    for article_id, picked in picks.items():
        sentences = split_sentences(analyzer, articles[article_id]["body"])
        out.append(Reference("wikinews", articles[article_id]["title"],
                             " ".join(sentences[i] for i in picked["picked"]), sentences, set(picked["picked"])))
    return out


def summary_scores() -> dict[str, dict[str, float]]:
    """Mean ROUGE F1 (and sentence recall on Wikinews) of sinmun's summaries and of lead-3, per set."""
    analyzer = Analyzer.shared()
    refs = references(analyzer)
    counts = {name: sum(1 for r in refs if r.set == name) for name in SETS}
    totals: dict[str, dict[str, float]] = {}
    for r in refs:
        for method, chosen in (("sinmun", choose(analyzer, r.sentences, r.title)), ("lead-3", r.sentences[:3])):
            row = totals.setdefault(f"{r.set}: {method}", {})
            scores = rouge(analyzer, " ".join(chosen), r.reference)
            if r.picked is not None:
                scores["sentence recall"] = len({r.sentences.index(c) for c in chosen} & r.picked) / len(r.picked)
            for metric, value in scores.items():
                row[metric] = row.get(metric, 0.0) + value / counts[r.set]
    return totals


def tune() -> None:
    analyzer = Analyzer.shared()
    refs = references(analyzer)
    grid = [(p, t) for p in POSITION_GRID for t in TITLE_GRID]
    lead3 = [rouge(analyzer, " ".join(r.sentences[:3]), r.reference)["rougeL"] for r in refs]
    per = {w: [rouge(analyzer, " ".join(choose(analyzer, r.sentences, r.title, position_weight=w[0], title_weight=w[1])),
                     r.reference)["rougeL"] for r in refs] for w in grid}

    def mean(values: list[float], among: list[int]) -> float:
        return sum(values[i] for i in among) / len(among)

    def worse_ratio(w: tuple[float, float], among: list[int]) -> float:
        """The worse set's ROUGE-L as a ratio to lead-3's on the same articles."""
        return min(mean(per[w], ii) / mean(lead3, ii) for ii in ([i for i in among if refs[i].set == s] for s in SETS))

    everyone = list(range(len(refs)))
    print("position  headline   seed ROUGE-L  wikinews ROUGE-L")
    for w in grid:
        cells = [f"{mean(per[w], [i for i in everyone if refs[i].set == s]):.3f}" for s in SETS]
        print(f"{w[0]:8.1f}  {w[1]:8.1f}   {cells[0]:>12}  {cells[1]:>16}")
    print("lead-3", *(f"{mean(lead3, [i for i in everyone if refs[i].set == s]):.3f}" for s in SETS))
    best = max(grid, key=lambda w: worse_ratio(w, everyone))
    print(f"chosen on every article: position {best[0]}, headline {best[1]} "
          f"(sinmun uses {POSITION_WEIGHT}, {TITLE_WEIGHT})")
    for shuffle in range(3):
        rng = random.Random(shuffle)
        by_set = {s: [i for i in everyone if refs[i].set == s] for s in SETS}
        for members in by_set.values():
            rng.shuffle(members)
        folds = [[i for members in by_set.values() for i in members[f::FOLDS]] for f in range(FOLDS)]
        held = [0.0] * len(refs)
        for f, fold in enumerate(folds):
            train = [i for g, other in enumerate(folds) if g != f for i in other]
            chosen = max(grid, key=lambda w: worse_ratio(w, train))
            for i in fold:
                held[i] = per[chosen][i]
        print(f"cross-validated, shuffle {shuffle}: " + ", ".join(
            f"{s} {mean(held, by_set[s]):.3f} (lead-3 {mean(lead3, by_set[s]):.3f})" for s in SETS))


def ceiling() -> None:
    analyzer = Analyzer.shared()
    refs = references(analyzer)
    for name in SETS:
        best, lead3 = [], []
        for r in (r for r in refs if r.set == name):
            lead3.append(rouge(analyzer, " ".join(r.sentences[:3]), r.reference)["rougeL"])
            # Each sentence read once, a choice being its sentences' morphemes in order: the
            # same figures as reading each choice whole, in seconds instead of minutes.
            read = [morphemes(analyzer, s) for s in r.sentences]
            reference = morphemes(analyzer, r.reference)
            best.append(max(rouge_of([m for i in chosen for m in read[i]], reference)["rougeL"]
                            for chosen in itertools.combinations(range(len(read)), min(3, len(read)))))
        top, base = sum(best) / len(best), sum(lead3) / len(lead3)
        print(f"{name:9s} best three sentences {top:.3f}  lead-3 {base:.3f}  1.25 x lead-3 {1.25 * base:.3f}"
              f"  ({len(best)} articles)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tune", action="store_true", help="the weight grid and its cross-validation")
    parser.add_argument("--ceiling", action="store_true", help="the best any three sentences can score")
    args = parser.parse_args()
    if args.tune:
        tune()
        return
    if args.ceiling:
        ceiling()
        return
    for name, scores in summary_scores().items():
        print(f"{name:20s}", ", ".join(f"{metric} {value:.3f}" for metric, value in scores.items()))


if __name__ == "__main__":
    main()
