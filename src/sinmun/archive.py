"""The archive: one store, its search index and the analyser, used together.

The CLI and the web app are thin shells over this class. Kiwi (about 1.5 s to
load) is only loaded by the operations that analyse text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .articles import Article
from .ingest import Batch, Problem, expand_paths, read_path
from .store import Store

if TYPE_CHECKING:  # importing these for real loads Tantivy and Kiwi
    from .index import SearchIndex
    from .korean import Analyzer
    from .search import Results, SearchRequest


@dataclass
class IngestReport:
    files: int = 0
    read: int = 0
    new: int = 0
    unchanged: int = 0
    indexed: int = 0
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.read} articles: {self.new} new, {self.unchanged} unchanged"
        if self.problems:
            text += f"; {len(self.problems)} problem{'s' if len(self.problems) > 1 else ''}"
        return text


class Archive:
    def __init__(self, db: str | Path, create: bool = False) -> None:
        self.db_path = Path(db)
        self.store = Store(self.db_path, create=create)

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
        paths: list[Path],
        format: str | None = None,
        published: str | None = None,
        on_file: Callable[[Path, Batch], None] | None = None,
    ) -> IngestReport:
        """Read every file, store each file's articles in one transaction, then index them."""
        report = IngestReport()
        for path in expand_paths(paths):
            batch = read_path(path, format=format, published=published)
            # A list page is printed newest first; store it oldest first so that
            # arrival order (`seq`) runs from old to new.
            articles = sorted(batch.articles, key=lambda a: -(a.position or 0)) if _is_list(batch) else batch.articles
            result = self.store.add(articles)
            report.files += 1
            report.read += len(batch.articles)
            report.new += len(result.new)
            report.unchanged += result.unchanged
            report.problems.extend(batch.problems)
            if on_file:
                on_file(path, batch)
        report.indexed = self.sync()
        return report

    def sync(self, progress: Callable[[int], None] | None = None) -> int:
        """Bring the index up to date with the store (after a crash, or new articles)."""
        return self.index.sync(self.store, self.analyzer, progress=progress)

    def reindex(self, progress: Callable[[int], None] | None = None) -> int:
        return self.index.sync(self.store, self.analyzer, progress=progress, rebuild=True)

    def search(self, request: SearchRequest) -> Results:
        from .index import IndexBusy
        from .search import Searcher

        try:
            self.sync()
        except IndexBusy:
            pass  # another process is indexing right now; search what is there
        return Searcher(self.store, self.index, self.analyzer).search(request)

    def get(self, article_id: str) -> Article | None:
        return self.store.get(article_id)


def _is_list(batch: Batch) -> bool:
    return bool(batch.articles) and batch.articles[0].format == "listpage"
