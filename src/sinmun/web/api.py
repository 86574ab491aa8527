"""The JSON API: the CLI's questions over HTTP, answering the same models, and the newsroom's writes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from fastapi.security import HTTPBearer

from ..service import Archive, editor, queries
from ..service.access import AuditLog, TokenInfo, audit
from ..service.editor import ArticleIn
from ..service.export import MEDIA_TYPES, Export, file_name
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
    SourceRecord,
    StoryDetail,
    StoryList,
    SummaryResult,
    Trends,
)
from ..service.params import MAX_RESULT_WINDOW, ExportParams, ListParams, SearchParams, StoryParams
from .guard import MAX_BODY, MAX_URL, principal
from .ops import WRITES

DESCRIPTION = f"""Search and read a Korean news archive; publish, correct and retract through it.

**Tokens** (`sinmun token create --name NAME --scope read|write|admin`) go in
`Authorization: Bearer snm_...`. Reads are public unless the server runs with
`--private`; writes need `write`, the audit log `admin`. A missing or unknown token
is 401, a token without the scope 403.

**Limits.** `limit` is 1-100 and `offset + limit` at most {MAX_RESULT_WINDOW:,};
a URL is at most {MAX_URL:,} characters (414), a body at most {MAX_BODY:,} bytes (413);
searches are limited per address and writes per token (429, with `Retry-After`).
Unknown parameters are refused. Every error is `{{"status", "message"}}`."""

ERROR_STATUSES = (400, 401, 403, 404, 413, 414, 422, 429, 500, 503)
ERRORS: dict[int | str, dict[str, Any]] = {status: {"model": ErrorBody} for status in ERROR_STATUSES}
# Documents the bearer token in OpenAPI; the header itself is read by `principal`.
bearer = HTTPBearer(auto_error=False, description="A token made by `sinmun token create`.")


def archive_of(request: Request) -> Archive:
    return request.app.state.archive


Bearer = Annotated[Any, Depends(bearer)]


async def reader(request: Request, _: Bearer) -> TokenInfo | None:
    """A read: anyone, unless the server is private. Run in the event loop (a header, and
    for a token one indexed read): a sync dependency is a hand-off to a thread and back."""
    return principal(archive_of(request), request.headers.get("authorization"), "read",
                     not request.app.state.settings.private)


def writer(request: Request, _: Bearer) -> TokenInfo:
    who = principal(archive_of(request), request.headers.get("authorization"), "write", False)
    assert who is not None
    request.app.state.write_limit.take(who.name, "writes")
    return who


def admin(request: Request, _: Bearer) -> TokenInfo:
    who = principal(archive_of(request), request.headers.get("authorization"), "admin", False)
    assert who is not None
    return who


Writer = Annotated[TokenInfo, Depends(writer)]
Admin = Annotated[TokenInfo, Depends(admin)]


async def searches(request: Request) -> None:
    """A search costs the server most: limited per address (in memory, in the event loop)."""
    request.app.state.search_limit.take(request.client.host if request.client else "?", "searches")


router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS, dependencies=[Depends(reader)])


@router.get("/search", dependencies=[Depends(searches)])
async def search(request: Request, params: Annotated[SearchParams, Query()]) -> SearchResults:
    """Search, as `sinmun search --json`."""
    # In the event loop, not the thread pool: a search is short and mostly Python, and the
    # hand-offs to a thread and back cost about 1 ms of an 8 ms search at 412,000 articles
    # (README, Scale). A server runs a worker a core, so a loop busy searching costs no throughput.
    return queries.search(archive_of(request), params)


@router.get("/export", dependencies=[Depends(searches)], response_class=StreamingResponse,
            responses={200: {"description": "The file, streamed.",
                             "content": {t.split(";")[0]: {} for t in MEDIA_TYPES.values()}}})
def export(request: Request, params: Annotated[ExportParams, Query()]) -> StreamingResponse:
    """Every article a search matches, with every stored field, as `sinmun export`: JSON Lines, CSV
    for Excel (UTF-8 with a BOM, formulas neutralised) or Parquet, streamed (`X-Total-Count` rows)."""
    made = Export(archive_of(request), params)
    name = file_name(params, date.today().strftime("%Y%m%d"))
    return StreamingResponse(made.chunks(), media_type=made.media_type, headers={
        "Content-Disposition": f"attachment; filename=\"sinmun-export.{made.format}\"; filename*=UTF-8''{quote(name)}",
        "X-Total-Count": str(made.rows)})


@router.get("/articles")
def articles(request: Request, params: Annotated[ListParams, Query()]) -> ArticleList:
    """Articles newest first (a series in episode order), as `sinmun list --json`. Retracted ones are left out."""
    return queries.articles(archive_of(request), params)


@router.post("/articles", status_code=201, tags=["editor"], responses={409: {"model": ErrorBody}},
             openapi_extra={"x-scope": "write"})
def publish(request: Request, response: Response, article: ArticleIn, who: Writer) -> ArticleDetail:
    """Publish an article (a `write` token): 201 with the stored article; 409 when it, its text or its URL
    is already stored (the message names the stored one). It is searchable within seconds."""
    stored = editor.publish(archive_of(request), article, who.name)
    WRITES.labels("publish").inc()
    response.headers["Location"] = f"/api/articles/{stored.id}"
    return stored


@router.get("/articles/{article_id}")
def article(request: Request, article_id: str) -> ArticleDetail:
    """One article with every stored field, its sources, dates, story, entities and related articles."""
    return queries.article(archive_of(request), article_id)


@router.put("/articles/{article_id}", tags=["editor"], responses={409: {"model": ErrorBody}},
            openapi_extra={"x-scope": "write"})
def correct(request: Request, article_id: str, article: ArticleIn, who: Writer) -> ArticleDetail:
    """Correct an article (a `write` token): the new text becomes the article's, the previous one a
    revision; the same text again changes nothing. 409 for a retracted article."""
    corrected = editor.correct(archive_of(request), article_id, article, who.name)
    WRITES.labels("correct").inc()
    return corrected


@router.delete("/articles/{article_id}", tags=["editor"], openapi_extra={"x-scope": "write"})
def retract(request: Request, article_id: str, who: Writer,
            reason: str | None = Query(None, max_length=500, description="Why, for the audit log.")) -> ArticleDetail:
    """Retract an article (a `write` token): it leaves search and lists, its page says it was retracted
    and when. Nothing is erased. Retracting it again changes nothing."""
    retracted = editor.retract(archive_of(request), article_id, who.name, reason)
    WRITES.labels("retract").inc()
    return retracted


@router.get("/articles/{article_id}/similar")
def similar(request: Request, article_id: str, limit: int = Query(5, ge=1, le=50)) -> SimilarArticles:
    """More like this: the articles nearest in meaning first."""
    return queries.similar(archive_of(request), article_id, limit)


@router.get("/articles/{article_id}/revisions")
def revisions(request: Request, article_id: str) -> RevisionList:
    """Earlier versions of the article, oldest first, as `sinmun show ID --revisions --json`."""
    return queries.revisions(archive_of(request), article_id)


@router.get("/articles/{article_id}/source")
def source(request: Request, article_id: str) -> SourceRecord:
    """The record the article was made from, exactly as it arrived, as `sinmun show ID --source --json`."""
    return queries.source_record(archive_of(request), article_id)


@router.get("/articles/{article_id}/summary")
def summary(request: Request, article_id: str) -> SummaryResult:
    """The lead and two more sentences of the body, as `sinmun summarize ID --json`."""
    return queries.summary(archive_of(request), article_id)


@router.get("/stories")
def stories(request: Request, params: Annotated[StoryParams, Query()]) -> StoryList:
    """Continuing stories, largest first (issue ranking); `since=YYYY-MM-DD` keeps recent ones."""
    return queries.stories(archive_of(request), params)


@router.get("/stories/{story_id}")
def story(request: Request, story_id: str) -> StoryDetail:
    """One story: its entities and a timeline of its articles with the dates they name."""
    return queries.story(archive_of(request), story_id)


@router.get("/trends", dependencies=[Depends(searches)])
def trends(request: Request, terms: str = Query(..., max_length=500, description="Comma-separated terms or queries."),
           interval: Literal["day", "week", "month"] = "month") -> Trends:
    """Dated articles per interval for each term (at most 6 terms)."""
    names = [t.strip() for t in terms.split(",") if t.strip()]
    if not names or len(names) > 6:
        raise HTTPException(400, "give 1 to 6 comma-separated terms")
    return queries.trends(archive_of(request), names, interval)


@router.get("/rising")
def rising(request: Request, window_days: int = Query(7, ge=1, le=365),
           limit: int = Query(10, ge=1, le=100)) -> Rising:
    """Entities whose share of articles rose most in the latest window against the four before."""
    return queries.rising(archive_of(request), window_days, limit)


@router.get("/network", dependencies=[Depends(searches)])
def network(request: Request, q: str | None = Query(None, max_length=500),
            entity: str | None = Query(None, max_length=200)) -> Network:
    """Co-occurrence network of entities for a query or an entity (nodes and weighted edges)."""
    if not q and not entity:
        raise HTTPException(400, "give q (a query) or entity (a name)")
    return queries.network(archive_of(request), query=q, entity=entity)


@router.get("/entities")
def entities(request: Request, type: str | None = Query(None, max_length=20),
             limit: int = Query(50, ge=1, le=500)) -> list[EntityCount]:
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


@router.get("/audit", tags=["editor"], openapi_extra={"x-scope": "admin"})
def audit_log(request: Request, who: Admin, limit: int = Query(50, ge=1, le=500),
              offset: int = Query(0, ge=0, le=MAX_RESULT_WINDOW),
              article_id: str | None = Query(None, max_length=64)) -> AuditLog:
    """Every write, newest first: who (the token's name), when, what (an `admin` token)."""
    return audit(archive_of(request), limit, offset, article_id)


@router.get("/docs", include_in_schema=False, response_class=HTMLResponse)
def docs() -> HTMLResponse:
    """Swagger UI from the site's own assets (it used to come from a CDN: blank on a closed network)."""
    return HTMLResponse(DOCS_PAGE)


DOCS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sinmun API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui-bundle.js"></script><script src="/static/js/docs.js"></script>
</body></html>"""
