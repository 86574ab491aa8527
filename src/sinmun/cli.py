"""The `sinmun` command: a thin shell over `sinmun.archive`.

Every read command takes `--json`. Errors are one line on stderr and a
non-zero exit, never a traceback (SINMUN_DEBUG=1 shows it for bug reports).
`show`, `list` and `stats` never load Kiwi.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from functools import wraps
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .archive import Archive
from .articles import parse_published
from .ingest import FORMATS
from .errors import SinmunError

# Kept here, not imported from search: `list` and `show` must not load Tantivy.
MAX_RESULT_WINDOW = 10_000

app = typer.Typer(
    help="sinmun (신문): archive and Korean-aware search for news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    Path, typer.Option("--db", envvar="SINMUN_DB", help="SQLite file (default $SINMUN_DB, else ./sinmun.db).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
DEFAULT_DB = Path("sinmun.db")
RESCAN_MS = 5000


class UserError(SinmunError):
    """A problem the user can fix; printed as one line."""


def friendly(func):
    """Turn every failure into one line on stderr and exit code 1."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except (SinmunError, OSError) as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130)
        except Exception as exc:  # a bug: still one line, with a way to get more
            if os.environ.get("SINMUN_DEBUG"):
                raise
            err.print(f"[red]error:[/red] internal error: {type(exc).__name__}: {escape(str(exc))} "
                      "(run with SINMUN_DEBUG=1 for details)")
        raise typer.Exit(1)

    return wrapper


def emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def marked(snippet: str) -> Text:
    """An HTML snippet with <mark> as terminal text with the matches in bold."""
    text = Text()
    for i, piece in enumerate(re.split(r"</?mark>", snippet)):
        text.append(html.unescape(piece), style="bold yellow" if i % 2 else "")
    return text


def open_archive(db: Path) -> Archive:
    return Archive(db, create=False)


