"""Readers: one module per input format, each turning a file into articles.

`read_path` is the single entry point. It never raises on bad input: whatever
cannot become an article is returned as a `Problem` naming the file and line,
and every good record of the same file is still returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..articles import Article
from . import jsonl, listpage

READERS = {"listpage": listpage.read, "jsonl": jsonl.read}
FORMATS = tuple(READERS)


@dataclass
class Problem:
    """An input that could not become an article."""

    source: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"


@dataclass
class Batch:
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class UnknownFormat(ValueError):
    pass


def detect_format(text: str) -> str:
    """Guess the format from the content: JSON objects per line, or a list-page dump."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("{"):
            return "jsonl"
        return "listpage"
    raise UnknownFormat("empty file")


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), else CP949 (EUC-KR's superset)."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8", data, 0, 1, "neither UTF-8 nor CP949 text")


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given; folders recursively, in a stable order, hidden files skipped."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            files.append(path)
    return files


def read_path(path: Path, format: str | None = None, published: str | None = None) -> Batch:
    """Read one file into articles and problems. Never raises for bad content."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Batch(problems=[Problem(source, None, f"cannot read: {exc.strerror or exc}")])
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Batch(problems=[Problem(source, None, "binary file, not text")])
    try:
        text, _encoding = decode(data)
    except UnicodeDecodeError:
        return Batch(problems=[Problem(source, None, "not text in UTF-8 or CP949/EUC-KR")])
    try:
        fmt = format or detect_format(text)
    except UnknownFormat as exc:
        return Batch(problems=[Problem(source, None, str(exc))])
    if fmt not in READERS:
        return Batch(problems=[Problem(source, None, f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")])
    batch = Batch()
    for item in READERS[fmt](text, source):
        if isinstance(item, Article):
            item.format = fmt
            if published and not item.published:
                item.published = published
            batch.articles.append(item)
        else:
            line, reason = item
            batch.problems.append(Problem(source, line, reason))
    if not batch.articles and not batch.problems:
        batch.problems.append(Problem(source, None, f"no articles found (read as {fmt})"))
    return batch
