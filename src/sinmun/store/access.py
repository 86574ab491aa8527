"""Access tokens and the audit log."""

from __future__ import annotations

from ._sql import Database


class SqlTokens:
    """Owner of `tokens`: a name, a keyed digest (never the token), a scope, when made and revoked."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, name: str, digest: str, scope: str, created_at: str) -> None:
        self.db.execute("INSERT INTO tokens (name, digest, scope, created_at) VALUES (?, ?, ?, ?)",
                        (name, digest, scope, created_at))

    def by_digest(self, digest: str) -> dict | None:
        row = self.db.execute("SELECT name, scope, created_at FROM tokens WHERE digest = ? AND revoked_at IS NULL",
                              (digest,)).fetchone()
        return dict(row) if row else None

    def all(self) -> list[dict]:
        rows = self.db.execute("SELECT name, scope, created_at, revoked_at FROM tokens ORDER BY created_at, name")
        return [dict(r) for r in rows]

    def revoke(self, name: str, at: str) -> bool:
        return bool(self.db.execute("UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                                    (at, name)).rowcount)


class SqlAudit:
    """Owner of `audit`: one row per write, appended in the write's own transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, at: str, actor: str, action: str, article_id: str | None = None, rev: int | None = None,
               detail: str | None = None) -> int:
        row = self.db.execute(
            "INSERT INTO audit (at, actor, action, article_id, rev, detail) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
            (at, actor, action, article_id, rev, detail)).fetchone()
        return int(row[0])

    def entries(self, limit: int, offset: int, article_id: str | None = None) -> tuple[int, list[dict]]:
        where, params = ("WHERE article_id = ?", [article_id]) if article_id else ("", [])
        total = self.db.execute(f"SELECT count(*) FROM audit {where}", params).fetchone()[0]
        rows = self.db.execute(f"SELECT * FROM audit {where} ORDER BY seq DESC LIMIT ? OFFSET ?",
                               [*params, limit, offset])
        return total, [dict(r) for r in rows]
