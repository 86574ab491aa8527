"""Who may do what: access tokens (made by the CLI, checked by the web app) and the audit log.

A token is 32 random bytes, shown once when it is made. The store keeps only an
HMAC-SHA256 of it, keyed by a secret kept in a file of its own beside the database
(`news.secret`, readable by its owner only): a copy of the database alone does not
even let anyone test a guessed token. Scopes nest: admin > write > read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path

from pydantic import BaseModel

from ..errors import BadRequest, Conflict, NotFound
from ..store import now_iso
from .archive import Archive

SCOPES = ("read", "write", "admin")
PREFIX = "snm_"
_NAME = re.compile(r"[\w.@-]{1,64}")


class TokenInfo(BaseModel):
    name: str
    scope: str
    created_at: str
    revoked_at: str | None = None


class AuditEntry(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    article_id: str | None
    rev: int | None
    detail: dict | None


class AuditLog(BaseModel):
    total: int
    entries: list[AuditEntry]


def secret_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + ".secret")


def _secret(archive: Archive) -> bytes:
    """The key of the token digests, made on first use (owner-only permissions)."""
    path = secret_path(archive.db_path)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
    return path.read_bytes()


def digest(key: bytes, token: str) -> str:
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def allows(have: str, need: str) -> bool:
    return SCOPES.index(have) >= SCOPES.index(need)


def create_token(archive: Archive, name: str, scope: str, actor: str = "cli") -> str:
    """Make a token; the only time it is ever shown is this return value."""
    if scope not in SCOPES:
        raise BadRequest(f"unknown scope {scope!r} (use {', '.join(SCOPES)})")
    if not _NAME.fullmatch(name):
        raise BadRequest("a token name is 1-64 letters, digits, '.', '@', '_' or '-'")
    token = PREFIX + secrets.token_urlsafe(32)
    store = archive.store
    with store.transaction():
        if any(t["name"] == name for t in store.tokens.all()):
            raise Conflict(f"a token named {name!r} exists (revoke it, or choose another name)")
        store.tokens.add(name, digest(_secret(archive), token), scope, now_iso())
        store.audit.record(now_iso(), actor, "token-create", detail=json.dumps({"name": name, "scope": scope}))
    return token


def tokens(archive: Archive) -> list[TokenInfo]:
    return [TokenInfo.model_validate(t) for t in archive.store.tokens.all()]


def revoke_token(archive: Archive, name: str, actor: str = "cli") -> None:
    store = archive.store
    with store.transaction():
        if not store.tokens.revoke(name, now_iso()):
            raise NotFound(f"no live token named {name!r}")
        store.audit.record(now_iso(), actor, "token-revoke", detail=json.dumps({"name": name}))


def verify(archive: Archive, token: str) -> TokenInfo | None:
    """The live token this is, or None. (The digest is the lookup key: nothing to time.)"""
    if not token.startswith(PREFIX):
        return None
    key = archive.once("token-secret", lambda: _secret(archive))
    found = archive.store.tokens.by_digest(digest(key, token))
    return TokenInfo.model_validate(found) if found else None


def audit(archive: Archive, limit: int = 50, offset: int = 0, article_id: str | None = None) -> AuditLog:
    total, rows = archive.store.audit.entries(limit, offset, article_id)
    return AuditLog(total=total, entries=[
        AuditEntry(**{**row, "detail": json.loads(row["detail"]) if row["detail"] else None}) for row in rows])