@app.command()
@friendly
def ingest(
    targets: Annotated[list[str], typer.Argument(metavar="PATH...", help="Files, folders or feed URLs to read.")],
    db: DbOption = DEFAULT_DB,
    format: Annotated[Optional[str], typer.Option(help=f"Input format ({', '.join(FORMATS)}); default: detect.")] = None,
    published: Annotated[Optional[str], typer.Option(help="Publication date for articles that carry none.")] = None,
) -> None:
    """Read articles from list pages, JSON Lines, HTML pages and RSS/Atom feeds into the archive.

    Inputs that cannot be read are quarantined beside the db and reported; the
    rest is stored. The exit code is 1 when anything was quarantined.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    if format and format not in FORMATS:
        raise UserError(f"unknown format {format!r} (known: {', '.join(FORMATS)})")
    if published:
        try:
            parse_published(published)
        except ValueError as exc:
            raise UserError(f"--published: {exc}") from None
    from .archive import expand_targets, is_url

    missing = [t for t in targets if not is_url(t) and not Path(t).exists()]
    if missing:
        raise UserError(f"no such file: {', '.join(missing)}")
    files = expand_targets(targets)
    archive = Archive(db, create=True)
    progress = Progress(
        TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
        console=err, transient=True, disable=not err.is_terminal,
    )
    with progress:
        reading = progress.add_task("read", total=len(files), rate="files")
        indexing = progress.add_task("analyse", total=None, rate="", visible=False)

        def indexed(done: int, total: int) -> None:
            elapsed = progress.tasks[indexing].elapsed or 0
            progress.update(indexing, completed=done, total=total, visible=True,
                            rate=f"{done / elapsed:,.0f} articles/s" if elapsed else "")

        report = archive.ingest(files, format=format, published=published,
                                on_file=lambda target, batch: progress.advance(reading), on_index=indexed)
    for problem in report.problems:
        err.print(f"[red]error:[/red] {escape(str(problem))}")
    out.print(report.summary())
    archive.close()
    if report.problems:
        raise typer.Exit(1)


@app.command()
@friendly
def search(
    query: Annotated[str, typer.Argument(help='Words, "a phrase", -excluded.')],
    db: DbOption = DEFAULT_DB,
    section: Annotated[Optional[str], typer.Option(help="Only this section.")] = None,
    series: Annotated[Optional[str], typer.Option(help="Only this series (column).")] = None,
    since: Annotated[Optional[str], typer.Option(help="Published on or after (YYYY[-MM[-DD]]).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Published on or before (YYYY[-MM[-DD]]).")] = None,
    sort: Annotated[str, typer.Option(help="relevance or date.")] = "relevance",
    limit: Annotated[int, typer.Option(help="Results per page.")] = 10,
    offset: Annotated[int, typer.Option(help="Results to skip.")] = 0,
    include_duplicates: Annotated[bool, typer.Option(help="Also show near-duplicate copies.")] = False,
    entity: Annotated[Optional[str], typer.Option(help="Only articles naming this entity.")] = None,
    mode: Annotated[str, typer.Option(help="hybrid (words and meaning), keyword or semantic.")] = "hybrid",
    expand: Annotated[bool, typer.Option(help="Also search related words (거품 -> 버블).")] = True,
    correct: Annotated[bool, typer.Option(help="Search a corrected spelling when nothing matches.")] = True,
    facets: Annotated[bool, typer.Option(help="Count results by section, series, year and entity.")] = False,
    json_: JsonOption = False,
) -> None:
    """Search the archive: Korean-aware words (particles, spacing, English and hanja
    names, typos, related words) fused with search by meaning."""
    from .search import SearchRequest

    archive = open_archive(db)
    results = archive.search(SearchRequest(q=query, section=section, series=series, since=since,
                                           until=until, sort=sort, limit=limit, offset=offset,
                                           include_duplicates=include_duplicates, entity=entity, mode=mode,
                                           expand=expand, correct=correct, facets=facets))
    if json_:
        emit_json(results.to_dict())
        return
    if results.corrected_from:
        out.print(f"showing results for {results.query!r} (no match for {results.corrected_from!r})", style="yellow")
    if results.suggestion:
        out.print(f"did you mean {results.suggestion!r}?", style="yellow")
    if results.expansions:
        out.print("also searched: " + ", ".join(f"{a} → {b}" for a, b in results.expansions), style="dim")
    if results.related_words:
        out.print("related words: " + ", ".join(f"{a} → {b}" for a, b in results.related_words), style="dim")
    out.print(f"{results.total} result{'s' if results.total != 1 else ''} for {results.query!r} ({results.mode})"
              + (" (some match only part of the query)" if results.partial else ""))
    for name, values in results.facets.items():
        out.print(f"  {name}: " + ", ".join(f"{v['value']} ({v['count']})" for v in values), style="dim")
    for rank, hit in enumerate(results.hits, start=offset + 1):
        line = Text(f"{rank:>3}. ")
        if hit.series:
            line.append(f"[{hit.series}{f'({hit.episode})' if hit.episode else ''}] ", style="cyan")
        line.append(hit.title, style="bold")
        line.append(f"  {hit.section or ''} {hit.published or ''} {hit.id}", style="dim")
        if hit.found_by == ["meaning"]:
            line.append("  (by meaning)", style="dim")
        out.print(line)
        out.print(Text("     ") + marked(hit.snippet))


def _print_article(article) -> None:
    out.print(Text(article.headline, style="bold"))
    meta = [article.section, article.published, f"{article.series} {article.episode or ''}".strip() if article.series else None,
            article.id, article.source]
    out.print(" · ".join(m for m in meta if m), style="dim")
    out.print()
    out.print(article.body)
    for label, value in (("Key Insights", article.key_insights), ("Summary", article.summary),
                         ("미니 해설", article.explainer)):
        if value:
            out.print(Panel(value, title=label, title_align="left"))


@app.command()
@friendly
def show(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Article id (or a unique prefix of 6+ characters).")],
    db: DbOption = DEFAULT_DB,
    revisions: Annotated[bool, typer.Option("--revisions", help="List the earlier versions of the article.")] = False,
    json_: JsonOption = False,
) -> None:
    """Print one article with all its fields (or its earlier revisions)."""
    archive = open_archive(db)
    article = archive.get(article_id)
    if article is None:
        raise UserError(f"no article with id {article_id!r} in {db}")
    if revisions:
        earlier = archive.store.revisions(article.id)
        if json_:
            emit_json({"id": article.id, "revisions": earlier})
            return
        for rev in earlier:
            out.print(f"rev {rev['rev']}  replaced {rev['replaced_at']}  {rev['headline']}  ({len(rev['body'])} chars)")
        out.print(f"current  {article.ingested_at}  {article.headline}  ({len(article.body)} chars)")
        return
    if json_:
        emit_json(archive.article_json(article))
    else:
        _print_article(article)


@app.command()
@friendly
def trends(
    terms: Annotated[list[str], typer.Argument(metavar="TERM...", help="Terms or queries to count over time.")],
    db: DbOption = DEFAULT_DB,
    interval: Annotated[str, typer.Option(help="day, week or month.")] = "month",
    json_: JsonOption = False,
) -> None:
    """Articles per day, week or month for each term (only dated articles count)."""
    archive = open_archive(db)
    data = archive.trends(terms, interval)
    if json_:
        emit_json(data)
        return
    table = Table(box=None, header_style="dim")
    table.add_column(interval)
    for t in data["terms"]:
        table.add_column(t["term"], justify="right")
    for b in data["buckets"]:
        table.add_row(b, *[str(t["counts"].get(b, 0)) for t in data["terms"]])
    out.print(table)
    for t in data["terms"]:
        out.print(f"{t['term']}: {t['total']} articles, {t['dated']} dated", style="dim")


@app.command()
@friendly
def stories(
    db: DbOption = DEFAULT_DB,
    limit: Annotated[int, typer.Option(help="Stories to show.")] = 10,
    min_size: Annotated[int, typer.Option(help="Only stories of at least this many articles.")] = 2,
    json_: JsonOption = False,
) -> None:
    """Continuing stories, largest first, each with its articles in time order."""
    if not 1 <= min_size <= MAX_RESULT_WINDOW or not 1 <= limit <= MAX_RESULT_WINDOW:
        raise UserError(f"--min-size and --limit must be between 1 and {MAX_RESULT_WINDOW}")
    archive = open_archive(db)
    total, found = archive.store.stories(limit=limit, min_size=min_size)
    full = [archive.story_json(s["id"]) for s in found]
    if json_:
        emit_json({"total": total, "stories": full})
        return
    for story in full:
        out.print(Text(f"{story['id']}  {story['size']} articles  ", style="dim") + Text(story["title"], style="bold"))
        for item in story["timeline"]:
            out.print(f"    {item['published'] or '':<10}  {item['title']}")
    out.print(f"{len(full)} of {total} stories with {min_size}+ articles", style="dim")


@app.command()
@friendly
def summarize(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Article id (or a unique prefix).")],
    db: DbOption = DEFAULT_DB,
    json_: JsonOption = False,
) -> None:
    """Three central sentences of an article's body (extractive, TextRank)."""
    archive = open_archive(db)
    article = archive.get(article_id)
    if article is None:
        raise UserError(f"no article with id {article_id!r} in {db}")
    summary = archive.summary(article)
    if json_:
        emit_json(summary.to_dict())
    else:
        for sentence in summary.sentences:
            out.print(f"· {sentence}")


