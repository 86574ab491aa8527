"""Reader pages, rendered on the server from the service's models: every page works without JavaScript."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import ValidationError

from ..errors import BadRequest
from ..service import Archive, queries
from ..service.credits import credits, licence_of
from ..service.params import MAX_RESULT_WINDOW, ListParams, SearchParams, StoryParams, bad_request
from .api import reader, searches
from .diff import word_diff
from .feeds import feed_url
from .paragraphs import labelled

# A private server's pages need a `read` token too (a browser asks for it: HTTP Basic, the token as password).
router = APIRouter(include_in_schema=False, dependencies=[Depends(reader)])
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["q"] = lambda value: quote(str(value), safe="")
FONTS = (Path(__file__).parent / "static" / "fonts" / "fonts.css").exists()
PAGE = 20
ARRIVALS = 10
ENTITY_GROUPS = {"person": "인물", "org": "기관", "place": "장소", "concept": "키워드"}


def archive_of(request: Request) -> Archive:
    return request.app.state.archive


def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    context.setdefault("q", "")
    archive = archive_of(request)
    sections = [(s.name, s.articles) for s in queries.sections(archive)]
    context.setdefault("credits", [s.credit for s in credits(archive)])
    return templates.TemplateResponse(request, name, {"sections": sections, "fonts": FONTS, **context},
                                      status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status=status, status_code=status, message=message, title="오류")


def _page_number(request: Request) -> int:
    """The `page` parameter; a page past the deepest result served is a client error."""
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1
    if page * PAGE > MAX_RESULT_WINDOW:
        raise HTTPException(400, f"{MAX_RESULT_WINDOW // PAGE}쪽까지만 볼 수 있습니다. 검색 조건을 좁혀 보세요.")
    return page


def _pager(request: Request, page: int, total: int, size: int) -> dict:
    params = dict(request.query_params)

    def link(n: int) -> str:
        return "?" + urlencode({**params, "page": n})
    return {
        "page": page,
        "pages": max(1, -(-total // size)),
        "prev": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page * size < total and (page + 1) * size <= MAX_RESULT_WINDOW else None,
    }


def _listing_page(request: Request, heading: str, section: str | None = None, series: str | None = None,
                  arrivals: bool = False, **extra):
    page = _page_number(request)
    archive = archive_of(request)
    listed = queries.articles(archive, ListParams(section=section, series=series, limit=PAGE,
                                                  offset=(page - 1) * PAGE))
    if (section or series) and not listed.total:
        return error_page(request, 404, f"'{section or series}'에 해당하는 기사가 없습니다.")
    if arrivals and page == 1:
        # What came in last leads the page when it is not already the page's newest (an undated list
        # page stored beside a dated archive sorts below it; the newsroom still wants it seen first).
        arrived = queries.articles(archive, ListParams(limit=ARRIVALS, order="arrived")).articles
        newest = listed.articles[:ARRIVALS]
        extra["arrivals"] = arrived if [a.id for a in arrived] != [a.id for a in newest] else []
    return render(request, "list.html", title=heading, heading=heading, articles=listed.articles,
                  total=listed.total, series_view=bool(series), pager=_pager(request, page, listed.total, PAGE),
                  **extra)


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    archive = archive_of(request)
    top = queries.stories(archive, StoryParams(limit=5, min_size=2)).stories
    return _listing_page(request, "최신 기사", arrivals=True, top_stories=top,
                         rising=queries.rising(archive, 7, 8).entities, feed=feed_url("latest"))


@router.get("/trends", response_class=HTMLResponse)
def trends(request: Request, terms: str = "", interval: str = "month"):
    names = [t.strip() for t in terms.split(",") if t.strip()][:6]
    if not names and "terms" not in request.query_params:
        # A first visit draws the archive's most-named people and things (places name too much to show a trend).
        names = [e.name for e in queries.entities(archive_of(request), None, 20) if e.type != "place"][:3]
        terms = ", ".join(names)
    data = queries.trends(archive_of(request), names, interval) if names else None
    return render(request, "trends.html", title="트렌드", terms=terms, interval=interval,
                  data=data.model_dump() if data else None)


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story(request: Request, story_id: str):
    found = queries.story(archive_of(request), story_id)
    return render(request, "story.html", title=found.title, story=found, feed=feed_url("stories", found.id))


@router.get("/entities/{name}", response_class=HTMLResponse)
def entity(request: Request, name: str):
    archive = archive_of(request)
    found = queries.entity(archive, name)  # by another form of the name too (엘리슨)
    graph = queries.network(archive, entity=found.name)
    return render(request, "list.html", title=found.name, heading=found.name, articles=found.articles,
                  total=found.count, entity=found, graph=graph.model_dump(), series_view=False, pager=None,
                  feed=feed_url("entities", found.name))


@router.get("/sections/{name:path}", response_class=HTMLResponse)
def section(request: Request, name: str):
    return _listing_page(request, name, section=name, feed=feed_url("sections", name))


@router.get("/series/{name:path}", response_class=HTMLResponse)
def series(request: Request, name: str):
    return _listing_page(request, name, series=name, feed=feed_url("series", name))


def _narrowed(request: Request, **params: str) -> str:
    """This search page's URL with `params` set (a facet link), back to page 1."""
    query = {k: v for k, v in request.query_params.items() if k != "page"}
    query.update(params)
    return "/search?" + urlencode(query)


