"""The article model: what every reader produces and the store keeps.

Text is kept verbatim. Anything normalised (for search) is derived later by
`korean.py`; nothing here changes a character of what the source said.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

# A series (column) tag opens the title: "[글로벌 핫이슈] ..." or, for numbered
# columns, "[퓨처 Eyes(114)] ..." (series name + episode).
_TAG = re.compile(r"^\s*\[(?P<series>[^\[\]]+?)(?:\s*\((?P<episode>\d+)\))?\]\s*(?P<title>.*)$", re.S)

# Blocks that close a body. The marker text is what readers see on the site.
BLOCK_MARKERS = {
    "[Key Insights]": "key_insights",
    "[Summary]": "summary",
    "[미니 해설]": "explainer",
}
MIN_DUPLICATE_CHARS = 80
# The parts of an article that are analysed and indexed, in index order.
PARTS = ("title", "key_insights", "summary", "body", "explainer")

_BLOCK = re.compile("|".join(re.escape(m) for m in BLOCK_MARKERS))

ARTICLE_FIELDS = (
    "id", "title", "series", "episode", "section", "body", "key_insights", "summary",
    "explainer", "published", "url", "source", "position", "format", "ingested_at", "headline",
    "byline", "modified", "encoding", "partial", "duplicate_of", "date_precision", "retracted_at",
)


@dataclass
class Article:
    """One news article, as stored.

    `headline` is the title exactly as printed (with its series tag); `title` is the
    same without the tag. `body` is the article text without its closing blocks.
    """

    title: str
    body: str
    headline: str = ""
    series: str | None = None
    episode: int | None = None
    section: str | None = None
    key_insights: str | None = None
    summary: str | None = None
    explainer: str | None = None
    published: str | None = None  # ISO date or datetime, as the source gave it
    url: str | None = None
    source: str | None = None
    position: int | None = None  # 1-based place on a list page
    format: str | None = None
    ingested_at: str | None = None
    byline: str | None = None  # reporter(s), as the page names them
    modified: str | None = None  # last modification, when the source states it
    encoding: str | None = None  # how the source file was decoded
    partial: bool = False  # True when the source gave only a summary (a feed entry)
    duplicate_of: str | None = None  # the original, when this is a near-duplicate (set by the store)
    # How `published` is known: "source" (the input said so), "page" (ingest --published),
    # "month"/"day" when inferred from dates the text names, or "page-order" when a list
    # page's neighbouring cards bound it (published on or after that date). None: no date.
    date_precision: str | None = None
    retracted_at: str | None = None  # when the newsroom retracted it: out of search and lists, never erased
    raw: str = ""  # the source record verbatim, so nothing is ever lost
    id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.headline:
            self.headline = self.title
        if not self.id:
            self.id = article_id(self.headline, self.full_text())

    def full_text(self) -> str:
        """Body and blocks as the source printed them (what the id is made of)."""
        parts = [self.body]
        for marker, name in BLOCK_MARKERS.items():
            value = getattr(self, name)
            if value:
                parts.append(f"{marker} {value}")
        return " ".join(p for p in parts if p)

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in ARTICLE_FIELDS}


def article_id(headline: str, text: str) -> str:
    """A stable id from the content: the same article read twice gets the same id.

    NFC and surrounding whitespace are folded so that a re-encoded copy of the same
    text is recognised; 16 hex digits make collisions negligible for any archive.
    """
    key = unicodedata.normalize("NFC", headline.strip()) + "\n" + unicodedata.normalize("NFC", text.strip())
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def split_headline(headline: str) -> tuple[str, str | None, int | None]:
    """`[퓨처 Eyes(114)] 제목` -> ("제목", "퓨처 Eyes", 114). No tag: (headline, None, None)."""
    m = _TAG.match(headline)
    if not m or not m.group("title").strip():
        return headline.strip(), None, None
    episode = int(m.group("episode")) if m.group("episode") else None
    return m.group("title").strip(), m.group("series").strip(), episode


def split_blocks(text: str) -> dict[str, str | None]:
    """Separate the body from its `[Key Insights]`, `[Summary]` and `[미니 해설]` blocks.

    Each block runs from its marker to the next marker or the end of the text.
    """
    parts: dict[str, str | None] = {name: None for name in BLOCK_MARKERS.values()}
    matches = list(_BLOCK.finditer(text))
    body_end = matches[0].start() if matches else len(text)
    parts["body"] = text[:body_end].strip()
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        name = BLOCK_MARKERS[m.group()]
        chunk = text[m.end():end].strip()
        # A repeated marker continues the same block rather than replacing it.
        parts[name] = f"{parts[name]} {chunk}" if parts[name] else chunk
    return parts


def text_hash(body: str) -> str | None:
    """Identity of the article text alone: exact duplicates share it.

    Case, width, spacing and punctuation are folded, so a syndicated copy that only
    re-spaces or re-quotes the text is still the same text.
    """
    folded = re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", body)).lower()
    if len(folded) < MIN_DUPLICATE_CHARS:
        return None  # too short to say two articles are one
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:16]


def parse_published(value: str) -> str:
    """Validate an ISO date or datetime and return it unchanged (ValueError if not)."""
    value = value.strip()
    try:
        if len(value) == 10:
            date.fromisoformat(value)
        else:
            datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO date or datetime: {value!r}") from None
    return value


def make_article(headline: str, text: str, **fields) -> Article:
    """Build an article from a printed headline and a printed text with blocks."""
    title, series, episode = split_headline(headline)
    blocks = split_blocks(text)
    return Article(
        title=title,
        headline=headline.strip(),
        series=fields.pop("series", None) or series,
        episode=fields.pop("episode", None) or episode,
        body=blocks["body"] or "",
        key_insights=fields.pop("key_insights", None) or blocks["key_insights"],
        summary=fields.pop("summary", None) or blocks["summary"],
        explainer=fields.pop("explainer", None) or blocks["explainer"],
        **fields,
    )
