"""Extractive summaries: the three most central sentences of an article's body.

Sentences come from Kiwi's sentence splitter; each becomes its set of content
morphemes (the index terms, joined forms left out). Sentences are linked by
TextRank's similarity, shared terms / (log |a| + log |b|), and ranked by
PageRank on that graph, its random jumps biased towards early sentences. The
summary is the top three, in the article's order.
The article's own `[Summary]` block is never used: the summary is made from the
body alone, so it can be measured against that block (README, "Numbers").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..analysis.korean import Analyzer

SENTENCES = 3
DAMPING = 0.85
# Teleport weight 1/position^0.5: chosen on the seed's 11 [Summary] blocks from 0, 0.5, 1, 2
# (ROUGE-2 0.120, 0.141, 0.137, 0.140); a small set, so a light bias.
POSITION_BIAS = 0.5
MIN_SENTENCE_CHARS = 10


@dataclass
class Summary:
    id: str
    summary: str
    sentences: list[str]

    def to_dict(self) -> dict:
        return {"id": self.id, "summary": self.summary, "sentences": self.sentences}


def split_sentences(analyzer: Analyzer, text: str) -> list[str]:
    """Kiwi's sentences, each stripped; fragments shorter than a clause are dropped."""
    sentences = []
    for paragraph in text.splitlines():
        for sentence in analyzer.kiwi.split_into_sents(paragraph):
            s = sentence.text.strip()
            if len(s) >= MIN_SENTENCE_CHARS:
                sentences.append(s)
    return sentences


def pagerank(weights: np.ndarray, teleport: np.ndarray | None = None, damping: float = DAMPING,
             iterations: int = 50) -> np.ndarray:
    """PageRank; `teleport` (summing to 1) biases the random jumps."""
    n = len(weights)
    teleport = np.full(n, 1.0 / n) if teleport is None else teleport
    totals = weights.sum(axis=1, keepdims=True)
    transition = np.divide(weights, totals, out=np.full_like(weights, 1.0 / n), where=totals > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        rank = (1 - damping) * teleport + damping * transition.T @ rank
    return rank


def textrank(analyzer: Analyzer, sentences: list[str], k: int = SENTENCES) -> list[str]:
    if len(sentences) <= k:
        return sentences
    terms = [{t.text for t in ts if not t.compound} for ts in analyzer.analyze_many(sentences)]
    n = len(sentences)
    weights = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            shared = len(terms[i] & terms[j])
            if shared and len(terms[i]) > 1 and len(terms[j]) > 1:
                weights[i, j] = weights[j, i] = shared / (math.log(len(terms[i])) + math.log(len(terms[j])))
    # News puts its point first: jumps favour early sentences (PositionRank-style),
    # centrality still decides among them.
    teleport = 1.0 / np.arange(1, n + 1) ** POSITION_BIAS
    rank = pagerank(weights, teleport / teleport.sum())
    # Ties (no shared terms anywhere) fall back to the article's order.
    best = sorted(range(n), key=lambda i: (-rank[i], i))[:k]
    return [sentences[i] for i in sorted(best)]


def lead(analyzer: Analyzer, text: str, k: int = SENTENCES) -> list[str]:
    """The baseline: the first k sentences."""
    return split_sentences(analyzer, text)[:k]


def summarize(analyzer: Analyzer, article_id: str, body: str, k: int = SENTENCES) -> Summary:
    chosen = textrank(analyzer, split_sentences(analyzer, body), k)
    return Summary(id=article_id, summary=" ".join(chosen), sentences=chosen)


def rouge(analyzer: Analyzer, candidate: str, reference: str) -> dict[str, float]:
    """ROUGE-1, ROUGE-2 and ROUGE-L F1 over Kiwi morphemes (all of them, particles included)."""

    def morphemes(text: str) -> list[str]:
        return [t.form for t in analyzer.kiwi.tokenize(text) if not t.tag.startswith(("S",))]

    cand, ref = morphemes(candidate), morphemes(reference)

    def f1(overlap: int, c: int, r: int) -> float:
        if not overlap or not c or not r:
            return 0.0
        p, q = overlap / c, overlap / r
        return 2 * p * q / (p + q)

    def ngrams(seq: list[str], n: int) -> dict[tuple, int]:
        counts: dict[tuple, int] = {}
        for i in range(len(seq) - n + 1):
            key = tuple(seq[i:i + n])
            counts[key] = counts.get(key, 0) + 1
        return counts

    scores = {}
    for n in (1, 2):
        c, r = ngrams(cand, n), ngrams(ref, n)
        overlap = sum(min(v, r.get(k, 0)) for k, v in c.items())
        scores[f"rouge{n}"] = f1(overlap, sum(c.values()), sum(r.values()))
    # Longest common subsequence, by dynamic programming over one row.
    row = [0] * (len(ref) + 1)
    for a in cand:
        prev = 0
        for j, b in enumerate(ref, 1):
            cur = row[j]
            row[j] = prev + 1 if a == b else max(row[j], row[j - 1])
            prev = cur
    scores["rougeL"] = f1(row[-1], len(cand), len(ref))
    return scores
