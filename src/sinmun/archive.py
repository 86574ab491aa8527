"""The archive: one store, its search index and the analyser, used together.

The CLI and the web app are thin shells over this class. Kiwi (about 1.5 s to
load) is only loaded by the operations that analyse text.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .articles import Article
from .errors import SinmunError
from .ingest import Batch, Problem, expand_paths, read_bytes, read_path
from .quarantine import Entry, Quarantine
from .store import AddResult, Store

if TYPE_CHECKING:  # importing these for real loads Tantivy and Kiwi
    from .index import SearchIndex
    from .korean import Analyzer
    from .search import Results, SearchRequest
    from .summarize import Summary

FETCH_TIMEOUT = 30
USER_AGENT = "sinmun/0.1 (+news archive)"


class FetchError(SinmunError):
    pass


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
        return text


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def expand_targets(targets: list[str | Path]) -> list[str | Path]:
    """URLs as given, then files: folders expanded recursively."""
    return ([str(t) for t in targets if is_url(str(t))]
            + expand_paths([Path(t) for t in targets if not is_url(str(t))]))


def fetch(url: str) -> bytes:
    """The body at `url`; FetchError says why not (HTTP status, network error)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"cannot fetch: HTTP {exc.code} {exc.reason}") from None
    except (OSError, ValueError) as exc:
        raise FetchError(f"cannot fetch: {getattr(exc, 'reason', exc)}") from None


