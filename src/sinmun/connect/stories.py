"""Stories: articles about one continuing event, grouped as they arrive.

Each article is a vector of the entities it names (weight 1 + log count). A new
article joins the story whose centroid is most similar to it (cosine, each
entity weighted by its inverse document frequency so that 미국 or 엔비디아 count
less than H200 or 파라마운트), if that similarity reaches `THRESHOLD` and the two
are close in time; otherwise it starts a story. Nothing is recomputed: a story's
centroid is the running sum of its members' vectors, kept in the store.

A series is not a story: a column's episodes join each other only on the same
evidence as any two articles, and an episode never joins on series alone.

Entities and stories are derived data, like the index: `Connector` follows the
change log (`sinmun.derive`) with the analysis the index is made from.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from ..analysis.entities import Entity, display_names, extract, rules_version
from ..analysis.korean import Aliases, Term
from ..articles import Article

if TYPE_CHECKING:
    from ..derive import Item
    from ..store import Store

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
    """Finds each changed article's entities and its story (`stories` consumer of the change log)."""

    name = "stories"

    def __init__(self, aliases: Aliases, common: Callable[[str], bool] | None = None) -> None:
        """`common` says whether a proper noun is a common noun by Kiwi's dictionary
        (`Analyzer.known_common_noun`); the follower passes it, loading Kiwi only when it analyses."""
        self.aliases = aliases
        self.displays = display_names(aliases)
        self.common = common or (lambda form: False)
        self.version = rules_version()
        self._total: int | None = None  # articles with entities so far, counted once then kept
        self._df: dict[str, int] = {}  # entity_df, cached
        self._found: dict[int, list[Entity]] = {}  # each article's entities by its change, from `prepare`

    def reset(self, store: Store) -> None:
        """Forget every entity and story (before a rebuild from the store)."""
        self._total = None
        self._df = {}
        store.entities.clear()
        store.stories.clear()

    def prepare(self, items: list[Item]) -> None:
        """Each article's entities as its text names them, before the follower's transaction
        (`resolve`, which reads the store, comes in `write`)."""
        self._found = {}
        for item in items:
            if item.article is not None:
                texts = {part: getattr(item.article, part) or "" for part in item.parts}
                self._found[item.change.seq] = extract(item.parts, texts, self.aliases, self.displays, self.common)

    def settle(self, store: Store) -> None:
        """Nothing to do after the follower's transaction."""

    def write(self, store: Store, items: list[Item]) -> None:
        # The caches hold for one batch: between batches another server may write these tables.
        self._total, self._df = None, {}
        if any(item.article is not None and item.change.seq not in self._found for item in items):
            self.prepare(items)  # not prepared (a caller other than the follower)
        found, self._found = self._found, {}
        for item in items:
            if item.article is None:
                store.entities.replace(item.change.article_id, [])
                continue
            entities = resolve(store, found[item.change.seq])
            self._place(store, item.seq, item.article, entities, vector(entities, item.parts))

    def _place(self, store: Store, seq: int, article: Article, entities: list[Entity],
               vec: dict[str, float]) -> None:
        first_time = store.entities.replace(article.id, [(e.name, e.type, e.count) for e in entities])
        if first_time and self._total is not None:
            self._total += 1
        if store.stories.story_of(article.id):
            return  # already placed: a revision keeps its story
        story_id, score = self._best_story(store, seq, article, vec)
        if story_id is None:
            story_id, score = article.id, 1.0
            store.stories.create(story_id, article.title)
        store.stories.assign(article.id, story_id, score, seq, _day(article))
        store.stories.add_weights(story_id, vec)
        if first_time:
            types = {e.name: e.type for e in entities}
            store.entities.add_doc_freqs((name, types.get(name, "term")) for name in vec)
            store.entities.add_variants((e.name, v) for e in entities for v in e.variants)
            for name in vec:
                if name in self._df:
                    self._df[name] += 1

    def _best_story(self, store: Store, seq: int, article: Article,
                    vec: dict[str, float]) -> tuple[str | None, float]:
        if not vec:
            return None, 0.0
        if self._total is None:
            self._total = store.entities.count_articles()
        total = self._total
        names = list(vec)
        df = self._doc_freqs(store, names)

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
        # Stories touched within the last RECENT_STORIES * 4 articles; this article is the newest.
        found = store.stories.candidates(rare, seq - RECENT_STORIES * 4, MAX_CANDIDATES)
        day = _day(article)
        candidates = [c[0] for c in found if not day or _close_in_time(c[1], c[2], day)]
        if not candidates:
            return None, 0.0
        centroids = store.stories.centroids(candidates)
        # Centroid names the article lacks still count in the centroid's norm.
        df = self._doc_freqs(store, {n for c in centroids.values() for n in c})
        best, best_score = None, 0.0
        for story_id, centroid in centroids.items():
            c = {n: w * idf(n) for n, w in centroid.items()}
            c_norm = math.sqrt(sum(w * w for w in c.values())) or 1.0
            score = sum(weighted[n] * c[n] for n in weighted if n in c) / (norm * c_norm)
            if score > best_score:
                best, best_score = story_id, score
        return (best, best_score) if best_score >= THRESHOLD else (None, 0.0)

    def _doc_freqs(self, store: Store, names) -> dict[str, int]:
        """Articles per name, from a cache kept in step with entity_df (read once per name)."""
        missing = [n for n in names if n not in self._df]
        if missing:
            self._df.update(dict.fromkeys(missing, 0))
            self._df.update(store.entities.doc_freqs(missing))
        return self._df


def resolve(store: Store, entities: list[Entity]) -> list[Entity]:
    """Across the archive: a lone name that other articles used for exactly one longer name
    (their `엘리슨` for `래리 엘리슨`) is that name here too. Ambiguous ones (both 래리 and
    데이비드 엘리슨 were called 엘리슨) stay as printed. The first article to name someone by
    surname alone, before any names them in full, keeps the surname."""
    lone = {e.name for e in entities if " " not in e.name and e.type in ("name", "person") and not e.variants}
    owners = store.entities.owners(sorted(lone)) if lone else {}
    if not owners:
        return entities
    merged: dict[str, Entity] = {}
    for e in entities:
        found = owners.get(e.name, []) if e.name in lone else []
        if len(found) == 1 and found[0] != e.name:
            e = Entity(found[0], e.type, e.count, (e.name,))
        if e.name in merged:
            before = merged[e.name]
            kind = before.type if before.type != "name" else e.type
            e = Entity(e.name, kind, before.count + e.count, tuple(sorted(set(before.variants) | set(e.variants))))
        merged[e.name] = e
    return sorted(merged.values(), key=lambda e: -e.count)


def _close_in_time(first: str | None, last: str | None, day: str) -> bool:
    if not first or not last:
        return True
    d = date.fromisoformat(day)
    return (date.fromisoformat(first) - d).days <= MAX_GAP_DAYS and (d - date.fromisoformat(last)).days <= MAX_GAP_DAYS
