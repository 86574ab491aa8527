"""The archive: one store and what is derived from it, opened lazily and shared by threads.

The faces (CLI, API, pages) hold one `Archive` and pass it to the service
functions. Kiwi (about 1.5 s to load), Tantivy and the vectors are loaded only by
the operations that need them. Each thread gets its own store connection; the
analyser, the index and the vector index are shared (they are safe to read from
several threads at once).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ..ingest.quarantine import Quarantine
from ..store import Store, is_postgres, open_store

if TYPE_CHECKING:  # importing these for real loads Tantivy and Kiwi
    from ..analysis.korean import Aliases, Analyzer
    from ..analysis.typos import Corrector
    from ..derive import Follower, StoreConsumer
    from ..search.index import SearchIndex
    from ..search.meaning import MorphemeVectors
    from ..search.searcher import Searcher
    from ..search.vector_index import VectorIndex

T = TypeVar("T")
PER_CHANGE_KEEP = 512  # answers `per_change` keeps between two changes (pages of lists, mostly)


# Where a process keeps its own files when the store is PostgreSQL: each server has its
# own search index (it follows the shared store's change log), quarantine and token key.
HOME_ENV = "SINMUN_HOME"


def local_base(db: str | Path, home: str | Path | None = None) -> Path:
    """The path this process's own files are named from: `news.db` -> `news.index/`, `news.quarantine/`.

    For a SQLite file, the file itself (they live beside it). For a PostgreSQL address,
    the database's name in `home` (default $SINMUN_HOME, else the working folder).
    """
    if not is_postgres(db):
        return Path(db)
    from psycopg.conninfo import conninfo_to_dict

    name = str(conninfo_to_dict(str(db)).get("dbname") or "sinmun")
    return Path(home or os.environ.get(HOME_ENV) or ".") / name


class Archive:
    """One sinmun archive: a store (a SQLite file or a PostgreSQL database) and this process's
    index and quarantine folders (beside the file, or in $SINMUN_HOME)."""

    def __init__(self, db: str | Path, create: bool = False, home: str | Path | None = None) -> None:
        self.target = str(db)
        self.db_path = local_base(db, home)
        if is_postgres(db):
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
        first = open_store(self.target, create=create)  # creates and migrates the store once
        self._local = threading.local()
        self._local.store = first
        self._stores: list[Store] = [first]
        self._lock = threading.RLock()
        self._made: dict[str, object] = {}
        self._per_change: dict[str, tuple[object, object]] = {}
        self.quarantine = Quarantine(self.db_path)
        self._corrector: tuple[int, Corrector] | None = None

    @property
    def store(self) -> Store:
        """This thread's connection to the store."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.target, create=False)
            self._local.store = store
            with self._lock:
                self._stores.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            for store in self._stores:
                store.close()
            self._stores.clear()
        self._local = threading.local()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def once(self, name: str, make: Callable[[], T]) -> T:
        """`make()` the first time `name` is asked for, in any thread; the same object after."""
        if name not in self._made:
            with self._lock:
                if name not in self._made:
                    self._made[name] = make()
        return self._made[name]  # type: ignore[return-value]

    def per_change(self, name: str, make: Callable[[], T]) -> T:
        """`make()`, made again only when the change log or a follower of it has moved on (the log's
        head and the followers' positions: two small reads). What every reader asks alike (the
        section list, the home page's lists and stories, the article count) is made once a change.
        The followers count because stories and names are derived after the change that brings
        their article."""
        changes = self.store.changes
        stamp = (changes.head(), tuple(changes.positions().items()))
        found = self._per_change.get(name)
        if found is None or found[0] != stamp:
            if len(self._per_change) >= PER_CHANGE_KEEP:
                self._per_change.clear()
            found = self._per_change[name] = (stamp, make())
        return found[1]  # type: ignore[return-value]

    @property
    def aliases(self) -> Aliases:
        from ..analysis.korean import Aliases

        return self.once("aliases", Aliases.load)

    @property
    def fingerprint(self) -> str:
        """What the analysis is (alias dictionary, Kiwi version and model): known without loading Kiwi."""
        from ..analysis.korean import fingerprint

        return self.once("fingerprint", lambda: fingerprint(self.aliases))

    @property
    def analyzer(self) -> Analyzer:
        from ..analysis.korean import Analyzer

        return self.once("analyzer", Analyzer.shared)

    @property
    def index(self) -> SearchIndex:
        from ..search.index import open_index

        return self.once("index", lambda: open_index(self.db_path))

    @property
    def vector_index(self) -> VectorIndex:
        from ..search.vector_index import VectorIndex

        return self.once("vector_index", lambda: VectorIndex(self.index.path))

    @property
    def morpheme_vectors(self) -> MorphemeVectors:
        from ..search.meaning import morpheme_vectors

        return self.once("morpheme_vectors", lambda: morpheme_vectors(self.analyzer.kiwi))

    def corrector(self) -> Corrector:
        """The vocabulary for spelling correction, kept until the vocabulary changes."""
        from ..analysis.typos import Corrector

        position = self.store.changes.positions().get("vocabulary", 0)
        cached = self._corrector
        if cached is None or cached[0] != position:
            cached = (position, Corrector(self.store.vocabulary.all(), self.analyzer.aliases.latin))
            self._corrector = cached
        return cached[1]

    def searcher(self) -> Searcher:
        """A searcher over this thread's store (cheap: everything it uses is shared)."""
        from ..search.searcher import Searcher

        return Searcher(self.store, self.index, self.analyzer, lambda: self.morpheme_vectors, self.vector_index,
                        corrector=self.corrector)

    def follower(self) -> Follower:
        """The change-log follower that keeps the index and every derived table up to date."""
        from ..analysis.typos import Vocabulary
        from ..connect.stories import Connector
        from ..derive import Follower
        from ..search.meaning import Embedder

        consumers: list[StoreConsumer] = [Connector(self.aliases, lambda form: self.analyzer.known_common_noun(form)),
                                          Embedder(lambda: self.morpheme_vectors), Vocabulary()]
        return Follower(self.store, lambda: self.analyzer, self.fingerprint, self.index, consumers,
                        self.vector_index)
