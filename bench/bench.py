"""sinmun's benchmark: every figure is a ratio against a baseline measured in the same run.

  (a) raw Kiwi throughput on the corpus text (same model, user words and worker count as sinmun)
  (b) sinmun's end-to-end ingest (read JSONL, store in SQLite, analyse, index): b/a
  (c) search latency p50/p99 for a fixed query list, against SQLite FTS5 with the
      trigram tokenizer over the same corpus, and the cold start of `sinmun search`
  (g) concurrent readers: requests/s and p50/p99 for 1, 8, 16 and 32 clients of a
      live `sinmun serve` over loopback (wrk, `load.py`), against one client
  (h) 50 readers while a second process ingests the corpus into the store they read

The corpus is synthetic: N articles made by recombining the seed page's sentences
(read from ../shared/seed at run time; nothing of it is stored in the project).

    python bench/bench.py [--articles 10000] [--out bench/out]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "000_ed974366ffe0647b.txt"
sys.path.insert(0, str(ROOT / "src"))

from sinmun.analysis.korean import Analyzer  # noqa: E402
from sinmun.articles import PARTS  # noqa: E402
from sinmun.ingest import Batch, expand_paths, read_path  # noqa: E402
from sinmun.service import Archive, maintenance, queries  # noqa: E402
from sinmun.service.ingest import ingest  # noqa: E402
from sinmun.service.params import SearchParams  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from summaries import summary_scores  # noqa: E402

QUERIES = [
    "엔비디아의 수출", "OpenAI", "파라 마운트", "넷플릭스의 인수", "韓 반도체", "금리 인하",
    "데이터센터 전력", "AI 거품", '"반도체 통제"', "엔비디아 -중국", "우주 망원경", "트럼프 관세",
    "워너브러더스 인수", "오라클 부채", "초신성", "양자 컴퓨터", "中 반도체 지원금", "뉴욕증시 하락",
    "소프트뱅크 손정의", "블랙웰 중동 수출",
]
SECTIONS = ["IT/바이오", "경제", "포커스온", "생활경제", "금융/증권"]
SENTENCE = re.compile(r"(?<=[다요음])\.\s+")


def build_corpus(n: int, path: Path, seed: int = 7) -> int:
    """Write n synthetic articles as JSON Lines; returns the number of characters analysed."""
    rng = random.Random(seed)
    articles = read_path(SEED).articles
    sentences = [s.strip().rstrip(".") + "." for a in articles for s in SENTENCE.split(a.body) if len(s) > 20]
    blocks = [s.strip() + "." for a in articles for s in SENTENCE.split(a.summary or "") if len(s) > 20]
    titles = [a.title for a in articles]
    chars = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            body = " ".join(rng.sample(sentences, rng.randint(8, 20)))
            title = f"{rng.choice(titles).split('⋯')[0]}⋯{rng.choice(titles).split('⋯')[-1]} ({i})"
            record = {
                "title": title, "body": body, "section": rng.choice(SECTIONS),
                "published": f"{rng.randint(2023, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            }
            if rng.random() < 0.5:
                record["summary"] = " ".join(rng.sample(blocks, 2))
            chars += len(title) + len(body) + len(record.get("summary", ""))
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return chars


PAGE = """<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>{title} - 벤치일보</title>
<meta property="og:title" content="{title}"><meta property="article:published_time" content="{published}T09:00:00+09:00">
<meta property="article:section" content="{section}"></head><body>
<header><nav><a href="/">홈</a> <a href="/economy">경제</a> <a href="/tech">IT</a> <a href="/login">로그인</a></nav></header>
<article><h1>{title}</h1><div class="byline">홍길동 기자 · 입력 {published}</div><section class="article-body">{paragraphs}</section>
<p class="copyright">Copyright ⓒ 벤치일보. 무단전재 및 재배포 금지</p></article>
<aside><h3>많이 본 뉴스</h3><ol><li><a href="/1">다른 기사 하나</a></li><li><a href="/2">다른 기사 둘</a></li></ol></aside>
<footer>벤치일보 | 서울</footer></body></html>"""


def build_pages(corpus: Path, folder: Path, n: int) -> None:
    """n saved article pages (one site layout) from the first n corpus articles."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with corpus.open(encoding="utf-8") as f:
        for i, line in zip(range(n), f):
            r = json.loads(line)
            paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCE.split(r["body"]))
            (folder / f"{i:05d}.html").write_text(
                PAGE.format(paragraphs=paragraphs, **{k: r[k] for k in ("title", "published", "section")}),
                encoding="utf-8")


