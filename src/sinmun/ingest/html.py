"""Saved article pages from news sites.

trafilatura finds the article text and drops menus, related-article lists and
footers; the page's own metadata (JSON-LD `NewsArticle`, Open Graph, `<meta>`
dates, the canonical link) gives the fields it states exactly. What Korean pages
add on top (the `(서울=한빛뉴스) 김하늘 기자 =` dateline, `무단전재 및 재배포 금지`,
reporter e-mail lines) is stripped here.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator

from ..articles import Article, make_article, parse_published
from .embedded import element_text, find_article, unescaped
from .furniture import clean_text
from .refused import Refused

_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
_SITE_SUFFIX = re.compile(r"\s*[-|:｜]\s*[^-|:｜]{1,30}$")
_NEWS_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting"}


# Less text than this is a menu or a caption that the extractor mistook for an article.
MIN_BODY_CHARS = 20


def _json_ld(tree) -> dict:
    """The first JSON-LD object that describes a news article."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "")
        except (ValueError, RecursionError):  # broken or absurdly nested metadata: the page is still read
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if not isinstance(item, dict):
                continue
            kind = item.get("@type")
            kinds = set(kind) if isinstance(kind, list) else {kind}
            if kinds & _NEWS_TYPES:
                return item
            stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
    return {}


