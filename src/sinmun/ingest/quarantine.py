"""Quarantine: every input that could not become an article, kept for a later look.

Beside `news.db` lives `news.quarantine/`. Each entry is the offending input (the
whole file, or just the bad line or card) plus a JSON file saying where it came
from and why it was refused. `sinmun quarantine retry` reads the entries again
(after a fix to the input or to sinmun) and removes the ones that now ingest.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from ..store import now_iso
from . import Problem


@dataclass
class Entry:
    name: str  # file name of the quarantined data; the reason file is name + ".json"
    source: str
    line: int | None
    reason: str
    format: str | None
    quarantined_at: str
    bytes: int

    def to_dict(self) -> dict:
        return asdict(self)


def quarantine_dir(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + ".quarantine")


class Quarantine:
    def __init__(self, db_path: Path) -> None:
        self.path = quarantine_dir(Path(db_path))

    def put(self, problem: Problem) -> Entry:
        """Keep the problem's input and reason. Written before anything is reported."""
        self.path.mkdir(parents=True, exist_ok=True)
        record = problem.record
        data = record.encode("utf-8") if isinstance(record, str) else (record or b"")
        stem = re.sub(r"[^\w.-]+", "_", Path(problem.source).name)[:80] or "input"
        suffix = f"-line{problem.line}" if problem.line else ""
        stamp = now_iso().replace(":", "").replace("-", "")[:15]
        n = 0
        while True:
            name = f"{stamp}-{stem}{suffix}" + (f"-{n}" if n else "")
            if not (self.path / name).exists():
                break
            n += 1
        entry = Entry(name=name, source=problem.source, line=problem.line, reason=problem.reason,
                      format=problem.format, quarantined_at=now_iso(), bytes=len(data))
        # Data first, reason last (atomically): an entry with a reason file is complete.
        (self.path / name).write_bytes(data)
        tmp = self.path / f".{name}.json.tmp"
        tmp.write_text(json.dumps(entry.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.path / f"{name}.json")
        return entry

    def entries(self) -> list[Entry]:
        if not self.path.is_dir():
            return []
        found = []
        for reason in sorted(self.path.glob("*.json")):
            try:
                found.append(Entry(**json.loads(reason.read_text(encoding="utf-8"))))
            except (OSError, ValueError, TypeError):
                continue
        return found

    def data_path(self, entry: Entry) -> Path:
        return self.path / entry.name

    def remove(self, entry: Entry) -> None:
        (self.path / f"{entry.name}.json").unlink(missing_ok=True)
        (self.path / entry.name).unlink(missing_ok=True)
