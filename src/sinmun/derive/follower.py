"""The follower: one pass over the change log feeds every derived view (see the package docstring)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..articles import PARTS, Article
from ..store import DELETE, Change, Store

if TYPE_CHECKING:
    from ..analysis.korean import Analyzer, Term
    from ..search.index import SearchIndex
    from ..search.vector_index import VectorIndex

BATCH = 256
# Each index also records its position in the store, under this prefix and its host and folder:
# with a shared store (PostgreSQL), `sinmun doctor` on any host sees how far every server's index is.
INDEX_CONSUMER = "index@"


def index_consumer(index_path: object) -> str:
    return f"{INDEX_CONSUMER}{socket.gethostname()}:{index_path}"


@dataclass
class Item:
    """One changed article as the consumers see it: its latest state, analysed once."""

    change: Change
    seq: int  # the article's row number in the store (0 when it left the archive)
    article: Article | None  # None: the article left the archive
    parts: dict[str, list[Term]]  # part name -> analysed terms (empty for a removal)

    @property
    def removed(self) -> bool:
        return self.article is None


class StoreConsumer(Protocol):
    """Derived tables in the store, written in the transaction that records the new position."""

    name: str
    # Names the consumer's own rules: when it changes, the consumer derives everything again
    # (the entity rules and their word list), while the index and the others keep theirs.
    version: str

    def prepare(self, items: list[Item]) -> None:
        """Work on the batch that reads nothing from the store, done before its transaction
        (the sentence encoder's reading: 6 of the 7.7 s the transaction held the store's
        write lock over the 542 Wikinews articles, its 2 s load included)."""

    def write(self, store: Store, items: list[Item]) -> None:
        """Apply the items (in change order) inside the caller's transaction."""

    def reset(self, store: Store) -> None:
        """Forget everything, before a rebuild from the start of the log."""

    def settle(self, store: Store) -> None:
        """Work too long for that transaction, done after it commits, in transactions of
        its own (the vectors' retraining): the store stays writable meanwhile."""


