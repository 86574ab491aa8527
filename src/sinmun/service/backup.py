"""Backup and restore: the store, its index and vectors, the token key and the quarantine, together.

`backup` copies the index first, holding the index writer (so no commit lands while
its files are copied), then the database with SQLite's online backup. The copied
index can therefore only be behind the copied store, never ahead: after a restore
the follower derives whatever the index lacks. Nothing stops: readers and writers
go on while a backup is made.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pydantic import BaseModel

from .. import __version__
from ..errors import BadRequest, Conflict, NotFound
from ..store import is_postgres, now_iso
from .access import secret_path
from .archive import Archive

MANIFEST = "sinmun-backup.json"


class BackupReport(BaseModel):
    folder: str
    made_at: str
    sinmun: str
    articles: int
    changes: int
    index_position: int
    files: list[str]


def backup(archive: Archive, dest: Path, wait: float = 60.0) -> BackupReport:
    """Copy the archive into the folder `dest` (made; it must not hold a backup already)."""
    dest = Path(dest)
    if (dest / MANIFEST).exists():
        raise Conflict(f"{dest} already holds a backup; choose another folder")
    dest.mkdir(parents=True, exist_ok=True)
    name = archive.db_path.stem
    files = []
    index = archive.index
    with index.writing(wait):
        shutil.copytree(index.path, dest / index.path.name, ignore=shutil.ignore_patterns("*.lock", "*.tmp"))
        position = index.read_meta().seq
    files.append(index.path.name + "/")
    archive.store.backup(dest / archive.db_path.name)
    files.append(archive.db_path.name)
    for extra in (secret_path(archive.db_path), archive.quarantine.path):
        if extra.is_dir():
            shutil.copytree(extra, dest / extra.name)
            files.append(extra.name + "/")
        elif extra.exists():
            shutil.copy2(extra, dest / extra.name)
            files.append(extra.name)
    report = BackupReport(folder=str(dest), made_at=now_iso(), sinmun=__version__,
                          articles=archive.store.articles.count(), changes=archive.store.changes.head(),
                          index_position=position, files=files)
    (dest / MANIFEST).write_text(json.dumps({**report.model_dump(), "db": name}, indent=2), encoding="utf-8")
    return report


def restore(source: Path, db: str | Path) -> BackupReport:
    """Put the backup in `source` in place as the archive `db` (which must not exist yet)."""
    if is_postgres(db):
        raise BadRequest("a PostgreSQL store is restored with pg_restore (from the backup's dump), "
                         "then `sinmun reindex` on each server")
    source, db = Path(source), Path(db)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise NotFound(f"{source} holds no sinmun backup ({MANIFEST} is missing or unreadable)") from None
    if db.exists():
        raise Conflict(f"{db} exists: restore into a new location (or move it away first)")
    name = manifest.pop("db")
    targets = {f"{name}.db": db, f"{name}.index/": db.with_name(db.stem + ".index"),
               f"{name}.secret": db.with_name(db.stem + ".secret"),
               f"{name}.quarantine/": db.with_name(db.stem + ".quarantine")}
    unknown = [f for f in manifest["files"] if f not in targets]
    if unknown:
        raise BadRequest(f"the backup names files sinmun does not know: {unknown}")
    db.parent.mkdir(parents=True, exist_ok=True)
    for item in manifest["files"]:
        src, target = source / item.rstrip("/"), targets[item]
        if target.exists():
            raise Conflict(f"{target} exists: restore into a new location")
        if item.endswith("/"):
            shutil.copytree(src, target)
        else:
            shutil.copy2(src, target)
    return BackupReport.model_validate(manifest)
