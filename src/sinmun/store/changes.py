"""The change log, and each consumer's position in it.

Every write that changes an article appends a row here in the same transaction.
Both stores run one write transaction at a time (SQLite by `BEGIN IMMEDIATE`,
PostgreSQL by a transaction-scoped advisory lock), so `seq` is handed out in
commit order: a consumer that has read up to N can never later find a change
below N that was committed after it looked.
"""

from __future__ import annotations

from ._sql import Database, now_iso
from .protocol import Change


class SqlChanges:
    """Owner of `changes` and `consumers`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def append(self, article_id: str, kind: str) -> None:
        """Log a change (inside the transaction that made it)."""
        self.db.execute("INSERT INTO changes (article_id, kind, at) VALUES (?, ?, ?)", (article_id, kind, now_iso()))

    def head(self) -> int:
        return self.db.execute("SELECT COALESCE(max(seq), 0) FROM changes").fetchone()[0]

    def since(self, seq: int, limit: int) -> list[Change]:
        rows = self.db.execute("SELECT seq, article_id, kind FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
                               (seq, limit))
        return [Change(*row) for row in rows]

    def count_since(self, seq: int) -> int:
        return self.db.execute("SELECT count(*) FROM changes WHERE seq > ?", (seq,)).fetchone()[0]

    def position(self, consumer: str, analysis: str = "") -> int:
        row = self.db.execute("SELECT seq, analysis FROM consumers WHERE name = ?", (consumer,)).fetchone()
        if row is None or row[1] != analysis:
            return 0
        return row[0]

    def advance(self, consumer: str, seq: int, analysis: str = "") -> None:
        self.db.execute(
            "INSERT INTO consumers VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, "
            "analysis = excluded.analysis", (consumer, seq, analysis))

    def positions(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT name, seq FROM consumers ORDER BY name").fetchall())
