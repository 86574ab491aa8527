"""Several writers and many readers on one store: nothing is lost, nobody sees an error.

A server, two ingests writing at once, and readers hammering the server while an
ingest runs: real processes over one SQLite file, through real HTTP.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from conftest import SINMUN, Server, cli_json, synthetic_corpus


def ingest_process(corpus: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen([str(SINMUN), "ingest", str(corpus), "--db", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until(condition, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.5)
    raise AssertionError("timed out")


def indexed_by_server(base: str, title: str) -> bool:
    hits = httpx.get(base + "/api/search", params={"q": f'"{title}"', "mode": "keyword"}, timeout=30).json()["hits"]
    return any(h["title"] == title.strip() for h in hits)


def corpus_with_marker(folder: Path, marker: str, articles: int, seed: int) -> list[str]:
    """A synthetic corpus whose titles carry `marker`, so each writer's articles can be told apart."""
    files = synthetic_corpus(folder, articles=articles, per_file=10, seed=seed)
    titles = []
    for path in files:
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for r in records:
            r["title"] = f"{marker} {r['title']}"
            titles.append(r["title"])
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return titles


def test_two_writers_interleaving_commits_never_leave_an_article_unindexed(seed_db, tmp_path):
    db = tmp_path / "two.db"
    shutil.copy(seed_db, db)
    first = corpus_with_marker(tmp_path / "a", "가나다", 60, seed=1)
    second = corpus_with_marker(tmp_path / "b", "라마바", 60, seed=2)
    server = Server(db, "--search-rate", "0")  # its background indexer follows the change log too
    try:
        writers = [ingest_process(tmp_path / "a", db), ingest_process(tmp_path / "b", db)]
        outputs = [w.communicate(timeout=600) for w in writers]
        # Each says what happened to its articles: stored, and indexed by it or by another process.
        for writer, (out, err) in zip(writers, outputs):
            assert writer.returncode == 0, (out, err)
            assert out.startswith("60 articles: 60 new"), out
        check = cli_json("check", db=db)
        assert check["ok"] and check["articles"] == check["indexed"] == 140, check
        assert set(check["positions"].values()) == {check["changes"]}
        # The server's own searcher sees both writers' last articles.
        assert wait_until(lambda: indexed_by_server(server.base, first[-1]) and indexed_by_server(server.base, second[-1]))
    finally:
        log = server.stop()
    assert "Traceback" not in log


def test_readers_see_no_errors_while_an_ingest_runs(seed_db, tmp_path):
    db = tmp_path / "busy.db"
    shutil.copy(seed_db, db)
    titles = corpus_with_marker(tmp_path / "new", "사아자", 200, seed=3)
    server = Server(db, "--search-rate", "0")  # 8 readers from one address: no search limit here
    base = server.base
    ids = [a["id"] for a in httpx.get(base + "/api/articles", params={"limit": 20}).json()["articles"]]
    paths = ["/api/search?q=엔비디아", "/search?q=넷플릭스 인수", f"/api/articles/{ids[3]}", f"/articles/{ids[7]}",
             "/api/articles?limit=20", "/", "/api/search?q=사아자", "/api/stories"]
    errors: list[str] = []
    done = {"requests": 0}

    def reader(n: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            i = n
            while writer.poll() is None:
                path = paths[i % len(paths)]
                try:
                    response = client.get(path)
                    if response.status_code != 200:
                        errors.append(f"{path}: {response.status_code} {response.text[:200]}")
                except httpx.HTTPError as exc:
                    errors.append(f"{path}: {exc!r}")
                done["requests"] += 1
                i += 1

    try:
        writer = ingest_process(tmp_path / "new", db)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(reader, range(8)))
        out, err = writer.communicate()
        assert writer.returncode == 0, (out, err)
        assert errors == [] and done["requests"] > 50, (errors[:5], done)
        assert wait_until(lambda: indexed_by_server(base, titles[-1]))
    finally:
        log = server.stop()
    assert "Traceback" not in log, log


def test_the_servers_indexer_works_in_short_rounds_so_it_stops_promptly(tmp_path):
    """A backlog of stored, underived articles (an ingest that left them to the server)
    is derived in rounds; a round ends after about ROUND changes with the index committed."""
    from sinmun.service import Archive, maintenance
    from sinmun.service.ingest import ingest
    from sinmun.web.indexer import ROUND

    synthetic_corpus(tmp_path / "corpus", articles=2 * ROUND + 40, per_file=100, seed=5)
    archive = Archive(tmp_path / "backlog.db", create=True)
    with archive.index.writing():  # another process holds the writer: the ingest only stores
        report = ingest(archive, [tmp_path / "corpus"], index_wait=0)
    assert report.new == 2 * ROUND + 40 and report.index_busy
    follower = archive.follower()
    assert follower.behind() == 2 * ROUND + 40
    assert maintenance.catch_up(archive, limit=ROUND) == ROUND
    assert follower.behind() == ROUND + 40 and archive.index.searcher().num_docs == ROUND
    assert maintenance.catch_up(archive, limit=ROUND) == ROUND
    assert maintenance.catch_up(archive, limit=ROUND) == 40 and follower.behind() == 0
    check = maintenance.check(archive)
    assert check.ok and check.indexed == 2 * ROUND + 40, check
    archive.close()


def _open_index(path: str) -> int:
    from sinmun.search.index import SearchIndex

    return SearchIndex(Path(path)).searcher().num_docs


def test_processes_opening_a_new_index_together_all_get_it(tmp_path):
    """A server's workers and an ingest start on a store with no index yet: each must
    find or make the same index, none may remove what another has just made."""
    from multiprocessing import get_context

    for attempt in range(3):
        path = str(tmp_path / f"store{attempt}.index")
        with get_context("spawn").Pool(6) as pool:
            assert pool.map(_open_index, [path] * 6) == [0] * 6


def test_the_store_stays_writable_while_the_follower_reads_leads_into_the_encoder(tmp_path, monkeypatch):
    """The sentence encoder (2.9 ms an article, 2 s to load) reads a batch's leads before the
    follower's transaction, not inside it: another writer (an article published through the
    API) is not kept waiting for it. Each time the encoder runs during an ingest, a second
    connection tries to take the store's write lock at once, without waiting."""
    import sqlite3

    from sinmun.search.sentences import SentenceEncoder
    from sinmun.service import Archive
    from sinmun.service.ingest import ingest

    db = tmp_path / "a.db"
    files = synthetic_corpus(tmp_path / "corpus", articles=30, per_file=10)
    archive = Archive(db, create=True)
    tries: list[bool] = []
    encode = SentenceEncoder.encode

    def encode_and_try_to_write(self, texts):
        other = sqlite3.connect(db, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            tries.append(True)
        except sqlite3.OperationalError:
            tries.append(False)
        finally:
            other.close()
        return encode(self, texts)

    monkeypatch.setattr(SentenceEncoder, "encode", encode_and_try_to_write)
    report = ingest(archive, files)
    assert report.new == 30 and report.indexed == 30
    assert tries and all(tries), f"the write lock was held during {tries.count(False)} of {len(tries)} encodings"
