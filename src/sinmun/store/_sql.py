"""What the parts of the store share: the connection they write SQL to, and small helpers.

The parts (`articles.py`, `changes.py`, ...) are written once, in SQL that SQLite and
PostgreSQL both run, against a `Database`: SQLite's own connection, or `postgres.py`'s
wrapper, which takes the same `?` and `:name` parameters. What the two engines spell
differently is asked of the connection (`cross_join`), never tested for by name.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from ..articles import ARTICLE_FIELDS, Article
from .packing import unpack_raw

T = TypeVar("T")

# SQLite allows 32,766 variables a statement; lists of ids go in chunks well below that.
CHUNK = 500
_ARTICLE_COLUMNS = set(ARTICLE_FIELDS) | {"raw"}


class Database(Protocol):
    """One connection, as the parts of the store use it. Rows answer `row[0]`, `row["name"]`,
    `row.keys()` and `dict(row)`, like `sqlite3.Row`."""

    # How to join a small driving table to a large one in that order: SQLite's CROSS JOIN
    # fixes the order of the loop (its planner otherwise scans the wide articles table);
    # PostgreSQL plans joins by itself and has no CROSS JOIN ... ON.
    cross_join: str
    # A table of one column `value`: the elements of a JSON array given as one parameter.
    json_values: str

    # A cursor: fetchone(), fetchall(), iteration, rowcount.
    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ..., /) -> Any: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any: ...


class SQLiteConnection(sqlite3.Connection):
    """SQLite's connection, as a `Database`."""

    cross_join = "CROSS JOIN"
    json_values = "json_each(?)"


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def to_article(row: Any) -> Article:
    data = {k: row[k] for k in row.keys() if k in _ARTICLE_COLUMNS}
    data["partial"] = bool(data.get("partial"))
    if "raw" in data:
        data["raw"] = unpack_raw(data["raw"], data["title"], data["body"])
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


def picked(db: Database, ids: list[str]) -> tuple[str, list[str]]:
    """A table `picked` of ids (one column, `id`) to join against result sets of thousands
    of ids, and its parameter: one JSON array. Filling a temporary table took 48 ms for a
    thousand ids (an insert, and a transaction, each), a search's facets twice over."""
    return f"(SELECT DISTINCT value AS id FROM {db.json_values}) picked", [json.dumps(ids)]


def meta_count(db: Database, key: str) -> int:
    """A count kept as a meta row as its table is written (`entity_articles`, `vector_articles`):
    counting the table itself reads all of it."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return int(row[0]) if row else 0


def add_to_meta_count(db: Database, key: str, change: int) -> None:
    if change:
        db.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + ? AS TEXT) WHERE key = ?", (change, key))
