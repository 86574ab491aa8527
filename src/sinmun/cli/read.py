"""Commands that read the archive: search, show, list, stories, story, summarize, trends, stats, eval.

`show`, `list` and `stats` never load Kiwi or Tantivy (they start in a fraction of a second).
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..service import queries
from ..service.params import ListParams, SearchParams, StoryParams
from . import app
from .common import DEFAULT_DB, DbOption, JsonOption, emit, err, friendly, open_archive, out, with_params


def marked(snippet: str) -> Text:
    """An HTML snippet with <mark> as terminal text with the matches in bold."""
    text = Text()
    for i, piece in enumerate(re.split(r"</?mark>", snippet)):
        text.append(html.unescape(piece), style="bold yellow" if i % 2 else "")
    return text


def _searchable(archive) -> None:
    """The CLI is the operator's own process: let it catch the index up when nobody else is."""
    from ..service.maintenance import catch_up_if_free

    catch_up_if_free(archive)


@app.command()
@friendly
@with_params(SearchParams, q="query")
def search(
    query: Annotated[str, typer.Argument(help='Words, "a phrase", -excluded.')],
    params: SearchParams,
    db: DbOption = DEFAULT_DB,
    json_: JsonOption = False,
    all_: Annotated[bool, typer.Option("--all", help="Every result, not one page (up to 10,000; "
                                       "`sinmun export` for more).")] = False,
) -> None:
    """Search the archive: Korean-aware words (particles, spacing, English and hanja
    names, typos, related words) fused with search by meaning."""
    archive = open_archive(db)
    _searchable(archive)
    results = queries.search_all(archive, params) if all_ else queries.search(archive, params)
    if json_:
        emit(results)
        return
    if results.corrected_from:
        out.print(f"showing results for {results.query!r} (no match for {results.corrected_from!r})", style="yellow")
    if results.suggestion:
        out.print(f"did you mean {results.suggestion!r}?", style="yellow")
    if results.expansions:
        out.print("also searched: " + ", ".join(f"{w.from_} → {w.to}" for w in results.expansions), style="dim")
    if results.related_words:
        out.print("related words: " + ", ".join(f"{w.from_} → {w.to}" for w in results.related_words), style="dim")
    out.print(f"{results.total} result{'s' if results.total != 1 else ''} for {results.query!r} ({results.mode})"
              + (" (some match only part of the query)" if results.partial else ""))
    for name, values in results.facets.items():
        out.print(f"  {name}: " + ", ".join(f"{v.value} ({v.count})" for v in values), style="dim")
    for rank, hit in enumerate(results.hits, start=params.offset + 1):
        line = Text(f"{rank:>3}. ")
        if hit.series:
            line.append(f"[{hit.series}{f'({hit.episode})' if hit.episode else ''}] ", style="cyan")
        line.append(hit.title, style="bold")
        when = f"{hit.published} 이후" if hit.date_precision == "page-order" else hit.published or ""
        line.append(f"  {hit.section or ''} {when} {hit.id}", style="dim")
        if hit.found_by == ["meaning"]:
            line.append("  (by meaning)", style="dim")
        elif hit.matched:
            line.append(f"  matched: {', '.join(hit.matched)}", style="dim")
        out.print(line)
        out.print(Text("     ") + marked(hit.snippet))


