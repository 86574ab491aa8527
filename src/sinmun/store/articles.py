"""The record: articles (every field and the raw source), revisions, sources, the watch log."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from ..articles import ARTICLE_FIELDS, Article
from ._sql import Database, chunks, day_range, marks, now_iso, picked, to_article
from .changes import SqlChanges
from .packing import pack_raw
from .protocol import DELETE, PUT

# Newest first: by publication day where the source or the operator gave it, then
# by arrival. A date inferred from the text is good for filtering, not for
# reordering a page. List pages are stored oldest card first, so arrival order is
# the page's own order reversed. (Indexes articles_newest and articles_section_newest
# are on this very expression: change both together.)
SORT_DAY = "CASE WHEN date_precision IN ('source', 'page') THEN substr(published, 1, 10) ELSE '' END"
NEWEST_FIRST = f"{SORT_DAY} DESC, seq DESC"
# Ids are 16 hex digits; 6 or more of them name an article when only one starts so.
_ID_PREFIX = re.compile(r"[0-9a-f]{6,15}")


class SqlArticles:
    """Owner of `articles`, `revisions` and `sources`."""

    def __init__(self, db: Database, changes: SqlChanges) -> None:
        self.db = db
        self.changes = changes

    # --- writes (inside the caller's transaction) ---

    def _row(self, article: Article, text_hash: str | None) -> dict:
        row = article.to_dict()
        row.update(raw=pack_raw(article.raw, article.title, article.body), content_id=article.id,
                   text_hash=text_hash, partial=int(article.partial))
        return row

    def insert(self, article: Article, *, text_hash: str | None, duplicate_of: str | None,
               similarity: float | None, ingested_at: str) -> None:
        row = self._row(article, text_hash)
        row.update(ingested_at=row["ingested_at"] or ingested_at, duplicate_of=duplicate_of, similarity=similarity)
        columns = list(row)
        self.db.execute(
            f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})", row)
        self.changes.append(article.id, PUT)

    def revise(self, article_id: str, article: Article, *, text_hash: str | None, replaced_at: str) -> int:
        old = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        rev = self.db.execute("SELECT COALESCE(max(rev), 0) + 1 FROM revisions WHERE article_id = ?",
                              (article_id,)).fetchone()[0]
        data = {k: old[k] for k in ARTICLE_FIELDS}
        # The record goes as it is stored: packed against the old title and body, kept in `data`.
        self.db.execute("INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?)",
                        (article_id, rev, old["content_id"], json.dumps(data, ensure_ascii=False), old["raw"],
                         replaced_at))
        # The article keeps its id, row and near-duplicate link; everything it says is new.
        row = self._row(article, text_hash)
        row["ingested_at"] = row["ingested_at"] or replaced_at
        for kept in ("id", "duplicate_of", "retracted_at"):  # a new text does not undo a retraction
            row.pop(kept)
        self.db.execute(f"UPDATE articles SET {', '.join(f'{c} = :{c}' for c in row)} WHERE id = :article_id",
                        {**row, "article_id": article_id})
        self.changes.append(article_id, PUT)
        return rev

    def retract(self, article_id: str, at: str) -> bool:
        """Take an article out of search and lists (it stays, with when); False if it already was."""
        done = self.db.execute("UPDATE articles SET retracted_at = ? WHERE id = ? AND retracted_at IS NULL",
                               (at, article_id)).rowcount
        if done:
            self.changes.append(article_id, DELETE)
        return bool(done)

    def add_source(self, article_id: str, source: str, url: str | None, ingested_at: str) -> None:
        self.db.execute("INSERT INTO sources VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        (article_id, source, url, ingested_at))

    # --- lookups for the ingest policy ---

    def id_with_content(self, content_id: str) -> str | None:
        row = self.db.execute(
            "SELECT id FROM articles WHERE content_id = ? UNION ALL "
            "SELECT article_id FROM revisions WHERE content_id = ? LIMIT 1", (content_id, content_id)).fetchone()
        return row[0] if row else None

    def id_with_text(self, text_hash: str) -> str | None:
        row = self.db.execute("SELECT id FROM articles WHERE text_hash = ? LIMIT 1", (text_hash,)).fetchone()
        return row[0] if row else None

    def id_at_url(self, url: str) -> str | None:
        row = self.db.execute("SELECT id FROM articles WHERE url = ? ORDER BY seq LIMIT 1", (url,)).fetchone()
        return row[0] if row else None

    def has_url_prefix(self, prefix: str) -> bool:
        # A range on the url index, not LIKE (which would read every row).
        row = self.db.execute("SELECT 1 FROM articles WHERE url >= ? AND url < ? LIMIT 1",
                              (prefix, prefix + "\uffff")).fetchone()
        return row is not None

    def duplicate_of(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT duplicate_of FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    # --- reads ---

    def get(self, article_id: str) -> Article | None:
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None and _ID_PREFIX.fullmatch(article_id):
            # A range, not LIKE: `_` and `%` are characters of the prefix, never wildcards.
            rows = self.db.execute("SELECT * FROM articles WHERE id >= ? AND id < ? LIMIT 2",
                                   (article_id, article_id + "g")).fetchall()
            row = rows[0] if len(rows) == 1 else None
        return to_article(row) if row else None

    def get_many(self, ids: list[str], raw: bool = True) -> dict[str, Article]:
        return {a.id: a for _, a in self.with_seq(ids, raw).values()}

    def with_seq(self, ids: list[str], raw: bool = True) -> dict[str, tuple[int, Article]]:
        # Lists and search pages leave the verbatim source record out (`raw` empty): it is the
        # largest column, and reading it was half of loading a page of hits.
        columns = "*" if raw else "seq, " + ", ".join(ARTICLE_FIELDS)
        found: dict[str, tuple[int, Article]] = {}
        for chunk in chunks(ids):
            for row in self.db.execute(f"SELECT {columns} FROM articles WHERE id IN ({marks(chunk)})", chunk):
                found[row["id"]] = (row["seq"], to_article(row))
        return found

    def ids_of_seqs(self, seqs: list[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for chunk in chunks(seqs):
            found.update(self.db.execute(f"SELECT seq, id FROM articles WHERE seq IN ({marks(chunk)})", chunk))
        return found

    def page(self, section: str | None = None, series: str | None = None, limit: int = 20,
             offset: int = 0, order: str = "published") -> tuple[int, list[Article]]:
        where, params = ["retracted_at IS NULL"], []
        if section:
            where.append("section = ?")
            params.append(section)
        if series:
            where.append("series = ?")
            params.append(series)
        clause = f"WHERE {' AND '.join(where)}"
        ordering = ("seq DESC" if order == "arrived" else f"episode DESC, {NEWEST_FIRST}" if series
                    else NEWEST_FIRST)
        total = self.db.execute(f"SELECT count(*) FROM articles {clause}", params).fetchone()[0]
        rows = self.db.execute(f"SELECT * FROM articles {clause} ORDER BY {ordering} LIMIT ? OFFSET ?",
                               [*params, limit, offset]).fetchall()
        return total, [to_article(r) for r in rows]

    def select(self, *, section: str | None = None, series: str | None = None, since: str | None = None,
               until: str | None = None, entity: str | None = None, duplicates: bool = False,
               order: str = "published") -> list[str]:
        where, params = ["retracted_at IS NULL"], []
        for column, value in (("section", section), ("series", series)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if not duplicates:
            where.append("duplicate_of IS NULL")
        if since or until:
            low, high = day_range(since or "", until or "9999")
            where.append("published >= ? AND published < ?")
            params += [low, high]
        if entity:
            where.append("id IN (SELECT article_id FROM article_entities WHERE name = ?)")
            params.append(entity)
        ordering = "seq DESC" if order == "arrived" else NEWEST_FIRST
        rows = self.db.execute(f"SELECT id FROM articles WHERE {' AND '.join(where)} ORDER BY {ordering}", params)
        return [r[0] for r in rows]

    def iter_all(self) -> Iterator[Article]:
        for row in self.db.execute("SELECT * FROM articles ORDER BY seq"):
            yield to_article(row)

    def content_id(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT content_id FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def content_ids(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT id, content_id FROM articles").fetchall())

    def live_ids(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT id FROM articles WHERE retracted_at IS NULL")}

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles WHERE retracted_at IS NULL").fetchone()[0]

    def facet(self, column: str) -> list[tuple[str, int]]:
        if column not in ("section", "series"):
            raise ValueError(column)
        rows = self.db.execute(
            f"SELECT {column}, count(*) FROM articles WHERE {column} IS NOT NULL AND retracted_at IS NULL "
            f"GROUP BY {column} ORDER BY count(*) DESC, {column}")
        return [(name, count) for name, count in rows]

    def facet_counts(self, ids: list[str], limit: int) -> dict[str, list[tuple[str, int]]]:
        # One pass over the picked articles, counted here: three GROUP BYs read every row three times.
        # CROSS JOIN keeps SQLite from scanning every article (their rows are wide).
        table, params = picked(self.db, ids)
        counts: dict[str, Counter[str]] = {"section": Counter(), "series": Counter(), "year": Counter()}
        for section, series, year in self.db.execute(
                f"SELECT a.section, a.series, substr(a.published, 1, 4) FROM {table} "
                f"{self.db.cross_join} articles a ON a.id = picked.id", params):
            for name, value in (("section", section), ("series", series), ("year", year)):
                if value:
                    counts[name][value] += 1
        return {name: sorted(c.items(), key=lambda vn: (-vn[1], vn[0]))[:limit] for name, c in counts.items()}

    def published(self, ids: list[str]) -> list[str]:
        days: list[str] = []
        for chunk in chunks(ids):
            days.extend(r[0] for r in self.db.execute(
                f"SELECT published FROM articles WHERE id IN ({marks(chunk)}) AND published IS NOT NULL", chunk))
        return days

    def latest_day(self) -> str | None:
        # Down the `published` index from its end to the first live, dated row: max() over an
        # expression read every article, bodies and all (0.8 s at 412,000, on every home page).
        row = self.db.execute(
            "SELECT substr(published, 1, 10) FROM articles WHERE published IS NOT NULL AND length(published) >= 10 "
            "AND retracted_at IS NULL ORDER BY published DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def count_between(self, since: str, until: str) -> int:
        return self.db.execute("SELECT count(*) FROM articles WHERE published >= ? AND published <= ? "
                               "AND retracted_at IS NULL", day_range(since, until)).fetchone()[0]

    def revisions(self, article_id: str) -> list[dict]:
        rows = self.db.execute(
            "SELECT rev, content_id, data, replaced_at FROM revisions WHERE article_id = ? ORDER BY rev",
            (article_id,)).fetchall()
        return [{"rev": r["rev"], "replaced_at": r["replaced_at"], **json.loads(r["data"])} for r in rows]

    def sources(self, article_id: str) -> list[dict]:
        rows = self.db.execute(
            "SELECT source, url, ingested_at FROM sources WHERE article_id = ? ORDER BY ingested_at, source",
            (article_id,)).fetchall()
        return [dict(r) for r in rows]

    def stats(self) -> dict:
        first, last = self.db.execute(
            "SELECT min(substr(published, 1, 10)), max(substr(published, 1, 10)) FROM articles").fetchone()
        return {
            "articles": self.count(),
            "sections": dict(self.facet("section")),
            "series": dict(self.facet("series")),
            "sources": self.db.execute("SELECT count(DISTINCT source) FROM articles").fetchone()[0],
            "published_from": first,
            "published_to": last,
            "undated": self.db.execute("SELECT count(*) FROM articles WHERE published IS NULL").fetchone()[0],
            "retracted": self.db.execute("SELECT count(*) FROM articles WHERE retracted_at IS NOT NULL").fetchone()[0],
        }



class SqlFiles:
    """Owner of `files`: the watch log (which files were read, at what size and time)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def changed(self, path: Path) -> bool:
        st = path.stat()
        row = self.db.execute("SELECT size, mtime FROM files WHERE path = ?", (str(path.resolve()),)).fetchone()
        return row is None or row[0] != st.st_size or row[1] != st.st_mtime

    def mark(self, path: Path, size: int, mtime: float) -> None:
        self.db.execute("INSERT INTO files VALUES (?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET "
                        "size = excluded.size, mtime = excluded.mtime, ingested_at = excluded.ingested_at",
                        (str(path.resolve()), size, mtime, now_iso()))
