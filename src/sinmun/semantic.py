"""Search by meaning: article vectors built from Kiwi's own morpheme embeddings.

No sentence-embedding model can be downloaded here, but Kiwi's `cong` model,
which ships on PyPI, embeds each common morpheme in 256 dimensions. Kiwi only
exposes cosine similarities (`morpheme_similarity`), yet a matrix of cosines
between unit vectors has the rank of the space, so the vectors themselves are
recovered exactly, up to a rotation that cosine cannot see, by the Nyström
method: a morpheme's similarities to `ANCHORS` fixed anchor morphemes, times
the inverse square root of the anchors' own similarity matrix.

Raw Kiwi embeddings share one large common direction (any two morphemes have
cosine 0.4-0.9), so the anchors' mean and top principal direction are removed
("all-but-the-top", Mu & Viswanath 2018). Measured: 거품·버블 0.72 -> 0.47 while
거품·사과 0.36 -> 0.03.

An article's vector is the sum of its content morphemes' vectors, each weighted
by (1 + log count) x IDF over the archive (title words count three times), then
normalised; a query is embedded the same way. Each article's morpheme counts
(its "bag") are stored, so `sinmun train` can refresh the IDF weights and
re-embed everything without analysing again; this also happens on its own
whenever the archive has doubled since the last training.

Vectors are kept in the store (table `article_vectors`, the truth) and in a
usearch HNSW index beside the Tantivy index, rebuilt from the store whenever it
is missing or behind. Near-duplicates get vectors but stay out of the index.
"""

from __future__ import annotations

import json
import math
import os
import random
import sqlite3
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path

import numpy as np

from .articles import Article
from .korean import Term
from .store import immediate

ANCHORS = 384  # > 256, the dimension of Kiwi's cong embeddings
ANCHOR_SEED = 20261125
ANCHOR_RANGE = (50, 20000)  # common morphemes: well-trained vectors
REMOVE_TOP = 1
# Morphemes that carry meaning. Latin and hanja words (SL, SH) have no Kiwi
# vector of their own; like names Kiwi does not know, they get a direction of
# their own (see `bag`).
MEANING_TAGS = {"NNG", "NNP", "NR", "XR", "VV", "VA", "SL", "SH"}
NAME_TAGS = {"NNP", "SL", "SH"}
TITLE_WEIGHT = 3
# Train again (fresh IDF for every article) when the archive has grown this much.
RETRAIN_GROWTH = 2.0
VECTOR_FILE = "vectors.usearch"
VECTOR_META = "vectors.json"


class MorphemeVectors:
    """Kiwi's morpheme embeddings, recovered from its similarities, centred."""

    def __init__(self, kiwi) -> None:
        self.kiwi = kiwi
        sim = kiwi.morpheme_similarity
        rng = random.Random(ANCHOR_SEED)
        anchors: list[int] = []
        while len(anchors) < ANCHORS:
            morph = rng.randrange(*ANCHOR_RANGE)
            if morph not in anchors and not math.isnan(sim(morph, morph)):
                anchors.append(morph)
        self.anchors = anchors
        gram = np.array([[sim(a, b) for b in anchors] for a in anchors])
        values, vecs = np.linalg.eigh(gram)
        keep = values > values.max() * 1e-5
        self.project = (vecs[:, keep] / np.sqrt(values[keep])).T
        raw = (self.project @ gram).T
        self.mean = raw.mean(axis=0)
        _, _, vt = np.linalg.svd(raw - self.mean, full_matrices=False)
        self.top = vt[:REMOVE_TOP]
        self.dim = self.project.shape[0]
        # Kiwi's first morpheme ids are placeholders, one per tag, shared by every
        # word it does not know (뉴트리노 and 카오리나이트 are both id 2): they mean
        # nothing, so such words are keyed by their text, like names.
        self.first_known = next(i for i in range(1000) if kiwi.morpheme(i).form)
        self._cache: dict[int, np.ndarray | None] = {}

    def get(self, morph: int) -> np.ndarray | None:
        """The unit vector of a Kiwi morpheme id; None for names Kiwi has no vector for."""
        if morph in self._cache:
            return self._cache[morph]
        vec = None
        if morph >= self.first_known:
            sim = self.kiwi.morpheme_similarity
            sims = np.fromiter((sim(morph, a) for a in self.anchors), dtype=float, count=len(self.anchors))
            if not np.isnan(sims).any():
                v = self.project @ sims - self.mean
                v -= (self.top @ v) @ self.top
                norm = np.linalg.norm(v)
                vec = v / norm if norm > 1e-9 else None
        self._cache[morph] = vec
        return vec

    def key_vector(self, key: int) -> np.ndarray | None:
        """Kiwi's vector for a morpheme id; a fixed random direction for a name key (< 0)."""
        if key >= 0:
            return self.get(key)
        if key not in self._cache:
            v = np.random.default_rng(-key).standard_normal(self.dim)
            self._cache[key] = v / np.linalg.norm(v)
        return self._cache[key]

    def similarity(self, a: int, b: int) -> float:
        va, vb = self.get(a), self.get(b)
        return float(va @ vb) if va is not None and vb is not None else 0.0


