"""Near-duplicates: syndicated copies and lightly edited versions of one article.

Each article's text becomes a MinHash over word 3-grams (eojeol shingles of the
NFKC-folded text, punctuation dropped); an LSH index proposes candidates and the
estimated Jaccard similarity decides. An article at or above `THRESHOLD` with an
earlier one is stored, linked to it (`duplicate_of`) and hidden from search by
default. Signatures are kept in the store, so the index is rebuilt in memory on
open and grows with every ingest.

The threshold was chosen on the project's own pairs (tests/fixtures/duplicates.jsonl):
see README, "Duplicates".
"""

from __future__ import annotations

import re
import unicodedata
import zlib

import numpy as np
from datasketch import MinHash, MinHashLSH

from ..articles import Article
from ..store import Store

NUM_PERM = 128
THRESHOLD = 0.5
SHINGLE = 3
SCHEME = "affine64"  # stored signatures must be read back with the scheme that made them
_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[bytes]:
    words = _WORD.findall(unicodedata.normalize("NFKC", text).lower())
    if len(words) < SHINGLE:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i:i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


_PERMUTATIONS = MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations  # made once, not per article


def shingle_hash(data: bytes) -> int:
    """64 bits from two C checksums: 8x faster than datasketch's SHA-1, and stable
    across processes (stored signatures depend on it: changing it needs a rehash)."""
    return (zlib.crc32(data) << 32) | zlib.adler32(data)


def signature(text: str) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=_PERMUTATIONS, hashfunc=shingle_hash)
    m.update_batch(list(shingles(text)))
    return m


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two texts' shingles."""
    return signature(a).jaccard(signature(b))


class NearDuplicates:
    """The LSH index of every stored article's signature."""

    def __init__(self, store: Store, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.signatures: dict[str, MinHash] = {}
        self._pending: list[str] = []
        self._last: tuple[str | None, MinHash | None] = (None, None)
        self.store = store
        for article_id, blob in store.signatures.all():
            m = MinHash(num_perm=NUM_PERM, hashvalues=np.frombuffer(blob, dtype=np.uint64), scheme=SCHEME,
                        permutations=_PERMUTATIONS, hashfunc=shingle_hash)
            self._insert(article_id, m)

    def _insert(self, article_id: str, m: MinHash) -> None:
        if article_id in self.signatures:  # a revision replaces the text
            self.lsh.remove(article_id)
        self.lsh.insert(article_id, m)
        self.signatures[article_id] = m

    def find(self, article: Article) -> tuple[str, float] | None:
        """The most similar stored article at or above the threshold, with its similarity."""
        m = signature(article.body)
        self._last = (article.id, m)  # reused by add()
        best: tuple[str, float] | None = None
        for candidate in self.lsh.query(m):
            score = m.jaccard(self.signatures[candidate])
            if score >= self.threshold and (best is None or score > best[1]):
                best = (candidate, round(score, 3))
        return best

    def add(self, article_id: str, article: Article) -> None:
        """Keep the article's signature (in the store, inside the caller's transaction)."""
        last_id, m = self._last
        if m is None or last_id != article.id:
            m = signature(article.body)
        self.store.signatures.put(article_id, m.hashvalues.astype(np.uint64).tobytes())
        self._insert(article_id, m)
        self._pending.append(article_id)

    def commit(self) -> None:
        self._pending = []

    def rollback(self) -> None:
        """Forget what a rolled-back transaction added."""
        for article_id in self._pending:
            if article_id in self.signatures:
                self.lsh.remove(article_id)
                del self.signatures[article_id]
        self._pending = []