def kiwi_raw(corpus: Path) -> tuple[float, int]:
    """Seconds and characters for Kiwi alone over the very texts sinmun analyses."""
    batch = Batch()
    for path in expand_paths([corpus]):
        batch.articles.extend(read_path(path).articles)
    texts = [text for a in batch.articles for part in PARTS if (text := getattr(a, part))]
    analyzer = Analyzer.shared()
    start = time.perf_counter()
    for _ in analyzer.kiwi.tokenize(texts):
        pass
    return time.perf_counter() - start, sum(map(len, texts))


def sinmun_ingest(corpus: Path, db: Path) -> tuple[float, Archive]:
    """Seconds for `Archive.ingest` of the corpus (a file or a folder) into a new db."""
    for p in (db, db.with_name(db.stem + ".index")):
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    archive = Archive(db, create=True)
    archive.analyzer.analyze("준비")  # the model load is not ingest work: (a) excludes it too
    start = time.perf_counter()
    report = ingest(archive, [corpus])
    elapsed = time.perf_counter() - start
    assert report.new == report.read and not report.problems, report.summary()
    return elapsed, archive


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(round(0.99 * (len(samples) - 1))))]
    return statistics.median(samples) * 1000, p99 * 1000


def sinmun_latency(archive: Archive, rounds: int, queries_: list[str] = QUERIES, **options) -> tuple[float, float]:
    for q in queries_:  # warm the searcher and the OS cache
        queries.search(archive, SearchParams(q=q, **options))
    samples = []
    for _ in range(rounds):
        for q in queries_:
            start = time.perf_counter()
            queries.search(archive, SearchParams(q=q, limit=10, **options))
            samples.append(time.perf_counter() - start)
    return percentiles(samples)


# Typed by someone in a hurry: one jamo off, or a paraphrase.
TYPO_QUERIES = ["엔비디야 수출", "넷플렉스 인수", "오러클 채권", "데이타센터 전력", "트레이니움"]


def eval_tables(out: Path) -> list[tuple[str, dict]]:
    """The judgement sets against fresh archives of the seed and of the project's own articles."""
    from sinmun.search.evaluate import CONFIGS, load_qrels, run, summarize

    tables = []
    own = [ROOT / "tests" / "fixtures" / "sample.jsonl", ROOT / "tests" / "fixtures" / "stories.jsonl"]
    for name, sources in (("seed", [SEED]), ("own", own), ("heldout", [SEED, *own])):
        db = out / f"eval-{name}.db"
        for p in (db, db.with_name(db.stem + ".index")):
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
        archive = Archive(db, create=True)
        ingest(archive, sources)
        judgements = load_qrels(ROOT / "tests" / "fixtures" / "qrels" / f"{name}.jsonl")
        for config in CONFIGS:
            results = run(queries.ranker(archive, config), judgements)
            tables.append((f"{name} ({len(judgements)} queries) {config}", summarize(results)))
        archive.close()
    return tables


def fts5_build(corpus: Path, db: Path) -> sqlite3.Connection:
    db.unlink(missing_ok=True)
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(title, summary, body, tokenize='trigram')")
    with corpus.open(encoding="utf-8") as f:
        rows = [(r["title"], r.get("summary", ""), r["body"]) for r in map(json.loads, f)]
    con.executemany("INSERT INTO docs VALUES (?, ?, ?)", rows)
    con.commit()
    return con


def fts5_query(con: sqlite3.Connection, q: str) -> list:
    """The nearest FTS5 trigram equivalent: every word must occur as a substring.

    Trigram MATCH needs 3+ characters; shorter words (most Korean nouns) fall back
    to LIKE, which the trigram index cannot speed up. Particles are not removed.
    """
    words = [w for w in re.findall(r'"[^"]+"|\S+', q)]
    match, likes, params = [], [], []
    for w in words:
        neg = w.startswith("-")
        w = w.lstrip("-").strip('"')
        if len(w) >= 3:
            match.append(("NOT " if neg and match else "") + '"' + w.replace('"', '""') + '"')
        else:
            likes.append(f"(title {'NOT ' if neg else ''}LIKE ? {'AND' if neg else 'OR'} body {'NOT ' if neg else ''}LIKE ?)")
            params += [f"%{w}%", f"%{w}%"]
    where = (["docs MATCH ?"] if match else []) + likes
    args = ([" AND ".join(match).replace("AND NOT", "NOT")] if match else []) + params
    sql = (f"SELECT rowid, snippet(docs, 2, '<mark>', '</mark>', '…', 20) FROM docs WHERE {' AND '.join(where)} "
           f"{'ORDER BY rank ' if match else ''}LIMIT 10")
    return con.execute(sql, args).fetchall()


