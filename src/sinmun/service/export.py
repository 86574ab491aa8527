"""Exports: every stored field of every article a search matches, as JSON Lines, CSV or Parquet.

Researchers take their results to a spreadsheet or a notebook (BigKinds users
export up to 20,000 hits to Excel because nothing else reads them). An export
is streamed: the selection is a list of ids (about 70 bytes each), and the
articles are read, written and let go BATCH at a time, so memory does not grow
with the text exported (measured in the README: 100,000 rows).

Without a query the store itself is read (every stored article, indexed or
not); with one, the index finds every article holding all its words, past the
page window a search has.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

from ..articles import ARTICLE_FIELDS
from ..errors import BadRequest
from .archive import Archive
from .params import ExportParams, SearchFilters, SearchParams

BATCH = 1000
# What BigKinds' export gives beside the text: the names an article holds, by kind.
NAME_COLUMNS = {"person": "people", "org": "organizations", "place": "places"}
COLUMNS = (*ARTICLE_FIELDS, "story", *NAME_COLUMNS.values())
MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8",
               "parquet": "application/vnd.apache.parquet"}
# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def selection(archive: Archive, params: ExportParams) -> list[str]:
    """The ids to export, in the order they will be written."""
    if params.q.strip():
        request = SearchParams(**params.model_dump(include=set(SearchFilters.model_fields)))
        ids = archive.searcher().every_match(request)
    else:
        since, until = iso_prefix(params.since), iso_prefix(params.until)
        if since and until and until < since:
            raise BadRequest(f"since {params.since} is after until {params.until}")
        ids = archive.store.articles.select(section=params.section, series=params.series, since=since, until=until,
                                            entity=params.entity, duplicates=params.include_duplicates)
    return ids[:params.max_rows] if params.max_rows else ids


def iso_prefix(day: str | None) -> str | None:
    """'2025-6-7' -> '2025-06-07' (the parameter pattern allows one-digit months and days)."""
    if not day:
        return None
    return "-".join(part.zfill(2) if i else part for i, part in enumerate(day.strip().split("-")))


def records(archive: Archive, ids: list[str]) -> Iterator[list[dict]]:
    """Batches of full records, in the order of `ids`."""
    store = archive.store
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        found = store.articles.get_many(chunk)
        names: dict[str, dict[str, list[str]]] = {}
        for article_id, name, kind in store.entities.names_in(chunk, ()):
            if kind in NAME_COLUMNS:
                names.setdefault(article_id, {}).setdefault(NAME_COLUMNS[kind], []).append(name)
        stories = store.stories.stories_of(chunk)
        batch = []
        for article_id in chunk:
            article = found.get(article_id)
            if article is None:  # removed between the selection and now
                continue
            record = article.to_dict()
            record["story"] = stories.get(article_id)
            for column in NAME_COLUMNS.values():
                record[column] = ",".join(sorted(names.get(article_id, {}).get(column, [])))
            batch.append(record)
        yield batch


class Export:
    """One export: the articles chosen (`rows` of them), written on demand by `chunks()`."""

    def __init__(self, archive: Archive, params: ExportParams) -> None:
        self.archive = archive
        self.format = params.format or "jsonl"
        self.ids = selection(archive, params)
        self.rows = len(self.ids)
        self.media_type = MEDIA_TYPES[self.format]

    def chunks(self) -> Iterator[bytes]:
        """The file as chunks of bytes, one batch of articles at a time."""
        writer = {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet}[self.format]
        return writer(records(self.archive, self.ids))


def _jsonl(batches: Iterator[list[dict]]) -> Iterator[bytes]:
    for batch in batches:
        yield "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in batch).encode("utf-8")


def excel_safe(value: object) -> object:
    """A text cell that would start a formula gets a leading apostrophe (OWASP's advice):
    Excel shows the text, and runs nothing."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv(batches: Iterator[list[dict]]) -> Iterator[bytes]:
    # A BOM, or Excel reads UTF-8 as the system's code page (CP949 on Korean Windows: mojibake).
    yield "\ufeff".encode()
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(COLUMNS)
    for batch in batches:
        for record in batch:
            out.writerow(["" if record[c] is None else excel_safe(record[c]) for c in COLUMNS])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


class _Sink(io.RawIOBase):
    """Where pyarrow writes: bytes held until the next chunk is sent."""

    def __init__(self) -> None:
        self.held = bytearray()
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.held += data
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def take(self) -> bytes:
        data, self.held = bytes(self.held), bytearray()
        return data


def _parquet(batches: Iterator[list[dict]]) -> Iterator[bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"episode": pa.int64(), "position": pa.int64(), "partial": pa.bool_()}
    schema = pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])
    sink = _Sink()
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        for batch in batches:  # one row group a batch
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            yield sink.take()
    yield sink.take()


def file_name(params: ExportParams, today: str) -> str:
    """sinmun-20261130-반도체.csv: the day and the query, for the download."""
    words = re.sub(r"[^\w]+", "_", params.q).strip("_")[:40]
    return f"sinmun-{today}{'-' + words if words else ''}.{params.format or 'jsonl'}"