def _listing(article) -> dict:
    return {k: getattr(article, k) for k in ("id", "title", "series", "episode", "section", "published")}


@app.command("list")
@friendly
def list_(
    db: DbOption = DEFAULT_DB,
    section: Annotated[Optional[str], typer.Option(help="Only this section.")] = None,
    series: Annotated[Optional[str], typer.Option(help="Only this series, in episode order.")] = None,
    limit: Annotated[int, typer.Option(help="Articles per page.")] = 20,
    offset: Annotated[int, typer.Option(help="Articles to skip.")] = 0,
    json_: JsonOption = False,
) -> None:
    """List articles, newest first."""
    if limit < 1 or offset < 0:
        raise UserError("--limit must be 1 or more and --offset 0 or more")
    if offset + limit > MAX_RESULT_WINDOW:
        raise UserError(f"--offset + --limit must be at most {MAX_RESULT_WINDOW}")
    archive = open_archive(db)
    total, articles = archive.store.list(section=section, series=series, limit=limit, offset=offset)
    if json_:
        emit_json({"total": total, "articles": [_listing(a) for a in articles]})
        return
    table = Table(box=None, show_header=True, header_style="dim")
    for column in ("id", "section", "published", "title"):
        table.add_column(column, overflow="fold" if column == "title" else "ellipsis", no_wrap=column != "title")
    for a in articles:
        table.add_row(a.id, a.section or "", a.published or "", a.headline)
    out.print(table)
    out.print(f"{len(articles)} of {total}", style="dim")