def fts5_latency(con: sqlite3.Connection, rounds: int, queries_: list[str] = QUERIES) -> tuple[float, float]:
    for q in queries_:
        fts5_query(con, q)
    samples = []
    for _ in range(rounds):
        for q in queries_:
            start = time.perf_counter()
            fts5_query(con, q)
            samples.append(time.perf_counter() - start)
    return percentiles(samples)


def entity_scores() -> dict[str, float]:
    """Entities found in 19 seed articles against the project's labels (tests/fixtures/entity_labels.json)."""
    from sinmun.analysis.entity_eval import score

    labels = json.loads((ROOT / "tests" / "fixtures" / "entity_labels.json").read_text(encoding="utf-8"))
    found = score(labels["articles"], {a.id: a for a in read_path(SEED).articles}, Analyzer.shared())
    return {"labelled": found.right + found.missed, "precision": found.precision, "recall": found.recall,
            "type right": found.typed / max(found.right, 1)}


def story_scores(out: Path) -> dict[str, float]:
    """Pairwise precision/recall and B-cubed F1 of story grouping on the labelled set:
    the seed plus the project's own articles (tests/fixtures/stories*.json*)."""
    from itertools import combinations

    fixtures = ROOT / "tests" / "fixtures"
    labels = json.loads((fixtures / "stories_labels.json").read_text(encoding="utf-8"))
    db = out / "stories.db"
    for p in (db, db.with_name("stories.index")):
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    archive = Archive(db, create=True)
    ingest(archive, [SEED, fixtures / "sample.jsonl", fixtures / "stories.jsonl"])
    gold: dict[str, str] = {}
    stored = list(archive.store.articles.iter_all())
    by_position = {a.position: a.id for a in stored if a.format == "listpage"}
    for name, positions in labels["seed"].items():
        gold.update({by_position[p]: name for p in positions})
    extra = {json.loads(line)["title"]: json.loads(line)["story"]
             for line in (fixtures / "stories.jsonl").read_text(encoding="utf-8").splitlines()}
    titles = {**extra, **labels["titles"]}
    ids = [a.id for a in stored]
    headline = {a.id: a.headline for a in stored}
    title = {a.id: a.title for a in stored}
    for i in ids:
        gold.setdefault(i, titles.get(title[i]) or titles.get(headline[i]) or "own:" + i)
    found = {i: archive.store.stories.story_of(i) for i in ids}
    pairs = list(combinations(ids, 2))
    same_gold = {p for p in pairs if gold[p[0]] == gold[p[1]]}
    same_found = {p for p in pairs if found[p[0]] == found[p[1]]}
    precision = len(same_gold & same_found) / max(1, len(same_found))
    recall = len(same_gold & same_found) / max(1, len(same_gold))
    b_p = b_r = 0.0
    for i in ids:
        g = {j for j in ids if gold[j] == gold[i]}
        f = {j for j in ids if found[j] == found[i]}
        b_p += len(g & f) / len(f) / len(ids)
        b_r += len(g & f) / len(g) / len(ids)
    archive.close()
    return {"articles": len(ids), "gold pairs": len(same_gold), "pairwise precision": precision,
            "pairwise recall": recall, "B-cubed F1": 2 * b_p * b_r / (b_p + b_r)}


