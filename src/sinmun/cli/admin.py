"""Commands that change the archive or run it: ingest, watch, quarantine, reindex, train, check, serve."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..articles import parse_published
from ..errors import BadRequest, NotFound, SinmunError
from ..ingest import FORMATS
from ..service import maintenance
from . import app
from .common import DEFAULT_DB, DbOption, JsonOption, emit, err, friendly, open_archive, out

RESCAN_MS = 5000
ProgressOption = Annotated[str | None, typer.Option(
    help="'jsonl': one JSON line on stderr per stored file and per indexed batch (for scripts).")]


def _report_problems(report) -> None:
    for problem in report.problems:
        err.print(f"[red]error:[/red] {escape(str(problem))}")


@app.command()
@friendly
def ingest(
    targets: Annotated[list[str], typer.Argument(metavar="PATH...", help="Files, folders or feed URLs to read.")],
    db: DbOption = DEFAULT_DB,
    format: Annotated[str | None, typer.Option(help=f"Input format ({', '.join(FORMATS)}); default: detect.")] = None,
    published: Annotated[str | None, typer.Option(help="Publication date for articles that carry none.")] = None,
    progress: ProgressOption = None,
    ray: Annotated[str | None, typer.Option(
        help="Read and analyse on a Ray cluster: its address, 'auto' (the one `ray start` made here) "
             "or 'local' (start one); this process stores.")] = None,
) -> None:
    """Read articles from list pages, JSON Lines, HTML pages and RSS/Atom feeds into the archive.

    Inputs that cannot be read are quarantined beside the db and reported; the
    rest is stored. Exit code 1: something was quarantined; 75: stored, but
    another process holds the index (it indexes them).
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    from ..ingest.fetch import is_url
    from ..service.ingest import expand_targets
    from ..service.ingest import ingest as ingest_files

    if format and format not in FORMATS:
        raise BadRequest(f"unknown format {format!r} (known: {', '.join(FORMATS)})")
    if progress not in (None, "jsonl"):
        raise BadRequest("--progress takes 'jsonl'")
    if published:
        try:
            parse_published(published)
        except ValueError as exc:
            raise BadRequest(f"--published: {exc}") from None
    missing = [t for t in targets if not is_url(t) and not Path(t).exists()]
    if missing:
        raise NotFound(f"no such file: {', '.join(missing)}")
    files = expand_targets(list(targets))
    archive = open_archive(db, create=True)
    bar = Progress(
        TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
        console=err, transient=True, disable=not err.is_terminal or progress is not None,
    )
    stored = 0

    def stored_file(target: str, batch, result) -> None:
        nonlocal stored
        stored += len(result.new)
        bar.advance(reading)
        if progress:
            _event(stage="stored", file=target, articles=stored)

    def indexed(done: int, total: int) -> None:
        elapsed = bar.tasks[indexing].elapsed or 0
        bar.update(indexing, completed=done, total=total, visible=True,
                   rate=f"{done / elapsed:,.0f} articles/s" if elapsed else "")
        if progress:
            _event(stage="indexed", done=done, total=total)

    with bar:
        reading = bar.add_task("read", total=len(files), rate="files")
        indexing = bar.add_task("analyse", total=None, rate="", visible=False)
        report = ingest_files(archive, files, format=format, published=published, on_file=stored_file,
                              on_index=indexed, actor=f"cli:{getpass.getuser()}", ray=ray)
    _report_problems(report)
    out.print(report.summary())
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def _event(**fields: object) -> None:
    sys.stderr.write(json.dumps(fields, ensure_ascii=False) + "\n")
    sys.stderr.flush()


@app.command()
@friendly
def reindex(db: DbOption = DEFAULT_DB) -> None:
    """Rebuild the search index and every derived table (entities, stories, vectors) from the store."""
    archive = open_archive(db)
    count = maintenance.reindex(archive)
    out.print(f"indexed {count} articles into {archive.index.path}")


@app.command()
@friendly
def train(db: DbOption = DEFAULT_DB, json_: JsonOption = False) -> None:
    """Recount the archive's word statistics and re-embed every article for search by meaning
    (also done on its own each time the archive doubles)."""
    report = maintenance.train(open_archive(db))
    if json_:
        emit(report)
        return
    out.print(f"embedded {report.articles} articles over {report.morphemes} morphemes "
              f"in {report.seconds} s (generation {report.generation})")


@app.command()
@friendly
def check(db: DbOption = DEFAULT_DB, json_: JsonOption = False) -> None:
    """Verify the store, that every consumer of the change log has read all of it, and that
    the index holds exactly the stored articles; exit 1 if not."""
    report = maintenance.check(open_archive(db))
    if json_:
        emit(report)
    else:
        out.print(f"{report.articles} articles stored, {report.indexed} indexed, "
                  f"{report.quarantined} quarantined; change log at {report.changes}")
        for problem in report.problems:
            err.print(f"[red]problem:[/red] {escape(problem)}")
        out.print("store and index agree" if report.ok else f"{len(report.problems)} problems")
    if not report.ok:
        raise typer.Exit(SinmunError.exit_code)


