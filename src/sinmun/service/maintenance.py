"""Keeping the archive sound: following the change log, checking, rebuilding, training."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from importlib.metadata import version

from ..articles import article_id
from ..errors import Busy
from .archive import Archive
from .models import CheckReport, DoctorCheck, DoctorReport, Health, TrainReport

# Changes a starting server derives before it answers (more: it answers at once, and derives behind).
WARM_BACKLOG = 10_000


def catch_up(archive: Archive, wait: float = 0.0, progress: Callable[[int, int], None] | None = None,
             rebuild: bool = False, limit: int | None = None, prepared: dict | None = None) -> int:
    """Derive whatever the change log holds that the index and derived tables lack.

    Returns how many changes were read. Raises `Busy` when another process holds
    the index writer for longer than `wait` seconds (it then derives them itself).
    With `limit`, stops after about that many changes (what is left stays in the log).
    `prepared`: texts analysed elsewhere, with their terms (see `sinmun.service.backfill`).
    """
    return archive.follower().catch_up(rebuild=rebuild, wait=wait, progress=progress, limit=limit,
                                       prepared=prepared)


def catch_up_if_free(archive: Archive) -> int:
    """Catch up when no other process is doing it; otherwise answer from what is indexed."""
    try:
        return catch_up(archive)
    except Busy:
        return 0


def warm(archive: Archive, backlog: int = WARM_BACKLOG, wait: float = 300.0) -> None:
    """Load what searches need (Kiwi, its morpheme vectors, the index, the vocabulary) ahead of them,
    and derive a small backlog first so that searches see every stored article from the start.
    A larger backlog is left to the background indexer: the server answers meanwhile."""
    follower = archive.follower()
    if 0 < follower.behind() <= backlog:
        try:
            catch_up(archive, wait=wait)
        except Busy:
            # An ingest holds the store or the index writer: that must not stop a worker
            # from starting (the background indexer derives the backlog once they are free).
            pass
    archive.analyzer.analyze("준비")
    archive.index.searcher()
    archive.vector_index.load()
    archive.morpheme_vectors  # noqa: B018  (recovering Kiwi's vectors takes a second or two, once)
    from ..search.sentences import encoder

    encoder().encode(["준비"])  # the sentence encoder's weights: about 2 s, once
    archive.corrector()


def reindex(archive: Archive, progress: Callable[[int, int], None] | None = None, wait: float = 60.0) -> int:
    """Rebuild the index and every derived table from the store."""
    return catch_up(archive, wait=wait, progress=progress, rebuild=True)


def train(archive: Archive, wait: float = 60.0) -> TrainReport:
    """Recount the archive's word statistics and re-embed every article (search by meaning)."""
    from ..search.meaning import train as train_vectors

    started = time.perf_counter()
    catch_up(archive, wait=wait)
    # Holding the index writer keeps the follower of another process from
    # embedding new articles with the old statistics while this one retrains.
    with archive.index.writing(wait):
        report = train_vectors(archive.store, archive.morpheme_vectors)
        archive.vector_index.refresh(archive.store)
    return TrainReport(**report, seconds=round(time.perf_counter() - started, 2))


def health(archive: Archive) -> Health:
    """What a load balancer or a monitor asks: the store and the index answer, and how far behind
    the change log the derived views are. Cheap (the article count, a scan, is made once per change);
    `check` is the thorough one."""
    store = archive.store
    head = store.changes.head()
    positions = archive.follower().positions()
    articles = archive.per_change("article count", store.articles.count)  # a scan of the live rows
    return Health(status="ok", articles=articles, indexed=archive.index.count(), changes=head,
                  lag=head - min(positions.values(), default=head), positions=positions)


