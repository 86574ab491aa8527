"""The JSON API: the CLI's commands over HTTP, with the same shapes."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request

from ..query import QueryError
from ..search import MAX_RESULT_WINDOW, SearchRequest

router = APIRouter(prefix="/api", tags=["api"])

LISTING = ("id", "title", "series", "episode", "section", "published")


def listing(article) -> dict:
    return {k: getattr(article, k) for k in LISTING}


@router.get("/search")
async def search(
    request: Request,
    q: str = "",
    section: str | None = None,
    series: str | None = None,
    since: str | None = None,
    until: str | None = None,
    entity: str | None = None,
    sort: Literal["relevance", "date"] = "relevance",
    mode: Literal["hybrid", "keyword", "semantic"] = "hybrid",
    expand: bool = True,
    correct: bool = True,
    facets: bool = False,
    limit: int = Query(10, ge=1, le=100),
    offset: int = Query(0, ge=0, le=MAX_RESULT_WINDOW),
) -> dict:
    """Search, as `sinmun search --json`: `{"query", "total", "mode", "corrected_from",
    "suggestion", "expansions", "related_words", "facets", "hits": [...]}`."""
    try:
        results = request.app.state.archive.search(SearchRequest(
            q=q, section=section, series=series, since=since, until=until, entity=entity, sort=sort,
            mode=mode, expand=expand, correct=correct, facets=facets, limit=limit, offset=offset))
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from None
    return results.to_dict()


@router.get("/articles")
async def articles(
    request: Request,
    section: str | None = None,
    series: str | None = None,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=MAX_RESULT_WINDOW),
) -> dict:
    """Articles newest first: `{"total", "articles": [...]}` as `sinmun list --json`."""
    total, items = request.app.state.archive.store.list(section=section, series=series, limit=limit, offset=offset)
    return {"total": total, "articles": [listing(a) for a in items]}


@router.get("/articles/{article_id}/similar")
async def similar(request: Request, article_id: str, limit: int = Query(5, ge=1, le=50)) -> dict:
    """More like this: `{"id", "similar": [{..., "similarity"}]}`, nearest in meaning first."""
    archive = request.app.state.archive
    if archive.get(article_id) is None:
        raise HTTPException(404, f"no article with id {article_id!r}")
    return {"id": article_id,
            "similar": [{**listing(a), "similarity": score} for a, score in archive.similar(article_id, limit)]}


@router.get("/articles/{article_id}")
async def article(request: Request, article_id: str) -> dict:
    """One article with every stored field, as `sinmun show --json`."""
    archive = request.app.state.archive
    found = archive.get(article_id)
    if found is None:
        raise HTTPException(404, f"no article with id {article_id!r}")
    return {**archive.article_json(found),
            "related": [listing(a) for a in archive.store.related(found.id)]}


@router.get("/stories")
async def stories(request: Request, limit: int = Query(20, ge=1, le=100),
                  offset: int = Query(0, ge=0, le=MAX_RESULT_WINDOW),
                  min_size: int = Query(2, ge=1, le=MAX_RESULT_WINDOW), since: str | None = None) -> dict:
    """Continuing stories, largest first (issue ranking); `since=YYYY-MM-DD` keeps recent ones."""
    total, found = request.app.state.archive.store.stories(limit=limit, offset=offset, min_size=min_size, since=since)
    return {"total": total, "stories": found}


@router.get("/stories/{story_id}")
async def story(request: Request, story_id: str) -> dict:
    """One story: its entities and a timeline of its articles with the dates they name."""
    found = request.app.state.archive.story_json(story_id)
    if found is None:
        raise HTTPException(404, f"no story with id {story_id!r}")
    return found


@router.get("/trends")
async def trends(request: Request, terms: str = Query(..., description="comma-separated"),
                 interval: Literal["day", "week", "month"] = "month") -> dict:
    """Articles per interval for each term: `{"interval", "buckets", "terms": [{"term", "total", "counts"}]}`."""
    return request.app.state.archive.trends([t.strip() for t in terms.split(",") if t.strip()], interval)


@router.get("/rising")
async def rising(request: Request, window_days: int = Query(7, ge=1, le=365), limit: int = Query(10, ge=1, le=100)) -> dict:
    """Entities whose share of articles rose most in the latest window against the four before."""
    from ..trends import rising as rising_entities

    return rising_entities(request.app.state.archive.store.db, window_days, limit)


@router.get("/network")
async def network(request: Request, q: str | None = None, entity: str | None = None) -> dict:
    """Co-occurrence network of entities for a query or an entity (nodes and weighted edges)."""
    if not q and not entity:
        raise HTTPException(400, "give q (a query) or entity (a name)")
    return request.app.state.archive.network(query=q, entity=entity)


@router.get("/entities")
async def entities(request: Request, type: str | None = None, limit: int = Query(50, ge=1, le=500)) -> list[dict]:
    """Entities by the number of articles naming them."""
    return request.app.state.archive.store.top_entities(limit=limit, type=type)


@router.get("/entities/{name}")
async def entity(request: Request, name: str, limit: int = Query(50, ge=1, le=200)) -> dict:
    """One entity and the articles that name it, newest first."""
    found, articles_ = request.app.state.archive.store.entity_articles(name, limit=limit)
    if found is None:
        raise HTTPException(404, f"no entity named {name!r}")
    return {"name": found["name"], "type": found["type"], "count": found["articles"],
            "articles": [listing(a) for a in articles_]}


@router.get("/sections")
async def sections(request: Request) -> list[dict]:
    return [{"name": n, "articles": c} for n, c in request.app.state.archive.store.facet("section")]


@router.get("/series")
async def series(request: Request) -> list[dict]:
    return [{"name": n, "articles": c} for n, c in request.app.state.archive.store.facet("series")]
