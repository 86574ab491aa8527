"""The search index: Tantivy over Kiwi terms, derived from the store by following its change log.

The index lives in a folder beside the SQLite file (`news.db` -> `news.index/`).
Its `sinmun-index.json` records which store it belongs to, how far into the
change log it has read and the analysis fingerprint. The follower
(`sinmun.derive`) feeds it; a crash between storing and indexing therefore costs
nothing but a re-run, and a changed alias dictionary or analyser rebuilds the
index from the store. Readers never write: they reload to see new commits.

Documents carry their terms pre-tokenized (Tantivy cannot run Kiwi), three
boosted text fields (title, lead = Key Insights + Summary, body = body +
미니 해설), raw `section`/`series` for filters, the publication day as an
integer, and a compressed copy of every term's offsets for snippets.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
import time
import zlib
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import tantivy

from ..analysis.korean import Term, char_bigrams, without_cues
from ..articles import PARTS
from ..errors import Busy

if TYPE_CHECKING:
    from ..derive import Item

SCHEMA_VERSION = 7  # bump when fields or stored data change: the index is rebuilt (7: grams)
META_FILE = "sinmun-index.json"
TEXT_FIELDS = ("title", "lead", "body")
# Which article parts feed which index field, in order.
FIELD_PARTS = {
    "title": ("title",),
    "lead": ("key_insights", "summary"),
    "body": ("body", "explainer"),
}
# Positions between two parts of one field, so a phrase never spans them.
PART_GAP = 16
WRITER_HEAP = 128_000_000
# Readers look for new commits at most this often (a reload reads the index's meta file).
RELOAD_EVERY_S = 0.5


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
    # Character bigrams of the whole text (analysis.korean.char_bigrams): the second lexical view.
    sb.add_text_field("grams", stored=False, tokenizer_name="raw", index_option="freq")
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
    seq: int = 0  # position in the store's change log
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
    return _CODECS.compressor.compress("\n".join(lines).encode())


class _Codec(threading.local):
    """zstd for the offsets, one (de)compressor per thread (they are not thread-safe).
    zstd reads them back 3x faster than zlib did (27 against 78 us a document, at 10,000
    generated articles: a tenth of a search), and 3% smaller. Documents indexed before keep
    their zlib blobs, read by their header, so an index needs no rebuild."""

    def __init__(self) -> None:
        import zstandard

        self.compressor = zstandard.ZstdCompressor(level=1)
        self.decompressor = zstandard.ZstdDecompressor()


_CODECS = _Codec()
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def _unpack(blob: bytes) -> bytes:
    return _CODECS.decompressor.decompress(blob) if blob[:4] == _ZSTD_MAGIC else zlib.decompress(blob)


def decode_offsets(blob: bytes, wanted: AbstractSet[str]) -> dict[str, list[tuple]]:
    """{part: [(text, start, end) or (text, start, end, 1) for joined forms]}, for the terms in `wanted`.

    Only the wanted terms are parsed, each found by `bytes.find` (a C substring search):
    decoding every term of a page of hits was half of a search's time, and one regular
    expression alternating the wanted words still took a third (0.6 -> 0.17 ms a hit).
    """
    parts: dict[str, list[tuple]] = {}
    if not wanted:
        return parts
    # Bytes, not text: decoding the whole blob cost more than finding the few terms in it.
    needles = [(w, b"\x1f" + w.encode() + b"\x1e") for w in wanted]
    for line in _unpack(blob).split(b"\n"):
        name, _, items = line.partition(b"\t")
        items = b"\x1f" + items + b"\x1f"  # every term between two separators
        found = []
        for word, needle in needles:
            at = items.find(needle)
            while at >= 0:
                end = items.index(b"\x1f", at + 1)
                start, stop, *joined = items[at + len(needle):end].split(b"\x1e")
                found.append((at, (word, int(start), int(stop), 1) if joined else (word, int(start), int(stop))))
                at = items.find(needle, end)
        if found:
            found.sort()  # in the order they were stored (the text's)
            parts[name.decode()] = [offset for _, offset in found]
    return parts


@contextmanager
def opening_lock(path: Path) -> Iterator[None]:
    """One process at a time checks, and if need be makes, the index at `path`
    (an advisory lock on a file beside it: the folder itself may be replaced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SearchIndex:
    """The Tantivy index of one store: many readers, and one writer at a time across processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.schema = build_schema()
        # Processes that open a store together (a server's workers, an ingest beside them)
        # would each find no index and make one, removing what the other had just made
        # (seen in test_concurrency: a worker failed to start with FileExistsError).
        with opening_lock(self.path):
            self.path.mkdir(parents=True, exist_ok=True)
            meta = self.read_meta()
            fresh = meta.schema != SCHEMA_VERSION or not tantivy.Index.exists(str(self.path))
            if fresh:
                self._reset()
            self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
            if fresh:
                # Written now, not at the first commit: the next process to open it would find
                # no layout, take it for an old one and remove it under this one (seen in
                # test_concurrency: "Failed to acquire Lockfile ... No such file or directory").
                self._write_meta(IndexMeta())
        self._reloaded = 0.0
        self._reload_lock = threading.Lock()

    def _reset(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True)

    def read_meta(self) -> IndexMeta:
        return read_meta(self.path)

    def position(self, store_id: str, analysis: str) -> int:
        """How far into the store's change log the index has read (0: it must be rebuilt)."""
        meta = self.read_meta()
        if meta.store_id != store_id or meta.analysis != analysis or meta.schema != SCHEMA_VERSION:
            return 0
        return meta.seq

    @contextmanager
    def writing(self, wait: float = 0.0) -> Iterator[IndexWriter]:
        """The index writer, waiting up to `wait` seconds for another process to let it go."""
        deadline = time.monotonic() + wait
        while True:
            try:
                writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
                break
            except ValueError as exc:
                if time.monotonic() >= deadline:
                    raise Busy(f"{self.path} is being written by another sinmun process ({exc}); "
                               "its articles are stored and will be indexed by it") from None
                time.sleep(0.2)
        handle = IndexWriter(self, writer)
        try:
            yield handle
        except BaseException:
            writer.rollback()
            raise
        finally:
            handle.writer = None
            del writer  # the last reference: dropping it frees Tantivy's lock for the next writer

    def _write_meta(self, meta: IndexMeta) -> None:
        tmp = self.path / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(meta.__dict__))
        os.replace(tmp, self.path / META_FILE)

    def searcher(self) -> tantivy.Searcher:
        """A searcher over the latest commit (looked for at most every RELOAD_EVERY_S)."""
        now = time.monotonic()
        if now - self._reloaded > RELOAD_EVERY_S and self._reload_lock.acquire(blocking=False):
            try:
                self.index.reload()
                self._reloaded = now
            finally:
                self._reload_lock.release()
        return self.index.searcher()

    def count(self) -> int:
        return self.searcher().num_docs

    def id_list(self) -> list[str]:
        """The id of every live document (an id twice means a duplicated document)."""
        self._reloaded = 0.0
        searcher = self.searcher()
        result = searcher.search(tantivy.Query.all_query(), limit=max(searcher.num_docs, 1))
        return [searcher.doc(addr)["id"][0] for _, addr in result.hits]

    def ids(self) -> set[str]:
        return set(self.id_list())