def check(archive: Archive) -> CheckReport:
    """Is the store sound? Has every consumer read the whole change log? Does the index
    hold each stored article exactly once?"""
    from ..search.index import SCHEMA_VERSION, read_meta

    store = archive.store
    problems = store.integrity()
    content_ids = store.articles.content_ids()
    for stored in store.articles.iter_all():
        if article_id(stored.headline, stored.full_text()) != content_ids.get(stored.id):
            problems.append(f"article {stored.id}: text does not match its content id (changed outside sinmun?)")
    store_ids = store.articles.live_ids()
    head = store.changes.head()
    follower = archive.follower()
    positions = follower.positions()
    for name, position in sorted(positions.items()):
        if position < head:
            problems.append(f"{name} has read the change log up to {position} of {head} "
                            "(any ingest, search or `sinmun reindex` catches up)")
    path = archive.index.path
    index_ids: list[str] = []
    meta = read_meta(path)
    if meta.schema != SCHEMA_VERSION:
        problems.append(f"the index at {path} has an older layout (any search or `sinmun reindex` rebuilds it)")
    elif meta.store_id and meta.store_id != store.store_id:
        problems.append("the index belongs to another store")
    else:
        index_ids = archive.index.id_list()
        doubled = len(index_ids) - len(set(index_ids))
        if doubled:
            problems.append(f"{doubled} articles are in the index more than once")
        missing, extra = store_ids - set(index_ids), set(index_ids) - store_ids
        if missing:
            problems.append(f"{len(missing)} stored articles are not in the index, e.g. {sorted(missing)[:3]}")
        if extra:
            problems.append(f"{len(extra)} indexed articles are not in the store, e.g. {sorted(extra)[:3]}")
    vectors = store.vectors.count_rows()
    if positions.get("vectors") == head and vectors != len(store_ids):
        problems.append(f"{vectors} article vectors for {len(store_ids)} articles (`sinmun reindex` rebuilds them)")
    if store.vectors.count() != vectors:
        problems.append(f"the vectors are counted as {store.vectors.count()}, but there are {vectors} "
                        "(`sinmun reindex` rebuilds them)")
    return CheckReport(ok=not problems, articles=len(store_ids), indexed=len(index_ids), vectors=vectors,
                       quarantined=len(archive.quarantine.entries()), changes=head, positions=positions,
                       problems=problems)


LOW_DISK_BYTES = 1 << 30


def doctor(archive: Archive) -> DoctorReport:
    """Is this deployment sound, quickly (no scan of the articles: `check` does that)? The store
    answers and its schema is current; where each index, here and on other servers, stands in the
    change log; which Kiwi and model analyse; this process's own files."""
    from ..derive.follower import INDEX_CONSUMER
    from ..search.index import SCHEMA_VERSION

    checks: list[DoctorCheck] = []

    def note(name: str, good: bool, detail: str, bad: str = "fail") -> None:
        checks.append(DoctorCheck(name=name, level="ok" if good else bad, detail=detail))

    store = archive.store
    note("store", True, f"{store.engine} at {store.location}, {store.articles.count()} articles, "
                        f"{store.size():,} bytes")
    note("schema", store.schema_version == store.latest_schema,
         f"version {store.schema_version} of {store.latest_schema}")
    head = store.changes.head()
    fingerprint = archive.fingerprint  # known without building a follower or loading Kiwi
    note("analysis", True, f"kiwipiepy {version('kiwipiepy')}, model {version('kiwipiepy_model')}, "
                           f"fingerprint {fingerprint}")
    meta = archive.index.read_meta()
    here = f"{archive.index.path.resolve()}"
    if meta.schema != SCHEMA_VERSION:
        note("index", False, f"{here}: layout {meta.schema}, this sinmun writes {SCHEMA_VERSION} "
                             "(`sinmun reindex` rebuilds it)")
    elif meta.store_id and meta.store_id != store.store_id:
        note("index", False, f"{here} belongs to another store (`sinmun reindex` rebuilds it)")
    elif meta.analysis and meta.analysis != fingerprint:
        note("index", False, f"{here} was made by another analysis (`sinmun reindex` rebuilds it)")
    else:
        note("index", meta.seq == head, f"{here} at {meta.seq} of {head} in the change log", bad="warn")
    positions = store.changes.positions()
    for name, position in sorted(positions.items()):
        if not name.startswith(INDEX_CONSUMER):
            note(f"derived: {name}", position == head, f"at {position} of {head}", bad="warn")
    for name, position in sorted(positions.items()):
        if name.startswith(INDEX_CONSUMER) and not name.endswith(":" + here):
            note("other index", position == head, f"{name[len(INDEX_CONSUMER):]} at {position} of {head} "
                 "(as it last recorded)", bad="warn")
    folder = archive.db_path.resolve().parent
    free = shutil.disk_usage(folder).free
    note("disk", free >= LOW_DISK_BYTES, f"{free / (1 << 30):.1f} GiB free in {folder}", bad="warn")
    from .access import secret_path

    tokens = store.tokens.all()
    key = secret_path(archive.db_path)
    note("token key", key.exists() or not tokens,
         f"{key} {'present' if key.exists() else 'missing'}; {len(tokens)} tokens in the store"
         + ("" if key.exists() or not tokens else ": tokens made elsewhere do not work here (copy the key)"))
    order = {"fail": 0, "warn": 1, "ok": 2}
    checks.sort(key=lambda c: order[c.level])
    return DoctorReport(ok=all(c.level != "fail" for c in checks), checks=checks)
