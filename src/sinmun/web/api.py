"""The JSON API: the CLI's questions over HTTP, answering the same models."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request

from ..service import Archive, queries
from ..service.models import (
    ArticleDetail,
    ArticleList,
    EntityCount,
    EntityDetail,
    ErrorBody,
    NameCount,
    Network,
    RevisionList,
    Rising,
    SearchResults,
    SimilarArticles,
    StoryDetail,
    StoryList,
    SummaryResult,
    Trends,
)
from ..service.params import ListParams, SearchParams, StoryParams

ERRORS: dict[int | str, dict[str, Any]] = {status: {"model": ErrorBody} for status in (400, 404, 422, 500, 503)}
router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


def archive_of(request: Request) -> Archive:
    return request.app.state.archive


@router.get("/search")
def search(request: Request, params: Annotated[SearchParams, Query()]) -> SearchResults:
    """Search, as `sinmun search --json`."""
    return queries.search(archive_of(request), params)


@router.get("/articles")
def articles(request: Request, params: Annotated[ListParams, Query()]) -> ArticleList:
    """Articles newest first (a series in episode order), as `sinmun list --json`."""
    return queries.articles(archive_of(request), params)


@router.get("/articles/{article_id}")
def article(request: Request, article_id: str) -> ArticleDetail:
    """One article with every stored field, its sources, dates, story, entities and related articles."""
    return queries.article(archive_of(request), article_id)


@router.get("/articles/{article_id}/similar")
def similar(request: Request, article_id: str, limit: int = Query(5, ge=1, le=50)) -> SimilarArticles:
    """More like this: the articles nearest in meaning first."""
    return queries.similar(archive_of(request), article_id, limit)


@router.get("/articles/{article_id}/revisions")
def revisions(request: Request, article_id: str) -> RevisionList:
    """Earlier versions of the article, oldest first, as `sinmun show ID --revisions --json`."""
    return queries.revisions(archive_of(request), article_id)


@router.get("/articles/{article_id}/summary")
def summary(request: Request, article_id: str) -> SummaryResult:
    """Three central sentences of the body, as `sinmun summarize ID --json`."""
    return queries.summary(archive_of(request), article_id)


@router.get("/stories")
def stories(request: Request, params: Annotated[StoryParams, Query()]) -> StoryList:
    """Continuing stories, largest first (issue ranking); `since=YYYY-MM-DD` keeps recent ones."""
    return queries.stories(archive_of(request), params)


@router.get("/stories/{story_id}")
def story(request: Request, story_id: str) -> StoryDetail:
    """One story: its entities and a timeline of its articles with the dates they name."""
    return queries.story(archive_of(request), story_id)


@router.get("/trends")
def trends(request: Request, terms: str = Query(..., description="Comma-separated terms or queries."),
           interval: Literal["day", "week", "month"] = "month") -> Trends:
    """Dated articles per interval for each term."""
    return queries.trends(archive_of(request), [t.strip() for t in terms.split(",") if t.strip()], interval)


@router.get("/rising")
def rising(request: Request, window_days: int = Query(7, ge=1, le=365),
           limit: int = Query(10, ge=1, le=100)) -> Rising:
    """Entities whose share of articles rose most in the latest window against the four before."""
    return queries.rising(archive_of(request), window_days, limit)


@router.get("/network")
def network(request: Request, q: str | None = None, entity: str | None = None) -> Network:
    """Co-occurrence network of entities for a query or an entity (nodes and weighted edges)."""
    if not q and not entity:
        raise HTTPException(400, "give q (a query) or entity (a name)")
    return queries.network(archive_of(request), query=q, entity=entity)


@router.get("/entities")
def entities(request: Request, type: str | None = None, limit: int = Query(50, ge=1, le=500)) -> list[EntityCount]:
    """Entities by the number of articles naming them."""
    return queries.entities(archive_of(request), type, limit)


@router.get("/entities/{name}")
def entity(request: Request, name: str, limit: int = Query(50, ge=1, le=200)) -> EntityDetail:
    """One entity and the articles that name it, newest first."""
    return queries.entity(archive_of(request), name, limit)


@router.get("/sections")
def sections(request: Request) -> list[NameCount]:
    return queries.sections(archive_of(request))


@router.get("/series")
def series(request: Request) -> list[NameCount]:
    return queries.series(archive_of(request))
