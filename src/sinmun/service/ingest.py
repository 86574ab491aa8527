"""Taking articles in: read every input, quarantine what cannot be read, store the rest, derive.

Each file's articles are stored in one transaction; the index and the derived
tables then follow the change log. Whatever cannot be read is quarantined before
it is reported, so nothing is lost even if the process dies right after.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BadRequest, Busy
from ..ingest import Batch, Problem, expand_paths, read_bytes, read_path
from ..ingest.accept import accept
from ..ingest.fetch import fetch, is_url
from ..ingest.quarantine import Entry
from ..store import AddResult, now_iso
from .archive import Archive
from .maintenance import catch_up

# How long an ingest waits for another process to finish indexing before it
# leaves its own articles to that process (they are stored either way).
INDEX_WAIT_S = 120.0
# A Ray backfill derives as it goes, every this many analysed texts: the terms of a
# whole backfill would not fit in memory (about 40 KB an article).
PREPARED_TEXTS = 4_000


@dataclass
class IngestReport:
    files: int = 0
    read: int = 0
    new: int = 0
    unchanged: int = 0
    merged: int = 0
    revised: int = 0
    near_duplicates: int = 0
    indexed: int = 0
    index_busy: str | None = None  # why the stored articles are not indexed yet, if they are not
    nodes: dict[str, int] = field(default_factory=dict)  # Ray node -> articles it read and analysed
    problems: list[Problem] = field(default_factory=list)
    quarantine: Path | None = None

    def count(self, result: AddResult, read: int) -> None:
        self.read += read
        self.new += len(result.new)
        self.unchanged += result.unchanged
        self.merged += result.merged
        self.revised += result.revised
        self.near_duplicates += result.near_duplicates

    def summary(self) -> str:
        text = f"{self.read} articles: {self.new} new, {self.unchanged} unchanged"
        extras = [(self.revised, "revised"), (self.merged, "merged into an identical article"),
                  (self.near_duplicates, "near-duplicates (hidden from search)")]
        text += "".join(f", {n} {label}" for n, label in extras if n)
        if self.problems:
            text += f"; {len(self.problems)} quarantined in {self.quarantine}"
        if self.index_busy:
            text += f"; not indexed yet: {self.index_busy}"
        if self.nodes:
            text += f"; read and analysed on {len(self.nodes)} Ray nodes (" + ", ".join(
                f"{node[:8]}: {n}" for node, n in sorted(self.nodes.items())) + ")"
        return text

    @property
    def exit_code(self) -> int:
        """0: all stored and indexed; 1: some inputs quarantined; 75: stored, indexing left to another process."""
        if self.problems:
            return 1
        return Busy.exit_code if self.index_busy else 0


def expand_targets(targets: list[str | Path]) -> list[str | Path]:
    """URLs as given, then files: folders expanded recursively."""
    return ([str(t) for t in targets if is_url(str(t))]
            + expand_paths([Path(t) for t in targets if not is_url(str(t))]))


def ingest(
    archive: Archive,
    targets: list[str | Path],
    format: str | None = None,
    published: str | None = None,
    on_file: Callable[[str, Batch, AddResult], None] | None = None,
    on_index: Callable[[int, int], None] | None = None,
    index_wait: float = INDEX_WAIT_S,
    actor: str = "cli",
    ray: str | None = None,
) -> IngestReport:
    """Read every file or URL; store each one's articles in one transaction; derive them.
    With `ray` (an address, "auto" or "local"), reading and Kiwi's analysis run on that Ray
    cluster (`sinmun.service.backfill`); this process still stores everything, in input order.
    The run is one entry in the audit log, under `actor`."""
    from ..connect.dedupe import NearDuplicates

    report = IngestReport(quarantine=archive.quarantine.path)
    near = NearDuplicates(archive.store)
    prepared: dict = {}
    for target, batch, terms, node in _inputs(archive, expand_targets(targets), format, published, ray):
        result = _store_batch(archive, batch, report, near)
        report.files += 1
        if node:
            report.nodes[node] = report.nodes.get(node, 0) + len(batch.articles)
        if on_file:
            on_file(target, batch, result)
        prepared.update(terms)
        if len(prepared) >= PREPARED_TEXTS:
            _derive(archive, report, on_index, index_wait, prepared)
    _audit(archive, report, actor)
    _derive(archive, report, on_index, index_wait, prepared)
    return report


def _inputs(archive: Archive, targets: list[str | Path], format: str | None, published: str | None,
            ray: str | None) -> Iterator[tuple[str, Batch, dict, str]]:
    """(input, its batch, terms analysed elsewhere, the Ray node) for each input, in order."""
    if ray:
        from .backfill import analysed_inputs

        for done in analysed_inputs(targets, ray, archive.fingerprint, format, published):
            yield done.target, done.batch, done.terms, done.node
        return
    for target in targets:
        if is_url(str(target)):
            try:
                batch = read_bytes(fetch(str(target)), str(target), format=format, published=published)
            except BadRequest as exc:
                batch = Batch(problems=[Problem(str(target), None, str(exc))])
        else:
            batch = read_path(Path(target), format=format, published=published)
        yield str(target), batch, {}, ""


def _audit(archive: Archive, report: IngestReport, actor: str) -> None:
    """One audit entry for a run that changed anything (a re-run that finds nothing new leaves none)."""
    if report.new or report.revised or report.merged or report.problems:
        counts = {k: getattr(report, k) for k in ("files", "read", "new", "revised", "merged", "near_duplicates")}
        with archive.store.transaction():
            archive.store.audit.record(now_iso(), actor, "ingest",
                                       detail=json.dumps({**counts, "quarantined": len(report.problems)}))


def _store_batch(archive: Archive, batch: Batch, report: IngestReport, near) -> AddResult:
    for problem in batch.problems:
        archive.quarantine.put(problem)
    report.problems.extend(batch.problems)
    # A list page is printed newest first; store it oldest first so that
    # arrival order (`seq`) runs from old to new.
    articles = batch.articles
    if batch.format == "listpage":
        articles = sorted(articles, key=lambda a: -(a.position or 0))
    result = accept(archive.store, articles, near=near)
    report.count(result, len(articles))
    return result


def _derive(archive: Archive, report: IngestReport, on_index: Callable[[int, int], None] | None,
            wait: float, prepared: dict | None = None) -> None:
    if report.index_busy:
        return  # another process derives this run's articles
    try:
        report.indexed += catch_up(archive, wait=wait, progress=on_index, prepared=prepared)
    except Busy as exc:
        report.index_busy = str(exc)
    if prepared:
        prepared.clear()  # what was not used (articles already stored) is not needed again


def retry_quarantined(archive: Archive) -> tuple[IngestReport, list[Entry]]:
    """Read every quarantined input again; entries that now ingest cleanly are removed."""
    from ..connect.dedupe import NearDuplicates

    report = IngestReport(quarantine=archive.quarantine.path)
    near = NearDuplicates(archive.store)
    still: list[Entry] = []
    for entry in archive.quarantine.entries():
        batch = read_path(archive.quarantine.data_path(entry), format=entry.format)
        for article in batch.articles:
            article.source = entry.source
        if batch.problems:
            still.append(entry)
            report.problems.extend(batch.problems)
            continue
        report.count(accept(archive.store, batch.articles, near=near), len(batch.articles))
        archive.quarantine.remove(entry)
    _audit(archive, report, "cli")
    _derive(archive, report, None, INDEX_WAIT_S)
    return report, still


def ingest_changed(archive: Archive, paths: list[Path], **options) -> IngestReport | None:
    """Ingest the files among `paths` that are new or changed since they were last read (the watch log)."""
    changed = [p for p in expand_paths(paths) if p.exists() and archive.store.files.changed(p)]
    if not changed:
        return None
    # Size and time as they were before reading: a file that grows while it is read is then
    # still "changed", and read again (marking it afterwards lost what was appended meanwhile).
    seen = {p: p.stat() for p in changed}
    report = ingest(archive, list(changed), **options)
    with archive.store.transaction():
        for path, st in seen.items():
            archive.store.files.mark(path, st.st_size, st.st_mtime)
    return report
