"""Atom feeds: the newest articles, a section, a series, a story, an entity, any search.

Journalists follow a topic by feed; every list and search page links its own
(`feed_url`, shown as a link and as `<link rel="alternate">`). Feeds are made by
feedgen from the service's answers, the same ones the pages show.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from feedgen.feed import FeedGenerator

from .. import __version__
from ..errors import BadRequest
from ..service import Archive, queries
from ..service.models import ArticleListing
from ..service.params import ListParams
from .api import reader, searches

ATOM = "application/atom+xml; charset=utf-8"
ENTRIES = 20
KST = datetime.fromisoformat("2000-01-01T00:00:00+09:00").tzinfo
router = APIRouter(prefix="/feeds", include_in_schema=False, dependencies=[Depends(reader)])


def archive_of(request: Request) -> Archive:
    return request.app.state.archive


def feed_url(kind: str, name: str = "", **params: str) -> str:
    """The feed of a page, as a path: /feeds/sections/경제, /feeds/search?q=반도체."""
    path = f"/feeds/{kind}" + (f"/{quote(name, safe='')}" if name else "")
    given = {k: v for k, v in params.items() if v}
    return path + ("?" + urlencode(given) if given else "")


def when(value: str | None) -> datetime | None:
    """An article's ISO date (a day, a month or a moment) as a moment; a day starts at 00:00 in Seoul."""
    if not value:
        return None
    text = value if len(value) > 7 else value + "-01"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=KST)


def atom(request: Request, title: str, page: str, ids: list[str], subtitle: str = "",
         summaries: dict[str, str] | None = None) -> Response:
    """An Atom document of the articles `ids` (newest first), linking the page it follows and itself;
    each entry's summary is its lede, or the search snippet given in `summaries`."""
    base = str(request.base_url).rstrip("/")
    feed = FeedGenerator()
    feed.id(base + str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
    feed.title(f"{title} · 신문")
    feed.subtitle(subtitle or title)
    feed.language("ko")
    feed.link(href=base + page, rel="alternate", type="text/html")
    feed.link(href=str(request.url), rel="self", type="application/atom+xml")
    feed.generator("sinmun", version=__version__)
    full = queries.get_articles(archive_of(request), ids)
    newest = None
    for article_id in reversed(ids):  # feedgen puts each new entry first
        article = full.get(article_id)
        if article is None:
            continue
        moment = when(article.published) or when(article.ingested_at) or datetime.now(UTC)
        changed = when(article.modified) or moment
        newest = max(newest or changed, changed)
        entry = feed.add_entry()
        entry.id(f"{base}/articles/{article.id}")
        entry.title(article.headline or article.title)
        entry.link(href=f"{base}/articles/{article.id}", rel="alternate", type="text/html")
        entry.published(moment)
        entry.updated(changed)
        entry.summary((summaries or {}).get(article.id) or ArticleListing.of(article).lede)
        entry.content(article.body, type="text")
        if article.byline:
            entry.author(name=article.byline)
        if article.section:
            entry.category(term=article.section)
    feed.updated(newest or datetime.now(UTC))
    if not full:
        feed.author(name="sinmun")  # Atom needs an author on the feed when no entry has one
    return Response(feed.atom_str(pretty=True), media_type=ATOM)


@router.get("/latest")
def latest(request: Request) -> Response:
    listed = queries.articles(archive_of(request), ListParams(limit=ENTRIES))
    return atom(request, "최신 기사", "/", [a.id for a in listed.articles])


@router.get("/sections/{name:path}")
def section(request: Request, name: str) -> Response:
    listed = queries.articles(archive_of(request), ListParams(section=name, limit=ENTRIES))
    return atom(request, name, feed_page("sections", name), [a.id for a in listed.articles])


@router.get("/series/{name:path}")
def series(request: Request, name: str) -> Response:
    listed = queries.articles(archive_of(request), ListParams(series=name, limit=ENTRIES))
    return atom(request, name, feed_page("series", name), [a.id for a in listed.articles])


@router.get("/stories/{story_id}")
def story(request: Request, story_id: str) -> Response:
    found = queries.story(archive_of(request), story_id)
    newest_first = [t.id for t in reversed(found.timeline)]
    return atom(request, found.title, f"/stories/{found.id}", newest_first[:ENTRIES], "이어지는 이야기")


@router.get("/entities/{name}")
def entity(request: Request, name: str) -> Response:
    found = queries.entity(archive_of(request), name, ENTRIES)
    return atom(request, name, feed_page("entities", name), [a.id for a in found.articles])


@router.get("/search", dependencies=[Depends(searches)])
def search(request: Request) -> Response:
    """Any search as a feed, newest match first: an alert for a topic."""
    from .pages import search_params

    params = search_params(request, 1).model_copy(update={"sort": "date", "limit": ENTRIES, "facets": False})
    if not params.q.strip():
        raise BadRequest("give q: the words to follow")
    results = queries.search(archive_of(request), params)
    page = "/search?" + urlencode({k: v for k, v in request.query_params.items()})
    return atom(request, f"'{params.q}' 검색", page, [h.id for h in results.hits],
                summaries={h.id: strip_marks(h.snippet) for h in results.hits})


def feed_page(kind: str, name: str) -> str:
    return f"/{kind}/{quote(name, safe='')}"


def strip_marks(snippet: str) -> str:
    """A search snippet (HTML-escaped, matches in <mark>) as plain text."""
    return html.unescape(re.sub(r"</?mark>", "", snippet))
