"""PostgreSQL as the store: the same archive answers the same in both stores, and several
servers share one PostgreSQL store, each following its change log into an index of its own.

The server is the suite's own throwaway cluster (`postgres` in conftest), or $SINMUN_TEST_PG.
"""

from __future__ import annotations

import gzip
import json
import time

import httpx
import pytest

from sinmun.errors import NotFound
from sinmun.service import Archive
from sinmun.store import open_store

from conftest import FIXTURES, SEED, SHARED, Server, cli_json, fresh_database, run_cli, run_process, sinmun_home

WIKINEWS = SHARED / "data" / "ko_wikinews_dev.jsonl.gz"
# Fields that say when or where a copy was made, not what the archive holds.
# The schema's version and the size on disk are each store's own.
VOLATILE = {"ingested_at", "took_ms", "location", "index_path", "db", "made_at", "schema_version", "bytes"}


def _strip(data):
    if isinstance(data, dict):
        return {k: _strip(v) for k, v in data.items() if k not in VOLATILE}
    if isinstance(data, list):
        return [_strip(v) for v in data]
    return data


@pytest.fixture(scope="module")
def twins(postgres, tmp_path_factory) -> tuple[str, str, str]:
    """One set of inputs ingested into a SQLite file and into a PostgreSQL database: the seed,
    the project's own articles, and 150 real Wikinews articles (dated, with recurring names).
    Returns the file, the address and the PostgreSQL archive's SINMUN_HOME."""
    folder = tmp_path_factory.mktemp("twins")
    wikinews = folder / "wikinews.jsonl"
    with gzip.open(WIKINEWS, "rt", encoding="utf-8") as lines:
        wikinews.write_text("".join(line for _, line in zip(range(150), lines, strict=False)), encoding="utf-8")
    inputs = [str(SEED), str(FIXTURES / "sample.jsonl"), str(FIXTURES / "stories.jsonl"), str(wikinews)]
    sqlite, pg = str(folder / "twin.db"), fresh_database(postgres)
    run_cli("ingest", *inputs, db=sqlite, check=True)
    with sinmun_home(folder):
        run_cli("ingest", *inputs, db=pg, check=True)
    return sqlite, pg, str(folder)


def both(twins, *args: str) -> tuple[object, object]:
    sqlite, pg, folder = twins
    with sinmun_home(folder):
        in_pg = cli_json(*args, db=pg)
    return _strip(cli_json(*args, db=sqlite)), _strip(in_pg)


@pytest.mark.parametrize("args", [
    ("stats",), ("list", "--limit", "50"), ("list", "--section", "IT/바이오"), ("stories",),
    ("search", "엔비디아"), ("search", "반도체 지원금"), ("search", "\"인공지능 모델\""),
    ("search", "대통령이 어디를 방문했나"), ("search", "지진", "--since", "2005", "--sort", "date"),
    ("search", "정부", "--facets"), ("trends", "대통령", "선거"), ("check",),
], ids=lambda a: " ".join(a))
def test_the_same_archive_answers_the_same_in_sqlite_and_postgresql(twins, args):
    in_sqlite, in_pg = both(twins, *args)
    assert in_sqlite == in_pg


def test_stories_articles_and_exports_are_the_same_in_both_stores(twins, tmp_path):
    sqlite, pg, folder = twins
    stories = cli_json("stories", "--limit", "5", db=sqlite)["stories"]
    assert stories
    for story in stories:
        in_sqlite, in_pg = both(twins, "story", story["id"])
        assert in_sqlite == in_pg
    newest = cli_json("list", "--limit", "3", db=sqlite)["articles"]
    for article in newest:
        in_sqlite, in_pg = both(twins, "show", article["id"])
        assert in_sqlite == in_pg
    exports = []
    for db in (sqlite, pg):
        out = tmp_path / f"{len(exports)}.jsonl"
        with sinmun_home(folder):
            run_cli("export", "--out", str(out), db=db, check=True)
        exports.append([_strip(json.loads(line)) for line in out.read_text(encoding="utf-8").splitlines()])
    assert len(exports[0]) == cli_json("stats", db=sqlite)["articles"] and exports[0] == exports[1]


def test_a_missing_postgresql_archive_or_server_is_one_clear_line(postgres):
    empty = fresh_database(postgres)
    ran = run_process("list", db=empty)
    assert ran.returncode == NotFound.exit_code and ran.stderr.strip().startswith("error: no sinmun database at")
    assert "Traceback" not in ran.stderr
    down = "postgresql://sinmun:secret@127.0.0.1:1/news"
    ran = run_process("list", db=down)
    assert ran.returncode != 0 and len(ran.stderr.strip().splitlines()) == 1
    assert "cannot reach PostgreSQL" in ran.stderr and "secret" not in ran.stderr  # the password is not printed


