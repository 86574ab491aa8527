"""The storage layer: it owns every table and all SQL.

Nothing outside this package talks to a database. The rest of sinmun asks for
what it needs through the typed protocol in `protocol.py`; `sqlite.py` (and its
parts) implements it over one SQLite file, the default store of record.

    store = open_store("news.db")
    with store.transaction():
        store.articles.insert(article, ...)     # logs the change in the same transaction
    store.changes.since(0, 100)                 # what derived data has to follow
"""

from __future__ import annotations

from pathlib import Path

from ._sql import now_iso
from .protocol import DELETE, PUT, AddResult, Change, Store
from .sqlite import SQLiteStore

__all__ = ["DELETE", "PUT", "AddResult", "Change", "Store", "SQLiteStore", "open_store", "now_iso"]

def open_store(path: str | Path, create: bool = True) -> Store:
    """The store at `path` (today always a SQLite file); NotFound if absent and not `create`."""
    return SQLiteStore(path, create=create)
