"""The newsroom's writes through the API: publish, correct, retract. Every one is audited.

A write stores and logs the change in one transaction, with its audit entry; the
index and the derived tables follow the change log in the background (no request
handler writes the index). Nothing is erased: a correction keeps the previous text
as a revision, a retraction keeps the article with the time it was retracted.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field

from ..articles import Article, text_hash
from ..connect.dedupe import keep, signature
from ..errors import BadRequest, Conflict, NotFound
from ..ingest import finish
from ..ingest.accept import accept
from ..ingest.jsonl import article_from
from ..store import now_iso
from .archive import Archive
from .models import ArticleDetail
from .queries import article as article_detail

ISO = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
MAX_TEXT = 1_000_000  # characters of a body; the request itself is capped by the server (413)


class ArticleIn(BaseModel):
    """An article as the newsroom sends it: the JSON Lines fields (title and body required)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=1000, description="The headline; a `[series(n)]` tag is split off.")
    body: str = Field(min_length=1, max_length=MAX_TEXT,
                      description="The text; `[Key Insights]`/`[Summary]`/`[미니 해설]` blocks are split off.")
    section: str | None = Field(None, max_length=200)
    series: str | None = Field(None, max_length=200)
    episode: int | None = Field(None, ge=0, le=1_000_000)
    published: str | None = Field(None, max_length=40, pattern=ISO, description="ISO date or datetime.")
    modified: str | None = Field(None, max_length=40, pattern=ISO, description="ISO date or datetime.")
    url: str | None = Field(None, max_length=2000)
    source: str | None = Field(None, max_length=200)
    byline: str | None = Field(None, max_length=500)
    key_insights: str | None = Field(None, max_length=MAX_TEXT)
    summary: str | None = Field(None, max_length=MAX_TEXT)
    explainer: str | None = Field(None, max_length=MAX_TEXT)


def _article(data: ArticleIn, actor: str) -> Article:
    record = data.model_dump(exclude_none=True)
    raw = json.dumps(record, ensure_ascii=False)
    try:
        made = article_from(record, f"api:{actor}", None, raw)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    return finish(made, "api", "utf-8")


def publish(archive: Archive, data: ArticleIn, actor: str) -> ArticleDetail:
    """Store a new article; Conflict when it, its text (or nearly its text) or its URL is already stored."""
    from ..connect.dedupe import NearDuplicates

    article = _article(data, actor)
    store = archive.store
    same = store.articles.id_with_content(article.id)
    if same:
        raise Conflict(f"this article is already stored as {same}")
    hashed = text_hash(article.body)
    same = store.articles.id_with_text(hashed) if hashed else None
    if same:
        raise Conflict(f"the same text is already stored as {same}")
    same = store.articles.id_at_url(article.url) if article.url else None
    if same:
        raise Conflict(f"an article from {article.url} is stored as {same}: PUT /api/articles/{same} corrects it")
    near = NearDuplicates(store)
    match = near.find(article)
    if match:
        raise Conflict(f"nearly the same text is stored as {match[0]} (estimated similarity {match[1]:.2f})")
    with store.transaction():
        result = accept(store, [article], near=near)
        if not result.new:  # stored meanwhile by another writer
            raise Conflict("this article was stored by another writer meanwhile")
        store.audit.record(now_iso(), actor, "publish", article.id, 0)
    return article_detail(archive, article.id)


def correct(archive: Archive, article_id: str, data: ArticleIn, actor: str) -> ArticleDetail:
    """A correction: the new text becomes the article's, the previous one a revision. The same text again
    changes nothing."""
    store = archive.store
    current = store.articles.get(article_id)
    if current is None:
        raise NotFound(f"no article with id {article_id!r}")
    if current.retracted_at:
        raise Conflict(f"article {current.id} was retracted at {current.retracted_at}; it cannot be corrected")
    article = _article(data, actor)
    if article.id == store.articles.content_id(current.id):
        return article_detail(archive, current.id)
    with store.transaction():
        rev = store.articles.revise(current.id, article, text_hash=text_hash(article.body), replaced_at=now_iso())
        keep(store, current.id, signature(article.body))
        store.audit.record(now_iso(), actor, "correct", current.id, rev)
    return article_detail(archive, current.id)


def retract(archive: Archive, article_id: str, actor: str, reason: str | None = None) -> ArticleDetail:
    """Take an article out of search and lists; its page says it was retracted, and when."""
    store = archive.store
    current = store.articles.get(article_id)
    if current is None:
        raise NotFound(f"no article with id {article_id!r}")
    with store.transaction():
        if store.articles.retract(current.id, now_iso()):
            detail = json.dumps({"reason": reason}, ensure_ascii=False) if reason else None
            store.audit.record(now_iso(), actor, "retract", current.id, None, detail)
    return article_detail(archive, current.id)
