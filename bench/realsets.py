"""Judgement sets on real Korean news text, built from ../shared/data at run time.

The data's text must not be copied into the project, so this script writes each set
(articles to ingest, and judgements in `sinmun eval`'s format) into an output folder:

  klue/      3,834 KLUE NLI news sentences as articles; `entailment.jsonl` asks the 300
             sentences people wrote that the premise states (the premise is the one
             relevant article), `neutral.jsonl` the 300 on the same topic that it does not
             state (the premise still graded 1: it is what a reader asking would want).
  wikinews/  the 542 Korean Wikinews articles; `questions.jsonl` is the project's own
             questions about them (tests/fixtures/qrels/wikinews.jsonl, written by the
             project and keyed by Wikinews id), with the ids turned into sinmun's.

    python bench/realsets.py OUT        # then: sinmun ingest OUT/klue/articles.jsonl --db k.db
                                        #       sinmun eval OUT/klue/entailment.jsonl --db k.db
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from sinmun.articles import article_id

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
WIKINEWS_QUESTIONS = ROOT / "tests" / "fixtures" / "qrels" / "wikinews.jsonl"
# A KLUE sentence has no headline; its outlet stands in (one word shared by thousands, so it weighs nothing).
OUTLETS = {"policy": "정책브리핑", "wikitree": "위키트리"}


def rows(name: str) -> Iterator[dict]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as f:
        yield from (json.loads(line) for line in f if line.strip())


def write(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def klue(out: Path) -> dict[str, int]:
    articles, ids = [], {}
    for s in rows("klue_nli_sentences.jsonl.gz"):
        title = OUTLETS.get(s["source"], s["source"])
        articles.append({"title": title, "body": s["body"], "url": f"https://klue-benchmark.com/nli/{s['id']}",
                         "source": s["source"]})
        ids[s["id"]] = article_id(title, s["body"])
    write(out / "klue" / "articles.jsonl", articles)
    counts = {"articles": len(articles)}
    for label, grade in (("entailment", 2), ("neutral", 1)):
        judged = [{"id": q["guid"], "kind": f"{label}-{q['source']}", "query": q["query"],
                   "relevant": {ids[q["doc_id"]]: grade}}
                  for q in rows("klue_nli_queries.jsonl.gz") if q["label"] == label]
        write(out / "klue" / f"{label}.jsonl", judged)
        counts[label] = len(judged)
    return counts


def wikinews(out: Path) -> dict[str, int]:
    articles, ids = [], {}
    for a in rows("ko_wikinews_dev.jsonl.gz"):
        articles.append({"title": a["title"], "body": a["body"], "published": a["date"], "url": a["url"],
                         "source": "wikinews"})
        ids[a["id"]] = article_id(a["title"], a["body"])
    write(out / "wikinews" / "articles.jsonl", articles)
    counts = {"articles": len(articles)}
    if WIKINEWS_QUESTIONS.exists():
        judged = []
        for line in WIKINEWS_QUESTIONS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line)
                judged.append({**q, "relevant": {ids[k]: g for k, g in q["relevant"].items()}})
        write(out / "wikinews" / "questions.jsonl", judged)
        counts["questions"] = len(judged)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    print(json.dumps({"klue": klue(args.out), "wikinews": wikinews(args.out)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