_SHARED: dict[int, MorphemeVectors] = {}


def morpheme_vectors(kiwi) -> MorphemeVectors:
    """One per Kiwi instance (building the anchors loads Kiwi's embeddings: ~1.6 s once)."""
    key = id(kiwi)
    if key not in _SHARED:
        _SHARED[key] = MorphemeVectors(kiwi)
    return _SHARED[key]


def name_key(term: str) -> int:
    """A negative bag key for a word without a Kiwi vector, stable across runs."""
    return -1 - (zlib.crc32(term.encode()) & 0x7FFFFFFF)


def bag(parts: dict[str, list[Term]], vectors: MorphemeVectors) -> Counter[int]:
    """Key -> count over an article's parts (title words weigh more).

    A key is Kiwi's morpheme id when Kiwi has a vector for it, else a key made
    from the term's text: names (엔비디아, H200) then match only themselves, so a
    query naming them still finds them by meaning.
    """
    counts: Counter[int] = Counter()
    for name, terms in parts.items():
        weight = TITLE_WEIGHT if name == "title" else 1
        for t in terms:
            if t.compound or t.tag not in MEANING_TAGS:
                continue
            # Proper nouns, Latin and hanja go by their canonical text: 美 and 미국,
            # Nvidia and 엔비디아 are one key, whichever tag Kiwi gave them.
            named = t.tag in NAME_TAGS or t.morph < 0 or vectors.get(t.morph) is None
            key = name_key(t.text) if named else t.morph
            counts[key] += weight
    return counts


def encode_bag(counts: Counter[int]) -> bytes:
    return zlib.compress(np.array(sorted(counts.items()), dtype=np.int64).tobytes(), 1)


def decode_bag(blob: bytes) -> dict[int, int]:
    pairs = np.frombuffer(zlib.decompress(blob), dtype=np.int64).reshape(-1, 2)
    return dict(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist()))


def idf(df: int, n: int) -> float:
    return math.log((n + 1) / (df + 0.5))


def embed(bags: list[dict[int, int]], vectors: MorphemeVectors, df: dict[int, int], n: int) -> np.ndarray:
    """One normalised float32 row per bag (all zeros if no morpheme has a vector)."""
    out = np.zeros((len(bags), vectors.dim), dtype=np.float32)
    for row, counts in enumerate(bags):
        acc = np.zeros(vectors.dim)
        for morph, count in counts.items():
            vec = vectors.key_vector(morph)
            if vec is not None:
                acc += (1 + math.log(count)) * idf(df.get(morph, 0), n) * vec
        norm = np.linalg.norm(acc)
        if norm > 0:
            out[row] = acc / norm
    return out


def load_df(db: sqlite3.Connection) -> tuple[dict[int, int], int]:
    df = dict(db.execute("SELECT morph, df FROM morph_df").fetchall())
    n = db.execute("SELECT count(*) FROM article_vectors").fetchone()[0]
    return df, n