def test_two_servers_share_one_postgresql_store(postgres, tmp_path):
    """Two server processes, each with its own index, over one PostgreSQL database: an article
    ingested through one is found by the other's search; `sinmun check` agrees on both."""
    db = fresh_database(postgres)
    homes = [tmp_path / "a", tmp_path / "b"]
    run_process("ingest", str(SEED), db=db, check=True, env_extra={"SINMUN_HOME": str(homes[0])})
    token = run_process("token", "create", "--name", "desk", "--scope", "write", db=db, check=True,
                        env_extra={"SINMUN_HOME": str(homes[0])}).stdout.strip()
    servers = [Server(db, "--search-rate", "0", "--workers", "1", env_extra={"SINMUN_HOME": str(h)}) for h in homes]
    try:
        first, second = (s.base for s in servers)
        # Both index the seed from the shared log (the second never saw the ingest).
        for base in (first, second):
            assert wait_for(lambda b=base: httpx.get(f"{b}/api/search", params={"q": "엔비디아"}).json()["total"] > 5)
        article = {"title": "공유 저장소 시험 기사", "body": "두 서버가 하나의 포스트그레스 저장소를 함께 읽는다. "
                   "한쪽에 들어온 기사를 다른 쪽 검색이 찾는다.", "section": "시험", "published": "2026-12-01"}
        made = httpx.post(f"{first}/api/articles", json=article, headers={"Authorization": f"Bearer {token}"})
        assert made.status_code == 201, made.text

        def finds(base: str) -> bool:
            # The article itself among the hits: a total counts seed articles that share one word.
            hits = httpx.get(f"{base}/api/search", params={"q": "포스트그레스 저장소"}).json()["hits"]
            return any(h["id"] == made.json()["id"] for h in hits)

        started = time.monotonic()
        assert wait_for(lambda: finds(second), 20), "the second server never found the article ingested through the first"
        print(f"found through the other server after {time.monotonic() - started:.2f} s")
        # The first server's own indexer too (it was asserted by a total before, which seed articles
        # sharing one word met at once: a server stopped before indexing it failed `check`).
        assert wait_for(lambda: finds(first), 20)
    finally:
        outputs = [s.stop() for s in servers]
    assert all("Traceback" not in out for out in outputs), outputs
    for folder in homes:
        report = json.loads(run_process("check", "--json", db=db, env_extra={"SINMUN_HOME": str(folder)}).stdout)
        assert report["ok"] and report["articles"] == 21, report
    # The derived tables were written once, not once per server.
    with open_store(db) as store:
        assert store.entities.count_articles() <= 21
        assert sum(s["size"] for s in store.stories.page(limit=1000)[1]) == 21


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except (httpx.HTTPError, KeyError, ValueError):
            pass
        time.sleep(0.2)
    return False


def test_archive_keeps_its_own_files_in_sinmun_home(postgres, tmp_path, monkeypatch):
    monkeypatch.setenv("SINMUN_HOME", str(tmp_path / "home"))
    db = fresh_database(postgres)
    with Archive(db, create=True) as archive:
        assert archive.db_path == tmp_path / "home" / db.rsplit("/", 1)[1]
        assert archive.store.location.startswith("postgresql://")
        assert archive.store.schema_version >= 1


def test_a_store_of_the_previous_schema_keeps_its_raw_records(postgres, tmp_path, monkeypatch):
    """A PostgreSQL archive written before raw records were packed (schema 3, `raw` as text):
    migration 4 turns the column into bytes, and every record reads back as it was stored."""
    import psycopg

    from sinmun.store.schema import POSTGRES_MIGRATIONS

    monkeypatch.setenv("SINMUN_HOME", str(tmp_path))
    url = fresh_database(postgres)
    record = '{"title": "옛 기사", "body": "패킹 전에 저장된 기사다.\u2028줄 나눔도 그대로."}'
    open_store(url).close()  # creates the database, at the latest schema
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        for migration in POSTGRES_MIGRATIONS[:3]:
            conn.execute(migration)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '3')")
        conn.execute("INSERT INTO articles (id, title, headline, body, ingested_at, raw, content_id) "
                     "VALUES ('a1', '옛 기사', '옛 기사', '패킹 전에 저장된 기사다.', '2025-01-01', %s, 'c1')", (record,))
    store = open_store(url)
    try:
        assert store.schema_version == len(POSTGRES_MIGRATIONS)
        assert store.articles.get("a1").raw == record
    finally:
        store.close()


def test_stored_signatures_get_the_same_band_keys_in_sql(postgres, tmp_path, monkeypatch):
    """PostgreSQL's migration 5 computes each stored signature's LSH band keys in SQL: they must
    be the keys ingest computes in Python, or an upgraded archive would miss its near-duplicates."""
    import psycopg

    from sinmun.connect.dedupe import band_keys, signature
    from sinmun.store.schema import POSTGRES_MIGRATIONS

    monkeypatch.setenv("SINMUN_HOME", str(tmp_path))
    url = fresh_database(postgres)
    open_store(url).close()
    texts = {"a1": "항만 당국은 새 크레인 열두 대를 들여와 다음 달부터 야간 하역을 늘리기로 했다.",
             "a2": "구도심 전통시장이 지붕 공사를 끝내고 상인 120명이 돌아왔다고 구청이 밝혔다."}
    stored = {a: signature(t).hashvalues.tobytes() for a, t in texts.items()}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        for migration in POSTGRES_MIGRATIONS[:4]:
            conn.execute(migration)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '4')")
        for article_id, blob in stored.items():
            conn.execute("INSERT INTO minhashes VALUES (%s, %s)", (article_id, blob))
    store = open_store(url)
    try:
        assert store.schema_version == len(POSTGRES_MIGRATIONS)
        for article_id, blob in stored.items():
            assert [a for a, _ in store.signatures.candidates(band_keys(blob))] == [article_id]
    finally:
        store.close()
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT article_id, band FROM minhash_bands").fetchall()
    assert sorted(rows) == sorted((a, k) for a, blob in stored.items() for k in band_keys(blob))
