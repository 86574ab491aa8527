"""sinmun at 10k, 100k and 1M generated articles (`make bench-scale`), each size measured in one run.

    python bench/scale.py [--sizes 10000,100000,1000000] [--ingest 10000,100000] [--out bench/out]
    python bench/scale.py --sizes 1000000 --ingest 0 --build-only --resume   # build, over several runs
    python bench/scale.py --sizes 1000000 --fts5-only                         # beside it: the FTS5 side
    python bench/scale.py --sizes 1000000 --ingest 0 --reuse                  # then measure it
    python bench/scale.py --sizes "" --ingest 100000                          # the ingest ratio alone

For each size, an archive of `corpus.py`'s articles (real Korean news text, a long tail of
names) is built through sinmun's own reader, store and follower, with the analysis done
once per distinct sentence (`corpus.Composer`): the store, the index and search are real.
Then, per size:
  - store and index bytes on disk, per article;
  - search through HTTP (`sinmun serve`, one worker) for a fixed mix: one word, a rare
    name, two words, a phrase, a section filter, a date range, date order, a question,
    a facet request: p50/p99 over every request;
  - reader pages through the same server (home, a section, an article, a search page,
    trends): p50/p99;
  - the server's RSS after both (its peak, VmHWM);
  - SQLite FTS5 with the trigram tokenizer over the same articles, in-process: p50/p99
    of the text part of the same mix (filters left out, which favours FTS5).
Ingest throughput against raw Kiwi on the same text is measured apart, at the `--ingest`
sizes (10,000 and 100,000) of the same generator (a real ingest: Kiwi analyses every text).
Prints a Markdown table, writes scale.json and scale.png (cost against size) in --out.
Sizes this run does not measure keep the figures scale.json in --out already has (each
with the commit and day it was measured at): a 1M build outlasts a working session.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import http.client
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))
sys.path.insert(0, str(BENCH))

from bench import percentiles  # noqa: E402
from corpus import Composer, Generator, Names, Pool  # noqa: E402
from sinmun.articles import PARTS  # noqa: E402
from sinmun.ingest import read_bytes  # noqa: E402
from sinmun.service import Archive  # noqa: E402

COMMIT = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                        cwd=BENCH).stdout.strip()
from sinmun.service.maintenance import catch_up  # noqa: E402

SINMUN = Path(sys.executable).parent / "sinmun"
BATCH = 2_000
ROUNDS = 20


def mix(names: Names) -> list[tuple[str, dict]]:
    """The fixed request mix: (kind, search parameters)."""
    return [
        ("one word", {"q": "정부"}),
        ("rare name", {"q": names.people[500]}),  # about 1 article in 7,000 names this one
        ("two words", {"q": "부동산 대책"}),
        ("phrase", {"q": '"기준금리 인상"'}),
        ("section", {"q": "수출", "section": "경제"}),
        ("date range", {"q": "코로나", "since": "2020-01", "until": "2020-12"}),
        ("date order", {"q": "대통령", "sort": "date"}),
        ("question", {"q": "정부가 발표한 부동산 대책은 무엇인가"}),
        ("facets", {"q": "선거", "facets": "true"}),
    ]


def analyse_pool(pool: Pool, work: Path) -> dict[str, list]:
    """Every distinct text's terms, analysed once (kept in `work` for the next run of the same analysis)."""
    import pickle

    from sinmun.analysis.korean import Aliases, Analyzer, fingerprint

    texts = pool.texts()
    cache = work / f"pool-{fingerprint(Aliases.load())}-{len(texts)}.pickle"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    started = time.perf_counter()
    terms = dict(zip(texts, Analyzer.shared().analyze_many(texts), strict=True))
    print(f"analysed {len(texts):,} distinct texts ({sum(map(len, texts)):,} characters) "
          f"in {time.perf_counter() - started:.0f} s", flush=True)
    cache.write_bytes(pickle.dumps(terms, protocol=pickle.HIGHEST_PROTOCOL))
    return terms


