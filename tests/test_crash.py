"""Crash safety, proven: kill -9 an ingest at points it reports itself, re-run, compare with a clean run.

The ingest reports its progress (`--progress jsonl`: a line per stored file and per
derived batch); the test kills it right after the k-th article is stored or the
d-th change is derived. Kill points are the same on any machine, fast or slow.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess

from conftest import SINMUN, cli_json, run_cli, synthetic_corpus

# (stage, count): kill once this many articles were stored, or changes derived, in that run.
# Storing: between two files' transactions or inside one. Deriving: after the store-side
# consumers committed a batch, before the index did; then after every consumer but the index.
ARTICLES = 400
KILL_POINTS = [("stored", 20), ("stored", 20), ("stored", 40), ("stored", 20),
               ("indexed", 1), ("indexed", 1), ("indexed", ARTICLES)]


def store_rows(db) -> list[tuple]:
    con = sqlite3.connect(db)
    rows = con.execute("SELECT id, content_id, title, headline, body, summary, section, published, source, "
                       "duplicate_of, similarity FROM articles ORDER BY id").fetchall()
    for query in ("SELECT article_id, source FROM sources ORDER BY 1, 2",
                  "SELECT article_id, signature FROM minhashes ORDER BY 1",
                  "SELECT article_id, kind FROM changes ORDER BY seq",
                  "SELECT article_id, name, type, count FROM article_entities ORDER BY 1, 2",
                  "SELECT article_id, story_id FROM story_articles ORDER BY 1",
                  "SELECT term, df FROM term_df ORDER BY 1"):
        rows += con.execute(query).fetchall()
    con.close()
    return rows


def vectors(db) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT article_id, bag, vector FROM article_vectors ORDER BY article_id").fetchall()


def ingest_until(corpus, db, stage: str, count: int) -> bool:
    """Run `sinmun ingest`, kill -9 it when it reports `count` at `stage`; True if it was killed."""
    proc = subprocess.Popen([str(SINMUN), "ingest", str(corpus), "--db", str(db), "--progress", "jsonl"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    killed = False
    for line in proc.stderr:
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        reached = event.get("articles" if stage == "stored" else "done", 0)
        if event["stage"] == stage and reached >= count and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed = True
            break
    proc.wait()
    return killed


def test_kill_9_at_reported_points_changes_nothing_but_time(tmp_path):
    corpus = tmp_path / "corpus"
    synthetic_corpus(corpus, articles=ARTICLES, per_file=20)

    clean = tmp_path / "clean.db"
    run_cli("ingest", str(corpus), db=clean, check=True)

    crashed = tmp_path / "crashed.db"
    killed = sum(ingest_until(corpus, crashed, stage, count) for stage, count in KILL_POINTS)
    assert killed == len(KILL_POINTS)  # every run really died mid-way
    final = run_cli("ingest", str(corpus), db=crashed, check=True)
    assert final.stdout.startswith(f"{ARTICLES} articles: ")

    assert store_rows(crashed) == store_rows(clean)
    for query in ("엔비디아의 수출", "오픈AI", "넷플릭스 인수", "우주"):
        assert (cli_json("search", query, "--mode", "keyword", db=crashed)
                == cli_json("search", query, "--mode", "keyword", db=clean))
    # Vectors made between two trainings depend on where each catch-up started;
    # after `sinmun train` both archives hold the very same vectors.
    run_cli("train", db=crashed, check=True)
    run_cli("train", db=clean, check=True)
    assert vectors(crashed) == vectors(clean)
    check = cli_json("check", db=crashed)
    assert check["ok"] and check["articles"] == check["indexed"] == ARTICLES, check
