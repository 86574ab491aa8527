"""Vectors, vocabulary and near-duplicate signatures: derived tables, each with one writer.

- `article_vectors`, `morph_df` and the `vectors_*` meta keys: the embedder (`sinmun.search.meaning`);
- `term_df`: the vocabulary step (`sinmun.analysis.typos`);
- `minhashes` and `minhash_bands`: near-duplicate detection at ingest (`sinmun.connect.dedupe`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from ._sql import CHUNK, Database, add_to_meta_count, chunks, marks, meta_count

# A signature's LSH band is 5 of its 64-bit hash values (sinmun.connect.dedupe: BANDS, ROWS).
BAND_BYTES = 40


def band_key(signature: bytes, band: int) -> int:
    """One LSH band's key: the first 4 bytes of MD5 of (band number, the band's bytes), signed.
    SQLite's migration 14 calls this; PostgreSQL's migration 5 computes the same in SQL."""
    part = signature[band * BAND_BYTES:(band + 1) * BAND_BYTES]
    return int.from_bytes(hashlib.md5(bytes([band]) + part).digest()[:4], "big", signed=True)


class SqlVectors:
    """Owner of `article_vectors` (each article's morpheme bag and vector) and `morph_df`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def bag(self, article_id: str) -> bytes | None:
        row = self.db.execute("SELECT bag FROM article_vectors WHERE article_id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def put(self, rows: list[tuple[int, str, bool, bytes]]) -> None:
        # A revision keeps its seq; a row under the same article id is replaced either way.
        before: set[int] = set()
        for chunk in chunks(rows, CHUNK // 2):
            before.update(r[0] for r in self.db.execute(
                f"SELECT seq FROM article_vectors WHERE seq IN ({marks(chunk)}) OR article_id IN ({marks(chunk)})",
                [r[0] for r in chunk] + [r[1] for r in chunk]))
        add_to_meta_count(self.db, "vector_articles", len({r[0] for r in rows}) - len(before))
        self.db.executemany("DELETE FROM article_vectors WHERE article_id = ?", [(r[1],) for r in rows])
        self.db.executemany("INSERT INTO article_vectors VALUES (?, ?, ?, ?, ?) ON CONFLICT (seq) DO UPDATE SET "
                            "article_id = excluded.article_id, duplicate = excluded.duplicate, bag = excluded.bag, "
                            "vector = excluded.vector",
                            [(seq, article_id, int(dup), bag, b"") for seq, article_id, dup, bag in rows])

    def set_vectors(self, rows: list[tuple[bytes, int]]) -> None:
        self.db.executemany("UPDATE article_vectors SET vector = ? WHERE seq = ?", rows)

    def add_doc_freqs(self, changes: dict[int, int]) -> None:
        self.db.executemany(
            "INSERT INTO morph_df VALUES (?, ?) ON CONFLICT (morph) DO UPDATE SET df = morph_df.df + excluded.df",
            [(m, c) for m, c in changes.items() if c])

    def replace_doc_freqs(self, df: dict[int, int]) -> None:
        self.db.execute("DELETE FROM morph_df")
        self.db.executemany("INSERT INTO morph_df VALUES (?, ?)", df.items())

    def doc_freqs(self, keys: list[int] | None = None) -> dict[int, int]:
        if keys is None:
            return dict(self.db.execute("SELECT morph, df FROM morph_df").fetchall())
        found: dict[int, int] = {}
        for chunk in chunks(keys):
            found.update(self.db.execute(f"SELECT morph, df FROM morph_df WHERE morph IN ({marks(chunk)})", chunk))
        return found

    def count(self) -> int:
        """Articles with a vector: kept as a meta row (`vector_articles`), because counting the
        table read its whole index, once per batch the embedder wrote and once per query
        embedded (5.7 ms warm, 110 ms cold, at 412,000 articles)."""
        return meta_count(self.db, "vector_articles")

    def count_rows(self) -> int:
        """The rows themselves, counted (`sinmun check` compares the two)."""
        return self.db.execute("SELECT count(*) FROM article_vectors").fetchone()[0]

    def bags_after(self, seq: int, limit: int, vectors: bool = False) -> list[tuple[int, bytes, bytes | None]]:
        column = "vector" if vectors else "NULL"
        rows = self.db.execute(f"SELECT seq, bag, {column} FROM article_vectors WHERE seq > ? ORDER BY seq LIMIT ?",
                               (seq, limit))
        return [(r[0], r[1], r[2]) for r in rows]

    def vector_of(self, article_id: str) -> tuple[int, bytes] | None:
        row = self.db.execute("SELECT seq, vector FROM article_vectors WHERE article_id = ?",
                              (article_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def for_articles(self, ids: list[str]) -> list[tuple[int, str, bool, bytes]]:
        out: list[tuple[int, str, bool, bytes]] = []
        for chunk in chunks(ids):
            out.extend((r[0], r[1], bool(r[2]), r[3]) for r in self.db.execute(
                f"SELECT seq, article_id, duplicate, vector FROM article_vectors WHERE article_id IN ({marks(chunk)})",
                chunk))
        return out

    def all_vectors(self) -> Iterator[tuple[int, bool, bytes]]:
        for seq, dup, vector in self.db.execute("SELECT seq, duplicate, vector FROM article_vectors ORDER BY seq"):
            yield seq, bool(dup), vector

    def remove(self, article_id: str) -> int | None:
        row = self.db.execute("SELECT seq FROM article_vectors WHERE article_id = ?", (article_id,)).fetchone()
        self.db.execute("DELETE FROM article_vectors WHERE article_id = ?", (article_id,))
        if row:
            add_to_meta_count(self.db, "vector_articles", -1)
        return row[0] if row else None

    def training(self) -> tuple[int, int]:
        meta = dict(self.db.execute(
            "SELECT key, value FROM meta WHERE key IN ('vectors_trained_n', 'vectors_generation')").fetchall())
        return int(meta.get("vectors_trained_n", 0)), int(meta.get("vectors_generation", 0))

    def set_training(self, articles: int, generation: int) -> None:
        self.db.executemany("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            [("vectors_trained_n", str(articles)), ("vectors_generation", str(generation))])

    def clear(self) -> None:
        self.db.execute("DELETE FROM article_vectors")
        self.db.execute("UPDATE meta SET value = '0' WHERE key = 'vector_articles'")
        self.db.execute("DELETE FROM morph_df")
        self.db.execute("DELETE FROM meta WHERE key = 'vectors_trained_n'")


class SqlVocabulary:
    """Owner of `term_df`: in how many articles each index term occurs."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, counts: dict[str, int]) -> None:
        self.db.executemany(
            "INSERT INTO term_df VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df",
            counts.items())

    def all(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT term, df FROM term_df WHERE df > 0").fetchall())

    def clear(self) -> None:
        self.db.execute("DELETE FROM term_df")


class SqlSignatures:
    """Owner of `minhashes` (each article's MinHash signature) and `minhash_bands` (its LSH
    band keys), for near-duplicate detection."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, article_id: str) -> bytes | None:
        row = self.db.execute("SELECT signature FROM minhashes WHERE article_id = ?", (article_id,)).fetchone()
        return bytes(row[0]) if row else None

    def put(self, article_id: str, signature: bytes, bands: list[int], old_bands: list[int]) -> None:
        # The old keys are named (the key leads the table's only index): a revised text's
        # bands change, and the article must stop answering for its old ones.
        self.db.executemany("DELETE FROM minhash_bands WHERE band = ? AND article_id = ?",
                            [(band, article_id) for band in old_bands])
        self.db.execute("INSERT INTO minhashes VALUES (?, ?) ON CONFLICT (article_id) DO UPDATE SET "
                        "signature = excluded.signature", (article_id, signature))
        self.db.executemany("INSERT INTO minhash_bands VALUES (?, ?) ON CONFLICT DO NOTHING",
                            [(band, article_id) for band in dict.fromkeys(bands)])

    def candidates(self, bands: list[int]) -> list[tuple[str, bytes]]:
        rows = self.db.execute(
            f"SELECT article_id, signature FROM minhashes WHERE article_id IN "
            f"(SELECT article_id FROM minhash_bands WHERE band IN ({marks(bands)}))", bands)
        return [(r[0], bytes(r[1])) for r in rows]
