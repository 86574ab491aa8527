"""Readers: one module per input format, each turning a file into articles.

`read_path` is the single entry point. It never raises on bad input: whatever
cannot become an article is returned as a `Problem` naming the file and line,
with the offending record, and every good record of the same file is still
returned.
"""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.dates import drop_page_outliers, infer_date, page_order_bounds
from ..articles import Article
from ..errors import BadRequest
from . import feed, html, jsonl, listpage
from .encoding import DecodeError, decode
from .refused import Reader

READERS: dict[str, Reader] = {"listpage": listpage.read, "jsonl": jsonl.read, "html": html.read, "feed": feed.read}
FORMATS = tuple(READERS)
# File names never read when a folder is ingested.
SKIPPED = re.compile(r"(^\.|~$|\.(tmp|part|swp|crdownload)$)")
# Dumps travel gzipped (`.jsonl.gz`): read by their magic number, whatever the name.
GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class Problem:
    """An input that could not become an article."""

    source: str
    line: int | None
    reason: str
    record: str | bytes | None = None  # what could not be read: a line, a card, or the whole file
    format: str | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"


@dataclass
class Batch:
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None
    format: str | None = None


class UnknownFormat(BadRequest):
    """Content that matches no known input format."""


def detect_format(text: str) -> str:
    """Guess the format from the content: markup, JSON objects per line, or a list page."""
    head = text.lstrip("\ufeff \t\r\n")[:2048]
    if not head:
        raise UnknownFormat("empty file")
    lowered = head.lower()
    if lowered.startswith("<"):
        if re.search(r"<(rss|feed|rdf:rdf)[\s>]", lowered):
            return "feed"
        return "html"
    if head.startswith(("{", "[")):
        return "jsonl"
    return "listpage"


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given; folders recursively, in a stable order, hidden and partial files skipped."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and not any(SKIPPED.search(part) for part in p.relative_to(path).parts)
            )
        else:
            files.append(path)
    return files


def finish(article: Article, fmt: str, encoding: str | None, published: str | None = None) -> Article:
    """What every reader's article gets: its format and encoding, and how its date is known
    (the source's own; else the date given for the batch; else the latest the text names)."""
    article.format = fmt
    article.encoding = encoding
    if article.published:
        article.date_precision = "source"
    elif published:
        article.published, article.date_precision = published, "page"
    else:
        inferred = infer_date(article.full_text())
        if inferred:
            article.published, article.date_precision = inferred
    return article


def read_bytes(data: bytes, source: str, format: str | None = None, published: str | None = None) -> Batch:
    """Read one input's bytes into articles and problems. Never raises for bad content."""
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            return Batch(problems=[Problem(source, None, f"not a readable gzip file ({exc})", data)])
    try:
        text, encoding = decode(data)
    except DecodeError as exc:
        return Batch(problems=[Problem(source, None, str(exc), data)])
    try:
        fmt = format or detect_format(text)
    except UnknownFormat as exc:
        return Batch(problems=[Problem(source, None, str(exc), data)], encoding=encoding)
    if fmt not in READERS:
        return Batch(problems=[Problem(source, None, f"unknown format {fmt!r} (known: {', '.join(FORMATS)})", data)])
    batch = Batch(encoding=encoding, format=fmt)
    try:
        items = list(READERS[fmt](text, source))
    except Exception as exc:  # a reader's bug must not lose the batch: the file waits in quarantine
        return Batch(problems=[Problem(source, None, f"could not be read as {fmt} ({type(exc).__name__}: {exc})",
                                       data, fmt)], encoding=encoding, format=fmt)
    for item in items:
        if isinstance(item, Article):
            batch.articles.append(finish(item, fmt, encoding, published))
        else:
            record = item.record if item.record is not None else data
            batch.problems.append(Problem(source, item.line, item.reason, record, fmt))
    dated = [a for a in batch.articles if a.date_precision in ("day", "month")]
    if fmt == "listpage" and dated:
        # One page is one moment: a date far from the page's others is only mentioned.
        for article, keep in zip(dated, drop_page_outliers([a.published or "" for a in dated])):
            if not keep:
                article.published = article.date_precision = None
        # A card between two dated cards of a newest-first page lies between their dates.
        cards = sorted(batch.articles, key=lambda a: a.position or 0)
        for article, bound in zip(cards, page_order_bounds([a.published for a in cards])):
            if bound:
                article.published, article.date_precision = bound, "page-order"
    if not batch.articles and not batch.problems:
        batch.problems.append(Problem(source, None, f"no articles found (read as {fmt})", data, fmt))
    return batch


def read_path(path: Path, format: str | None = None, published: str | None = None) -> Batch:
    """Read one file into articles and problems. Never raises for bad content."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Batch(problems=[Problem(str(path), None, f"cannot read: {exc.strerror or exc}")])
    return read_bytes(data, str(path), format=format, published=published)