class Follower:
    """Brings the index and every derived table up to the head of the change log."""

    def __init__(self, store: Store, analyzer: Callable[[], Analyzer], fingerprint: str, index: SearchIndex,
                 consumers: Sequence[StoreConsumer], vector_index: VectorIndex | None = None) -> None:
        """`analyzer` is called only when there is something to analyse: checking how far
        behind the consumers are (every second, in a server) never loads Kiwi.
        `fingerprint` names the analysis (`sinmun.analysis.korean.fingerprint`)."""
        self.store = store
        self._analyzer = analyzer
        self.fingerprint = fingerprint
        self.index = index
        self.consumers = list(consumers)
        self.vector_index = vector_index

    def positions(self) -> dict[str, int]:
        """How far each consumer has read, counting data made by another analysis as unread."""
        found = {c.name: self.store.changes.position(c.name, self._made_by(c)) for c in self.consumers}
        found["index"] = self.index.position(self.store.store_id, self.fingerprint)
        return found

    def behind(self) -> int:
        """Changes the slowest consumer has yet to read (0: everything is derived)."""
        return self.store.changes.count_since(min(self.positions().values()))

    def catch_up(self, rebuild: bool = False, wait: float = 0.0,
                 progress: Callable[[int, int], None] | None = None, limit: int | None = None,
                 prepared: dict[str, list[Term]] | None = None) -> int:
        """Derive every change past the slowest consumer (or about `limit` of them); returns how many were read.

        Takes the index writer first (waiting up to `wait` seconds; `Busy` if another
        process keeps it). `rebuild` starts every consumer from the beginning of the log.
        A `limit` keeps one call short (the server's indexer: it can stop, and lets an
        ingest take the writer, between calls). `prepared` holds texts already analysed
        elsewhere (a Ray backfill: text -> its terms, by the same analysis); Kiwi analyses
        only what it lacks, and the caller frees it.
        """
        if not rebuild and not self.behind():
            self._refresh_vectors()
            return 0
        with self.index.writing(wait) as writer:
            positions = self.positions()  # again: another process may have caught up meanwhile
            if rebuild:
                positions = dict.fromkeys(positions, 0)
            if positions["index"] == 0:
                writer.clear()
            with self.store.transaction():
                for consumer in self.consumers:
                    # Read again under the store's writer lock: a server sharing the store
                    # (PostgreSQL) may have derived these tables meanwhile.
                    if rebuild or self.store.changes.position(consumer.name, self._made_by(consumer)) == 0:
                        consumer.reset(self.store)
                        self.store.changes.advance(consumer.name, 0, self._made_by(consumer))
            start = min(positions.values())
            total = self.store.changes.count_since(start)
            done = 0
            cursor = start
            while changes := self.store.changes.since(cursor, BATCH):
                items = self._items(changes, prepared or {})
                writer.add([i for i in items if i.change.seq > positions["index"]])
                self._write_store(items, positions, changes[-1].seq)
                cursor = changes[-1].seq
                done += len(changes)
                if progress:
                    progress(done, total)
                if limit and done >= limit:
                    break
            writer.commit(cursor, self.store.store_id, self.fingerprint)
            if done:
                with self.store.transaction():
                    self.store.changes.advance(index_consumer(self.index.path.resolve()), cursor, self.fingerprint)
        self._refresh_vectors()
        return done

    def _items(self, changes: list[Change], prepared: dict[str, list[Term]]) -> list[Item]:
        """The batch's articles, each once in its latest state, analysed on every Kiwi worker."""
        latest = {c.article_id: c for c in changes}
        ordered = sorted(latest.values(), key=lambda c: c.seq)
        rows = self.store.articles.with_seq([c.article_id for c in ordered if c.kind != DELETE])
        rows = {i: row for i, row in rows.items() if not row[1].retracted_at}
        # Only non-empty parts go to Kiwi (half of them are empty: no blocks).
        texts = [text for c in ordered if c.article_id in rows
                 for part in PARTS if (text := getattr(rows[c.article_id][1], part))]
        ready = [prepared.get(text) for text in texts]  # (two articles may share a title)
        missing = [text for text, terms in zip(texts, ready, strict=True) if terms is None]
        fresh = self._analyzer().analyze_many(missing) if missing else iter(())
        analysed = iter([terms if terms is not None else next(fresh) for terms in ready])
        items = []
        for change in ordered:
            if change.article_id not in rows:
                items.append(Item(change, 0, None, {}))  # retracted: it leaves every derived view
                continue
            seq, article = rows[change.article_id]
            parts = {part: next(analysed) if getattr(article, part) else [] for part in PARTS}
            items.append(Item(change, seq, article, parts))
        return items

    def _write_store(self, items: list[Item], positions: dict[str, int], last: int) -> None:
        for consumer in self.consumers:
            # Outside the transaction, so the store stays writable meanwhile; only for a consumer
            # behind the batch (rebuilding the index alone encodes nothing).
            pending = [i for i in items if i.change.seq > positions[consumer.name]]
            if pending:
                consumer.prepare(pending)
        with self.store.transaction():
            for consumer in self.consumers:
                # Where the store says this consumer is, read under the writer lock: another
                # server's follower (a shared PostgreSQL store) may have written some of the batch.
                positions[consumer.name] = self.store.changes.position(consumer.name, self._made_by(consumer))
                if positions[consumer.name] >= last:
                    continue
                consumer.write(self.store, [i for i in items if i.change.seq > positions[consumer.name]])
                self.store.changes.advance(consumer.name, last, self._made_by(consumer))
                positions[consumer.name] = last
        for consumer in self.consumers:
            consumer.settle(self.store)

    def _made_by(self, consumer: StoreConsumer) -> str:
        """What a consumer's rows were made by: the analysis, and the consumer's own rules."""
        return f"{self.fingerprint}+{consumer.version}" if consumer.version else self.fingerprint

    def _refresh_vectors(self) -> None:
        if self.vector_index is not None:
            self.vector_index.refresh(self.store)
