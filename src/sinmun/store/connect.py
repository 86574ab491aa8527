"""Entities and stories: derived tables, written only by the story connector
(`sinmun.connect.stories`) as it follows the change log, read by pages and search."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..articles import Article
from ._sql import Database, add_to_meta_count, chunks, day_range, marks, meta_count, picked, to_article
from .articles import NEWEST_FIRST, SORT_DAY

RELATED_NAMES = 16
RELATED_MAX_DF = 500
RELATED_WINDOW = 40  # candidates checked for being live at first (see `related`)


class SqlEntities:
    """Owner of `article_entities` (names per article), `entity_df` (articles per name) and
    `entity_variants` (the other forms of a name, articles per form)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def replace(self, article_id: str, entities: Iterable[tuple[str, str, int]]) -> bool:
        rows = [(article_id, name, kind, count) for name, kind, count in entities]
        seen = self.db.execute("SELECT 1 FROM article_entities WHERE article_id = ? LIMIT 1",
                               (article_id,)).fetchone()
        self.db.execute("DELETE FROM article_entities WHERE article_id = ?", (article_id,))
        self.db.executemany("INSERT INTO article_entities VALUES (?, ?, ?, ?)", rows)
        if change := bool(rows) - (seen is not None):
            add_to_meta_count(self.db, "entity_articles", change)
        return seen is None

    def count_articles(self) -> int:
        """Articles with at least one entity: kept as a meta row (`entity_articles`), because
        counting them in the table read every entity row, once per batch the connector wrote
        (29% of a build's time at 80,000 articles, growing with the archive)."""
        return meta_count(self.db, "entity_articles")

    def doc_freqs(self, names: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in chunks(names):
            found.update(self.db.execute(f"SELECT name, articles FROM entity_df WHERE name IN ({marks(chunk)})",
                                         chunk))
        return found

    def add_doc_freqs(self, names: Iterable[tuple[str, str]]) -> None:
        self.db.executemany(
            "INSERT INTO entity_df VALUES (?, ?, 1) ON CONFLICT (name) DO UPDATE SET articles = entity_df.articles + 1",
            list(names))

    def add_variants(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.db.executemany(
            "INSERT INTO entity_variants VALUES (?, ?, 1) ON CONFLICT (name, variant) "
            "DO UPDATE SET articles = entity_variants.articles + 1", list(pairs))

    def variants(self, name: str) -> list[tuple[str, int]]:
        rows = self.db.execute("SELECT variant, articles FROM entity_variants WHERE name = ? "
                               "ORDER BY articles DESC, variant", (name,))
        return [(r[0], r[1]) for r in rows]

    def owners(self, variants: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for chunk in chunks(variants):
            rows = self.db.execute(
                f"SELECT variant, name FROM entity_variants WHERE variant IN ({marks(chunk)}) ORDER BY name", chunk)
            for variant, name in rows:
                found[variant].append(name)
        return dict(found)

    def of_article(self, article_id: str) -> list[dict]:
        rows = self.db.execute(
            "SELECT name, type, count FROM article_entities WHERE article_id = ? ORDER BY count DESC, name",
            (article_id,))
        return [dict(r) for r in rows]

    def articles_naming(self, name: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT article_id FROM article_entities WHERE name = ?", (name,))]

    def get(self, name: str) -> dict | None:
        row = self.db.execute("SELECT * FROM entity_df WHERE name = ? AND type != 'term'", (name,)).fetchone()
        return dict(row) if row else None

    def newest_naming(self, name: str, limit: int) -> list[Article]:
        rows = self.db.execute(
            f"SELECT a.* FROM article_entities e JOIN articles a ON a.id = e.article_id "
            f"WHERE e.name = ? AND a.retracted_at IS NULL ORDER BY {NEWEST_FIRST} LIMIT ?", (name, limit))
        return [to_article(r) for r in rows]

    def top(self, limit: int, type: str | None = None) -> list[dict]:
        clause, params = ("WHERE type = ?", [type]) if type else ("WHERE type != 'term'", [])
        rows = self.db.execute(
            f"SELECT name, type, articles FROM entity_df {clause} ORDER BY articles DESC, name LIMIT ?",
            [*params, limit])
        return [dict(r) for r in rows]

    def related(self, article_id: str, limit: int) -> list[str]:
        # Only the article's rarest shared names, and only names of at most RELATED_MAX_DF
        # articles, are followed: a name in thousands of articles (미국) relates
        # nothing, and joining through every name made an article page cost a scan.
        # The candidates are ranked on `article_entities` alone, and only the best
        # RELATED_WINDOW are checked for being live: a row's `duplicate_of` and
        # `retracted_at` lie past its body, and checking every candidate (1,700 for the
        # median article at 100,000) walked each one's overflow pages: 17 ms a page.
        window = max(RELATED_WINDOW, limit)
        while True:
            rows = self.db.execute(
                """
                WITH mine AS (
                    SELECT e.name, df.articles FROM article_entities e JOIN entity_df df ON df.name = e.name
                    WHERE e.article_id = :id AND df.articles BETWEEN 2 AND :max_df ORDER BY df.articles LIMIT :names
                ), members AS (
                    SELECT article_id FROM story_articles
                    WHERE story_id = (SELECT story_id FROM story_articles WHERE article_id = :id)
                ), scored AS (
                    SELECT other.article_id AS id,
                           sum(1.0 / mine.articles) + max(CASE WHEN other.article_id IN (SELECT article_id FROM members)
                                                               THEN 10 ELSE 0 END) AS score
                    FROM mine JOIN article_entities other ON other.name = mine.name AND other.article_id != :id
                    GROUP BY other.article_id ORDER BY score DESC, other.article_id LIMIT :window
                )
                SELECT s.id, a.id IS NOT NULL FROM scored s
                LEFT JOIN articles a ON a.id = s.id AND a.duplicate_of IS NULL AND a.retracted_at IS NULL
                ORDER BY s.score DESC, s.id
                """, {"id": article_id, "window": window, "max_df": RELATED_MAX_DF,
                      "names": RELATED_NAMES}).fetchall()
            live = [r[0] for r in rows if r[1]]
            if len(live) >= limit or len(rows) < window:  # enough, or every candidate was read
                return live[:limit]
            window *= 8

    def counts_between(self, since: str, until: str) -> dict[tuple[str, str], int]:
        rows = self.db.execute(
            "SELECT e.name, min(e.type), count(*) FROM articles a JOIN article_entities e ON e.article_id = a.id "
            "WHERE a.published >= ? AND a.published <= ? GROUP BY e.name", day_range(since, until))
        return {(name, kind): n for name, kind, n in rows}

    def names_in(self, ids: list[str], skip_types: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
        out: list[tuple[str, str, str]] = []
        skip = f"AND type NOT IN ({marks(list(skip_types))})" if skip_types else ""
        for chunk in chunks(ids):
            out.extend(self.db.execute(
                f"SELECT article_id, name, type FROM article_entities WHERE article_id IN ({marks(chunk)}) {skip}",
                [*chunk, *skip_types]))
        return out

    def facet(self, ids: list[str], limit: int) -> list[tuple[str, str, int]]:
        table, params = picked(self.db, ids)
        rows = self.db.execute(
            f"SELECT e.name, min(e.type), count(*) AS n FROM {table} "
            f"{self.db.cross_join} article_entities e ON e.article_id = picked.id "
            # A name Kiwi guessed (type 'name') must recur to be worth a click;
            # dictionary names (people, organisations, ...) count from one article.
            "GROUP BY e.name HAVING min(e.type) != 'name' OR count(*) >= 2 "
            "ORDER BY n DESC, min(e.type) = 'name', e.name LIMIT ?", [*params, limit]).fetchall()
        return [(name, kind, n) for name, kind, n in rows]

    def clear(self) -> None:
        self.db.execute("DELETE FROM article_entities")
        self.db.execute("UPDATE meta SET value = '0' WHERE key = 'entity_articles'")
        self.db.execute("DELETE FROM entity_df")
        self.db.execute("DELETE FROM entity_variants")


class SqlStories:
    """Owner of `stories`, `story_articles` (membership) and `story_entities` (running centroids)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def story_of(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def stories_of(self, article_ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in chunks(article_ids):
            out.update(self.db.execute(
                f"SELECT article_id, story_id FROM story_articles WHERE article_id IN ({marks(chunk)})", chunk))
        return out

    def create(self, story_id: str, title: str) -> None:
        self.db.execute("INSERT INTO stories VALUES (?, ?, 0, NULL, NULL, 0)", (story_id, title))

    def assign(self, article_id: str, story_id: str, score: float, seq: int, day: str | None) -> None:
        self.db.execute("INSERT INTO story_articles VALUES (?, ?, ?)", (article_id, story_id, round(score, 4)))
        self.db.execute("UPDATE stories SET size = size + 1, "
                        "last_seq = CASE WHEN last_seq > :seq THEN last_seq ELSE :seq END WHERE id = :id",
                        {"seq": seq, "id": story_id})
        if day:
            self.db.execute(
                "UPDATE stories SET first_day = CASE WHEN first_day IS NULL OR :day < first_day THEN :day "
                "ELSE first_day END, last_day = CASE WHEN last_day IS NULL OR :day > last_day THEN :day "
                "ELSE last_day END WHERE id = :id", {"day": day, "id": story_id})

    def add_weights(self, story_id: str, weights: dict[str, float]) -> None:
        self.db.executemany(
            "INSERT INTO story_entities VALUES (?, ?, ?) "
            "ON CONFLICT (story_id, name) DO UPDATE SET weight = story_entities.weight + excluded.weight",
            [(story_id, name, w) for name, w in weights.items()])

    def candidates(self, names: list[str], min_seq: int, limit: int) -> list[tuple[str, str | None, str | None]]:
        rows = self.db.execute(
            f"SELECT se.story_id, s.first_day, s.last_day FROM story_entities se JOIN stories s ON s.id = se.story_id "
            f"WHERE se.name IN ({marks(names)}) AND s.last_seq >= ? "
            f"GROUP BY se.story_id, s.first_day, s.last_day, s.last_seq "
            f"ORDER BY count(*) DESC, s.last_seq DESC LIMIT ?", [*names, min_seq, limit])
        return [(r[0], r[1], r[2]) for r in rows]

    def centroids(self, story_ids: list[str]) -> dict[str, dict[str, float]]:
        found: dict[str, dict[str, float]] = defaultdict(dict)
        for chunk in chunks(story_ids):
            for story_id, name, weight in self.db.execute(
                    f"SELECT story_id, name, weight FROM story_entities WHERE story_id IN ({marks(chunk)})", chunk):
                found[story_id][name] = weight
        return dict(found)

    def summary(self, story_id: str) -> dict | None:
        row = self.db.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
        return dict(row) if row else None

    def get(self, story_id: str) -> tuple[dict, list[Article], list[str]] | None:
        row = self.db.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
        if row is None:
            return None
        members = self.db.execute(
            f"SELECT a.* FROM story_articles sa JOIN articles a ON a.id = sa.article_id "
            f"WHERE sa.story_id = ? AND a.retracted_at IS NULL ORDER BY {SORT_DAY}, a.seq", (story_id,)).fetchall()
        entities = self.db.execute(
            "SELECT name FROM story_entities WHERE story_id = ? AND name NOT LIKE 't:%' "
            "ORDER BY weight DESC, name LIMIT 12", (story_id,)).fetchall()
        return dict(row), [to_article(m) for m in members], [e[0] for e in entities]

    def page(self, limit: int = 20, offset: int = 0, min_size: int = 1,
             since: str | None = None) -> tuple[int, list[dict]]:
        where = "size >= ?"
        params: list[object] = [min_size]
        if since:
            where += " AND last_day >= ?"
            params.append(since)
        total = self.db.execute(f"SELECT count(*) FROM stories WHERE {where}", params).fetchone()[0]
        rows = self.db.execute(
            f"SELECT * FROM stories WHERE {where} ORDER BY size DESC, COALESCE(last_day, '') DESC, last_seq DESC "
            "LIMIT ? OFFSET ?", [*params, limit, offset])
        return total, [dict(r) for r in rows]

    def clear(self) -> None:
        for table in ("story_articles", "story_entities", "stories"):
            self.db.execute(f"DELETE FROM {table}")
