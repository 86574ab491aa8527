"""The store of record: one SQLite file in WAL mode.

Every article is kept verbatim, with the raw source record beside the parsed
fields. The search index is derived from this file and can always be rebuilt
from it. `seq` grows with every new article, so "what is newer than X" is one
comparison; that is how the index catches up after a crash.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from .articles import ARTICLE_FIELDS, Article, text_hash
from .errors import SinmunError

if TYPE_CHECKING:
    from .dedupe import NearDuplicates

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
    # 2: real-world ingest: bylines, revisions, duplicates, every source of an article
    """
    ALTER TABLE articles ADD COLUMN byline TEXT;
    ALTER TABLE articles ADD COLUMN modified TEXT;
    ALTER TABLE articles ADD COLUMN encoding TEXT;
    ALTER TABLE articles ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE articles ADD COLUMN content_id TEXT;
    ALTER TABLE articles ADD COLUMN text_hash TEXT;
    ALTER TABLE articles ADD COLUMN duplicate_of TEXT;
    ALTER TABLE articles ADD COLUMN similarity REAL;
    UPDATE articles SET content_id = id, text_hash = text_hash(body);
    CREATE INDEX articles_url ON articles (url);
    CREATE INDEX articles_content ON articles (content_id);
    CREATE INDEX articles_text_hash ON articles (text_hash);
    CREATE TABLE sources (
        article_id TEXT NOT NULL,
        source TEXT NOT NULL,
        url TEXT,
        ingested_at TEXT NOT NULL,
        PRIMARY KEY (article_id, source)
    );
    INSERT INTO sources SELECT id, COALESCE(source, ''), url, ingested_at FROM articles;
    CREATE TABLE revisions (
        article_id TEXT NOT NULL,
        rev INTEGER NOT NULL,
        content_id TEXT NOT NULL,
        data TEXT NOT NULL,
        raw TEXT NOT NULL,
        replaced_at TEXT NOT NULL,
        PRIMARY KEY (article_id, rev)
    );
    CREATE INDEX revisions_content ON revisions (content_id);
    CREATE TABLE minhashes (article_id TEXT PRIMARY KEY, signature BLOB NOT NULL);
    CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER, mtime REAL, ingested_at TEXT);
    """,
    # 3: how each publication date is known
    """
    ALTER TABLE articles ADD COLUMN date_precision TEXT;
    UPDATE articles SET date_precision = 'source' WHERE published IS NOT NULL;
    """,
    # 4: entities and stories (derived, like the index: rebuilt by `sinmun reindex`)
    """
    CREATE TABLE article_entities (
        article_id TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (article_id, name)
    );
    CREATE INDEX article_entities_name ON article_entities (name);
    CREATE TABLE entity_df (name TEXT PRIMARY KEY, type TEXT NOT NULL, articles INTEGER NOT NULL);
    CREATE TABLE stories (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, size INTEGER NOT NULL,
        first_day TEXT, last_day TEXT, last_seq INTEGER NOT NULL
    );
    CREATE TABLE story_articles (article_id TEXT PRIMARY KEY, story_id TEXT NOT NULL, score REAL NOT NULL);
    CREATE INDEX story_articles_story ON story_articles (story_id);
    CREATE TABLE story_entities (
        story_id TEXT NOT NULL, name TEXT NOT NULL, weight REAL NOT NULL, PRIMARY KEY (story_id, name)
    );
    CREATE INDEX story_entities_name ON story_entities (name);
    """,
    # 5: search by meaning and typo correction (derived, rebuilt by `sinmun reindex`)
    """
    CREATE TABLE article_vectors (
        seq INTEGER PRIMARY KEY, article_id TEXT NOT NULL UNIQUE, duplicate INTEGER NOT NULL,
        bag BLOB NOT NULL, vector BLOB NOT NULL
    );
    CREATE TABLE morph_df (morph INTEGER PRIMARY KEY, df INTEGER NOT NULL);
    CREATE TABLE term_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL);
    """,
]

# Newest first: by publication day where the source or the operator gave it, then
# by arrival. A date inferred from the text is good for filtering, not for
# reordering a page. List pages are stored oldest card first, so arrival order is
# the page's own order reversed.
SORT_DAY = "CASE WHEN date_precision IN ('source', 'page') THEN substr(published, 1, 10) ELSE '' END"
NEWEST_FIRST = f"{SORT_DAY} DESC, seq DESC"

_COLUMNS = ", ".join(ARTICLE_FIELDS)
# Ids are 16 hex digits; 6 or more of them name an article when only one starts so.
_ID_PREFIX = re.compile(r"[0-9a-f]{6,15}")


class StoreError(SinmunError):
    """Base class for store errors, with a message a user can act on."""


class StoreNotFound(StoreError):
    pass


@dataclass
class AddResult:
    new: list[str] = field(default_factory=list)
    unchanged: int = 0
    merged: int = 0  # exact duplicates of a stored article: recorded as another source
    revised: int = 0  # new text for a stored URL: the old text became a revision
    near_duplicates: int = 0  # stored, linked to their original, hidden from search


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction: committed when the block ends, rolled back if it
    raises. Inside a caller's transaction it simply joins it."""
    if db.in_transaction:
        yield
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