def _meta(db: sqlite3.Connection, key: str, default: str = "0") -> str:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def train(db: sqlite3.Connection, vectors: MorphemeVectors) -> dict:
    """Recount document frequencies from the stored bags and re-embed every article."""
    rows = db.execute("SELECT seq, bag FROM article_vectors ORDER BY seq").fetchall()
    bags = [decode_bag(blob) for _, blob in rows]
    df: Counter[int] = Counter()
    for counts in bags:
        df.update(counts.keys())
    matrix = embed(bags, vectors, df, len(bags))
    with immediate(db):
        db.execute("DELETE FROM morph_df")
        db.executemany("INSERT INTO morph_df VALUES (?, ?)", df.items())
        db.executemany("UPDATE article_vectors SET vector = ? WHERE seq = ?",
                       [(matrix[i].tobytes(), seq) for i, (seq, _) in enumerate(rows)])
        generation = int(_meta(db, "vectors_generation")) + 1
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                       [("vectors_trained_n", str(len(rows))), ("vectors_generation", str(generation))])
    return {"articles": len(rows), "morphemes": len(df), "generation": generation}


class Embedder:
    """Derived step of the index sync: bags and vectors for the articles it analyses."""

    def __init__(self, vectors: Callable[[], MorphemeVectors]) -> None:
        self._make_vectors = vectors  # called on first use: a sync with nothing to do loads nothing
        self.pending: list[tuple[int, str, bool, Counter[int]]] = []

    @cached_property
    def vectors(self) -> MorphemeVectors:
        return self._make_vectors()

    def add(self, seq: int, article: Article, parts: dict[str, list[Term]]) -> None:
        self.pending.append((seq, article.id, bool(article.duplicate_of), bag(parts, self.vectors)))

    def reset(self, db: sqlite3.Connection) -> None:
        db.executescript("DELETE FROM article_vectors; DELETE FROM morph_df; "
                         "DELETE FROM meta WHERE key = 'vectors_trained_n';")

    def flush(self, db: sqlite3.Connection) -> None:
        if not self.pending:
            return
        try:
            with immediate(db):
                self._write(db)
        finally:
            self.pending = []

    def _write(self, db: sqlite3.Connection) -> None:
        # Document frequencies first: the new articles are embedded with them.
        df_change: Counter[int] = Counter()
        for _, article_id, _, counts in self.pending:
            old = db.execute("SELECT bag FROM article_vectors WHERE article_id = ?", (article_id,)).fetchone()
            if old:  # a revision, or a sync repeated after a crash: count it once
                df_change.subtract(decode_bag(old[0]).keys())
            df_change.update(counts.keys())
        db.executemany(
            "INSERT INTO morph_df VALUES (?, ?) ON CONFLICT (morph) DO UPDATE SET df = df + excluded.df",
            [(m, c) for m, c in df_change.items() if c])
        rows = [(seq, article_id, int(dup), encode_bag(counts), b"")
                for seq, article_id, dup, counts in self.pending]
        db.executemany("INSERT OR REPLACE INTO article_vectors VALUES (?, ?, ?, ?, ?)", rows)
        df, n = load_df(db)
        if n >= max(RETRAIN_GROWTH * int(_meta(db, "vectors_trained_n")), 1):
            train(db, self.vectors)
        else:
            matrix = embed([counts for *_, counts in self.pending], self.vectors, df, n)
            db.executemany("UPDATE article_vectors SET vector = ? WHERE seq = ?",
                           [(matrix[i].tobytes(), p[0]) for i, p in enumerate(self.pending)])


def query_vector(counts: Counter[int], vectors: MorphemeVectors, db: sqlite3.Connection) -> np.ndarray | None:
    """The query's bag (`bag` of its terms) embedded like an article; None when no word has a vector."""
    if not counts:
        return None
    marks = ", ".join("?" for _ in counts)
    df = dict(db.execute(f"SELECT morph, df FROM morph_df WHERE morph IN ({marks})", list(counts)).fetchall())
    # A name no article contains has only its random direction, which matches
    # nothing but noise (and would weigh most, having the highest IDF).
    counts = Counter({key: c for key, c in counts.items() if key >= 0 or df.get(key)})
    if not counts:
        return None
    n = db.execute("SELECT count(*) FROM article_vectors").fetchone()[0]
    vec = embed([counts], vectors, df, n)[0]
    return vec if vec.any() else None


