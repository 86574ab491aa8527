"""Saved article pages from news sites.

trafilatura finds the article text and drops menus, related-article lists and
footers; the page's own metadata (JSON-LD `NewsArticle`, Open Graph, `<meta>`
dates, the canonical link) gives the fields it states exactly. What Korean pages
add on top (the `(서울=한빛뉴스) 김하늘 기자 =` dateline, `무단전재 및 재배포 금지`,
reporter e-mail lines) is stripped here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from ..articles import Article, make_article, parse_published
from .refused import Refused

# Lines that are furniture of Korean news pages, not article text.
_BOILERPLATE = re.compile(
    r"무단\s*전재|재배포\s*금지|저작권자|copyright|ⓒ|©|\(c\)\s|AI\s*학습\s*이용\s*금지|"
    r"^\s*(?:관련\s*기사|많이\s*본\s*뉴스|기사\s*제보|구독하기|좋아요|▶|☞|■\s*제보)",
    re.I,
)
_EMAIL_ONLY = re.compile(r"^[\w.\s가-힣]*[\w.+-]+@[\w-]+\.[\w.-]+\s*$")
# "(서울=한빛뉴스) 김하늘 기자 = " at the start of the first paragraph.
_DATELINE = re.compile(r"^\s*\([^()]{1,30}=[^()]{1,30}\)\s*(?:([가-힣]{2,4})\s*(?:기자|특파원|통신원))?\s*=?\s*")
# A reporter's sign-off: "김하늘 기자", optionally with an e-mail, ending the text.
_SIGNOFF = re.compile(r"(?:^|\s)([가-힣]{2,4})\s*(?:선임기자|객원기자|기자|특파원|통신원)"
                      r"(?:\s*\(?[\w.+-]+@[\w-]+\.[\w.-]+\)?)?\s*(?=$|\||[-–]\s)")
# Timestamp lines printed above the text: "송고시간 2025-11-03 06:00", "입력 2025.10.20".
_STAMP = re.compile(r"^(?:송고시간|입력|수정|기사입력|최종수정|등록|업데이트)\s*:?\s*\d{4}[.\-/]")
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


def clean_text(text: str, title: str | None = None) -> tuple[str, str | None]:
    """Article text without page furniture, and the byline found on the way."""
    byline = None
    lines: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or _BOILERPLATE.search(line) or _EMAIL_ONLY.match(line) or _STAMP.match(line):
            continue
        if not lines and title and line.strip(" \"'") == title.strip(" \"'"):
            continue  # the headline repeated at the top of the text
        if not lines:
            m = _DATELINE.match(line)
            if m:
                byline = m.group(1) or byline
                line = line[m.end():]
        lines.append(line)
    # A sign-off near the end ("김하늘 기자 sky@...") closes the text; what follows it
    # on the page (e-mail, sidebars merged in by table layouts) is not article text.
    for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
        m = _SIGNOFF.search(lines[i])
        if m and len(lines[i]) - m.end() < 200:
            byline = byline or m.group(1)
            lines[i] = lines[i][:m.start()].rstrip()
            del lines[i + 1:]
            if not lines[i]:
                del lines[i]
            break
    return "\n".join(lines), byline


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
    if len(body.strip()) < MIN_BODY_CHARS:
        yield Refused(None, "no article text found in the HTML page")
        return
    title = (
        ld.get("headline") or _meta(tree, "og:title", "twitter:title")
        or (doc.title if doc else None) or h1
    )
    title = title.strip() if isinstance(title, str) else ""
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
        or _iso(doc.date if doc else None)
    )
    modified = _iso(ld.get("dateModified")) or _iso(_meta(tree, "article:modified_time", "og:updated_time"))
    byline = _author(ld) or _meta(tree, "author", "byl", "dable:author", "article:author") or dateline_byline
    if byline is None and doc is not None and doc.author:
        byline = doc.author
    yield make_article(
        title, body, section=section, published=published, modified=modified, byline=byline,
        url=url, source=source, raw=text,
    )
