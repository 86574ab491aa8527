"""BM25 baselines that the evaluation harness ranks beside sinmun's own search.

Two standard lexical rankers over the same archive, built with bm25s (Lucene's
BM25 variant, k1 = 1.5, b = 0.75), so that every figure sinmun reports comes with
what plain BM25 scores on the same queries in the same run:

- `bm25-kiwi`: Kiwi's content morphemes (nouns, verb and adjective stems, roots,
  foreign words, numbers, hanja) of the NFC text, with no names, aliases or joins:
  what a careful first search engine for Korean would do.
- `bm25-bigram`: overlapping character bigrams inside each word of the normalised
  text (a one-character word stays a unigram): no analyser at all, robust to
  segmentation and unknown names.

Both index title and body as one text; a query is tokenised the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..analysis.korean import char_bigrams, normalize

BASELINES = ("bm25-kiwi", "bm25-bigram")
# Kiwi tags that carry content: nouns, predicates' stems, roots, foreign, numbers, hanja.
CONTENT_TAGS = ("NNG", "NNP", "NNB", "NR", "NP", "XR", "SL", "SN", "SH", "MAG")
def fold(text: str) -> str:
    """sinmun's analysis normalisation (NFC, width, quotes), lower case."""
    return normalize(text)[0].lower()


def content(tag: str) -> bool:
    return tag in CONTENT_TAGS or tag.startswith(("VV", "VA"))  # VV-R, VA-I: irregular stems


class KiwiContent:
    """Kiwi's content morphemes as `form/tag` (the model loaded once)."""

    def __init__(self) -> None:
        from kiwipiepy import Kiwi

        self.kiwi = Kiwi()

    def __call__(self, text: str) -> list[str]:
        return self.many([text])[0]

    def many(self, texts: list[str]) -> list[list[str]]:
        return [[f"{t.form.lower()}/{t.tag[:2]}" for t in tokens if content(t.tag)]
                for tokens in self.kiwi.tokenize([fold(t) for t in texts])]


class BM25:
    """One bm25s index over (id, text) pairs; `rank(query)` gives ids, best first."""

    def __init__(self, name: str, documents: Iterable[tuple[str, str]]) -> None:
        import bm25s  # here: `sinmun eval` of sinmun's own configurations never needs it

        if name not in BASELINES:
            raise ValueError(f"unknown baseline {name!r} (use {', '.join(BASELINES)})")
        ids, texts = [], []
        for doc_id, text in documents:
            ids.append(doc_id)
            texts.append(text)
        self.ids = ids
        if name == "bm25-kiwi":
            kiwi = KiwiContent()
            self.tokenize: Callable[[str], list[str]] = kiwi
            corpus = kiwi.many(texts)
        else:
            self.tokenize = char_bigrams
            corpus = [char_bigrams(t) for t in texts]
        # bm25s wants integer token ids: one vocabulary for documents and queries.
        self.vocab: dict[str, int] = {}
        encoded = [[self.vocab.setdefault(tok, len(self.vocab)) for tok in doc] for doc in corpus]
        self.model = bm25s.BM25()
        self.model.index(bm25s.tokenization.Tokenized(ids=encoded, vocab=self.vocab), show_progress=False)

    def rank(self, query: str, k: int = 100) -> list[str]:
        tokens = [self.vocab[t] for t in self.tokenize(query) if t in self.vocab]
        if not tokens or not self.ids:
            return []
        scores = self.model.get_scores_from_ids(tokens)
        order = scores.argsort()[::-1][:k]
        return [self.ids[i] for i in order if scores[i] > 0]
