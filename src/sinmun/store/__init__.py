"""The storage layer: it owns every table and all SQL.

Nothing outside this package talks to a database. The rest of sinmun asks for
what it needs through the typed protocol in `protocol.py`. Two stores implement
it with the same parts (`articles.py`, `changes.py`, ...): `sqlite.py` over one
SQLite file, the default store of record, and `postgres.py` over a PostgreSQL
database that several servers share.

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

__all__ = ["DELETE", "PUT", "AddResult", "Change", "Store", "SQLiteStore", "is_postgres", "open_store", "now_iso"]


def is_postgres(target: str | Path) -> bool:
    """Is `target` a PostgreSQL address (postgresql://...) rather than a SQLite file?"""
    return str(target).startswith(("postgresql://", "postgres://"))


def open_store(target: str | Path, create: bool = True) -> Store:
    """The store at `target`: a SQLite file, or a PostgreSQL address (postgresql://user@host/db).
    NotFound if it holds no archive and not `create`."""
    if is_postgres(target):
        from .postgres import PostgresStore  # psycopg is loaded only by those who use it

        return PostgresStore(str(target), create=create)
    return SQLiteStore(target, create=create)
