"""The PostgreSQL store: one database that several servers (and hosts) share.

The parts are the same classes the SQLite store uses (`articles.py`, `changes.py`, ...);
this module gives them a connection that takes their SQL as written (`?` and `:name`
parameters) and holds what PostgreSQL does differently: the connection, migrations,
transactions and the backup.

Writers are serialised as in SQLite: every write transaction first takes one
transaction-scoped advisory lock. That keeps the change log's promise (seq in commit
order, see `changes.py`) without which a follower could skip a change committed late,
and it makes each derived-table write see the positions the last one left.
"""

from __future__ import annotations

import functools
import glob
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import pq
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ..errors import BadRequest, Busy, Conflict, NotFound
from .parts import StoreParts
from .schema import POSTGRES_MIGRATIONS

WRITER_LOCK = 0x53494E4D  # "SINM": the advisory lock every write transaction holds until it ends
CONNECT_TIMEOUT_S = 10


def printable(url: str) -> str:
    """The address without its password (for messages and `sinmun check`)."""
    return re.sub(r"(//[^:/@]+):[^@/]*@", r"\1:***@", url)


class Row(tuple):
    """A row that answers by position and by column name, like `sqlite3.Row`."""

    _index: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: Any) -> Any:
    names = [c.name for c in cursor.description or ()]
    row = type("Row", (Row,), {"_index": {n: i for i, n in enumerate(names)}})
    return lambda values: row(values)


@functools.lru_cache(maxsize=1024)
def _translate(sql: str, named: bool) -> str:
    """SQLite's parameters in psycopg's words: `?` -> `%s`, `:name` -> `%(name)s`, `%` -> `%%`."""
    sql = sql.replace("%", "%%")
    if named:
        return re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql)
    return sql.replace("?", "%s")


class PostgresConnection:
    """A psycopg connection, as a `sinmun.store._sql.Database`."""

    cross_join = "JOIN"  # PostgreSQL orders joins itself
    json_values = "jsonb_array_elements_text(?::jsonb)"

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = (), /) -> Any:
        if not params:
            return self.conn.execute(sql)  # no parameters: `%` stays itself
        return self.conn.execute(_translate(sql, isinstance(params, dict)), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any:
        cursor = self.conn.cursor()
        rows = list(rows)
        if rows:
            cursor.executemany(_translate(sql, isinstance(rows[0], dict)), rows)
        return cursor

    @property
    def in_transaction(self) -> bool:
        return self.conn.info.transaction_status != pq.TransactionStatus.IDLE


class PostgresStore(StoreParts):
    """An open sinmun store in PostgreSQL (see `sinmun.store.protocol.Store`)."""

    def __init__(self, url: str, create: bool = True) -> None:
        self.url = url
        try:
            conn = self._connect(url, create)
        except psycopg.OperationalError as exc:
            raise Busy(f"{self.location}: cannot reach PostgreSQL ({_first_line(exc)})") from None
        self.db = PostgresConnection(conn)
        try:
            self._migrate(create)
        except psycopg.Error as exc:
            conn.close()
            raise BadRequest(f"{self.location}: not a usable sinmun database ({_first_line(exc)})") from None
        self.attach(self.db)

    @property
    def location(self) -> str:
        return printable(self.url)

    @staticmethod
    def _connect(url: str, create: bool) -> psycopg.Connection:
        def connect(target: str) -> psycopg.Connection:
            return psycopg.connect(target, autocommit=True, row_factory=_row_factory,
                                   connect_timeout=CONNECT_TIMEOUT_S)
        try:
            return connect(url)
        except psycopg.OperationalError as exc:
            dbname = conninfo_to_dict(url).get("dbname")
            if not dbname or "does not exist" not in str(exc):
                raise
            if not create:
                raise NotFound(f"no sinmun database at {printable(url)}: run `sinmun ingest FILE` first, "
                               "or pass --db") from None
        # A new archive in a new database, as a new SQLite file is made by the first ingest.
        with connect(make_conninfo(url, dbname="postgres")) as admin:
            try:
                admin.execute(f'CREATE DATABASE "{dbname}"')
            except psycopg.errors.DuplicateDatabase:
                pass  # another process made it meanwhile
        return connect(url)

    def _migrate(self, create: bool) -> None:
        with self.transaction():  # the writer lock: one process migrates, the others wait and see it done
            exists = self.db.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0]
            if not exists and not create:
                raise NotFound(f"no sinmun database at {self.location}: run `sinmun ingest FILE` first, or pass --db")
            version = self._version() if exists else 0
            if version > len(POSTGRES_MIGRATIONS):
                raise Conflict(f"{self.location} was written by a newer sinmun (schema {version}); upgrade sinmun")
            while version < len(POSTGRES_MIGRATIONS):
                self.db.execute(POSTGRES_MIGRATIONS[version])
                version += 1
                self.db.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) "
                                "DO UPDATE SET value = excluded.value", (str(version),))

    def _version(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    @property
    def schema_version(self) -> int:
        return self._version()

    @property
    def latest_schema(self) -> int:
        return len(POSTGRES_MIGRATIONS)

    @property
    def engine(self) -> str:
        return "PostgreSQL " + self.db.execute("SHOW server_version").fetchone()[0].split()[0]

    def size(self) -> int:
        return int(self.db.execute("SELECT pg_database_size(current_database())").fetchone()[0])

    def integrity(self) -> list[str]:
        # PostgreSQL checks its pages itself (and amcheck is an extension a user may not have);
        # what sinmun can see is whether every article row is readable.
        try:
            self.db.execute("SELECT count(*), sum(length(raw)) FROM articles").fetchone()
        except psycopg.Error as exc:
            return [_first_line(exc)]
        return []

    def backup(self, dest: Path) -> None:
        """A consistent copy made while others work: `pg_dump` in its custom format (`pg_restore` reads it)."""
        dump = shutil.which("pg_dump") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))), None)
        if dump is None:
            raise NotFound("pg_dump is not installed (Debian: apt-get install postgresql-client)")
        ran = subprocess.run([dump, "--format=custom", "--file", str(dest), "--dbname", self.url],
                             capture_output=True, text=True)
        if ran.returncode:
            raise BadRequest(f"pg_dump failed: {ran.stderr.strip().splitlines()[-1]}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.db.in_transaction:
            yield
            return
        with self.db.conn.transaction():
            self.db.execute("SELECT pg_advisory_xact_lock(?)", (WRITER_LOCK,))
            yield

    def close(self) -> None:
        self.db.conn.close()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
