"""The store of record: one SQLite file in WAL mode.

Every article is kept verbatim, with the raw source record beside the parsed
fields. The search index is derived from this file and can always be rebuilt
from it. `seq` grows with every new article, so "what is newer than X" is one
comparison; that is how the index catches up after a crash.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .articles import ARTICLE_FIELDS, Article
from .errors import SinmunError

# Each entry moves the schema one version up. Never edit a released entry:
# add a new one, so that every existing file can follow.
MIGRATIONS: list[str] = [
    # 1: first release
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        headline TEXT NOT NULL,
        series TEXT,
        episode INTEGER,
        section TEXT,
        body TEXT NOT NULL,
        key_insights TEXT,
        summary TEXT,
        explainer TEXT,
        published TEXT,
        url TEXT,
        source TEXT,
        position INTEGER,
        format TEXT,
        ingested_at TEXT NOT NULL,
        raw TEXT NOT NULL
    );
    CREATE INDEX articles_section ON articles (section);
    CREATE INDEX articles_series ON articles (series, episode);
    INSERT INTO meta VALUES ('store_id', lower(hex(randomblob(16))));
    """,
]

# Newest first: by publication day where known, then by arrival. List pages are
# stored oldest card first, so arrival order is the page's own order reversed.
NEWEST_FIRST = "COALESCE(substr(published, 1, 10), '') DESC, seq DESC"

_COLUMNS = ", ".join(ARTICLE_FIELDS)


class StoreError(SinmunError):
    """Base class for store errors, with a message a user can act on."""


class StoreNotFound(StoreError):
    pass


@dataclass
class AddResult:
    new: list[str]
    unchanged: int


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _article(row: sqlite3.Row) -> Article:
    return Article(**{k: row[k] for k in row.keys() if k != "seq"})


class Store:
    """An open sinmun database."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreNotFound(f"no sinmun database at {self.path}: run `sinmun ingest FILE` first, or pass --db")
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable sinmun database ({exc})") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} was written by a newer sinmun (schema {version}); upgrade sinmun to read it"
            )
        for number in range(version, len(MIGRATIONS)):
            # One transaction per step: a crash leaves the file at the last whole version.
            try:
                self.db.executescript(
                    f"BEGIN IMMEDIATE; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;"
                )
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

    @property
    def store_id(self) -> str:
        return self.db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()[0]

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def add(self, articles: Iterable[Article]) -> AddResult:
        """Store articles in one transaction: all of them are stored, or none.

        An article already present (same content id) is left as it is.
        """
        stamp = now_iso()
        new: list[str] = []
        unchanged = 0
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for article in articles:
                row = article.to_dict()
                row["ingested_at"] = row["ingested_at"] or stamp
                row["raw"] = article.raw
                cursor = self.db.execute(
                    f"INSERT OR IGNORE INTO articles ({_COLUMNS}, raw) "
                    f"VALUES ({', '.join(':' + k for k in ARTICLE_FIELDS)}, :raw)",
                    row,
                )
                if cursor.rowcount:
                    new.append(article.id)
                else:
                    unchanged += 1
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return AddResult(new=new, unchanged=unchanged)

    def get(self, article_id: str) -> Article | None:
        """An article by its id, or by a unique id prefix of at least 6 characters."""
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None and len(article_id) >= 6:
            rows = self.db.execute(
                "SELECT * FROM articles WHERE id LIKE ? LIMIT 2", (article_id.replace("%", "") + "%",)
            ).fetchall()
            row = rows[0] if len(rows) == 1 else None
        return _article(row) if row else None

    def get_many(self, ids: list[str]) -> dict[str, Article]:
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        rows = self.db.execute(f"SELECT * FROM articles WHERE id IN ({marks})", ids).fetchall()
        return {row["id"]: _article(row) for row in rows}

    def list(
        self,
        section: str | None = None,
        series: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> tuple[int, list[Article]]:
        """Articles newest first (a series in episode order), with the total count."""
        where, params = [], []
        if section:
            where.append("section = ?")
            params.append(section)
        if series:
            where.append("series = ?")
            params.append(series)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        order = f"episode DESC, {NEWEST_FIRST}" if series else NEWEST_FIRST
        total = self.db.execute(f"SELECT count(*) FROM articles {clause}", params).fetchone()[0]
        rows = self.db.execute(
            f"SELECT * FROM articles {clause} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]
        ).fetchall()
        return total, [_article(r) for r in rows]

    def facet(self, column: str) -> list[tuple[str, int]]:
        """Distinct values of `section` or `series` with their article counts."""
        if column not in ("section", "series"):
            raise ValueError(column)
        rows = self.db.execute(
            f"SELECT {column}, count(*) FROM articles WHERE {column} IS NOT NULL "
            f"GROUP BY {column} ORDER BY count(*) DESC, {column}"
        )
        return [(name, count) for name, count in rows]

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def max_seq(self) -> int:
        return self.db.execute("SELECT COALESCE(max(seq), 0) FROM articles").fetchone()[0]

    def since_seq(self, seq: int, batch: int = 500) -> Iterator[tuple[int, Article]]:
        """Articles stored after `seq`, oldest first, read in batches."""
        while True:
            rows = self.db.execute(
                "SELECT * FROM articles WHERE seq > ? ORDER BY seq LIMIT ?", (seq, batch)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield row["seq"], _article(row)
            seq = rows[-1]["seq"]

    def stats(self) -> dict:
        first, last = self.db.execute(
            "SELECT min(substr(published, 1, 10)), max(substr(published, 1, 10)) FROM articles"
        ).fetchone()
        return {
            "db": str(self.path),
            "schema_version": self.schema_version,
            "articles": self.count(),
            "sections": dict(self.facet("section")),
            "series": dict(self.facet("series")),
            "sources": self.db.execute("SELECT count(DISTINCT source) FROM articles").fetchone()[0],
            "published_from": first,
            "published_to": last,
            "undated": self.db.execute("SELECT count(*) FROM articles WHERE published IS NULL").fetchone()[0],
            "bytes": self.path.stat().st_size if self.path.exists() else 0,
        }