@app.command()
@friendly
def show(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Article id (or a unique prefix of 6+ characters).")],
    db: DbOption = DEFAULT_DB,
    revisions: Annotated[bool, typer.Option("--revisions", help="List the earlier versions of the article.")] = False,
    source: Annotated[bool, typer.Option("--source", help="Print the record it was made from, as it arrived.")] = False,
    json_: JsonOption = False,
) -> None:
    """Print one article with all its fields (or its earlier revisions, or its source record)."""
    archive = open_archive(db)
    if source:
        record = queries.source_record(archive, article_id)
        if json_:
            emit(record)
        else:
            # Verbatim (rich would wrap and style it), ending in one newline.
            sys.stdout.write(record.raw if record.raw.endswith("\n") else record.raw + "\n")
        return
    if revisions:
        found = queries.revisions(archive, article_id)
        if json_:
            emit(found)
            return
        current = queries.get_article(archive, article_id)
        for rev in found.revisions:
            out.print(f"rev {rev.rev}  replaced {rev.replaced_at}  {rev.headline}  ({len(rev.body)} chars)")
        out.print(f"current  {current.ingested_at}  {current.headline}  ({len(current.body)} chars)")
        return
    detail = queries.article(archive, article_id)
    if json_:
        emit(detail)
        return
    out.print(Text(detail.headline, style="bold"))
    series = f"{detail.series} {detail.episode or ''}".strip() if detail.series else None
    meta = [detail.section, detail.published, series, detail.id, detail.source]
    out.print(" · ".join(m for m in meta if m), style="dim")
    out.print()
    out.print(detail.body)
    for label, value in (("Key Insights", detail.key_insights), ("Summary", detail.summary),
                         ("미니 해설", detail.explainer)):
        if value:
            out.print(Panel(value, title=label, title_align="left"))


@app.command("list")
@friendly
@with_params(ListParams)
def list_(params: ListParams, db: DbOption = DEFAULT_DB, json_: JsonOption = False) -> None:
    """List articles, newest first."""
    archive = open_archive(db)
    listed = queries.articles(archive, params)
    if json_:
        emit(listed)
        return
    table = Table(box=None, show_header=True, header_style="dim")
    for column in ("id", "section", "published", "title"):
        table.add_column(column, overflow="fold" if column == "title" else "ellipsis", no_wrap=column != "title")
    for a in listed.articles:
        table.add_row(a.id, a.section or "", a.published or "", a.title)
    out.print(table)
    out.print(f"{len(listed.articles)} of {listed.total}", style="dim")


@app.command()
@friendly
@with_params(StoryParams)
def stories(params: StoryParams, db: DbOption = DEFAULT_DB, json_: JsonOption = False) -> None:
    """Continuing stories, largest first (each with its timeline as text; `sinmun story ID` for one)."""
    archive = open_archive(db)
    listed = queries.stories(archive, params)
    if json_:
        emit(listed)
        return
    for summary in listed.stories:
        story = queries.story(archive, summary.id)
        out.print(Text(f"{story.id}  {story.size} articles  ", style="dim") + Text(story.title, style="bold"))
        for item in story.timeline:
            out.print(f"    {item.published or '':<10}  {item.title}")
    out.print(f"{len(listed.stories)} of {listed.total} stories with {params.min_size}+ articles", style="dim")


@app.command()
@friendly
def story(
    story_id: Annotated[str, typer.Argument(metavar="ID", help="Story id (from `sinmun stories`).")],
    db: DbOption = DEFAULT_DB,
    json_: JsonOption = False,
) -> None:
    """One continuing story: its names and the timeline of its articles with the dates they name."""
    found = queries.story(open_archive(db), story_id)
    if json_:
        emit(found)
        return
    out.print(Text(found.title, style="bold"))
    out.print(", ".join(found.entities), style="dim")
    for item in found.timeline:
        dates = " · ".join(f"{e.text} → {e.date}" for e in item.events[:6])
        out.print(f"  {item.published or '':<10}  {item.title}" + (f"  ({dates})" if dates else ""))


@app.command()
@friendly
def summarize(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Article id (or a unique prefix).")],
    db: DbOption = DEFAULT_DB,
    json_: JsonOption = False,
) -> None:
    """Three sentences of an article's body: the lead and the two that matter most (extractive)."""
    result = queries.summary(open_archive(db), article_id)
    if json_:
        emit(result)
        return
    for sentence in result.sentences:
        out.print(f"· {sentence}")


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
    _searchable(archive)
    data = queries.trends(archive, terms, interval)
    if json_:
        emit(data)
        return
    table = Table(box=None, header_style="dim")
    table.add_column(interval)
    for t in data.terms:
        table.add_column(t.term, justify="right")
    for b in data.buckets:
        table.add_row(b, *[str(t.counts.get(b, 0)) for t in data.terms])
    out.print(table)
    for t in data.terms:
        out.print(f"{t.term}: {t.total} articles, {t.dated} dated", style="dim")