class Archive:
    def __init__(self, db: str | Path, create: bool = False) -> None:
        self.db_path = Path(db)
        self.store = Store(self.db_path, create=create)
        self.quarantine = Quarantine(self.db_path)

    def close(self) -> None:
        self.store.close()

    @cached_property
    def analyzer(self) -> Analyzer:
        from .korean import Analyzer

        return Analyzer.shared()

    @cached_property
    def index(self) -> SearchIndex:
        from .index import open_index

        return open_index(self.db_path)

    def ingest(
        self,
        targets: list[str | Path],
        format: str | None = None,
        published: str | None = None,
        on_file: Callable[[str, Batch], None] | None = None,
        on_index: Callable[[int, int], None] | None = None,
    ) -> IngestReport:
        """Read every file or URL; store each one's articles in one transaction; index them.

        Whatever cannot be read is quarantined before it is reported, so nothing
        is lost even if the process dies right after.
        """
        from .dedupe import NearDuplicates

        report = IngestReport(quarantine=self.quarantine.path)
        near = NearDuplicates(self.store.db)
        files = expand_targets(targets)
        for target in files:
            if is_url(str(target)):
                try:
                    batch = read_bytes(fetch(str(target)), str(target), format=format, published=published)
                except FetchError as exc:
                    batch = Batch(problems=[Problem(str(target), None, str(exc))])
            else:
                batch = read_path(Path(target), format=format, published=published)
            self._store_batch(batch, report, near)
            report.files += 1
            if on_file:
                on_file(str(target), batch)
        report.indexed = self.sync(progress=on_index)
        return report

    def _store_batch(self, batch: Batch, report: IngestReport, near) -> None:
        for problem in batch.problems:
            self.quarantine.put(problem)
        report.problems.extend(batch.problems)
        # A list page is printed newest first; store it oldest first so that
        # arrival order (`seq`) runs from old to new.
        articles = batch.articles
        if batch.format == "listpage":
            articles = sorted(articles, key=lambda a: -(a.position or 0))
        report.count(self.store.add(articles, near=near), len(articles))

    def retry_quarantined(self) -> tuple[IngestReport, list[Entry]]:
        """Read every quarantined input again; entries that now ingest cleanly are removed."""
        from .dedupe import NearDuplicates

        report = IngestReport(quarantine=self.quarantine.path)
        near = NearDuplicates(self.store.db)
        still: list[Entry] = []
        for entry in self.quarantine.entries():
            batch = read_path(self.quarantine.data_path(entry), format=entry.format)
            for article in batch.articles:
                article.source = entry.source
            if batch.problems:
                still.append(entry)
                report.problems.extend(batch.problems)
                continue
            report.count(self.store.add(batch.articles, near=near), len(batch.articles))
            self.quarantine.remove(entry)
        report.indexed = self.sync()
        return report, still

    def ingest_changed(self, paths: list[Path], **options) -> IngestReport | None:
        """Ingest the files among `paths` that are new or changed since they were last read."""
        changed = [p for p in expand_paths(paths) if p.exists() and self.store.file_changed(p)]
        if not changed:
            return None
        report = self.ingest(changed, **options)
        for path in changed:
            self.store.mark_file(path)
        return report

    def check(self) -> dict:
        """Does the index hold exactly the store's articles? Is the store sound?"""
        from .index import SCHEMA_VERSION, SearchIndex, index_path, read_meta
        from .korean import Aliases, fingerprint

        problems = self.store.integrity()
        store_ids = {r[0] for r in self.store.db.execute("SELECT id FROM articles")}
        path = index_path(self.db_path)
        index_ids: list[str] = []
        if not path.exists():
            problems.append(f"no index at {path} (any search or `sinmun reindex` builds it)")
        elif read_meta(path).schema != SCHEMA_VERSION:
            problems.append(f"the index at {path} has an older layout (any search or `sinmun reindex` rebuilds it)")
        else:
            index = SearchIndex(path)
            meta = index.read_meta()
            if meta.store_id != self.store.store_id:
                problems.append("the index belongs to another store")
            if meta.analysis != fingerprint(Aliases.load()):
                problems.append("the index was built with another analysis or alias dictionary")
            index_ids = index.id_list()
            doubled = len(index_ids) - len(set(index_ids))
            if doubled:
                problems.append(f"{doubled} articles are in the index more than once")
            missing, extra = store_ids - set(index_ids), set(index_ids) - store_ids
            if missing:
                problems.append(f"{len(missing)} stored articles are not in the index, e.g. {sorted(missing)[:3]}")
            if extra:
                problems.append(f"{len(extra)} indexed articles are not in the store, e.g. {sorted(extra)[:3]}")
        vectors = self.store.db.execute("SELECT count(*) FROM article_vectors").fetchone()[0]
        if index_ids and vectors != len(store_ids):
            problems.append(f"{vectors} article vectors for {len(store_ids)} articles (`sinmun reindex` rebuilds them)")
        return {"ok": not problems, "articles": len(store_ids), "indexed": len(index_ids), "vectors": vectors,
                "quarantined": len(self.quarantine.entries()), "problems": problems}

    def _derived(self) -> list:
        from .semantic import Embedder
        from .stories import Connector
        from .typos import Vocabulary

        return [Connector(self.analyzer.aliases), Embedder(lambda: self.morpheme_vectors), Vocabulary()]

    @cached_property
    def morpheme_vectors(self):
        from .semantic import morpheme_vectors

        return morpheme_vectors(self.analyzer.kiwi)

    @cached_property
    def vector_index(self):
        from .semantic import VectorIndex

        return VectorIndex(self.index.path)

    def sync(self, progress: Callable[[int, int], None] | None = None, rebuild: bool = False) -> int:
        """Bring the index, entities, stories, vectors and vocabulary up to date with the store."""
        done = self.index.sync(self.store, self.analyzer, progress=progress, rebuild=rebuild,
                               derived=self._derived())
        self.vector_index.refresh(self.store.db)
        return done

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> int:
        return self.sync(progress=progress, rebuild=True)

    def train(self) -> dict:
        """Recount the archive's word statistics and re-embed every article (search by meaning)."""
        from .semantic import train

        self.sync()
        report = train(self.store.db, self.morpheme_vectors)
        self.vector_index.refresh(self.store.db)
        return report

    def similar(self, article_id: str, limit: int = 5) -> list[tuple[Article, float]]:
        """Articles nearest in meaning to a stored one (near-duplicates left out)."""
        from .semantic import similar_seqs

        self.sync()
        hits = similar_seqs(self.vector_index, self.store.db, article_id, limit)
        articles = self.store.get_many([i for i, _ in hits])
        return [(articles[i], round(score, 4)) for i, score in hits if i in articles]

    def search(self, request: SearchRequest) -> Results:
        from .index import IndexBusy

        try:
            self.sync()
        except IndexBusy:
            pass  # another process is indexing right now; search what is there
        return self.searcher().search(request)

    def searcher(self):
        from .search import Searcher

        return Searcher(self.store, self.index, self.analyzer, lambda: self.morpheme_vectors, self.vector_index,
                        corrector=self.corrector)

    def corrector(self):
        """The vocabulary for spelling correction, kept while the index does not change."""
        from .typos import Corrector

        seq = self.index.read_meta().seq
        if getattr(self, "_corrector", None) is None or self._corrector[0] != seq:
            self._corrector = (seq, Corrector(self.store.db, self.analyzer.aliases.latin))
        return self._corrector[1]

    def get(self, article_id: str) -> Article | None:
        return self.store.get(article_id)

    def article_json(self, article: Article) -> dict:
        """Every stored field, plus sources, resolved dates, story and entities."""
        return {**article.to_dict(), "sources": self.store.sources(article.id), "events": self.events(article),
                "story": self.store.story_of(article.id), "entities": self.store.entities(article.id)}

    def story_json(self, story_id: str) -> dict | None:
        """A story with its articles in time order, each with the dates its text names."""
        story = self.store.story(story_id)
        if story is None:
            return None
        articles = story.pop("articles")
        story["timeline"] = [
            {"id": a.id, "title": a.title, "published": a.published, "date_precision": a.date_precision,
             "section": a.section, "events": self.events(a)}
            for a in articles
        ]
        return story

    def trends(self, terms: list[str], interval: str = "month") -> dict:
        """Articles per day/week/month for each term (search semantics)."""
        from .trends import series

        self.sync()
        return series(self.searcher(), terms, interval)

    def network(self, query: str | None = None, entity: str | None = None) -> dict:
        """Entities named together in the articles of a query or of an entity."""
        from .trends import matching_ids, network

        if entity:
            ids = [r[0] for r in self.store.db.execute(
                "SELECT article_id FROM article_entities WHERE name = ?", (entity,))]
        else:
            self.sync()
            ids = matching_ids(self.searcher(), query or "")
        return {"query": query, "entity": entity, **network(self.store.db, ids)}

    def events(self, article: Article) -> list[dict]:
        """Dates the article's text names, resolved against its own date (none if undated)."""
        from .dates import reference_day, resolve

        ref = reference_day(article.published)
        if ref is None:
            return []
        return [
            {**event.to_dict(), "part": part}
            for part in ("body", "key_insights", "summary", "explainer")
            if (text := getattr(article, part))
            for event in resolve(text, ref)
        ]

    def summary(self, article: Article) -> Summary:
        """Three central sentences of the body (never the article's own [Summary] block)."""
        from .summarize import summarize

        return summarize(self.analyzer, article.id, article.body)