class IndexWriter:
    """What the follower does to the index while it holds the writer."""

    def __init__(self, index: SearchIndex, writer: tantivy.IndexWriter) -> None:
        self.index = index
        self.writer: tantivy.IndexWriter | None = writer
        self.store_id = ""
        self.analysis = ""

    def clear(self) -> None:
        """Forget every document (a rebuild); nothing is visible until `commit`."""
        assert self.writer is not None
        self.writer.delete_all_documents()

    def add(self, items: list[Item]) -> None:
        """Index the items' articles; re-indexing an article replaces it, a removed one is dropped."""
        assert self.writer is not None
        for item in items:
            self.writer.delete_documents_by_term("id", item.change.article_id)
            if item.article is not None:
                self.writer.add_document(document(item))

    def commit(self, position: int, store_id: str, analysis: str) -> None:
        """Make the additions visible, then record the position they bring the index to."""
        assert self.writer is not None
        self.writer.commit()
        self.writer.wait_merging_threads()
        self.index._write_meta(IndexMeta(store_id=store_id, seq=position, analysis=analysis))
        self.index._reloaded = 0.0


def document(item: Item) -> tantivy.Document:
    """The Tantivy document of an analysed article."""
    article, parts = item.article, item.parts
    assert article is not None
    doc = tantivy.Document()
    doc.add_text("id", article.id)
    # Tokens made with positional arguments, (text, position, char_offset_from, char_offset_to):
    # keywords took 0.88 us a token against 0.49, and an article makes about 1,700 of them.
    token = tantivy.Token
    for field, names in FIELD_PARTS.items():
        tokens: list[tantivy.Token] = []
        base = 0
        for name in names:
            terms = parts[name]
            tokens.extend(token(t.text, base + t.position, t.start, t.end) for t in terms)
            base += (max((t.position for t in terms), default=-1) + 1) + PART_GAP
        if tokens:
            doc.add_pre_tokenized_text(field, tantivy.PreTokenizedString(text="", tokens=tokens))
    text = without_cues("\n".join(getattr(article, part) or "" for part in PARTS))
    grams = [token(g, i, 0, 0) for i, g in enumerate(char_bigrams(text))]
    if grams:
        doc.add_pre_tokenized_text("grams", tantivy.PreTokenizedString(text="", tokens=grams))
    if article.section:
        doc.add_text("section", article.section)
    if article.series:
        doc.add_text("series", article.series)
    day = day_number(article.published)
    doc.add_integer("day", day)
    # Same order as the store's newest first: inferred dates do not reorder.
    sort_day = day if article.date_precision in ("source", "page") else 0
    doc.add_integer("duplicate", 1 if article.duplicate_of else 0)
    doc.add_integer("recency", sort_day * (1 << 32) + item.seq)
    doc.add_bytes("offsets", encode_offsets(parts))
    return doc


def open_index(db_path: Path) -> SearchIndex:
    return SearchIndex(index_path(Path(db_path)))
