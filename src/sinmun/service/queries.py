"""Read-only questions to the archive. Nothing here writes: the follower keeps the index current.

Each function takes the archive and validated parameters and returns a typed
model (`models.py`); a missing article, story or entity is `NotFound`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from ..articles import Article
from ..errors import NotFound
from .archive import Archive
from .models import (
    ArticleDetail,
    ArticleList,
    ArticleListing,
    EntityCount,
    EntityDetail,
    Event,
    NameCount,
    Network,
    RevisionList,
    Rising,
    SearchResults,
    SimilarArticle,
    SimilarArticles,
    SourceRecord,
    Stats,
    StoryDetail,
    StoryList,
    StorySummary,
    SummaryResult,
    Trends,
)
from .params import MAX_LIMIT, MAX_RESULT_WINDOW, ListParams, SearchParams, StoryParams

RELATED = 5


def search(archive: Archive, params: SearchParams) -> SearchResults:
    return archive.searcher().search(params)


def search_all(archive: Archive, params: SearchParams) -> SearchResults:
    """Every result a search serves (up to MAX_RESULT_WINDOW), fetched a full page at a time:
    `sinmun search --all`. For more, or for every field, export instead."""
    first = search(archive, params.model_copy(update={"limit": MAX_LIMIT}))
    hits = list(first.hits)
    offset = params.offset + MAX_LIMIT
    while offset < min(first.total, MAX_RESULT_WINDOW) and len(hits) == offset - params.offset:
        page = search(archive, params.model_copy(update={"offset": offset,
                                                          "limit": min(MAX_LIMIT, MAX_RESULT_WINDOW - offset)}))
        hits.extend(page.hits)
        offset += MAX_LIMIT
    return first.model_copy(update={"hits": hits})


def page_dates(archive: Archive, limit: int) -> Iterator[tuple[str, str | None]]:
    """(id, day of its last change) of the newest `limit` live articles: a sitemap's rows."""
    ids = archive.store.articles.select()[:limit]
    for start in range(0, len(ids), 1000):
        found = archive.store.articles.get_many(ids[start:start + 1000], raw=False)
        for article_id in ids[start:start + 1000]:
            if article_id in found:
                article = found[article_id]
                yield article_id, (article.modified or article.ingested_at or "")[:10] or None


def ranker(archive: Archive, config: str) -> Callable[[str], list[str]]:
    """A ranking for the evaluation harness: one of sinmun's configurations, or a
    BM25 baseline built over the archive's current articles (retractions left out)."""
    from ..search.baselines import BM25
    from ..search.evaluate import CONFIGS, DEPTH, check_config

    if check_config(config) in CONFIGS:
        options = CONFIGS[config]
        return lambda q: [h.id for h in search(archive, SearchParams(q=q, limit=DEPTH, **options)).hits]
    docs = ((a.id, f"{a.title}\n{a.body}") for a in archive.store.articles.iter_all() if not a.retracted_at)
    return BM25(config, docs).rank


def get_article(archive: Archive, article_id: str) -> Article:
    """The stored article with this id or unique id prefix; NotFound otherwise."""
    found = archive.store.articles.get(article_id)
    if found is None:
        raise NotFound(f"no article with id {article_id!r}")
    return found


def get_articles(archive: Archive, ids: list[str]) -> dict[str, Article]:
    """The stored articles with these ids (those that exist)."""
    return archive.store.articles.get_many(ids)


def article(archive: Archive, article_id: str) -> ArticleDetail:
    """Every stored field, plus sources, resolved dates, story, entities and related articles."""
    found = get_article(archive, article_id)
    store = archive.store
    order = store.entities.related(found.id, RELATED)
    related = store.articles.get_many(order, raw=False)
    return ArticleDetail(
        **found.to_dict(), sources=store.articles.sources(found.id), events=events(found),
        story=store.stories.story_of(found.id), entities=store.entities.of_article(found.id),
        related=[ArticleListing.of(related[i]) for i in order if i in related])


def articles(archive: Archive, params: ListParams) -> ArticleList:
    """A page of a list. Every reader sees the same pages until the archive changes, and a list's
    total counts every live article (25 ms at 412,000): made once per change."""
    def page() -> ArticleList:
        total, found = archive.store.articles.page(params.section, params.series, params.limit, params.offset,
                                                   params.order)
        return ArticleList(total=total, articles=[ArticleListing.of(a) for a in found])

    return archive.per_change("articles " + params.model_dump_json(), page)


def revisions(archive: Archive, article_id: str) -> RevisionList:
    found = get_article(archive, article_id)
    return RevisionList.model_validate({"id": found.id, "revisions": archive.store.articles.revisions(found.id)})


def source_record(archive: Archive, article_id: str) -> SourceRecord:
    """The verbatim record the article was made from (the store keeps it packed)."""
    found = get_article(archive, article_id)
    return SourceRecord(id=found.id, source=found.source, format=found.format, encoding=found.encoding,
                        raw=found.raw)


def similar(archive: Archive, article_id: str, limit: int = 5) -> SimilarArticles:
    """Articles nearest in meaning to a stored one (near-duplicates left out)."""
    from ..search.vector_index import similar_seqs

    found = get_article(archive, article_id)
    hits = similar_seqs(archive.vector_index, archive.store, found.id, limit)
    by_id = archive.store.articles.get_many([i for i, _ in hits], raw=False)
    return SimilarArticles(id=found.id, similar=[
        SimilarArticle(**ArticleListing.of(by_id[i]).model_dump(), similarity=round(score, 4))
        for i, score in hits if i in by_id])