def _meta(tree, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            values = tree.xpath(f'//meta[@{attr}="{name}"]/@content')
            if values and values[0].strip():
                return values[0].strip()
    return None


def _iso(value: str | None) -> str | None:
    """An ISO date/datetime from what pages write: ISO, '2025-10-20 08:00:00', '2025.10.20 08:00'."""
    if not value:
        return None
    value = value.strip()
    m = re.match(r"(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?(.*)$", value)
    if not m:
        return None
    y, mo, d, hh, mm, ss, rest = m.groups()
    text = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
    if hh:
        text += f"T{int(hh):02d}:{mm}:{ss or '00'}"
        zone = re.match(r"\s*(Z|[+-]\d{2}:?\d{2})", rest or "")
        if zone:
            z = zone.group(1)
            text += z if z == "Z" or ":" in z else f"{z[:3]}:{z[3:]}"
    try:
        return parse_published(text)
    except ValueError:
        return None


def _author(ld: dict) -> str | None:
    author = ld.get("author")
    authors = author if isinstance(author, list) else [author]
    found = [a.get("name") if isinstance(a, dict) else a for a in authors]
    names = [n.strip() for n in found if isinstance(n, str) and n.strip()]
    return ", ".join(names) or None


# Where Korean portals and outlets put the article: read when the extractor finds less than they hold.
CONTAINERS = ('//*[@id="dic_area"]', '//*[@id="articleBodyContents"]', '//*[@id="newsct_article"]',
              '//*[@id="articleBody"]', '//*[@id="article_body"]', '//*[@itemprop="articleBody"]',
              '//*[@id="cont_newstext"]', '//*[@id="CmAdContent"]', '//*[@id="newsEndContents"]',
              '//*[contains(@class, "article_body")]',
              '//*[contains(@class, "news_body")]', '//*[contains(@class, "article-body")]')
# Inside a container, photo captions and scripts are not text.
NOT_TEXT = ('figure', 'figcaption', 'script', 'style', '*[contains(@class, "end_photo_org")]',
            '*[contains(@class, "img_desc")]', '*[contains(@class, "caption")]')
NOT_TEXT_XPATH = " | ".join(f".//{n}" for n in NOT_TEXT)


def container_text(tree) -> str:
    """The paragraphs of the largest known article container, captions left out."""
    best = ""
    for xpath in CONTAINERS:
        for element in tree.xpath(xpath):
            held = copy.deepcopy(element)  # the page's tree stays whole for the rest of the reader
            for unwanted in held.xpath(NOT_TEXT_XPATH):
                unwanted.drop_tree()
            text = element_text(held)
            best = text if len(text) > len(best) else best
    return best


# A paragraph the extractor may leave out ends like a sentence: "…밝혔다." "…했나요?"
_SENTENCE = re.compile(r"[.?!][\"'”’)]*$")


def recover_lead(tree, body: str, title: str) -> str:
    """The body with the paragraphs the extractor dropped before its first one put back.

    trafilatura skips a lead paragraph set apart from the rest (`<div class="lead">`,
    `<span>`, `<h3>` before the `<p>`s): a broadcaster's page came out starting at its
    second sentence. Here the element holding the body's first line is found, and
    sentences just before it (in it, or one or two levels up) are put back in front.
    """
    first = body.split("\n", 1)[0].strip()
    probe = first[:24]
    if len(probe) < 10:
        return body
    holder = None
    for element in tree.iter():
        if isinstance(element.tag, str) and element.tag not in ("script", "style", "head", "title") \
                and probe in " ".join(element.text_content().split()):
            holder = element  # the last in document order: the deepest holding it
    if holder is None:
        return body
    lead: list[str] = []
    node = holder
    for _ in range(3):
        previous = node.getprevious()
        while previous is not None and isinstance(previous.tag, str):
            text = " ".join(previous.text_content().split())
            if (len(text) < 20 or not _SENTENCE.search(text) or text == title or text in body
                    or previous.tag in ("h1", "script", "style", "nav", "header", "figure", "figcaption")
                    or not clean_text(text)[0]):
                break
            lead.insert(0, text)
            previous = previous.getprevious()
        if lead or node.getparent() is None:
            break
        node = node.getparent()
    return "\n".join([*lead, body]) if lead else body


def read(text: str, source: str) -> Iterator[Article | Refused]:
    import lxml.html
    import trafilatura

    lowered = text[-2000:].lower()
    if "</html>" not in lowered and "</body>" not in lowered:
        yield Refused(None, "truncated HTML page (no closing </body> or </html>)")
        return
    # An XHTML page's `<?xml ... encoding=...?>` line: lxml refuses a declared encoding in text
    # it is given already decoded (the bytes were decoded by `encoding.py`).
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        tree = lxml.html.fromstring(text)
    except (ValueError, lxml.etree.ParserError) as exc:
        yield Refused(None, f"unreadable HTML: {exc}")
        return
    doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False, favor_precision=True,
                                      as_dict=False)
    assert not isinstance(doc, dict)  # as_dict=False: a Document or None
    body_text = (doc.text if doc else "") or ""
    ld = _json_ld(tree)
    h1 = " ".join(tree.xpath("//h1//text()")).strip()
    body, dateline_byline = clean_text(body_text, h1 or (doc.title if doc else None))
    # A script-rendered page: the markup is a shell, the article is in its data (or the data holds
    # much more of it than the markup shows).
    found = find_article(tree)
    held = container_text(tree)
    if found and len(found.body) > max(MIN_BODY_CHARS, 1.3 * len(body)):
        body, dateline_byline = clean_text(found.body, found.title)
    # A known container is precise, unless it holds far more than the article the extractor
    # found (a wrapper that also holds related-article lists and captions).
    elif held and len(held) >= max(MIN_BODY_CHARS, 0.5 * len(body)) and (
            len(body) < MIN_BODY_CHARS or len(held) <= 1.3 * len(body)):
        body, dateline_byline = clean_text(held, h1)
    elif body:
        body = recover_lead(tree, body, h1)
    if len(body.strip()) < MIN_BODY_CHARS:
        yield Refused(None, "no article text found in the HTML page")
        return
    title = (
        ld.get("headline") or _meta(tree, "og:title", "twitter:title")
        or (found.title if found else None) or (doc.title if doc else None) or h1
    )
    title = unescaped(title.strip()) if isinstance(title, str) else ""
    if not title:
        yield Refused(None, "no title found in the HTML page")
        return
    if not ld.get("headline") and not _meta(tree, "og:title"):
        title = _SITE_SUFFIX.sub("", title)
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    url = ((canonical[0].strip() if canonical else None) or _meta(tree, "og:url") or ld.get("url")
           or (doc.url if doc else None))
    section = (ld.get("articleSection") or _meta(tree, "article:section")
               or (doc.categories[0] if doc and doc.categories else None))
    if isinstance(section, list):
        section = section[0] if section else None
    published = (
        _iso(ld.get("datePublished"))
        or _iso(_meta(tree, "article:published_time", "og:published_time", "pubdate", "date"))
        or _iso(found.published if found else None)
        or _iso(doc.date if doc else None)
    )
    modified = _iso(ld.get("dateModified")) or _iso(_meta(tree, "article:modified_time", "og:updated_time"))
    byline = (_author(ld) or _meta(tree, "author", "byl", "dable:author", "article:author") or dateline_byline
              or (found.byline if found else None))
    if byline is None and doc is not None and doc.author:
        byline = doc.author
    section = section or (found.section if found else None)
    yield make_article(
        title, body, section=unescaped(section), published=published, modified=modified, byline=unescaped(byline),
        url=url, source=source, raw=text,
    )