@app.command()
@friendly
def reindex(db: DbOption = DEFAULT_DB) -> None:
    """Rebuild the search index from the store."""
    archive = open_archive(db)
    count = archive.reindex()
    out.print(f"indexed {count} articles into {archive.index.path}")


@app.command()
@friendly
def stats(db: DbOption = DEFAULT_DB, json_: JsonOption = False) -> None:
    """Counts by section and series, dates, size."""
    archive = open_archive(db)
    data = archive.store.stats()
    if json_:
        emit_json(data)
        return
    for key, value in data.items():
        if isinstance(value, dict):
            out.print(f"{key}:")
            for name, count in value.items():
                out.print(f"  {name}: {count}")
        else:
            out.print(f"{key}: {value}")


@app.command()
@friendly
def train(db: DbOption = DEFAULT_DB, json_: JsonOption = False) -> None:
    """Recount the archive's word statistics and re-embed every article for search by meaning
    (also done on its own each time the archive doubles)."""
    import time

    archive = open_archive(db)
    started = time.perf_counter()
    report = archive.train()
    report["seconds"] = round(time.perf_counter() - started, 2)
    if json_:
        emit_json(report)
        return
    out.print(f"embedded {report['articles']} articles over {report['morphemes']} morphemes "
              f"in {report['seconds']} s (generation {report['generation']})")


@app.command("eval")
@friendly
def eval_(
    qrels: Annotated[Path, typer.Argument(help="Judgements, JSON Lines: {query, kind, relevant: {id: grade}}.")],
    db: DbOption = DEFAULT_DB,
    mode: Annotated[str, typer.Option(help="Configuration: plain, keyword, semantic or hybrid.")] = "hybrid",
    baseline: Annotated[Optional[str], typer.Option(help="A second configuration to compare with.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One line per query.")] = False,
    json_: JsonOption = False,
) -> None:
    """Measure search on judged queries: nDCG@10, MRR@10, Recall@10/100, zero-hit queries."""
    from .evaluate import load_qrels, run, summarize, unknown_ids

    judgements = load_qrels(qrels)
    archive = open_archive(db)
    missing = unknown_ids(archive, judgements)
    if missing:
        err.print(f"[yellow]warning:[/yellow] {len(missing)} judged articles are not in {db}, e.g. {missing[:3]}")
    configs = [mode] + ([baseline] if baseline and baseline != mode else [])
    results = {c: run(archive, judgements, c) for c in configs}
    summaries = {c: summarize(r) for c, r in results.items()}
    if json_:
        emit_json({"qrels": str(qrels), "summary": summaries,
                   "queries": {c: [{k: v for k, v in r.__dict__.items()} for r in rs] for c, rs in results.items()}})
        return
    if verbose:
        for c, rs in results.items():
            out.print(f"[bold]{c}[/bold]")
            for r in rs:
                out.print(f"  {r.id:<10} {r.kind:<10} nDCG {r.ndcg10:.2f} MRR {r.mrr10:.2f} R@10 {r.recall10:.2f}  {r.query}")
    # One row per kind and configuration, and the difference when comparing:
    # narrow enough for an 80-column terminal or a pipe.
    table = Table(title=f"{qrels.name}: {len(judgements)} queries")
    for name in ("kind", "n", "config", "nDCG@10", "MRR@10", "R@10", "R@100", "zero"):
        table.add_column(name, justify="left" if name in ("kind", "config") else "right")
    metrics = ("ndcg@10", "mrr@10", "recall@10", "recall@100", "zero_hits")
    for kind, first in summaries[configs[0]].items():
        for i, c in enumerate(configs):
            s = summaries[c][kind]
            table.add_row(kind if i == 0 else "", str(first["queries"]) if i == 0 else "", c,
                          *[f"{s[m]:.3f}" for m in metrics[:4]], str(s["zero_hits"]))
        if len(configs) > 1:
            a, b = summaries[configs[0]][kind], summaries[configs[1]][kind]
            table.add_row("", "", "[dim]difference[/dim]", *[f"{a[m] - b[m]:+.3f}" for m in metrics[:4]],
                          f"{a['zero_hits'] - b['zero_hits']:+d}", end_section=True)
    out.print(table)


