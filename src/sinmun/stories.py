"""Stories: articles about one continuing event, grouped as they arrive.

Each article is a vector of the entities it names (weight 1 + log count). A new
article joins the story whose centroid is most similar to it (cosine, each
entity weighted by its inverse document frequency so that 미국 or 엔비디아 count
less than H200 or 파라마운트), if that similarity reaches `THRESHOLD` and the two
are close in time; otherwise it starts a story. Nothing is recomputed: a story's
centroid is the running sum of its members' vectors, kept in the store.

A series is not a story: a column's episodes join each other only on the same
evidence as any two articles, and an episode never joins on series alone.

Entities and stories are derived data, like the index: `Connector` is fed by the
index sync with the analysis it already made, and writes in the same pass.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter, defaultdict
from datetime import date

from .articles import Article
from .entities import Entity, display_names, extract
from .korean import Aliases, Term
from .store import immediate

# Chosen on the labelled set (tests/fixtures/stories_labels.json), mid-plateau: 0.35, 0.40,
# 0.45, 0.50 gave pairwise precision 0.89, 1.00, 1.00, 1.00 and recall 0.89, 0.89, 0.89, 0.44.
THRESHOLD = 0.42
# Articles further apart than this (when both dates are known) are not one story.
MAX_GAP_DAYS = 45
# Only this many recent stories are candidates for a new article.
RECENT_STORIES = 3000
# A story is a candidate when it shares one of the article's rarest names.
RARE_NAMES = 4
COMMON_SHARE = 0.02
MAX_CANDIDATES = 12
TYPE_WEIGHT = {"place": 0.5, "concept": 0.5}
KEY_TERMS = 8


def vector(entities: list[Entity], parts: dict[str, list[Term]]) -> dict[str, float]:
    """Entities, plus the article's most frequent common nouns (`t:` + term) at half
    weight: a story about 기준금리 or 전고체 배터리 may name no proper noun at all."""
    vec = {e.name: (1 + math.log(e.count)) * TYPE_WEIGHT.get(e.type, 1.0) for e in entities}
    nouns = Counter(t.text for terms in parts.values() for t in terms if t.tag == "NNG" and len(t.text) >= 2)
    for term, count in nouns.most_common(KEY_TERMS):
        vec["t:" + term] = 0.5 * (1 + math.log(count))
    return vec


def _day(article: Article) -> str | None:
    return article.published[:10] if article.published and article.date_precision in ("source", "page") else None


class Connector:
    """Finds entities and story membership for articles as the index sync analyses them."""

    def __init__(self, aliases: Aliases) -> None:
        self.aliases = aliases
        self.displays = display_names(aliases)
        self.pending: list[tuple[int, Article, list[Entity], dict[str, float]]] = []
        self._total: int | None = None  # articles with entities so far, counted once then kept
        self._df: dict[str, int] = {}  # entity_df, cached

    def add(self, seq: int, article: Article, parts: dict[str, list[Term]]) -> None:
        texts = {part: getattr(article, part) or "" for part in parts}
        entities = extract(parts, texts, self.aliases, self.displays)
        self.pending.append((seq, article, entities, vector(entities, parts)))

    def reset(self, db: sqlite3.Connection) -> None:
        """Forget every entity and story (before a rebuild from the store)."""
        self._total = None
        self._df = {}
        db.executescript(
            "DELETE FROM article_entities; DELETE FROM entity_df; DELETE FROM story_articles; "
            "DELETE FROM story_entities; DELETE FROM stories;"
        )

    def flush(self, db: sqlite3.Connection) -> None:
        """Write what was gathered since the last flush, in one transaction."""
        if not self.pending:
            return
        try:
            with immediate(db):
                for seq, article, entities, vec in self.pending:
                    self._write(db, seq, article, entities, vec)
        finally:
            self.pending = []

    def _write(self, db: sqlite3.Connection, seq: int, article: Article, entities: list[Entity],
               vec: dict[str, float]) -> None:
        seen = db.execute("SELECT 1 FROM article_entities WHERE article_id = ? LIMIT 1", (article.id,)).fetchone()
        db.execute("DELETE FROM article_entities WHERE article_id = ?", (article.id,))
        db.executemany("INSERT INTO article_entities VALUES (?, ?, ?, ?)",
                       [(article.id, e.name, e.type, e.count) for e in entities])
        if not seen and self._total is not None:
            self._total += 1
        if db.execute("SELECT 1 FROM story_articles WHERE article_id = ?", (article.id,)).fetchone():
            return  # already placed (a sync repeated after a crash)
        story_id, score = self._best_story(db, seq, article, vec)
        day = _day(article)
        if story_id is None:
            story_id, score = article.id, 1.0
            db.execute("INSERT INTO stories VALUES (?, ?, 0, ?, ?, ?)", (story_id, article.title, day, day, seq))
        db.execute("INSERT INTO story_articles VALUES (?, ?, ?)", (article.id, story_id, round(score, 4)))
        db.execute(
            "UPDATE stories SET size = size + 1, last_seq = ?, "
            "first_day = CASE WHEN ? IS NOT NULL AND (first_day IS NULL OR ? < first_day) THEN ? ELSE first_day END, "
            "last_day = CASE WHEN ? IS NOT NULL AND (last_day IS NULL OR ? > last_day) THEN ? ELSE last_day END "
            "WHERE id = ?",
            (seq, day, day, day, day, day, day, story_id),
        )
        db.executemany(
            "INSERT INTO story_entities VALUES (?, ?, ?) "
            "ON CONFLICT (story_id, name) DO UPDATE SET weight = weight + excluded.weight",
            [(story_id, name, w) for name, w in vec.items()],
        )
        if not seen:
            types = {e.name: e.type for e in entities}
            db.executemany(
                "INSERT INTO entity_df VALUES (?, ?, 1) ON CONFLICT (name) DO UPDATE SET articles = articles + 1",
                [(name, types.get(name, "term")) for name in vec],
            )
            for name in vec:
                if name in self._df:
                    self._df[name] += 1

    def _best_story(self, db: sqlite3.Connection, seq: int, article: Article,
                    vec: dict[str, float]) -> tuple[str | None, float]:
        if not vec:
            return None, 0.0
        if self._total is None:
            self._total = db.execute("SELECT count(DISTINCT article_id) FROM article_entities").fetchone()[0]
        total = self._total
        names = list(vec)
        df = self._doc_freqs(db, names)

        def idf(name: str) -> float:
            return math.log(1 + total / (1 + df.get(name, 0)))

        weighted = {n: w * idf(n) for n, w in vec.items()}
        norm = math.sqrt(sum(w * w for w in weighted.values())) or 1.0
        # Candidates: recent stories sharing the article's rarest known names (a story
        # that shares only 미국 or 인공지능 cannot reach the threshold anyway).
        # A name in more than COMMON_SHARE of all articles (미국, 인공지능) proposes no story.
        common = max(3, COMMON_SHARE * total)
        rare = sorted((n for n in names if 0 < df.get(n, 0) <= common), key=lambda n: df[n])[:RARE_NAMES]
        if not rare:
            return None, 0.0
        rare_marks = ", ".join("?" for _ in rare)
        # Stories touched within the last RECENT_STORIES * 4 articles; this article is the newest.
        min_seq = seq - RECENT_STORIES * 4
        candidates = db.execute(
            f"SELECT se.story_id, s.first_day, s.last_day FROM story_entities se JOIN stories s ON s.id = se.story_id "
            f"WHERE se.name IN ({rare_marks}) AND s.last_seq >= ? GROUP BY se.story_id "
            f"ORDER BY count(*) DESC, s.last_seq DESC LIMIT ?", [*rare, min_seq, MAX_CANDIDATES],
        ).fetchall()
        day = _day(article)
        candidates = [c[0] for c in candidates if not day or _close_in_time(c[1], c[2], day)]
        if not candidates:
            return None, 0.0
        story_marks = ", ".join("?" for _ in candidates)
        centroids: dict[str, dict[str, float]] = defaultdict(dict)
        for story_id, name, weight in db.execute(
            f"SELECT story_id, name, weight FROM story_entities WHERE story_id IN ({story_marks})", candidates
        ):
            centroids[story_id][name] = weight
        # Centroid names the article lacks still count in the centroid's norm.
        df = self._doc_freqs(db, {n for c in centroids.values() for n in c})
        best, best_score = None, 0.0
        for story_id, centroid in centroids.items():
            c = {n: w * idf(n) for n, w in centroid.items()}
            c_norm = math.sqrt(sum(w * w for w in c.values())) or 1.0
            score = sum(weighted[n] * c[n] for n in weighted if n in c) / (norm * c_norm)
            if score > best_score:
                best, best_score = story_id, score
        return (best, best_score) if best_score >= THRESHOLD else (None, 0.0)

    def _doc_freqs(self, db: sqlite3.Connection, names) -> dict[str, int]:
        """Articles per name, from a cache kept in step with entity_df (read once per name)."""
        missing = [n for n in names if n not in self._df]
        for start in range(0, len(missing), 500):
            chunk = missing[start:start + 500]
            self._df.update(dict.fromkeys(chunk, 0))
            self._df.update(db.execute(
                f"SELECT name, articles FROM entity_df WHERE name IN ({', '.join('?' for _ in chunk)})", chunk))
        return self._df



def _close_in_time(first: str | None, last: str | None, day: str) -> bool:
    if not first:
        return True
    d = date.fromisoformat(day)
    return (date.fromisoformat(first) - d).days <= MAX_GAP_DAYS and (d - date.fromisoformat(last)).days <= MAX_GAP_DAYS
