"""What a newly read article becomes: unchanged, merged, a revision, a near-duplicate or new.

The policy lives here; the store only answers lookups and performs the writes.
Each batch (one file's articles) is stored in one transaction: all or none.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..articles import Article, text_hash
from ..connect.dedupe import NearDuplicates
from ..store import AddResult, Store, now_iso


def accept(store: Store, articles: Iterable[Article], near: NearDuplicates | None = None) -> AddResult:
    """Store articles in one transaction: all of them are stored, or none.

    For each article, in order:
    - the same content seen before (even as an old revision): unchanged, the source recorded;
    - a stored URL with new text: the stored text becomes a revision, the article
      keeps its id and takes the new text;
    - the same text under another headline or from another outlet: one more source
      of the stored article (merged);
    - otherwise a new article, linked to its original if `near` finds one.
    """
    stamp = now_iso()
    result = AddResult()
    with store.transaction():
        for article in articles:
            _accept_one(store, article, stamp, result, near)
    return result


def _accept_one(store: Store, article: Article, stamp: str, result: AddResult, near: NearDuplicates | None) -> None:
    def add_source(article_id: str) -> None:
        store.articles.add_source(article_id, article.source or "", article.url, article.ingested_at or stamp)

    seen = store.articles.id_with_content(article.id)
    if seen:
        add_source(seen)
        result.unchanged += 1
        return
    hashed = text_hash(article.body)
    old = store.articles.id_at_url(article.url) if article.url else None
    if old:
        store.articles.revise(old, article, text_hash=hashed, replaced_at=stamp)
        if near is not None:
            near.add(old, article)
        result.revised += 1
        return
    same = store.articles.id_with_text(hashed) if hashed else None
    if same:
        add_source(same)
        result.merged += 1
        return
    duplicate_of, similarity = None, None
    if near is not None:
        match = near.find(article)
        if match is not None:
            original, similarity = match
            # Link to the first of a chain: a copy of a copy points at the original.
            duplicate_of = store.articles.duplicate_of(original) or original
            result.near_duplicates += 1
    store.articles.insert(article, text_hash=hashed, duplicate_of=duplicate_of, similarity=similarity,
                          ingested_at=stamp)
    add_source(article.id)
    if near is not None:
        near.add(article.id, article)
    result.new.append(article.id)
