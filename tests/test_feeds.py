"""Feeds as a feed reader sees them: fetched from the live server and parsed back by feedparser."""

from __future__ import annotations

import re
from urllib.parse import quote

import feedparser
import httpx
import pytest


def parsed(server: str, path: str):
    response = httpx.get(server + path, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception  # well-formed Atom
    return feed


def test_latest_feed_lists_the_newest_articles_with_links_to_their_pages(server):
    feed = parsed(server, "/feeds/latest")
    assert feed.version == "atom10" and feed.feed.title.startswith("최신 기사")
    assert len(feed.entries) == 20
    first = feed.entries[0]
    assert first.link.startswith(server + "/articles/")
    page = httpx.get(first.link, timeout=30)
    assert page.status_code == 200 and first.title.split("] ")[-1][:10] in page.text
    assert first.content[0].value and first.summary and first.published_parsed


@pytest.mark.parametrize("kind", ["sections", "series"])
def test_section_and_series_feeds_hold_only_their_articles(server, kind):
    names = httpx.get(f"{server}/api/{kind}", timeout=30).json()
    name, count = names[0]["name"], names[0]["articles"]
    feed = parsed(server, f"/feeds/{kind}/{quote(name, safe='')}")
    assert len(feed.entries) == min(count, 20)
    listed = httpx.get(f"{server}/api/articles", params={kind.rstrip("s") if kind == "sections" else "series": name,
                                                         "limit": 20}, timeout=30).json()
    assert [e.link.rsplit("/", 1)[1] for e in feed.entries] == [a["id"] for a in listed["articles"]]


def test_story_entity_and_search_feeds(server):
    story = httpx.get(server + "/api/stories", timeout=30).json()["stories"][0]
    feed = parsed(server, f"/feeds/stories/{story['id']}")
    assert len(feed.entries) == story["size"]
    feed = parsed(server, "/feeds/entities/" + quote("넷플릭스"))
    assert feed.entries and all("넷플릭스" in e.content[0].value for e in feed.entries)
    feed = parsed(server, "/feeds/search?q=" + quote("반도체"))
    found = httpx.get(server + "/api/search", params={"q": "반도체", "limit": 20, "sort": "date"}, timeout=30).json()
    assert [e.link.rsplit("/", 1)[1] for e in feed.entries] == [h["id"] for h in found["hits"]]
    assert httpx.get(server + "/feeds/search", timeout=30).status_code == 400
    assert httpx.get(server + "/feeds/stories/0000000000000000", timeout=30).status_code == 404


def test_every_list_and_search_page_links_its_feed(server):
    story = httpx.get(server + "/api/stories", timeout=30).json()["stories"][0]["id"]
    for path in ["/", "/sections/" + quote("경제", safe=""), f"/stories/{story}",
                 "/entities/" + quote("넷플릭스"), "/search?q=" + quote("반도체")]:
        html = httpx.get(server + path, timeout=30).text
        head = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', html)
        assert head, path
        href = head.group(1).replace("&amp;", "&")
        assert f'class="feed" href="{head.group(1)}"' in html, path  # and a link a reader can click
        parsed(server, href)
