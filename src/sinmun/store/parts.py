"""What every store is made of: one part per group of tables, all over the store's one connection.

`SQLiteStore` and `PostgresStore` differ in how they connect, migrate, take transactions
and back up; the parts, and what they answer, are the same (see `_sql.py`).
"""

from __future__ import annotations

from typing import Any

from ._sql import Database
from .access import SqlAudit, SqlTokens
from .articles import SqlArticles, SqlFiles
from .changes import SqlChanges
from .connect import SqlEntities, SqlStories
from .vectors import SqlSignatures, SqlVectors, SqlVocabulary


class StoreParts:
    """The parts of a store (see `protocol.Store`), made over `db` by `attach`."""

    db: Any

    def attach(self, db: Database) -> None:
        self.changes = SqlChanges(db)
        self.articles = SqlArticles(db, self.changes)
        self.entities = SqlEntities(db)
        self.stories = SqlStories(db)
        self.vectors = SqlVectors(db)
        self.vocabulary = SqlVocabulary(db)
        self.signatures = SqlSignatures(db)
        self.files = SqlFiles(db)
        self.tokens = SqlTokens(db)
        self.audit = SqlAudit(db)
        self._store_id: str | None = None

    @property
    def store_id(self) -> str:
        """The store's identity (made with it): an index records which store it follows."""
        if self._store_id is None:
            self._store_id = self.db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()[0]
        return self._store_id

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