def derived_cost(archive: Archive, out: Path, n: int = 2000) -> float:
    """Milliseconds per article for entities + story grouping, given the analysis
    (which the follower shares with every consumer), into a scratch store."""
    from sinmun.connect.stories import Connector
    from sinmun.derive import Item
    from sinmun.store import PUT, Change, open_store

    analyzer = Analyzer.shared()
    _, articles = archive.store.articles.page(limit=n)
    items = []
    for seq, a in enumerate(articles, 1):
        texts = [getattr(a, p) or "" for p in PARTS]
        items.append(Item(Change(seq, a.id, PUT), seq, a, dict(zip(PARTS, analyzer.analyze_many(texts)))))
    scratch = out / "derived.db"
    scratch.unlink(missing_ok=True)
    store = open_store(scratch)
    connector = Connector(analyzer.aliases, analyzer.known_common_noun)
    start = time.perf_counter()
    for batch in range(0, len(items), 256):
        with store.transaction():
            connector.write(store, items[batch:batch + 256])
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed * 1000 / len(items)


def cold_start(db: Path, args: list[str], runs: int = 3) -> float:
    exe = Path(sys.executable).parent / "sinmun"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(exe), *args, "--db", str(db), "--json"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=int(os.environ.get("N", 10_000)))
    parser.add_argument("--pages", type=int, default=int(os.environ.get("PAGES", 2_000)))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    corpus = args.out / "corpus.jsonl"
    workers = Analyzer.shared().num_workers

    print(f"corpus: {args.articles} articles from the seed's sentences ...", flush=True)
    build_corpus(args.articles, corpus)
    print("(a) raw Kiwi ...", flush=True)
    kiwi_s, chars = kiwi_raw(corpus)
    print("(b) sinmun ingest ...", flush=True)
    db = args.out / "bench.db"
    ingest_s, archive = sinmun_ingest(corpus, db)
    print("(b') HTML pages: Kiwi alone, then sinmun ingest ...", flush=True)
    pages = args.out / "pages"
    build_pages(corpus, pages, args.pages)
    page_kiwi_s, page_chars = kiwi_raw(pages)
    page_ingest_s, page_archive = sinmun_ingest(pages, args.out / "pages.db")
    page_archive.close()
    print("(c) search latency ...", flush=True)
    k50, k99 = sinmun_latency(archive, args.rounds, mode="keyword")
    m50, m99 = sinmun_latency(archive, args.rounds, mode="semantic")
    s50, s99 = sinmun_latency(archive, args.rounds, mode="hybrid")
    t50, t99 = sinmun_latency(archive, args.rounds, TYPO_QUERIES, mode="hybrid")
    f50_ = sinmun_latency(archive, args.rounds, mode="hybrid", facets=True)
    start = time.perf_counter()
    trained = maintenance.train(archive).model_dump()
    train_s = time.perf_counter() - start
    fts = fts5_build(corpus, args.out / "fts5.db")
    f50, f99 = fts5_latency(fts, args.rounds)
    cold_search = cold_start(db, ["search", "엔비디아의 수출"])
    cold_list = cold_start(db, ["list"])
    derived_ms = derived_cost(archive, args.out)
    summaries = summary_scores()
    stories = story_scores(args.out)
    index_bytes = sum(p.stat().st_size for p in (args.out / "bench.index").rglob("*") if p.is_file())
    # The main graph and the recent one (vector_index.py: new vectors wait there to be merged).
    vector_bytes = sum(p.stat().st_size for p in (args.out / "bench.index").glob("vectors*.usearch"))
    print("(f) judgement sets ...", flush=True)
    evals = eval_tables(args.out)
    import relevance

    print("(f') every set against the BM25 baselines ...", flush=True)
    relevance_rows = relevance.measure(args.out)
    archive.close()
    print("(g) concurrent readers over loopback ...", flush=True)
    import load

    served = load.run(db, [1, 8, 16, 32], seconds=10)
    print(f"(h) 50 readers while {args.articles:,} articles are ingested into the store they read ...", flush=True)
    busy = args.out / "busy.db"
    for p in (busy, busy.with_name("busy.index"), busy.with_name("busy.quarantine")):
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    Archive(busy, create=True).close()
    ingest(Archive(busy), [SEED])
    during = load.during_ingest(busy, corpus, clients=50)

    rows = [
        ("corpus", f"{args.articles:,} articles, {chars / 1e6:.1f} M chars analysed, {workers} Kiwi workers"),
        ("(a) Kiwi alone", f"{chars / kiwi_s:,.0f} chars/s ({kiwi_s:.1f} s)"),
        ("(b) sinmun ingest, end to end", f"{chars / ingest_s:,.0f} chars/s, {args.articles / ingest_s:,.0f} articles/s ({ingest_s:.1f} s)"),
        ("b/a", f"{kiwi_s / ingest_s:.2f}"),
        ("(b') HTML pages, end to end", f"{args.pages:,} pages, {page_chars / page_ingest_s:,.0f} chars/s, "
                                        f"{args.pages / page_ingest_s:,.0f} pages/s ({page_ingest_s:.1f} s)"),
        ("b'/a' (Kiwi alone on the pages' text)", f"{page_kiwi_s / page_ingest_s:.2f}"),
        ("(c) keyword search p50 / p99", f"{k50:.1f} ms / {k99:.1f} ms ({len(QUERIES)} queries x {args.rounds}, with snippets)"),
        ("(c) semantic search p50 / p99", f"{m50:.1f} ms / {m99:.1f} ms"),
        ("(c) hybrid search (the default) p50 / p99", f"{s50:.1f} ms / {s99:.1f} ms"),
        ("hybrid adds to keyword (p50, p99)", f"+{s50 - k50:.1f} ms, +{s99 - k99:.1f} ms"),
        ("hybrid with a typo corrected p50 / p99", f"{t50:.1f} ms / {t99:.1f} ms ({len(TYPO_QUERIES)} queries)"),
        ("hybrid with facets p50 / p99", f"{f50_[0]:.1f} ms / {f50_[1]:.1f} ms"),
        ("sinmun train (re-embed everything)", f"{train_s:.1f} s for {trained['articles']:,} articles, "
                                               f"{trained['morphemes']:,} morphemes"),
        ("FTS5 trigram p50 / p99", f"{f50:.1f} ms / {f99:.1f} ms"),
        ("sinmun / FTS5 (p50, p99)", f"{s50 / f50:.2f}x, {s99 / f99:.2f}x"),
        ("cold start: sinmun search / list", f"{cold_search:.2f} s / {cold_list:.2f} s"),
        *[(f"(d) summaries, {name}",
           ", ".join(f"{m.replace('rouge', 'ROUGE-')} {v:.3f}" for m, v in scores.items()))
          for name, scores in summaries.items()],
        ("(e) entities + stories, per article", f"{derived_ms:.2f} ms (given the analysis; measured on 2,000 bench articles)"),
        ("(e) entities on the labelled set", ", ".join(
            f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in entity_scores().items())),
        ("(e) stories on the labelled set", ", ".join(
            f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in stories.items())),
        ("size: SQLite / index (of which vectors)", f"{db.stat().st_size / 1e6:.0f} MB / {index_bytes / 1e6:.0f} MB "
                                                   f"({vector_bytes / 1e6:.0f} MB)"),
    ]
    width = max(len(r[0]) for r in rows)
    print()
    print(f"| {'measure':<{width}} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")
    print()
    kinds = ["all", "paraphrase", "synonym", "typo", "question", "particle", "spacing", "english", "hanja"]
    print("(f) nDCG@10 on the judgement sets (MRR@10, Recall@10, zero-hit queries for all)")
    print("| set, configuration | " + " | ".join(kinds) + " | MRR@10 | R@10 | R@100 | zero |")
    print("|---" * (len(kinds) + 5) + "|")
    for label, summary in evals:
        cells = [f"{summary[k]['ndcg@10']:.3f}" if k in summary else "-" for k in kinds]
        a = summary["all"]
        print(f"| {label} | " + " | ".join(cells)
              + f" | {a['mrr@10']:.3f} | {a['recall@10']:.3f} | {a['recall@100']:.3f} | {a['zero_hits']} |")
    print()
    print("(f') every judgement set, sinmun's configurations beside BM25 (bench/relevance.py)")
    print(relevance.table(relevance_rows))
    print()
    print(f"(g) a mix of searches, articles and lists (pages and API) from N clients, {args.articles:,} articles")
    print(load.table(served))
    print()
    print(f"(h) {during['clients']} readers of the same mix while a second process ingested {args.articles:,} articles "
          f"into the store they read ({during['seconds']:.0f} s): {during['requests']:,} requests, "
          f"{during['rps']:,.0f}/s, p50 {during['p50']:.1f} ms, p99 {during['p99']:.1f} ms, {during['errors']} errors; "
          f"the ingest exited {during['ingest_exit']} ({during['ingest']})")


if __name__ == "__main__":
    main()