_ARTICLE_COLUMNS = set(ARTICLE_FIELDS) | {"raw"}


def _article(row: sqlite3.Row) -> Article:
    data = {k: row[k] for k in row.keys() if k in _ARTICLE_COLUMNS}
    data["partial"] = bool(data.get("partial"))
    return Article(**data)


class Store:
    """An open sinmun database."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreNotFound(f"no sinmun database at {self.path}: run `sinmun ingest FILE` first, or pass --db")
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.create_function("text_hash", 1, text_hash, deterministic=True)
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

    def add(self, articles: Iterable[Article], near: NearDuplicates | None = None) -> AddResult:
        """Store articles in one transaction: all of them are stored, or none.

        For each article, in order:
        - the same content seen before (even as an old revision): unchanged;
        - a stored URL with new text: the stored text becomes a revision, the
          article keeps its id and takes the new text;
        - the same text under another headline or source: recorded as another
          source of the stored article (merged);
        - otherwise a new article, linked to its original if `near` finds one.
        """
        stamp = now_iso()
        result = AddResult()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for article in articles:
                self._add_one(article, stamp, result, near)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            if near is not None:
                near.rollback()
            raise
        if near is not None:
            near.commit()
        return result

    def _add_one(self, article: Article, stamp: str, result: AddResult, near: NearDuplicates | None) -> None:
        db = self.db
        content_id = article.id
        seen = db.execute(
            "SELECT id FROM articles WHERE content_id = ? UNION ALL "
            "SELECT article_id FROM revisions WHERE content_id = ? LIMIT 1", (content_id, content_id)
        ).fetchone()
        if seen:
            self._add_source(seen[0], article, stamp)
            result.unchanged += 1
            return
        row = article.to_dict()
        row.update(ingested_at=row["ingested_at"] or stamp, raw=article.raw, content_id=content_id,
                   text_hash=text_hash(article.body), duplicate_of=None, similarity=None,
                   partial=int(article.partial))
        if article.url:
            old = db.execute("SELECT * FROM articles WHERE url = ? ORDER BY seq LIMIT 1", (article.url,)).fetchone()
            if old is not None:
                self._revise(old, row, stamp)
                if near is not None:
                    near.add(old["id"], article, db)
                result.revised += 1
                return
        if row["text_hash"]:
            same = db.execute("SELECT id FROM articles WHERE text_hash = ? LIMIT 1", (row["text_hash"],)).fetchone()
            if same:
                self._add_source(same[0], article, stamp)
                result.merged += 1
                return
        if near is not None:
            match = near.find(article)
            if match is not None:
                original, score = match
                # Link to the first of a chain: a copy of a copy points at the original.
                root = db.execute("SELECT duplicate_of FROM articles WHERE id = ?", (original,)).fetchone()
                row["duplicate_of"], row["similarity"] = (root[0] if root and root[0] else original), score
                result.near_duplicates += 1
        self._insert(row)
        self._add_source(article.id, article, stamp)
        if near is not None:
            near.add(article.id, article, db)
        result.new.append(article.id)

    def _insert(self, row: dict) -> None:
        columns = list(row)
        self.db.execute(
            f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})", row
        )

    def _add_source(self, article_id: str, article: Article, stamp: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO sources VALUES (?, ?, ?, ?)",
            (article_id, article.source or "", article.url, article.ingested_at or stamp),
        )

    def _revise(self, old: sqlite3.Row, row: dict, stamp: str) -> None:
        """Keep the stored text as a revision and give the article the new text.

        The row is re-inserted (same id, new `seq`) so the index picks it up.
        """
        rev = self.db.execute("SELECT COALESCE(max(rev), 0) + 1 FROM revisions WHERE article_id = ?",
                              (old["id"],)).fetchone()[0]
        data = {k: old[k] for k in ARTICLE_FIELDS}
        self.db.execute(
            "INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?)",
            (old["id"], rev, old["content_id"], json.dumps(data, ensure_ascii=False), old["raw"], stamp),
        )
        self.db.execute("DELETE FROM articles WHERE id = ?", (old["id"],))
        row["id"] = old["id"]
        row["duplicate_of"], row["similarity"] = old["duplicate_of"], old["similarity"]
        self._insert(row)

    def revisions(self, article_id: str) -> list[dict]:
        """Earlier versions of an article, oldest first, each with every field."""
        rows = self.db.execute(
            "SELECT rev, content_id, data, replaced_at FROM revisions WHERE article_id = ? ORDER BY rev",
            (article_id,),
        ).fetchall()
        return [{"rev": r["rev"], "replaced_at": r["replaced_at"], **json.loads(r["data"])} for r in rows]

    def sources(self, article_id: str) -> list[dict]:
        rows = self.db.execute(
            "SELECT source, url, ingested_at FROM sources WHERE article_id = ? ORDER BY ingested_at, source",
            (article_id,),
        ).fetchall()
        return [dict(r) for r in rows]

    def get(self, article_id: str) -> Article | None:
        """An article by its id, or by a unique id prefix of at least 6 characters."""
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None and _ID_PREFIX.fullmatch(article_id):
            # A range, not LIKE: `_` and `%` are characters of the prefix, never wildcards.
            rows = self.db.execute(
                "SELECT * FROM articles WHERE id >= ? AND id < ? LIMIT 2", (article_id, article_id + "g")
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

    # --- entities and stories (written by stories.Connector during the index sync) ---

    def entities(self, article_id: str) -> list[dict]:
        rows = self.db.execute(
            "SELECT name, type, count FROM article_entities WHERE article_id = ? ORDER BY count DESC, name",
            (article_id,),
        )
        return [dict(r) for r in rows]

    def story_of(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def story(self, story_id: str) -> dict | None:
        row = self.db.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
        if row is None:
            return None
        members = self.db.execute(
            f"SELECT a.*, sa.score FROM story_articles sa JOIN articles a ON a.id = sa.article_id "
            f"WHERE sa.story_id = ? ORDER BY {SORT_DAY}, a.seq", (story_id,),
        ).fetchall()
        entities = self.db.execute(
            "SELECT name, weight FROM story_entities WHERE story_id = ? AND name NOT LIKE 't:%' "
            "ORDER BY weight DESC LIMIT 12", (story_id,)
        ).fetchall()
        return {**dict(row), "articles": [_article(m) for m in members],
                "entities": [e["name"] for e in entities]}

    def stories(self, limit: int = 20, offset: int = 0, min_size: int = 1, since: str | None = None) -> tuple[int, list[dict]]:
        """Stories, largest and most recent first (the issue ranking); `since` (a day)
        keeps those with an article on or after it."""
        where, params = "size >= ?", [min_size]
        if since:
            where += " AND last_day >= ?"
            params.append(since)
        total = self.db.execute(f"SELECT count(*) FROM stories WHERE {where}", params).fetchone()[0]
        rows = self.db.execute(
            f"SELECT * FROM stories WHERE {where} ORDER BY size DESC, COALESCE(last_day, '') DESC, last_seq DESC "
            "LIMIT ? OFFSET ?", [*params, limit, offset],
        ).fetchall()
        return total, [dict(r) for r in rows]

    def related(self, article_id: str, limit: int = 5) -> list[Article]:
        """Articles that name the same rare entities (its story's first), excluding itself."""
        rows = self.db.execute(
            """
            SELECT other.article_id AS id,
                   sum(1.0 / df.articles) + CASE WHEN os.story_id = ms.story_id THEN 10 ELSE 0 END AS score
            FROM article_entities mine
            JOIN article_entities other ON other.name = mine.name AND other.article_id != mine.article_id
            JOIN entity_df df ON df.name = mine.name
            LEFT JOIN story_articles ms ON ms.article_id = mine.article_id
            LEFT JOIN story_articles os ON os.article_id = other.article_id
            JOIN articles a ON a.id = other.article_id AND a.duplicate_of IS NULL
            WHERE mine.article_id = ?
            GROUP BY other.article_id ORDER BY score DESC, other.article_id LIMIT ?
            """,
            (article_id, limit),
        ).fetchall()
        found = self.get_many([r["id"] for r in rows])
        return [found[r["id"]] for r in rows if r["id"] in found]

    def entity_articles(self, name: str, limit: int = 50) -> tuple[dict | None, list[Article]]:
        row = self.db.execute("SELECT * FROM entity_df WHERE name = ? AND type != 'term'", (name,)).fetchone()
        if row is None:
            return None, []
        rows = self.db.execute(
            f"SELECT a.* FROM article_entities e JOIN articles a ON a.id = e.article_id "
            f"WHERE e.name = ? ORDER BY {NEWEST_FIRST} LIMIT ?", (name, limit),
        ).fetchall()
        return dict(row), [_article(r) for r in rows]

    def top_entities(self, limit: int = 50, type: str | None = None) -> list[dict]:
        clause, params = ("WHERE type = ?", [type]) if type else ("WHERE type != 'term'", [])
        rows = self.db.execute(
            f"SELECT name, type, articles FROM entity_df {clause} ORDER BY articles DESC, name LIMIT ?",
            [*params, limit],
        )
        return [dict(r) for r in rows]

    def file_changed(self, path: Path) -> bool:
        """True when `path` was never ingested, or has changed size or time since."""
        st = path.stat()
        row = self.db.execute("SELECT size, mtime FROM files WHERE path = ?", (str(path.resolve()),)).fetchone()
        return row is None or row[0] != st.st_size or row[1] != st.st_mtime

    def mark_file(self, path: Path) -> None:
        st = path.stat()
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                        (str(path.resolve()), st.st_size, st.st_mtime, now_iso()))

    def integrity(self) -> list[str]:
        """Problems SQLite or the content ids reveal; empty when the store is sound."""
        from .articles import article_id

        problems = [r[0] for r in self.db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        for row in self.db.execute("SELECT * FROM articles"):
            article = _article(row)
            if article_id(article.headline, article.full_text()) != row["content_id"]:
                problems.append(f"article {row['id']}: text does not match its content id (changed outside sinmun?)")
        return problems

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