@app.command()
@friendly
def stats(db: DbOption = DEFAULT_DB, json_: JsonOption = False) -> None:
    """Counts by section and series, dates, size."""
    data = queries.stats(open_archive(db))
    if json_:
        emit(data)
        return
    for key, value in data.model_dump().items():
        if isinstance(value, dict):
            out.print(f"{key}:")
            for name, count in value.items():
                out.print(f"  {name}: {count}")
        else:
            out.print(f"{key}: {value}")


@app.command("eval")
@friendly
def eval_(
    qrels: Annotated[Path, typer.Argument(help="Judgements, JSON Lines: {query, kind, relevant: {id: grade}}.")],
    db: DbOption = DEFAULT_DB,
    mode: Annotated[str, typer.Option(
        help="plain, keyword, semantic, hybrid, or a BM25 baseline: bm25-kiwi, bm25-bigram.")] = "hybrid",
    baseline: Annotated[str | None, typer.Option(help="A second configuration to compare with.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One line per query.")] = False,
    json_: JsonOption = False,
) -> None:
    """Measure search on judged queries: nDCG@10, MRR@10, Recall@10/100, zero-hit queries."""
    from ..search.evaluate import check_config, load_qrels, run, summarize, unknown_ids

    judgements = load_qrels(qrels)
    configs = [check_config(mode)] + ([check_config(baseline)] if baseline and baseline != mode else [])
    archive = open_archive(db)
    missing = unknown_ids(archive.store, judgements)
    if missing:
        err.print(f"[yellow]warning:[/yellow] {len(missing)} judged articles are not in {db}, e.g. {missing[:3]}")
    _searchable(archive)
    results = {c: run(queries.ranker(archive, c), judgements) for c in configs}
    summaries = {c: summarize(r) for c, r in results.items()}
    if json_:
        emit({"qrels": str(qrels), "summary": summaries,
              "queries": {c: [dict(r.__dict__) for r in rs] for c, rs in results.items()}})
        return
    if verbose:
        for c, rs in results.items():
            out.print(f"[bold]{c}[/bold]")
            for r in rs:
                out.print(f"  {r.id:<10} {r.kind:<10} nDCG {r.ndcg10:.2f} MRR {r.mrr10:.2f} "
                          f"R@10 {r.recall10:.2f}  {r.query}")
    # One row per kind and configuration, and the difference when comparing:
    # narrow enough for an 80-column terminal or a pipe.
    table = Table(title=f"{qrels.name}: {len(judgements)} queries")
    for name in ("kind", "n", "config", "nDCG@10", "MRR@10", "R@10", "R@100", "zero"):
        table.add_column(name, justify="left" if name in ("kind", "config") else "right")
    metrics = ("ndcg@10", "mrr@10", "recall@10", "recall@100")
    for kind, first in summaries[configs[0]].items():
        for i, c in enumerate(configs):
            s = summaries[c][kind]
            table.add_row(kind if i == 0 else "", str(first["queries"]) if i == 0 else "", c,
                          *[f"{s[m]:.3f}" for m in metrics], str(s["zero_hits"]))
        if len(configs) > 1:
            a, b = summaries[configs[0]][kind], summaries[configs[1]][kind]
            table.add_row("", "", "[dim]difference[/dim]", *[f"{a[m] - b[m]:+.3f}" for m in metrics],
                          f"{a['zero_hits'] - b['zero_hits']:+d}", end_section=True)
    out.print(table)
