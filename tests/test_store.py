"""The store: idempotent ingest, transactions, migrations, and the index catching up."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import SEED, cli_json, run_cli

from sinmun.archive import Archive
from sinmun.ingest import read_path
from sinmun.store import MIGRATIONS, Store, StoreError, StoreNotFound


def test_ingesting_twice_adds_nothing_and_says_so(tmp_path):
    db = tmp_path / "twice.db"
    first = run_cli("ingest", str(SEED), db=db, check=True)
    assert first.stdout.strip() == "20 articles: 20 new, 0 unchanged"
    second = run_cli("ingest", str(SEED), db=db, check=True)
    assert second.stdout.strip() == "20 articles: 0 new, 20 unchanged"
    assert cli_json("stats", db=db)["articles"] == 20


def test_store_is_wal_sqlite_with_verbatim_text(seed_db):
    con = sqlite3.connect(seed_db)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    raw_lines = SEED.read_text(encoding="utf-8").split("\n")
    stored = dict(con.execute("SELECT position, raw FROM articles"))
    # The raw card is the page's own lines, untouched.
    assert stored[1].split("\n")[0] == raw_lines[3]
    assert stored[1].split("\n")[1] == raw_lines[4]
    con.close()


def test_list_is_newest_first_like_the_page(seed_db):
    listed = cli_json("list", "--limit", "20", db=seed_db)
    positions = [a["title"] for a in listed["articles"]]
    assert positions == [a.title for a in read_path(SEED).articles]


def test_a_failed_batch_stores_nothing(tmp_path):
    store = Store(tmp_path / "tx.db")
    articles = read_path(SEED).articles

    def exploding():
        yield from articles[:5]
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        store.add(exploding())
    assert store.count() == 0
    assert store.add(articles).new and store.count() == 20


def test_index_catches_up_after_a_crash_between_store_and_index(tmp_path):
    db = tmp_path / "crash.db"
    run_cli("ingest", str(SEED), db=db, check=True)
    # Articles that reached the store but not the index (as after a kill -9 there).
    with Store(db) as store:
        extra = read_path(SEED).articles[:3]
        for article in extra:
            article.title += " (개정판)"
            article.headline += " (개정판)"
            article.body += " 개정판에서 덧붙인 문장이다."
            article.id = ""
            article.__post_init__()
        assert len(store.add(extra).new) == 3
    hits = cli_json("search", "개정판", db=db)
    assert hits["total"] == 3
    archive = Archive(db)
    assert archive.index.ids() == {a.id for a in archive.store.list(limit=100)[1]}
    assert archive.index.count() == 23


def test_reindex_rebuilds_from_the_store(tmp_path):
    db = tmp_path / "re.db"
    run_cli("ingest", str(SEED), db=db, check=True)
    proc = run_cli("reindex", db=db, check=True)
    assert proc.stdout.startswith("indexed 20 articles")
    assert cli_json("search", "엔비디아", db=db)["total"] > 5


def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(StoreNotFound):
        Store(tmp_path / "none.db", create=False)
    proc = run_cli("list", db=tmp_path / "none.db")
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("error: no sinmun database at")
    assert not (tmp_path / "none.db").exists()


def test_database_from_a_newer_sinmun_is_refused(tmp_path):
    db = tmp_path / "new.db"
    Store(db).close()
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    con.close()
    with pytest.raises(StoreError, match="newer sinmun"):
        Store(db)


def test_not_a_database_is_a_clear_error(tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_text("this is not sqlite " * 100)
    proc = run_cli("stats", db=bogus)
    assert proc.returncode == 1
    assert "not a usable sinmun database" in proc.stderr
    assert "Traceback" not in proc.stderr
