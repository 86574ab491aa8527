"""The search index: Tantivy over Kiwi terms, derived from the store.

The index lives in a folder beside the SQLite file (`news.db` -> `news.index/`).
Its `sinmun-index.json` records which store it belongs to, the last store `seq`
it holds and the analysis fingerprint. `sync` brings it up to date from there;
a crash between storing and indexing therefore costs nothing but a re-run, and a
changed alias dictionary or analyser rebuilds the index from the store.

Documents carry their terms pre-tokenized (Tantivy cannot run Kiwi), three
boosted text fields (title, lead = Key Insights + Summary, body = body +
미니 해설), raw `section`/`series` for filters, the publication day as an
integer, and a compressed copy of every term's offsets for snippets.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

import tantivy

from .articles import Article
from .errors import SinmunError
from .korean import Analyzer, Term
from .store import Store

SCHEMA_VERSION = 5  # bump when fields or stored data change: the index is rebuilt
META_FILE = "sinmun-index.json"
TEXT_FIELDS = ("title", "lead", "body")
# Which article parts feed which index field, in order.
FIELD_PARTS = {
    "title": ("title",),
    "lead": ("key_insights", "summary"),
    "body": ("body", "explainer"),
}
PARTS = tuple(p for parts in FIELD_PARTS.values() for p in parts)
# Positions between two parts of one field, so a phrase never spans them.
PART_GAP = 16
BATCH = 256


class Derived(Protocol):
    """Data made from the same analysis as the index (entities, stories, vectors)."""

    def add(self, seq: int, article: Article, parts: dict[str, list[Term]]) -> None: ...
    def flush(self, db: sqlite3.Connection) -> None: ...
    def reset(self, db: sqlite3.Connection) -> None: ...


class IndexBusy(SinmunError):
    """Another process holds the index writer."""


def index_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + ".index")


def day_number(published: str | None) -> int:
    """2025-12-15 -> 20251215 (a month or year alone counts as its first day);
    unknown -> 0, which never matches a date filter."""
    if not published:
        return 0
    text = published[:10]
    if len(text) == 7:
        text += "-01"
    elif len(text) == 4:
        text += "-01-01"
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return 0
    return day.year * 10000 + day.month * 100 + day.day


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in TEXT_FIELDS:
        sb.add_text_field(name, stored=False, tokenizer_name="raw", index_option="position")
    sb.add_text_field("section", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("series", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("day", stored=False, indexed=True, fast=True)
    # 1 for near-duplicates, which search leaves out unless asked.
    sb.add_integer_field("duplicate", stored=False, indexed=True)
    # Newest first: publication day, then arrival order in the store.
    sb.add_integer_field("recency", stored=False, indexed=False, fast=True)
    sb.add_bytes_field("offsets", stored=True)
    return sb.build()


@dataclass
class IndexMeta:
    store_id: str = ""
    seq: int = 0
    analysis: str = ""
    schema: int = SCHEMA_VERSION


def read_meta(path: Path) -> IndexMeta:
    try:
        return IndexMeta(**json.loads((path / META_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return IndexMeta(schema=0)


def encode_offsets(parts: dict[str, list[Term]]) -> bytes:
    """Every term's offsets, per article part, compactly (it is made for every article).

    Layout: one line per part, `name\t` then terms separated by \x1f, each
    `text\x1estart\x1eend` with a fourth `\x1ec` marking joined forms.
    """
    lines = []
    for name, terms in parts.items():
        if terms:
            items = [f"{t.text}\x1e{t.start}\x1e{t.end}\x1ec" if t.compound else f"{t.text}\x1e{t.start}\x1e{t.end}"
                     for t in terms]
            lines.append(name + "\t" + "\x1f".join(items))
    return zlib.compress("\n".join(lines).encode(), 1)


def decode_offsets(blob: bytes) -> dict[str, list[tuple]]:
    """{part: [(text, start, end) or (text, start, end, 1) for joined forms]}."""
    parts: dict[str, list[tuple]] = {}
    for line in zlib.decompress(blob).decode().split("\n"):
        if not line:
            continue
        name, _, items = line.partition("\t")
        terms = []
        for item in items.split("\x1f"):
            fields = item.split("\x1e")
            term = (fields[0], int(fields[1]), int(fields[2]))
            terms.append(term + (1,) if len(fields) == 4 else term)
        parts[name] = terms
    return parts


class SearchIndex:
    """The Tantivy index of one store."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.schema = build_schema()
        self.path.mkdir(parents=True, exist_ok=True)
        meta = self.read_meta()
        if meta.schema != SCHEMA_VERSION or not tantivy.Index.exists(str(self.path)):
            self._reset()
        self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)

    def _reset(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True)

    def read_meta(self) -> IndexMeta:
        return read_meta(self.path)

    def _write_meta(self, meta: IndexMeta) -> None:
        tmp = self.path / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(meta.__dict__))
        os.replace(tmp, self.path / META_FILE)

    def sync(
        self,
        store: Store,
        analyzer: Analyzer,
        progress: Callable[[int, int], None] | None = None,
        rebuild: bool = False,
        derived: Sequence[Derived] = (),
    ) -> int:
        """Index every stored article the index lacks; returns how many were indexed.

        `progress(done, total)` is called after each batch. Each `derived` step
        (entities and stories, vectors, vocabulary) sees every analysed article and
        writes its own tables to the store just before the index commits, so all
        follow the store together.

        Re-indexing an article first deletes it by id, so a sync repeated after a
        crash never duplicates anything.
        """
        meta = self.read_meta()
        if rebuild or meta.store_id != store.store_id or meta.analysis != analyzer.fingerprint:
            meta = IndexMeta(store_id=store.store_id, seq=0, analysis=analyzer.fingerprint)
            rebuild = True
        elif store.max_seq() <= meta.seq:
            return 0
        try:
            writer = self.index.writer(heap_size=128_000_000, num_threads=1)
        except ValueError as exc:
            raise IndexBusy(f"{self.path} is being written by another sinmun process ({exc})") from None
        if rebuild:
            # Until this rebuild completes, the index is marked as not matching anything.
            self._write_meta(IndexMeta(store_id=store.store_id, seq=0, analysis="rebuilding"))
            for step in derived:
                step.reset(store.db)
        done = 0
        last = meta.seq
        total = store.db.execute("SELECT count(*) FROM articles WHERE seq > ?", (meta.seq,)).fetchone()[0]
        try:
            if rebuild:
                writer.delete_all_documents()
            batch: list[tuple[int, Article]] = []
            for item in store.since_seq(meta.seq):
                batch.append(item)
                last = item[0]
                if len(batch) >= BATCH:
                    done += self._add(writer, batch, analyzer, deletes=not rebuild, derived=derived)
                    batch = []
                    if progress:
                        progress(done, total)
            if batch:
                done += self._add(writer, batch, analyzer, deletes=not rebuild, derived=derived)
                if progress:
                    progress(done, total)
            for step in derived:
                step.flush(store.db)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        meta.seq = last
        self._write_meta(meta)
        self.index.reload()
        return done

    def _add(self, writer: tantivy.IndexWriter, batch: list[tuple[int, Article]], analyzer: Analyzer,
             deletes: bool, derived: Sequence[Derived] = ()) -> int:
        # Only non-empty parts go to Kiwi (half of them are empty: no blocks).
        texts = [text for _, article in batch for part in PARTS if (text := getattr(article, part))]
        analysed = analyzer.analyze_many(texts)
        for seq, article in batch:
            parts = {part: next(analysed) if getattr(article, part) else [] for part in PARTS}
            for step in derived:
                step.add(seq, article, parts)
            doc = tantivy.Document()
            doc.add_text("id", article.id)
            for field, names in FIELD_PARTS.items():
                tokens, base = [], 0
                for name in names:
                    terms = parts[name]
                    tokens.extend(
                        tantivy.Token(
                            text=t.text, position=base + t.position,
                            char_offset_from=t.start, char_offset_to=t.end,
                        )
                        for t in terms
                    )
                    base += (max((t.position for t in terms), default=-1) + 1) + PART_GAP
                if tokens:
                    doc.add_pre_tokenized_text(field, tantivy.PreTokenizedString(text="", tokens=tokens))
            if article.section:
                doc.add_text("section", article.section)
            if article.series:
                doc.add_text("series", article.series)
            day = day_number(article.published)
            doc.add_integer("day", day)
            # Same order as the store's NEWEST_FIRST: inferred dates do not reorder.
            sort_day = day if article.date_precision in ("source", "page") else 0
            doc.add_integer("duplicate", 1 if article.duplicate_of else 0)
            doc.add_integer("recency", sort_day * (1 << 32) + seq)
            doc.add_bytes("offsets", encode_offsets(parts))
            if deletes:
                writer.delete_documents_by_term("id", article.id)
            writer.add_document(doc)
        return len(batch)

    def searcher(self) -> tantivy.Searcher:
        self.index.reload()
        return self.index.searcher()

    def count(self) -> int:
        return self.searcher().num_docs

    def id_list(self) -> list[str]:
        """The id of every live document (an id twice means a duplicated document)."""
        searcher = self.searcher()
        result = searcher.search(tantivy.Query.all_query(), limit=max(searcher.num_docs, 1))
        return [searcher.doc(addr)["id"][0] for _, addr in result.hits]

    def ids(self) -> set[str]:
        return set(self.id_list())


def open_index(db_path: Path) -> SearchIndex:
    return SearchIndex(index_path(Path(db_path)))
