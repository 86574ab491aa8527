"""The SQLite store: one file in WAL mode, the default store of record.

WAL lets readers work while one writer writes; writes are serialised by
`BEGIN IMMEDIATE`, so change-log sequence numbers are handed out in commit order.
One `SQLiteStore` is one connection: each thread opens its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..articles import text_hash
from ..errors import BadRequest, Busy, Conflict, NotFound
from ._sql import SQLiteConnection
from .packing import pack_raw
from .parts import StoreParts
from .schema import MIGRATIONS
from .vectors import band_key

BUSY_TIMEOUT_S = 30


class SQLiteStore(StoreParts):
    """An open sinmun database (see `sinmun.store.protocol.Store`)."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise NotFound(f"no sinmun database at {self.path}: run `sinmun ingest FILE` first, or pass --db")
        try:
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                      check_same_thread=False, factory=SQLiteConnection)
            self.db.row_factory = sqlite3.Row
            self.db.create_function("text_hash", 1, text_hash, deterministic=True)
            self.db.create_function("pack_raw", 3, pack_raw, deterministic=True)  # migration 12
            self.db.create_function("band_key", 2, band_key, deterministic=True)  # migration 14
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise Busy(f"{self.path} is locked by another process; try again") from None
            raise BadRequest(f"{self.path}: not a usable sinmun database ({exc})") from None
        except sqlite3.DatabaseError as exc:
            raise BadRequest(f"{self.path}: not a usable sinmun database ({exc})") from None
        self.attach(self.db)

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise Conflict(f"{self.path} was written by a newer sinmun (schema {version}); upgrade sinmun to read it")
        while version < len(MIGRATIONS):
            # One transaction per step: a crash leaves the file at the last whole version.
            # The version is read again inside it: another process may have migrated meanwhile.
            with self.transaction():
                version = self.db.execute("PRAGMA user_version").fetchone()[0]
                if version < len(MIGRATIONS):
                    for statement in _statements(MIGRATIONS[version]):
                        self.db.execute(statement)
                    version += 1
                    self.db.execute(f"PRAGMA user_version = {version}")

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def latest_schema(self) -> int:
        return len(MIGRATIONS)

    @property
    def engine(self) -> str:
        return f"SQLite {sqlite3.sqlite_version}"

    def size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def integrity(self) -> list[str]:
        return [r[0] for r in self.db.execute("PRAGMA integrity_check") if r[0] != "ok"]

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def backup(self, dest: Path) -> None:
        """A consistent copy of the database at `dest`, made while others read and write
        (SQLite's online backup: it restarts by itself if a writer changes a copied page)."""
        target = sqlite3.connect(dest)
        try:
            self.db.backup(target)
        finally:
            target.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: committed when the block ends, rolled back if it
        raises. Inside a caller's transaction it simply joins it."""
        if self.db.in_transaction:
            yield
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise Busy(f"{self.path} is locked by another writer ({exc}); try again") from None
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """A migration's statements one by one (`executescript` would commit the open transaction)."""
    statements, current = [], ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" ;\n"):
                statements.append(current.strip())
            current = ""
    return statements
