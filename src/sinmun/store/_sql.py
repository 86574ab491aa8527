"""Small helpers shared by the SQLite parts of the store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

from ..articles import ARTICLE_FIELDS, Article

T = TypeVar("T")

# SQLite allows 32,766 variables a statement; lists of ids go in chunks well below that.
CHUNK = 500
_ARTICLE_COLUMNS = set(ARTICLE_FIELDS) | {"raw"}


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def to_article(row: sqlite3.Row) -> Article:
    data = {k: row[k] for k in row.keys() if k in _ARTICLE_COLUMNS}
    data["partial"] = bool(data.get("partial"))
    return Article(**data)


def day_range(since: str, until: str) -> tuple[str, str]:
    """Bounds for `published` (ISO text) covering the days since..until: a range the index can use.

    A datetime on the last day ("2025-06-07T09:00") sorts after "2025-06-07", so the
    upper bound is the day followed by a character above any that follows it.
    """
    return since, until + "\uffff"


def chunks(items: list[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def marks(items: list) -> str:
    return ", ".join("?" for _ in items)


@contextmanager
def picked(db: sqlite3.Connection, ids: list[str]) -> Iterator[None]:
    """A temporary table `temp.picked` of ids to join against (result sets of thousands of ids).

    Temporary tables live in the connection, not the file: reading this way takes no write lock.
    """
    db.execute("CREATE TEMP TABLE IF NOT EXISTS picked (id TEXT PRIMARY KEY)")
    db.execute("DELETE FROM temp.picked")
    db.executemany("INSERT OR IGNORE INTO temp.picked VALUES (?)", [(i,) for i in ids])
    try:
        yield
    finally:
        db.execute("DELETE FROM temp.picked")
