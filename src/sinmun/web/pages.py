"""Reader pages, rendered on the server: every page works without JavaScript."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from ..query import QueryError
from ..search import MAX_RESULT_WINDOW, SearchRequest

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["q"] = lambda value: quote(str(value), safe="")
FONTS = (Path(__file__).parent / "static" / "fonts" / "fonts.css").exists()
PAGE = 20


def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    store = request.app.state.archive.store
    context.setdefault("q", "")
    return templates.TemplateResponse(
        request, name, {"sections": store.facet("section"), "fonts": FONTS, **context}, status_code=status
    )


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
        "next": link(page + 1) if page * size < total else None,
    }


def _listing_page(request: Request, heading: str, section: str | None = None, series: str | None = None,
                  **extra):
    page = _page_number(request)
    total, articles = request.app.state.archive.store.list(
        section=section, series=series, limit=PAGE, offset=(page - 1) * PAGE)
    if (section or series) and not total:
        return error_page(request, 404, f"'{section or series}'에 해당하는 기사가 없습니다.")
    return render(request, "list.html", title=heading, heading=heading, articles=articles, total=total,
                  series_view=bool(series), pager=_pager(request, page, total, PAGE), **extra)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request):
    from ..trends import rising

    store = request.app.state.archive.store
    _, top = store.stories(limit=5, min_size=2)
    return _listing_page(request, "최신 기사", top_stories=top, rising=rising(store.db, 7, 8)["entities"])


@router.get("/trends", response_class=HTMLResponse)
async def trends(request: Request, terms: str = "", interval: str = "month"):
    names = [t.strip() for t in terms.split(",") if t.strip()][:6]
    data = request.app.state.archive.trends(names, interval) if names else None
    return render(request, "trends.html", title="트렌드", terms=terms, interval=interval, data=data)


@router.get("/stories/{story_id}", response_class=HTMLResponse)
async def story(request: Request, story_id: str):
    found = request.app.state.archive.story_json(story_id)
    if found is None:
        return error_page(request, 404, "이야기를 찾을 수 없습니다.")
    return render(request, "story.html", title=found["title"], story=found)


@router.get("/entities/{name}", response_class=HTMLResponse)
async def entity(request: Request, name: str):
    found, articles = request.app.state.archive.store.entity_articles(name)
    if found is None:
        return error_page(request, 404, f"'{name}'을(를) 다룬 기사가 없습니다.")
    graph = request.app.state.archive.network(entity=name)
    return render(request, "list.html", title=name, heading=name, articles=articles, total=found["articles"],
                  entity=found, graph=graph, series_view=False, pager=None)


@router.get("/sections/{name:path}", response_class=HTMLResponse)
async def section(request: Request, name: str):
    return _listing_page(request, name, section=name)


@router.get("/series/{name:path}", response_class=HTMLResponse)
async def series(request: Request, name: str):
    return _listing_page(request, name, series=name)


ENTITY_GROUPS = {"person": "인물", "org": "기관", "place": "장소", "concept": "키워드"}


def _narrowed(request: Request, **params: str) -> str:
    """This search page's URL with `params` set (a facet link), back to page 1."""
    query = {k: v for k, v in request.query_params.items() if k != "page"}
    query.update(params)
    return "/search?" + urlencode(query)


@router.get("/search", response_class=HTMLResponse)
async def search(request: Request, q: str = "", section: str = "", series: str = "", entity: str = "",
                 sort: str = "relevance", since: str = "", until: str = "", mode: str = "hybrid"):
    page = _page_number(request)
    search_request = SearchRequest(q=q, section=section or None, series=series or None, entity=entity or None,
                                   sort=sort, since=since or None, until=until or None, mode=mode,
                                   facets=True, limit=PAGE, offset=(page - 1) * PAGE)
    try:
        results = request.app.state.archive.search(search_request) if q.strip() else None
    except QueryError as exc:
        return render(request, "search.html", status=400, title=q, q=q, error=str(exc), results=None,
                      form=search_request)
    hits = [(h, Markup(h.title_html), Markup(h.snippet)) for h in results.hits] if results else []
    facet_links = {}
    if results:
        for name, values in results.facets.items():
            links = []
            for v in values:
                params = {"since": v["value"], "until": v["value"]} if name == "year" else {name: v["value"]}
                links.append({**v, "href": _narrowed(request, **params)})
            facet_links[name] = links
        # Names grouped the way BigKinds readers know them: people, organisations, places, other keywords.
        groups: dict[str, list[dict]] = {label: [] for label in ENTITY_GROUPS.values()}
        for link in facet_links.get("entity", []):
            groups[ENTITY_GROUPS.get(link.get("type"), "키워드")].append(link)
        facet_links["entity"] = [(label, links) for label, links in groups.items() if links]
    clear = {name: _narrowed(request, **({"since": "", "until": ""} if name == "year" else {name: ""}))
             for name in ("section", "series", "entity", "year")}
    return render(request, "search.html", title=f"{q} - 검색" if q else "검색", q=q, results=results, hits=hits,
                  form=search_request, facet_links=facet_links, clear=clear,
                  suggestion_href=_narrowed(request, q=results.suggestion) if results and results.suggestion else None,
                  original_href=_narrowed(request, q=results.corrected_from, correct="0")
                  if results and results.corrected_from else None,
                  pager=_pager(request, page, results.total if results else 0, PAGE))


@router.get("/articles/{article_id}", response_class=HTMLResponse)
async def article(request: Request, article_id: str):
    found = request.app.state.archive.get(article_id)
    if found is None:
        return error_page(request, 404, "기사를 찾을 수 없습니다.")
    store = request.app.state.archive.store
    episodes = []
    if found.series:
        _, episodes = store.list(series=found.series, limit=10)
    story_id = store.story_of(found.id)
    story = store.story(story_id) if story_id else None
    return render(request, "article.html", title=found.title, article=found, episodes=episodes,
                  story=story if story and story["size"] > 1 else None,
                  entities=store.entities(found.id)[:12], related=store.related(found.id),
                  similar=[a for a, _ in request.app.state.archive.similar(found.id, 5)])
