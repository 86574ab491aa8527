"""Articles that live in a page's data rather than its markup.

Script-rendered news sites send a shell: the visible HTML holds menus and a
placeholder, and the article is in embedded data for the script to draw: JSON-LD
`articleBody`, Next.js `__NEXT_DATA__`, Arc XP `Fusion.globalContent` (with its
`content_elements`), Nuxt `window.__NUXT__`. The same article fields have
different names in each; rather than one parser per framework, the data is
walked and the object that looks most like an article (a title beside the
longest body) is taken.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

BODY_KEYS = ("articleBody", "article_body", "body", "bodyHtml", "body_html", "content", "contents", "contentHtml",
             "content_html", "articleContent", "text", "html")
TITLE_KEYS = ("headline", "headlines", "title", "articleTitle", "subject")
DATE_KEYS = ("datePublished", "publishedAt", "published_at", "publishDate", "first_publish_date", "display_date",
             "pubDate", "createdAt", "regDate", "date")
AUTHOR_KEYS = ("author", "authors", "byline", "reporter", "reporters", "writer", "credits")
SECTION_KEYS = ("articleSection", "section", "sectionName", "category", "taxonomy")
MIN_BODY = 80
# `Fusion.globalContent = {...};` and `window.__NUXT__ = {...}` (a JSON object literal; Nuxt's
# function form is JavaScript, not data, and is left alone).
_ASSIGNED = re.compile(r"(?:Fusion\.globalContent|window\.__NUXT__|__INITIAL_STATE__|__PRELOADED_STATE__)\s*=\s*")
# Entities left after one unescaping: a page that escaped its metadata twice.
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")


@dataclass
class Found:
    title: str | None
    body: str
    published: str | None = None
    byline: str | None = None
    section: str | None = None


def unescaped(text: str | None) -> str | None:
    """Text with its entities decoded, when the page's own parsing left some (`&quot;손님&quot;`):
    every field ends up unescaped exactly once."""
    if text is None:
        return None
    return html.unescape(text) if _ENTITY.search(text) else text


def html_text(value: str) -> str:
    """Paragraph text of an HTML fragment (a line a `<p>` or `<br>`); plain text as it is."""
    if "<" not in value:
        return value.strip()
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(value, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return re.sub(r"<[^>]+>", " ", value).strip()
    return element_text(root)


def element_text(root) -> str:
    """Paragraph text of a parsed element, a line a block or a `<br>` (the element is changed)."""
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in root.iter("p", "div", "li", "h1", "h2", "h3", "blockquote"):
        block.tail = "\n" + (block.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def scripts_data(tree) -> Iterator[Any]:
    """Every data object embedded in the page's scripts."""
    for script in tree.xpath("//script"):
        text = script.text_content() or ""
        kind = (script.get("type") or "").lower()
        if script.get("id") in ("__NEXT_DATA__", "__NUXT_DATA__") or kind.endswith("json"):
            try:
                yield json.loads(text)
            except (ValueError, RecursionError):
                continue
            continue
        for match in _ASSIGNED.finditer(text):
            try:
                value, _ = json.JSONDecoder().raw_decode(text, match.end())
            except (ValueError, RecursionError):
                continue
            yield value


def _walk(data: Any, depth: int = 0) -> Iterator[dict]:
    if depth > 40:
        return
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _walk(value, depth + 1)
    elif isinstance(data, list):
        for value in data:
            yield from _walk(value, depth + 1)


def _text_of(value: Any) -> str:
    if isinstance(value, str):
        return html_text(value)
    if isinstance(value, list):  # Arc XP content_elements: [{"type": "text", "content": "<p>..."}]
        parts = [html_text(v["content"]) for v in value if isinstance(v, dict) and isinstance(v.get("content"), str)
                 and v.get("type", "text") in ("text", "paragraph", "header")]
        return "\n".join(p for p in parts if p)
    return ""


def _first_str(item: dict, keys: tuple[str, ...]) -> str | None:
    """The first of `keys` that holds text: a string, `{"basic": ...}` (Arc's headlines),
    `{"name": ...}`, a list of either, Arc's `credits.by` or `taxonomy.primary_section`."""
    for key in keys:
        value = item.get(key)
        if isinstance(value, dict):
            if isinstance(value.get("by"), list):  # Arc: credits
                value = value["by"]
            elif isinstance(value.get("primary_section"), dict):  # Arc: taxonomy
                value = value["primary_section"].get("name")
            else:
                value = value.get("basic") or value.get("name")
        if isinstance(value, list):
            names = [v.get("name") if isinstance(v, dict) else v for v in value]
            value = ", ".join(n.strip() for n in names if isinstance(n, str) and n.strip()) or None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def find_article(tree) -> Found | None:
    """The most article-like object in the page's embedded data: a title beside the longest body."""
    best: Found | None = None
    for data in scripts_data(tree):
        for item in _walk(data):
            title = _first_str(item, TITLE_KEYS)
            if not title:
                continue
            for key in (*BODY_KEYS, "content_elements"):
                if key not in item:
                    continue
                body = _text_of(item[key])
                if len(body) >= MIN_BODY and (best is None or len(body) > len(best.body)):
                    best = Found(title=title, body=body, published=_first_str(item, DATE_KEYS),
                                 byline=_first_str(item, AUTHOR_KEYS), section=_first_str(item, SECTION_KEYS))
    return best
