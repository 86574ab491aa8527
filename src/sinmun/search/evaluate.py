"""Evaluation harness: graded relevance judgements, nDCG@10, MRR@10, Recall@10/100.

A judgement file is JSON Lines, one query per line:

    {"id": "q1", "kind": "synonym", "query": "AI 거품", "relevant": {"<article id>": 2, ...}}

Grades: 2 = the article is about it, 1 = it covers it in part. Articles not
listed count as not relevant. `kind` groups the queries in the report (particle,
spacing, english, hanja, synonym, paraphrase, typo, question, ...).

A configuration is a name for a set of search options, so that two can be
compared in one run on the same archive; `bm25-kiwi` and `bm25-bigram` are plain
BM25 rankings of the same archive (search/baselines.py), the bar to clear.

Gain: nDCG uses the exponential gain 2^grade - 1 (grade 2 counts 3, grade 1
counts 1). trec_eval, and so ir-measures, use the grade itself; on sets with one
grade the two agree exactly (the bench cross-checks with ir-measures).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BadRequest
from ..store import Store
from .baselines import BASELINES

CONFIGS: dict[str, dict] = {
    "plain": {"mode": "keyword", "expand": False, "correct": False},  # the working core's search
    "keyword": {"mode": "keyword"},  # + related words and spelling correction
    "semantic": {"mode": "semantic"},
    "hybrid": {"mode": "hybrid"},
}
NAMES = (*CONFIGS, *BASELINES)
DEPTH = 100


@dataclass
class Judgement:
    id: str
    query: str
    kind: str
    relevant: dict[str, int]


@dataclass
class QueryResult:
    id: str
    query: str
    kind: str
    ndcg10: float
    mrr10: float
    recall10: float
    recall100: float
    zero: bool
    ranked: list[str] = field(default_factory=list)


def load_qrels(path: Path) -> list[Judgement]:
    """Read a judgement file; a bad line stops with its line number and what is wrong."""
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except OSError as exc:
        raise BadRequest(f"cannot read {path}: {exc.strerror}") from None
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            query, relevant = data["query"], data["relevant"]
            if not isinstance(query, str) or not query.strip():
                raise ValueError("'query' must be a non-empty string")
            if not isinstance(relevant, dict) or not all(isinstance(g, int) and g >= 0 for g in relevant.values()):
                raise ValueError("'relevant' must map article ids to grades 0, 1 or 2")
        except KeyError as exc:
            raise BadRequest(f"{path}:{number}: missing field {exc}") from None
        except ValueError as exc:
            raise BadRequest(f"{path}:{number}: {exc}") from None
        out.append(Judgement(str(data.get("id", number)), query, str(data.get("kind", "other")), relevant))
    if not out:
        raise BadRequest(f"{path}: no judgements")
    return out


def dcg(gains: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def score(judgement: Judgement, ranked: list[str]) -> QueryResult:
    rel = judgement.relevant
    ideal = dcg(sorted(rel.values(), reverse=True)[:10])
    relevant = {i for i, g in rel.items() if g > 0}
    first = next((rank for rank, i in enumerate(ranked[:10], 1) if i in relevant), None)
    return QueryResult(
        id=judgement.id, query=judgement.query, kind=judgement.kind,
        ndcg10=dcg([rel.get(i, 0) for i in ranked[:10]]) / ideal if ideal else 0.0,
        mrr10=1.0 / first if first else 0.0,
        recall10=len(relevant & set(ranked[:10])) / len(relevant) if relevant else 0.0,
        recall100=len(relevant & set(ranked[:100])) / len(relevant) if relevant else 0.0,
        zero=not ranked, ranked=ranked[:10],
    )


def check_config(config: str) -> str:
    if config not in NAMES:
        raise BadRequest(f"unknown configuration {config!r} (use {', '.join(NAMES)})")
    return config


def run(rank: Callable[[str], Sequence[str]], judgements: list[Judgement]) -> list[QueryResult]:
    """Each judged query through `rank` (a query to article ids, best first), scored."""
    return [score(j, list(rank(j.query))[:DEPTH]) for j in judgements]


def unknown_ids(store: Store, judgements: list[Judgement]) -> list[str]:
    """Judged article ids the archive does not hold (a judgement file for another archive)."""
    ids = sorted({i for j in judgements for i in j.relevant})
    known = set(store.articles.get_many(ids))
    return [i for i in ids if i not in known]


def summarize(results: list[QueryResult]) -> dict:
    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 3) if values else 0.0

    def block(rs: list[QueryResult]) -> dict:
        return {"queries": len(rs), "ndcg@10": mean([r.ndcg10 for r in rs]), "mrr@10": mean([r.mrr10 for r in rs]),
                "recall@10": mean([r.recall10 for r in rs]), "recall@100": mean([r.recall100 for r in rs]),
                "zero_hits": sum(r.zero for r in rs)}

    kinds = sorted({r.kind for r in results})
    return {"all": block(results), **{k: block([r for r in results if r.kind == k]) for k in kinds}}
