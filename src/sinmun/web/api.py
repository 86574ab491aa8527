"""The JSON API: the CLI's commands over HTTP, with the same shapes."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request

from ..search import QueryError, SearchRequest

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
    sort: Literal["relevance", "date"] = "relevance",
    limit: int = Query(10, ge=1, le=100),
    offset: int = Query(0, ge=0),
) -> dict:
    """Search: `{"query", "total", "partial", "expansions", "hits": [...]}` as `sinmun search --json`."""
    try:
        results = request.app.state.archive.search(SearchRequest(
            q=q, section=section, series=series, since=since, until=until, sort=sort, limit=limit, offset=offset))
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from None
    return results.to_dict()


@router.get("/articles")
async def articles(
    request: Request,
    section: str | None = None,
    series: str | None = None,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0),
) -> dict:
    """Articles newest first: `{"total", "articles": [...]}` as `sinmun list --json`."""
    total, items = request.app.state.archive.store.list(section=section, series=series, limit=limit, offset=offset)
    return {"total": total, "articles": [listing(a) for a in items]}


@router.get("/articles/{article_id}")
async def article(request: Request, article_id: str) -> dict:
    """One article with every stored field, as `sinmun show --json`."""
    archive = request.app.state.archive
    found = archive.get(article_id)
    if found is None:
        raise HTTPException(404, f"no article with id {article_id!r}")
    return {**found.to_dict(), "sources": archive.store.sources(found.id), "events": archive.events(found)}


@router.get("/sections")
async def sections(request: Request) -> list[dict]:
    return [{"name": n, "articles": c} for n, c in request.app.state.archive.store.facet("section")]


@router.get("/series")
async def series(request: Request) -> list[dict]:
    return [{"name": n, "articles": c} for n, c in request.app.state.archive.store.facet("series")]