def summary(archive: Archive, article_id: str) -> SummaryResult:
    """The lead and two more sentences of the body (never the article's own [Summary] block)."""
    from ..connect.summarize import summarize

    found = get_article(archive, article_id)
    made = summarize(archive.analyzer, found.id, found.title, found.body)
    return SummaryResult(id=made.id, summary=made.summary, sentences=made.sentences)


def events(article: Article) -> list[Event]:
    """Dates the article's text names, resolved against its own date (none if undated)."""
    from ..analysis.dates import reference_day, resolve

    ref = reference_day(article.published)
    # A page-order date is a bound (on or after it), not the day: "8일" could be this month's or next.
    if ref is None or article.date_precision == "page-order":
        return []
    return [
        Event(**event.to_dict(), part=part)
        for part in ("body", "key_insights", "summary", "explainer")
        if (text := getattr(article, part))
        for event in resolve(text, ref)
    ]


def stories(archive: Archive, params: StoryParams) -> StoryList:
    def page() -> StoryList:
        total, found = archive.store.stories.page(params.limit, params.offset, params.min_size, params.since)
        return StoryList.model_validate({"total": total, "stories": found})

    return archive.per_change("stories " + params.model_dump_json(), page)


def story_summary(archive: Archive, story_id: str) -> StorySummary:
    found = archive.store.stories.summary(story_id)
    if found is None:
        raise NotFound(f"no story with id {story_id!r}")
    return StorySummary.model_validate(found)


def story(archive: Archive, story_id: str) -> StoryDetail:
    """A story with its articles in time order, each with the dates its text names."""
    found = archive.store.stories.get(story_id)
    if found is None:
        raise NotFound(f"no story with id {story_id!r}")
    row, members, entities = found
    return StoryDetail.model_validate({**row, "entities": entities, "timeline": [
        {"id": a.id, "title": a.title, "published": a.published, "date_precision": a.date_precision,
         "section": a.section, "events": events(a)} for a in members]})


def entities(archive: Archive, type: str | None = None, limit: int = 50) -> list[EntityCount]:
    """The most-named entities (the trends page's first names): counted once per change."""
    return archive.per_change(f"entities {type} {limit}", lambda: [
        EntityCount.model_validate(row) for row in archive.store.entities.top(limit, type)])


def entity(archive: Archive, name: str, limit: int = 50) -> EntityDetail:
    """An entity by name, or by another form articles used for exactly one name (엘리슨)."""
    store = archive.store
    found = store.entities.get(name)
    if found is None:
        owners = store.entities.owners([name]).get(name, [])
        found = store.entities.get(owners[0]) if len(owners) == 1 else None
    if found is None:
        raise NotFound(f"no entity named {name!r}")
    named = store.entities.newest_naming(found["name"], limit)
    return EntityDetail(name=found["name"], type=found["type"], count=found["articles"],
                        variants=[v for v, _ in store.entities.variants(found["name"])],
                        articles=[ArticleListing.of(a) for a in named])


def trends(archive: Archive, terms: list[str], interval: str = "month") -> Trends:
    """Articles per day/week/month for each term (search semantics)."""
    from ..connect.trends import series

    def count() -> Trends:
        searcher = archive.searcher()
        return Trends.model_validate(series({term: searcher.matching_days(term) for term in terms}, interval))

    # Counted once per change of the archive, as the home page's lists are: a term's days come from
    # every article it matches (52 ms for the trends page's three names at 100,000 articles).
    return archive.per_change("trends " + json.dumps([terms, interval], ensure_ascii=False), count)


def rising(archive: Archive, window_days: int = 7, limit: int = 10) -> Rising:
    from ..connect.trends import rising as rising_entities

    # The home page shows it: counted once per change of the archive (a window's entities, 0.2 s at 412,000).
    return archive.per_change(f"rising-{window_days}-{limit}",
                              lambda: Rising.model_validate(rising_entities(archive.store, window_days, limit)))


def network(archive: Archive, query: str | None = None, entity: str | None = None) -> Network:
    """Entities named together in the articles of a query or of an entity."""
    from ..connect.trends import network as cooccurrence

    if entity:
        ids = archive.store.entities.articles_naming(entity)
    else:
        ids = archive.searcher().matching_ids(query or "")
    return Network.model_validate({"query": query, "entity": entity, **cooccurrence(archive.store, ids)})


def sections(archive: Archive) -> list[NameCount]:
    """The sections and their live articles. Every page shows them, so they are counted once per
    change of the archive: counting over every article took 40 ms at 412,000, most of a page."""
    return archive.per_change("sections", lambda: _named_counts(archive, "section"))


def series(archive: Archive) -> list[NameCount]:
    return archive.per_change("series", lambda: _named_counts(archive, "series"))


def _named_counts(archive: Archive, column: str) -> list[NameCount]:
    return [NameCount(name=n, articles=c) for n, c in archive.store.articles.facet(column)]


def stats(archive: Archive) -> Stats:
    store = archive.store
    return Stats(db=store.location, schema_version=store.schema_version, **store.articles.stats(),
                 bytes=store.size())