def build(n: int, folder: Path, generator: Generator, composer: Composer) -> tuple[Path, Path, float, float]:
    """The archive of n articles, and its articles as JSON Lines (for FTS5); seconds, share of texts prepared.

    Resumable: after each batch, `scale-N.progress` records how many articles are in and the
    seconds spent. A run that finds it (a million articles take hours here) regenerates and
    skips that many recipes (the generator is seeded), cuts the JSON Lines back to them, and
    goes on. A batch that was stored but not recorded is offered again, and comes back unchanged.
    """
    from sinmun.connect.dedupe import NearDuplicates
    from sinmun.ingest.accept import accept

    db, corpus, progress = folder / f"scale-{n}.db", folder / f"scale-{n}.jsonl", folder / f"scale-{n}.progress"
    done, spent, offered, missed = 0, 0.0, 0, 0
    if progress.exists() and db.exists() and corpus.exists():
        done, spent, offered, missed = (json.loads(progress.read_text())[k] for k in
                                        ("articles", "seconds", "offered", "missed"))
        for _ in range(done):
            generator.recipe()
        with corpus.open("r+b") as f:  # keep the first `done` lines
            for _ in range(done):
                f.readline()
            f.truncate()
        print(f"  resuming at {done:,} articles ({spent:.0f} s spent)", flush=True)
    archive = Archive(db, create=True)
    near = NearDuplicates(archive.store)
    started = time.perf_counter() - spent
    with corpus.open("a" if done else "w", encoding="utf-8") as out:
        for first in range(done, n, BATCH):
            recipes = [generator.recipe() for _ in range(min(BATCH, n - first))]
            lines = "".join(json.dumps(generator.record(r), ensure_ascii=False) + "\n" for r in recipes)
            out.write(lines)
            out.flush()
            batch = read_bytes(lines.encode(), f"generated-{first}")
            assert not batch.problems, batch.problems[:1]
            accept(archive.store, batch.articles, near)
            prepared = composer.article_terms(recipes)
            catch_up(archive, prepared=prepared, wait=60)
            texts = [t for a in batch.articles for part in PARTS if (t := getattr(a, part))]
            offered += len(texts)
            missed += sum(t not in prepared for t in texts)  # analysed by the follower itself
            progress.write_text(json.dumps({"articles": first + len(recipes), "offered": offered, "missed": missed,
                                            "seconds": time.perf_counter() - started}))
            if (first // BATCH) % 25 == 0:
                print(f"  {first + len(recipes):,} articles, {time.perf_counter() - started:.0f} s", flush=True)
    seconds = time.perf_counter() - started
    archive.close()
    return db, corpus, seconds, 1 - missed / max(offered, 1)


def du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def serve_and_measure(db: Path, requests: list[tuple[str, dict]]) -> dict:
    from load import free_port

    port = free_port()
    log = (db.parent / f"{db.stem}.serve.log").open("w")
    proc = subprocess.Popen([str(SINMUN), "serve", "--db", str(db), "--port", str(port), "--workers", "1",
                             "--search-rate", "0"], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: see {log.name}")
            time.sleep(0.5)
        # The standard library's client on one kept-alive connection: httpx spent about
        # 1.2 ms of its own on each request (a 404 took 2.3 ms through it, 1.1 ms through this).
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def fetch(path: str) -> bytes:
            client.request("GET", path)
            response = client.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            return body

        def timed(mix: list[tuple[str, str]]) -> tuple[list[float], dict[str, list[float]]]:
            for _, path in mix:  # warm: first touches of the index and the store
                fetch(path)
            samples: list[float] = []
            by_kind: dict[str, list[float]] = {}
            for _ in range(ROUNDS):
                for kind, path in mix:
                    started = time.perf_counter()
                    fetch(path)
                    took = time.perf_counter() - started
                    samples.append(took)
                    by_kind.setdefault(kind, []).append(took)
            return samples, by_kind

        with contextlib.closing(client):
            samples, by_kind = timed([(kind, "/api/search?" + urllib.parse.urlencode(params))
                                      for kind, params in requests])
            article = json.loads(fetch("/api/articles?limit=1"))["articles"][0]["id"]
            page_samples, by_page = timed(reader_pages(article))
        status = Path(f"/proc/{proc.pid}/status").read_text()
        rss = {k: int(v.split()[0]) * 1024 for k, v in (line.split(":", 1) for line in status.splitlines())
               if k in ("VmRSS", "VmHWM")}
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
    p50, p99 = percentiles(samples)
    pages_p50, pages_p99 = percentiles(page_samples)
    return {"p50_ms": p50, "p99_ms": p99, "rss": rss["VmRSS"], "rss_peak": rss["VmHWM"],
            "by_kind_ms": {k: round(statistics.median(v) * 1000, 1) for k, v in by_kind.items()},
            "pages_p50_ms": pages_p50, "pages_p99_ms": pages_p99,
            "by_page_ms": {k: round(statistics.median(v) * 1000, 1) for k, v in by_page.items()}}


def reader_pages(article_id: str) -> list[tuple[str, str]]:
    """What a reader opens, through the same server: the home page, a section, an article, a
    search page, the trends page. Measured after the search mix, while the archive is not changing
    (a page made once per change is then served from memory, as between two ingests)."""
    return [("home", "/"), ("section", "/sections/" + urllib.parse.quote("경제")),
            ("article", f"/articles/{article_id}"), ("search page", "/search?" + urllib.parse.urlencode({"q": "정부"})),
            ("trends", "/trends")]


def fts5_build(corpus: Path) -> tuple[sqlite3.Connection, int]:
    """SQLite FTS5 (trigram) over the corpus's articles, brought up to its last line; the rows it holds.

    Incremental, like the build: the rows are the corpus's lines in order, so a later call
    adds only the lines written since (`--fts5-only` runs it beside a long build; at a
    million articles the trigram index takes about as long as a session's share of the
    build). A resumed build rewrites the lines it cut back byte for byte (the generator is
    seeded), so rows already in for them stay right."""
    db = corpus.with_suffix(".fts5.db")
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(title, summary, body, tokenize='trigram')")
    have = con.execute("SELECT count(*) FROM docs").fetchone()[0]
    with corpus.open(encoding="utf-8") as lines:
        for _ in range(have):
            lines.readline()
        while batch := [line for _, line in zip(range(20_000), lines) if line.endswith("\n")]:
            rows = ((r["title"], r.get("summary", ""), r["body"]) for r in map(json.loads, batch))
            con.executemany("INSERT INTO docs VALUES (?, ?, ?)", rows)
            con.commit()
            have += len(batch)
            print(f"  FTS5 {corpus.name}: {have:,} rows", flush=True)
    return con, have


def fts5(corpus: Path, requests: list[tuple[str, dict]], n: int) -> dict:
    from bench import fts5_latency  # the same trigram equivalent of a query the main bench uses

    db = corpus.with_suffix(".fts5.db")
    con, rows = fts5_build(corpus)
    assert rows == n, f"{db} holds {rows:,} articles, not {n:,}: delete it"
    p50, p99 = fts5_latency(con, ROUNDS, [params["q"] for _, params in requests])
    con.close()
    return {"p50_ms": p50, "p99_ms": p99, "bytes": db.stat().st_size}


def ingest_ratio(n: int, folder: Path, generator: Generator) -> dict:
    """Real ingest (Kiwi on every text) against raw Kiwi on the same texts, same cores."""
    from bench import kiwi_raw, sinmun_ingest

    corpus = folder / f"ingest-{n}.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        for _ in range(n):
            out.write(json.dumps(generator.record(generator.recipe()), ensure_ascii=False) + "\n")
    kiwi_s, chars = kiwi_raw(corpus)
    ingest_s, archive = sinmun_ingest(corpus, folder / f"ingest-{n}.db")
    archive.close()
    return {"articles": n, "chars": chars, "kiwi_chars_s": chars / kiwi_s, "ingest_chars_s": chars / ingest_s,
            "ratio": kiwi_s / ingest_s}


def chart(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["articles"] for r in results]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(sizes, [r["search"]["p50_ms"] for r in results], "o-", label="sinmun p50 (HTTP)")
    left.plot(sizes, [r["search"]["p99_ms"] for r in results], "o-", label="sinmun p99 (HTTP)")
    left.plot(sizes, [r["fts5"]["p99_ms"] for r in results], "s--", label="FTS5 trigram p99 (in-process)")
    left.set(xscale="log", yscale="log", xlabel="articles", ylabel="ms", title="search latency")
    left.legend()
    right.plot(sizes, [r["bytes_per_article"] / 1024 for r in results], "o-", label="store + index")
    right.plot(sizes, [r["search"]["rss_peak"] / 2**30 for r in results], "s-", label="server RSS peak (GiB)")
    right.set(xscale="log", xlabel="articles", ylabel="KiB per article / GiB", title="space")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def sizes_of(text: str) -> list[int]:
    """`--sizes` and `--ingest`: comma-separated article counts; empty or 0 means none."""
    return [n for n in (int(s) for s in text.split(",") if s.strip()) if n]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--ingest", default="10000,100000",
                        help="sizes for the ingest-vs-Kiwi ratio, comma-separated (0: skip; 100,000 takes ~95 min)")
    parser.add_argument("--out", type=Path, default=BENCH / "out")
    parser.add_argument("--work", type=Path, default=None, help="where the archives go (default: --out/scale)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the archives a last run left in --work instead of building them again "
                             "(when only the search or the server changed: a 100k build takes an hour)")
    parser.add_argument("--resume", action="store_true",
                        help="go on with a build a last run left unfinished in --work (see `build`)")
    parser.add_argument("--build-only", action="store_true",
                        help="build (or resume) the archives and stop: measure them later, on a quiet machine, "
                             "with --reuse")
    parser.add_argument("--fts5-only", action="store_true",
                        help="bring the FTS5 comparison index of each size up to its corpus and stop "
                             "(beside a long build, on the other core)")
    args = parser.parse_args()
    sizes = sizes_of(args.sizes)
    work = args.work or args.out / "scale"
    work.mkdir(parents=True, exist_ok=True)
    if args.fts5_only:
        for n in sizes:
            fts5_build(work / f"scale-{n}.jsonl")[0].close()
        return
    os.environ.setdefault("SINMUN_HOME", str(work))
    pool, names = Pool.load(), Names()
    print(f"pool: {len(pool.sentences):,} sentences, {len(pool.headlines):,} headlines; "
          f"{len(names.people):,} people, {len(names.companies):,} companies", flush=True)
    requests = mix(names)
    # A size measured before (a 1M build outlasts a session) keeps its figures until measured
    # again; each size records the commit and the day it was measured at.
    earlier = json.loads((args.out / "scale.json").read_text()) if (args.out / "scale.json").exists() else {}
    results = sorted(earlier.get("sizes", []), key=lambda r: r["articles"])
    measured = False
    # The ingest ratio by size, like the sizes: one not measured keeps its last figures.
    ingest: dict[str, dict] = earlier.get("ingest") or {}

    def save() -> None:  # after every size: a long run stopped keeps what it measured
        (args.out / "scale.json").write_text(json.dumps({"ingest": ingest, "sizes": results}, indent=2))

    for n in sizes_of(args.ingest):
        r = ingest[str(n)] = {**ingest_ratio(n, work, Generator(pool, names, seed=99)),
                              "commit": COMMIT, "measured": time.strftime("%Y-%m-%d")}
        print(f"ingest of {n:,} articles: {r['ingest_chars_s']:,.0f} chars/s against raw Kiwi's "
              f"{r['kiwi_chars_s']:,.0f}: {r['ratio']:.2f}", flush=True)
        save()
    composer = Composer(analyse_pool(pool, work) if sizes else {})  # no sizes: the ingest ratio alone
    # Millions of analysed terms live as long as the run: the collector need not walk them again
    # and again (it made composing an article's terms four times slower).
    gc.freeze()
    for n in sizes:
        db, corpus = work / f"scale-{n}.db", work / f"scale-{n}.jsonl"
        if args.reuse and db.exists() and corpus.exists():
            seconds, prepared = None, None
            with Archive(db) as archive:  # a newer index schema rebuilds here, not in the server
                catch_up(archive, wait=60)
        else:
            if not (args.resume and (work / f"scale-{n}.progress").exists()):
                for stale in work.glob(f"scale-{n}.*"):  # the FTS5 index too: it follows the corpus
                    subprocess.run(["rm", "-rf", str(stale)], check=True)
            db, corpus, seconds, prepared = build(n, work, Generator(pool, names), composer)
        if args.build_only:
            print(f"built {n:,} articles in {seconds:,.0f} s: measure with --reuse", flush=True)
            continue
        store, index = du(db), du(db.with_name(db.stem + ".index"))
        result = {"articles": n, "commit": COMMIT, "measured": time.strftime("%Y-%m-%d"),
                  "build_s": seconds and round(seconds), "prepared_share": prepared and round(prepared, 4),
                  "store_bytes": store, "index_bytes": index, "bytes_per_article": (store + index) / n,
                  "search": serve_and_measure(db, requests), "fts5": fts5(corpus, requests, n)}
        results = [r for r in results if r["articles"] != n] + [result]
        measured = True
        print(json.dumps(result), flush=True)
        save()
    if not measured:
        return
    results.sort(key=lambda r: r["articles"])
    chart(results, args.out / "scale.png")
    print("\n| articles | store + index per article | search p50 / p99 (HTTP) | FTS5 trigram p50 / p99 | "
          "p99 ratio | server RSS (peak) | reader pages p50 / p99 |\n|---|---|---|---|---|---|---|")
    for r in results:
        s, f = r["search"], r["fts5"]
        print(f"| {r['articles']:,} | {r['bytes_per_article'] / 1024:.1f} KB | {s['p50_ms']:.1f} / {s['p99_ms']:.1f} ms"
              f" | {f['p50_ms']:.1f} / {f['p99_ms']:.1f} ms | {f['p99_ms'] / s['p99_ms']:.1f}x | "
              f"{s['rss'] / 2**20:.0f} MB ({s['rss_peak'] / 2**20:.0f} MB) | "
              f"{s['pages_p50_ms']:.1f} / {s['pages_p99_ms']:.1f} ms |")
    for size, r in sorted(ingest.items(), key=lambda kv: int(kv[0])):
        print(f"ingest of {int(size):,} articles: {r['ratio']:.2f} of raw Kiwi ({r['commit']})")


if __name__ == "__main__":
    main()