@app.command()
@friendly
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the reading site and the JSON API."""
    import uvicorn

    from .web import create_app

    archive = open_archive(db)
    # Load Kiwi and catch the index up now, so the first search is not the slow one.
    indexed = archive.sync()
    if indexed:
        err.print(f"indexed {indexed} articles")
    err.print(f"serving {db} on http://{host}:{port}")
    uvicorn.run(create_app(archive), host=host, port=port, log_level="warning")


@app.command()
@friendly
def check(db: DbOption = DEFAULT_DB, json_: JsonOption = False) -> None:
    """Verify the store and that the index holds exactly its articles; exit 1 if not."""
    archive = open_archive(db)
    report = archive.check()
    if json_:
        emit_json(report)
    else:
        out.print(f"{report['articles']} articles stored, {report['indexed']} indexed, "
                  f"{report['quarantined']} quarantined")
        for problem in report["problems"]:
            err.print(f"[red]problem:[/red] {escape(problem)}")
        out.print("store and index agree" if report["ok"] else f"{len(report['problems'])} problems")
    if not report["ok"]:
        raise typer.Exit(1)


quarantine_app = typer.Typer(help="Inputs that could not be read: list them, or try them again.", no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine")


@quarantine_app.command("list")
@friendly
def quarantine_list(db: DbOption = DEFAULT_DB, json_: JsonOption = False) -> None:
    """What is in quarantine, and why."""
    archive = open_archive(db)
    entries = archive.quarantine.entries()
    if json_:
        emit_json({"path": str(archive.quarantine.path), "entries": [e.to_dict() for e in entries]})
        return
    for e in entries:
        where = f"{e.source}:{e.line}" if e.line else e.source
        out.print(f"{e.name}  {where}: {e.reason}")
    out.print(f"{len(entries)} in {archive.quarantine.path}", style="dim")


@quarantine_app.command("retry")
@friendly
def quarantine_retry(db: DbOption = DEFAULT_DB) -> None:
    """Read every quarantined input again; those that now ingest leave quarantine."""
    archive = open_archive(db)
    report, still = archive.retry_quarantined()
    out.print(f"{report.read} articles: {report.new} new, {report.unchanged} unchanged; "
              f"{len(still)} still quarantined")
    if still:
        raise typer.Exit(1)


@app.command()
@friendly
def watch(
    folder: Annotated[Path, typer.Argument(help="Folder to watch (recursively).")],
    db: DbOption = DEFAULT_DB,
    format: Annotated[Optional[str], typer.Option(help="Input format; default: detect.")] = None,
    debounce: Annotated[int, typer.Option(help="Milliseconds of quiet before a change is read.")] = 1000,
) -> None:
    """Ingest the folder's files, then every new or changed file as it appears, until stopped."""
    import signal
    import threading

    import watchfiles

    if not folder.is_dir():
        raise UserError(f"not a folder: {folder}")
    archive = Archive(db, create=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def run(paths: list[Path]) -> None:
        report = archive.ingest_changed(paths, format=format)
        if report is None:
            return
        for problem in report.problems:
            err.print(f"[red]error:[/red] {escape(str(problem))}")
        out.print(report.summary())

    run([folder])
    err.print(f"watching {folder} (Ctrl-C to stop)")
    try:
        # Each change, and every few quiet seconds, rescans the folder against the
        # files already read: a change made before the watcher started is not missed.
        for _ in watchfiles.watch(folder, debounce=debounce, stop_event=stop, raise_interrupt=False,
                                  rust_timeout=RESCAN_MS, yield_on_timeout=True):
            run([folder])
    finally:
        archive.close()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
