"""Commands that take the archive elsewhere: export (files for a spreadsheet or a notebook), mcp (AI assistants)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import BadRequest
from ..service.params import EXPORT_FORMATS, ExportParams
from . import app
from .common import DEFAULT_DB, DbOption, err, friendly, open_archive, with_params


@app.command()
@friendly
@with_params(ExportParams, q="query")
def export(
    params: ExportParams,
    query: Annotated[str, typer.Argument(help="Words, as for `sinmun search` (none: every article).")] = "",
    db: DbOption = DEFAULT_DB,
    out: Annotated[Path | None, typer.Option("--out", help="Write here (its suffix picks the format when "
                                             "--format is not given); default: standard output.")] = None,
) -> None:
    """Export every article a search matches, with every stored field.

    JSON Lines, CSV for Excel (UTF-8 with a BOM, formulas neutralised) or Parquet;
    streamed, so memory stays flat however many articles match."""
    from ..service.export import Export

    suffix = out.suffix.lstrip(".").lower() if out else ""
    if params.format is None and suffix in EXPORT_FORMATS:
        params = params.model_copy(update={"format": suffix})
    if out is None and params.format == "parquet" and sys.stdout.isatty():
        raise BadRequest("parquet is binary: give --out FILE or redirect the output")
    made = Export(open_archive(db), params)
    if out is not None:
        with out.open("wb") as target:
            for chunk in made.chunks():
                target.write(chunk)
    else:
        binary = getattr(sys.stdout, "buffer", None)  # (none when run in-process with a text stream)
        for chunk in made.chunks():
            if binary is not None:
                binary.write(chunk)
            else:
                sys.stdout.write(chunk.decode("utf-8"))
        (binary or sys.stdout).flush()
    err.print(f"exported {made.rows:,} article{'s' if made.rows != 1 else ''} as {made.format}"
              + (f" to {out}" if out else ""))


@app.command()
@friendly
def mcp(db: DbOption = DEFAULT_DB) -> None:
    """Serve the archive to an AI assistant over MCP (stdio).

    The assistant starts this command. Tools: search, read_article, list_stories,
    read_story, trends, entity_network, export; resources: article://{id}.
    `sinmun serve` answers MCP at /mcp too."""
    from ..assistant import build
    from ..service.maintenance import catch_up_if_free

    archive = open_archive(db)
    catch_up_if_free(archive)  # what was ingested since the last search is searchable
    build(archive).run("stdio")