@app.command()
@friendly
def doctor(db: DbOption = DEFAULT_DB, json_: JsonOption = False) -> None:
    """Check a deployment quickly: the store answers and its schema is current, where every
    index stands in the change log, Kiwi and its model, this process's files; exit 1 on a failure."""
    report = maintenance.doctor(open_archive(db))
    if json_:
        emit(report)
    else:
        marks = {"ok": "[green]ok[/green]  ", "warn": "[yellow]warn[/yellow]", "fail": "[red]fail[/red]"}
        for c in report.checks:
            out.print(f"{marks[c.level]}  {c.name}: {escape(c.detail)}")
    if not report.ok:
        raise typer.Exit(SinmunError.exit_code)


@app.command()
@friendly
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int | None, typer.Option(
        help="Server processes (default: one per core, at most 4).")] = None,
    threads: Annotated[int, typer.Option(help="Requests each process answers at once.")] = 2,
    private: Annotated[bool, typer.Option("--private", help="Reads need a `read` token too.")] = False,
    search_rate: Annotated[float, typer.Option(
        help="Searches a second per address, bursts of twice that (0: no limit).")] = 20.0,
    write_rate: Annotated[float, typer.Option(
        help="Writes a second per token, bursts of twice that (0: no limit).")] = 5.0,
) -> None:
    """Serve the reading site and the JSON API (an indexer in the background follows new articles).

    Ready to be exposed (--host 0.0.0.0): writes need tokens (`sinmun token create`), every
    number and size a client sends is bounded, searches and writes are rate-limited, and
    every response carries a strict Content-Security-Policy."""
    import os

    from ..web.server import run

    open_archive(db).close()  # a missing or unusable database is one line here, not a worker's traceback
    count = workers or min(os.cpu_count() or 1, 4)
    err.print(f"serving {db} on http://{host}:{port} ({count} process{'es' if count > 1 else ''}"
              f"{', private' if private else ''})")
    run(db, host=host, port=port, workers=count,
        settings={"private": private, "search_rate": search_rate, "write_rate": write_rate, "threads": threads,
                  "host": host})


@app.command()
@friendly
def backup(
    dest: Annotated[Path, typer.Argument(help="A new folder for the backup.")],
    db: DbOption = DEFAULT_DB,
    json_: JsonOption = False,
) -> None:
    """Copy the archive (store, index, vectors, token key, quarantine) into DEST while it keeps serving."""
    from ..service.backup import backup as make_backup

    report = make_backup(open_archive(db), dest)
    if json_:
        emit(report)
        return
    out.print(f"backed up {report.articles} articles (change log at {report.changes}) into {report.folder}")


@app.command()
@friendly
def restore(
    source: Annotated[Path, typer.Argument(help="A folder made by `sinmun backup`.")],
    db: DbOption = DEFAULT_DB,
    json_: JsonOption = False,
) -> None:
    """Put a backup in place as the archive --db (a new location: nothing is overwritten)."""
    from ..service.backup import restore as put_back

    report = put_back(source, db)
    if json_:
        emit(report)
        return
    out.print(f"restored {report.articles} articles from {source} (backed up {report.made_at}) into {db}")


quarantine_app = typer.Typer(help="Inputs that could not be read: list them, or try them again.", no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine")


@quarantine_app.command("list")
@friendly
def quarantine_list(db: DbOption = DEFAULT_DB, json_: JsonOption = False) -> None:
    """What is in quarantine, and why."""
    archive = open_archive(db)
    entries = archive.quarantine.entries()
    if json_:
        emit({"path": str(archive.quarantine.path), "entries": [e.to_dict() for e in entries]})
        return
    for e in entries:
        where = f"{e.source}:{e.line}" if e.line else e.source
        out.print(f"{e.name}  {where}: {e.reason}")
    out.print(f"{len(entries)} in {archive.quarantine.path}", style="dim")


@quarantine_app.command("retry")
@friendly
def quarantine_retry(db: DbOption = DEFAULT_DB) -> None:
    """Read every quarantined input again; those that now ingest leave quarantine."""
    from ..service.ingest import retry_quarantined

    report, still = retry_quarantined(open_archive(db))
    out.print(f"{report.read} articles: {report.new} new, {report.unchanged} unchanged; "
              f"{len(still)} still quarantined")
    if still:
        raise typer.Exit(1)


@app.command()
@friendly
def watch(
    folder: Annotated[Path, typer.Argument(help="Folder to watch (recursively).")],
    db: DbOption = DEFAULT_DB,
    format: Annotated[str | None, typer.Option(help="Input format; default: detect.")] = None,
    debounce: Annotated[int, typer.Option(help="Milliseconds of quiet before a change is read.")] = 1000,
) -> None:
    """Ingest the folder's files, then every new or changed file as it appears, until stopped."""
    import signal
    import threading

    import watchfiles

    from ..service.ingest import ingest_changed

    if not folder.is_dir():
        raise BadRequest(f"not a folder: {folder}")
    archive = open_archive(db, create=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def run(paths: list[Path]) -> None:
        report = ingest_changed(archive, paths, format=format)
        if report is None:
            return
        _report_problems(report)
        out.print(report.summary())

    run([folder])
    err.print(f"watching {folder} (Ctrl-C to stop)")
    # Each change, and every few quiet seconds, rescans the folder against the
    # files already read: a change made before the watcher started is not missed.
    for _ in watchfiles.watch(folder, debounce=debounce, stop_event=stop, raise_interrupt=False,
                              rust_timeout=RESCAN_MS, yield_on_timeout=True):
        run([folder])
