"""RSS 2.0 and Atom feeds (feedparser).

An entry with full content (`content:encoded`, Atom `<content>`) becomes a full
article; an entry with only a summary becomes a partial one (`partial` = true)
that keeps its link, so a later ingest of the page itself can complete it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime

from ..articles import Article, make_article
from .embedded import html_text
from .furniture import clean_text
from .refused import Refused


def _iso(raw: str | None) -> str | None:
    """The feed's own date with its own offset (2025-12-01T08:00:00+09:00 stays 12월 1일)."""
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.strip().replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(raw).isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def read(text: str, source: str) -> Iterator[Article | Refused]:
    import feedparser

    parsed = feedparser.parse(text)
    if parsed.bozo and not parsed.entries:
        yield Refused(None, f"unreadable feed: {parsed.get('bozo_exception', 'not RSS or Atom')}")
        return
    for number, entry in enumerate(parsed.entries, start=1):
        title = html_text(entry.get("title", ""))
        full = next((c.get("value", "") for c in entry.get("content", []) if c.get("value")), "")
        body_html = full or entry.get("summary", "")
        body, byline = clean_text(html_text(body_html))
        record = entry.get("id") or entry.get("link") or f"entry {number}"
        if not title or not body:
            missing = "title" if not title else "text"
            yield Refused(None, f"feed entry {number} ({record}) has no {missing}", str(record))
            continue
        tags = entry.get("tags") or []
        yield make_article(
            title, body,
            url=entry.get("link"),
            published=_iso(entry.get("published") or entry.get("updated")),
            modified=_iso(entry.get("updated")) if entry.get("updated") != entry.get("published") else None,
            byline=entry.get("author") or byline,
            section=tags[0].get("term") if tags else None,
            partial=not full,
            position=number,
            source=source,
            raw=body_html,
        )
