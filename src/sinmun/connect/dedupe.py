"""Near-duplicates: syndicated copies and lightly edited versions of one article.

Each article's text becomes a MinHash over word 3-grams (eojeol shingles of the
NFKC-folded text, punctuation dropped); an LSH index proposes candidates and the
estimated Jaccard similarity decides. An article at or above `THRESHOLD` with an
earlier one is stored, linked to it (`duplicate_of`) and hidden from search by
default. Signatures and their LSH band keys are kept in the store, which answers
the candidate lookups: nothing is held in memory between articles.

The threshold was chosen on the project's own pairs (tests/fixtures/duplicates.jsonl):
see README, "Duplicates".
"""

from __future__ import annotations

import re
import unicodedata
import zlib

import numpy as np
from datasketch import MinHash

from ..articles import Article
from ..store import Store
from ..store.vectors import BAND_BYTES, band_key

NUM_PERM = 128
THRESHOLD = 0.5
SHINGLE = 3
SCHEME = "affine64"  # stored signatures must be read back with the scheme that made them
# LSH banding, as datasketch's MinHashLSH chooses it for THRESHOLD 0.5 and 128 permutations
# (the weighted false positive and negative rates at their least). Stored keys depend on it:
# a change needs the band keys computed again (a migration).
BANDS, ROWS = 25, 5
assert ROWS * 8 == BAND_BYTES
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


def band_keys(hashvalues: bytes) -> list[int]:
    """The signature's LSH band keys: BANDS bands of ROWS hash values, each band hashed
    (with its number) to a signed 32-bit key. Two articles sharing any key are candidates.

    Kept in the store (`minhash_bands`), so ingest asks the store for candidates instead of
    building datasketch's in-memory index from every stored signature, which took 17.9 s
    and 1.0 GB at 100,000 articles, on every ingest and on every article published through
    the API. The key is the store's `band_key`, which PostgreSQL's migration computes in
    SQL too. 32 bits suffice: a key shared by chance only adds a candidate, which the
    estimated similarity then turns away.
    """
    return [band_key(hashvalues, band) for band in range(BANDS)]


def keep(store: Store, article_id: str, m: MinHash) -> None:
    """Store an article's signature and band keys (replacing a revised article's old ones),
    inside the caller's transaction."""
    old = store.signatures.get(article_id)
    new = m.hashvalues.astype(np.uint64).tobytes()
    store.signatures.put(article_id, new, band_keys(new), band_keys(old) if old else [])


class NearDuplicates:
    """Near-duplicate lookups against every stored article's signature, through the store's band keys."""

    def __init__(self, store: Store, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self.store = store
        self._last: tuple[str | None, MinHash | None] = (None, None)

    def find(self, article: Article) -> tuple[str, float] | None:
        """The most similar stored article at or above the threshold, with its similarity."""
        m = signature(article.body)
        self._last = (article.id, m)  # reused by add()
        best: tuple[str, float] | None = None
        for candidate, blob in self.store.signatures.candidates(band_keys(m.hashvalues.astype(np.uint64).tobytes())):
            stored = np.frombuffer(blob, dtype=np.uint64)
            score = float(np.count_nonzero(stored == m.hashvalues)) / NUM_PERM  # MinHash.jaccard's estimate
            if score >= self.threshold and (best is None or score > best[1]):
                best = (candidate, round(score, 3))
        return best

    def add(self, article_id: str, article: Article) -> None:
        """Keep the article's signature (in the store, inside the caller's transaction)."""
        last_id, m = self._last
        if m is None or last_id != article.id:
            m = signature(article.body)
        keep(self.store, article_id, m)