class VectorIndex:
    """usearch HNSW over the store's article vectors (keys are store `seq`s).

    Derived, like the Tantivy index: `refresh` adds what the store has and the
    file lacks, or rebuilds the file after a training changed every vector.
    """

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / VECTOR_FILE
        self.meta_path = Path(folder) / VECTOR_META
        self.index = None
        self.state: dict = {}

    def _read_meta(self) -> dict:
        try:
            return json.loads(self.meta_path.read_text())
        except (OSError, ValueError):
            return {}

    def refresh(self, db: sqlite3.Connection) -> None:
        from usearch.index import Index

        wanted = {
            "generation": _meta(db, "vectors_generation"),
            "rows": db.execute("SELECT count(*) FROM article_vectors").fetchone()[0],
            "max_seq": db.execute("SELECT COALESCE(max(seq), 0) FROM article_vectors").fetchone()[0],
        }
        if self.index is not None and self.state == wanted:
            return
        on_disk = self._read_meta()
        if on_disk == wanted and self.path.exists():
            self.index, self.state = Index.restore(str(self.path), view=False), wanted
            return
        same_generation = on_disk.get("generation") == wanted["generation"] and self.path.exists()
        if same_generation and self.index is None:
            self.index = Index.restore(str(self.path), view=False)
        if not same_generation or self.index is None:
            self.index = Index(ndim=self._dim(db), metric="cos", dtype="f32")
            since = 0
        else:
            since = on_disk.get("max_seq", 0)
        keys, rows = [], []
        for seq, blob in db.execute(
            "SELECT seq, vector FROM article_vectors WHERE seq > ? AND duplicate = 0", (since,)
        ):
            vec = np.frombuffer(blob, dtype=np.float32)
            if vec.size and vec.any():
                keys.append(seq)
                rows.append(vec)
        if keys:
            stale = [k for k in keys if k in self.index]
            if stale:
                self.index.remove(stale)
            self.index.add(np.array(keys, dtype=np.uint64), np.vstack(rows))
        tmp = self.path.with_suffix(".tmp")
        self.index.save(str(tmp))
        os.replace(tmp, self.path)
        tmp_meta = self.meta_path.with_suffix(".tmp")
        tmp_meta.write_text(json.dumps(wanted))
        os.replace(tmp_meta, self.meta_path)
        self.state = wanted

    @staticmethod
    def _dim(db: sqlite3.Connection) -> int:
        row = db.execute("SELECT vector FROM article_vectors WHERE length(vector) > 0 LIMIT 1").fetchone()
        return len(row[0]) // 4 if row else 256

    def search(self, vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(seq, cosine similarity), best first."""
        if self.index is None or len(self.index) == 0:
            return []
        matches = self.index.search(vec.astype(np.float32), min(k, len(self.index)))
        return [(int(key), 1.0 - float(dist)) for key, dist in zip(matches.keys, matches.distances)]


def similar_seqs(index: VectorIndex, db: sqlite3.Connection, article_id: str, k: int) -> list[tuple[str, float]]:
    """(article id, similarity) of the articles nearest in meaning to a stored one."""
    row = db.execute("SELECT seq, vector FROM article_vectors WHERE article_id = ?", (article_id,)).fetchone()
    if row is None or not row[1]:
        return []
    vec = np.frombuffer(row[1], dtype=np.float32)
    if not vec.any():
        return []
    hits = [(seq, score) for seq, score in index.search(vec, k + 1) if seq != row[0]]
    return resolve(db, hits)[:k]


def resolve(db: sqlite3.Connection, hits: Iterable[tuple[int, float]]) -> list[tuple[str, float]]:
    """Index keys (seq) to article ids, dropping keys whose article has since changed."""
    hits = list(hits)
    if not hits:
        return []
    marks = ", ".join("?" for _ in hits)
    ids = dict(db.execute(f"SELECT seq, article_id FROM article_vectors WHERE seq IN ({marks})",
                          [s for s, _ in hits]).fetchall())
    return [(ids[s], score) for s, score in hits if s in ids]