def search_params(request: Request, page: int) -> SearchParams:
    """The search form's parameters (the API's, by the same definition), one page of PAGE results."""
    given: dict[str, object] = {k: v for k, v in request.query_params.items() if k in SearchParams.model_fields}
    given.update(facets=True, limit=PAGE, offset=(page - 1) * PAGE)
    try:
        return SearchParams(**given)
    except ValidationError as exc:
        raise bad_request(exc) from None


@router.get("/search", response_class=HTMLResponse, dependencies=[Depends(searches)])
async def search(request: Request):
    # In the event loop, as the API's search (web/api.py says why).
    page = _page_number(request)
    q = request.query_params.get("q", "")
    try:
        form = search_params(request, page)
        results = queries.search(archive_of(request), form) if q.strip() else None
    except BadRequest as exc:
        return render(request, "search.html", status=400, title=q, q=q, error=str(exc), results=None,
                      form=SearchParams(q=q))
    hits = [(h, Markup(h.title_html), Markup(h.snippet)) for h in results.hits] if results else []
    facet_links: dict = {}
    if results:
        for name, values in results.facets.items():
            links = []
            for v in values:
                params = {"since": v.value, "until": v.value} if name == "year" else {name: v.value}
                links.append({**v.model_dump(), "href": _narrowed(request, **params)})
            facet_links[name] = links
        # Names grouped the way BigKinds readers know them: people, organisations, places, other keywords.
        groups: dict[str, list[dict]] = {label: [] for label in ENTITY_GROUPS.values()}
        for link in facet_links.get("entity", []):
            groups[ENTITY_GROUPS.get(link.get("type"), "키워드")].append(link)
        facet_links["entity"] = [(label, links) for label, links in groups.items() if links]
    clear = {name: _narrowed(request, **({"since": "", "until": ""} if name == "year" else {name: ""}))
             for name in ("section", "series", "entity", "year")}
    return render(request, "search.html", title=f"{q} - 검색" if q else "검색", q=q, results=results, hits=hits,
                  form=form, facet_links=facet_links, clear=clear,
                  feed=feed_url("search", **{k: v for k, v in request.query_params.items()
                                             if k in SearchParams.model_fields and k not in ("limit", "offset")}),
                  suggestion_href=_narrowed(request, q=results.suggestion) if results and results.suggestion else None,
                  original_href=_narrowed(request, q=results.corrected_from, correct="false")
                  if results and results.corrected_from else None,
                  pager=_pager(request, page, results.total if results else 0, PAGE))


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: str):
    archive = archive_of(request)
    found = queries.article(archive, article_id)
    episodes = []
    if found.series:
        episodes = queries.articles(archive, ListParams(series=found.series, limit=10)).articles
    story = queries.story_summary(archive, found.story) if found.story else None
    corrections = len(queries.revisions(archive, found.id).revisions)
    canonical = str(request.base_url).rstrip("/") + f"/articles/{found.id}"
    description = " ".join(found.body.split())[:160]
    return render(request, "article.html", title=found.title, article=found, episodes=episodes,
                  canonical=canonical, description=description, licence=licence_of(found.url),
                  paragraphs=labelled(found.body),
                  story=story if story and story.size > 1 else None, entities=found.entities[:12],
                  related=found.related, corrections=corrections,
                  similar=queries.similar(archive, found.id, 5).similar if not found.retracted_at else [])


@router.get("/articles/{article_id}/revisions", response_class=HTMLResponse)
def article_revisions(request: Request, article_id: str):
    """Every version of an article, each shown with what the next one changed."""
    archive = archive_of(request)
    current = queries.article(archive, article_id)
    versions = [*queries.revisions(archive, current.id).revisions, current]
    changes = [{"number": n, "at": getattr(before, "replaced_at", None),
                "title": word_diff(before.title, after.title), "body": word_diff(before.body, after.body)}
               for n, (before, after) in enumerate(zip(versions, versions[1:]), 1)]
    return render(request, "revisions.html", title=f"{current.title} - 수정 이력", article=current,
                  first=versions[0], changes=list(reversed(changes)))
