"""Crash safety, proven: kill -9 an ingest at random points, re-run, compare with a clean run."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time

from conftest import SINMUN, cli_json, run_cli, synthetic_corpus

from sinmun.archive import Archive

KILLS = 10
COLUMNS = "id, content_id, title, headline, body, summary, section, published, source, duplicate_of, similarity"


def store_rows(db) -> list[tuple]:
    con = sqlite3.connect(db)
    rows = con.execute(f"SELECT {COLUMNS} FROM articles ORDER BY id").fetchall()
    rows += con.execute("SELECT article_id, source FROM sources ORDER BY 1, 2").fetchall()
    rows += con.execute("SELECT article_id, signature FROM minhashes ORDER BY 1").fetchall()
    con.close()
    return rows


def vectors(db) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(db) as con:
        return con.execute("SELECT article_id, bag, vector FROM article_vectors ORDER BY article_id").fetchall()


def test_kill_9_at_random_points_changes_nothing_but_time(tmp_path):
    corpus = tmp_path / "corpus"
    synthetic_corpus(corpus, articles=600, per_file=30)

    clean = tmp_path / "clean.db"
    run_cli("ingest", str(corpus), db=clean, check=True)

    crashed = tmp_path / "crashed.db"
    rng = random.Random(20261125)
    killed = 0
    for _ in range(KILLS):
        proc = subprocess.Popen([str(SINMUN), "ingest", str(corpus), "--db", str(crashed)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 6.0))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
    assert killed >= KILLS // 2  # most runs really died mid-way
    final = run_cli("ingest", str(corpus), db=crashed, check=True)
    assert final.stdout.startswith("600 articles: ")

    assert store_rows(crashed) == store_rows(clean)
    a, b = Archive(clean), Archive(crashed)
    assert sorted(a.index.id_list()) == sorted(b.index.id_list()) == sorted(r[0] for r in store_rows(clean)[:600])
    for query in ("엔비디아의 수출", "오픈AI", "넷플릭스 인수", "우주"):
        assert (cli_json("search", query, "--mode", "keyword", db=crashed)
                == cli_json("search", query, "--mode", "keyword", db=clean))
    # Vectors made between two trainings depend on where each sync started;
    # after `sinmun train` both archives hold the very same vectors.
    run_cli("train", db=crashed, check=True)
    run_cli("train", db=clean, check=True)
    assert vectors(crashed) == vectors(clean)
    check = cli_json("check", db=crashed)
    assert check["ok"] and check["articles"] == check["indexed"] == 600, check
