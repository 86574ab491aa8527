"""The store (SQLite, and PostgreSQL where a test takes `backend`): idempotent ingest, transactions, migrations, the change log, and derived data following it."""

from __future__ import annotations

import json
import sqlite3

import pytest

from sinmun.errors import BadRequest, Conflict, NotFound
from sinmun.ingest import read_path
from sinmun.ingest.accept import accept
from sinmun.service import Archive
from sinmun.service.maintenance import catch_up
from sinmun.store import PUT, SQLiteStore, open_store
from sinmun.store.schema import MIGRATIONS

from conftest import SEED, cli_json, run_cli


def check_json(db) -> dict:
    """`sinmun check --json`, which exits 1 when it finds problems."""
    ran = run_cli("check", "--json", db=db)
    assert ran.returncode == (0 if '"ok": true' in ran.stdout else 1)
    return json.loads(ran.stdout)


def test_ingesting_twice_adds_nothing_and_says_so(backend):
    db = backend
    first = run_cli("ingest", str(SEED), db=db, check=True)
    assert first.stdout.strip() == "20 articles: 20 new, 0 unchanged"
    second = run_cli("ingest", str(SEED), db=db, check=True)
    assert second.stdout.strip() == "20 articles: 0 new, 20 unchanged"
    assert cli_json("stats", db=db)["articles"] == 20
    assert cli_json("check", db=db)["changes"] == 20  # nothing new, nothing logged


def test_store_is_wal_sqlite_with_verbatim_text(seed_db, seed_ids):
    con = sqlite3.connect(seed_db)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    raw_lines = SEED.read_text(encoding="utf-8").split("\n")
    # The raw card is the page's own lines, untouched, as `show --source` prints it.
    card = run_cli("show", seed_ids[1], "--source", db=seed_db, check=True).stdout
    assert card.split("\n")[:2] == raw_lines[3:5]
    record = cli_json("show", seed_ids[1], "--source", db=seed_db)
    assert record["raw"] + "\n" == card and record["format"] == "listpage"
    # Stored packed against the row's own text: a fraction of the card.
    kind, stored = con.execute("SELECT typeof(raw), length(raw) FROM articles WHERE id = ?", (seed_ids[1],)).fetchone()
    assert kind == "blob" and stored < len(record["raw"].encode()) / 3
    con.close()


def test_every_source_record_comes_back_exactly(backend, tmp_path):
    """JSON Lines with the characters real news carries (line separators, a BOM-less CR, emoji,
    hanja): the record `show --source` gives back is the line that arrived, byte for byte."""
    db = backend
    lines = [json.dumps({"title": f"기사 {i}", "body": f"{i}번째 기사의 본문이다.\u2028줄 나눔과\r 美中 🙂 {'가나다' * i}",
                         "url": f"https://example.com/{i}", "extra": {"n": i}}, ensure_ascii=i % 2 == 0)
             for i in range(1, 5)]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run_cli("ingest", str(tmp_path / "in.jsonl"), db=db, check=True)
    listed = cli_json("list", "--limit", "10", db=db)["articles"]
    got = {cli_json("show", a["id"], "--source", db=db)["raw"] for a in listed}
    assert got == set(lines)
    with Archive(db) as archive:
        stored = {a.id: a.raw for a in archive.store.articles.iter_all()}
    assert set(stored.values()) == set(lines)


def test_list_is_newest_first_like_the_page(seed_db):
    listed = cli_json("list", "--limit", "20", db=seed_db)
    assert [a["title"] for a in listed["articles"]] == [a.title for a in read_path(SEED).articles]


def test_a_failed_batch_stores_nothing_and_logs_nothing(backend):
    store = open_store(backend)
    articles = read_path(SEED).articles

    def exploding():
        yield from articles[:5]
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        accept(store, exploding())
    assert store.articles.count() == 0 and store.changes.head() == 0
    assert accept(store, articles).new and store.articles.count() == 20
    changes = store.changes.since(0, 100)
    # Increasing in commit order; PostgreSQL's sequences may leave gaps (a rolled-back batch used numbers).
    seqs = [c.seq for c in changes]
    assert len(seqs) == 20 and seqs == sorted(set(seqs)) and {c.kind for c in changes} == {PUT}


def test_a_revision_keeps_the_row_and_logs_a_change(backend):
    store = open_store(backend)
    first = read_path(SEED).articles[0]
    first.url = "https://news.example/1"
    accept(store, [first])
    seq_before = store.articles.with_seq([first.id])[first.id][0]
    changed = read_path(SEED).articles[0]
    changed.url, changed.body = first.url, first.body + " 덧붙인 문장."
    changed.id = ""
    changed.__post_init__()
    assert accept(store, [changed]).revised == 1
    seq, current = store.articles.with_seq([first.id])[first.id]
    assert seq == seq_before and current.body.endswith("덧붙인 문장.")
    assert [c.article_id for c in store.changes.since(0, 10)] == [first.id, first.id]
    assert [r["rev"] for r in store.articles.revisions(first.id)] == [1]


def test_index_catches_up_after_a_crash_between_store_and_index(backend):
    db = backend
    run_cli("ingest", str(SEED), db=db, check=True)
    # Articles that reached the store but not the index (as after a kill -9 there).
    with open_store(db) as store:
        extra = read_path(SEED).articles[:3]
        for article in extra:
            article.title += " (개정판)"
            article.headline += " (개정판)"
            article.body += " 개정판에서 덧붙인 문장이다."
            article.id = ""
            article.__post_init__()
        assert len(accept(store, extra).new) == 3
    behind = check_json(db)
    assert not behind["ok"] and behind["positions"]["index"] == 20 and behind["changes"] == 23
    hits = cli_json("search", "개정판", db=db)
    assert hits["total"] == 3
    archive = Archive(db)
    assert archive.index.ids() == archive.store.articles.live_ids()
    assert archive.index.count() == 23
    assert cli_json("check", db=db)["ok"]


def test_every_consumer_records_its_own_position(backend):
    db = backend
    run_cli("ingest", str(SEED), db=db, check=True)
    report = cli_json("check", db=db)
    assert report["positions"] == {"index": 20, "stories": 20, "vectors": 20, "vocabulary": 20}
    # A consumer that fell behind (here: its position taken back) is caught up alone.
    with open_store(db) as store, store.transaction():
        store.changes.advance("vocabulary", 0, "another analysis")
        before = store.vocabulary.all()
    assert not check_json(db)["ok"]
    with Archive(db) as archive:
        assert catch_up(archive) == 20
        assert archive.store.vocabulary.all() == before
    assert cli_json("check", db=db)["ok"]


def test_reindex_rebuilds_from_the_store(backend):
    db = backend
    run_cli("ingest", str(SEED), db=db, check=True)
    stories_before = cli_json("stories", db=db)
    proc = run_cli("reindex", db=db, check=True)
    assert proc.stdout.startswith("indexed 20 articles")
    assert cli_json("search", "엔비디아", db=db)["total"] > 5
    assert cli_json("stories", db=db) == stories_before
    assert cli_json("check", db=db)["ok"]


def test_articles_with_entities_are_counted_as_they_change(backend):
    """The stories' idf counts the articles that name anything: kept as they are written,
    it follows a retraction and a rebuild as a count of the table would."""
    from sinmun.service import editor

    db = backend
    run_cli("ingest", str(SEED), db=db, check=True)

    def naming() -> tuple[int, int, str]:
        with open_store(db) as store:
            ids = sorted(store.articles.live_ids())
            named = [i for i in ids if store.entities.of_article(i)]
            return store.entities.count_articles(), len(named), named[0]

    counted, named, first = naming()
    assert counted == named > 10
    with Archive(db) as archive:
        editor.retract(archive, first, "desk")
        catch_up(archive)
    assert naming()[:2] == (named - 1, named - 1)
    run_cli("reindex", db=db, check=True)
    assert naming()[:2] == (named - 1, named - 1)


def test_articles_with_vectors_are_counted_as_they_change(backend):
    """Embedding a query divides by the articles with a vector: kept as they are written (a
    count of the table read its whole index per query), it follows a correction, a
    retraction and a rebuild as a count of the table would, and `check` compares the two."""
    from sinmun.service import editor

    db = backend
    run_cli("ingest", str(SEED), db=db, check=True)

    def counted() -> tuple[int, int]:
        with open_store(db) as store:
            return store.vectors.count(), store.vectors.count_rows()

    assert counted() == (20, 20)
    with Archive(db) as archive:
        first, second = sorted(archive.store.articles.live_ids())[:2]
        editor.correct(archive, first, editor.ArticleIn(title="정정된 제목", body="정정된 본문이다. " * 5), "desk")
        editor.retract(archive, second, "desk")
        catch_up(archive)
    assert counted() == (19, 19)
    run_cli("reindex", db=db, check=True)
    assert counted() == (19, 19)
    assert cli_json("check", db=db)["ok"]


def test_articles_with_vectors_are_counted_on_upgrade(tmp_path):
    """Migration 17 counts the articles with a vector once; from then on they are counted as written."""
    db = tmp_path / "v16.db"
    con = file_at_schema(db, 16)
    con.executemany("INSERT INTO article_vectors VALUES (?, ?, 0, x'00', x'')", [(1, "a1"), (2, "a2")])
    con.commit()
    con.close()
    store = SQLiteStore(db)
    try:
        assert store.vectors.count() == 2
        with store.transaction():
            store.vectors.put([(3, "a3", False, b"\x01"), (2, "a2", False, b"\x02")])
        assert store.vectors.count() == store.vectors.count_rows() == 3
        with store.transaction():
            store.vectors.remove("a1")
        assert store.vectors.count() == store.vectors.count_rows() == 2
    finally:
        store.close()


def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(NotFound):
        SQLiteStore(tmp_path / "none.db", create=False)
    proc = run_cli("list", db=tmp_path / "none.db")
    assert proc.returncode == NotFound.exit_code
    assert proc.stderr.strip().startswith("error: no sinmun database at")
    assert not (tmp_path / "none.db").exists()


def test_database_from_a_newer_sinmun_is_refused(tmp_path):
    db = tmp_path / "new.db"
    SQLiteStore(db).close()
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    con.close()
    with pytest.raises(Conflict, match="newer sinmun"):
        SQLiteStore(db)


def test_not_a_database_is_a_clear_error(tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_text("this is not sqlite " * 100)
    with pytest.raises(BadRequest):
        SQLiteStore(bogus)
    proc = run_cli("stats", db=bogus)
    assert proc.returncode == BadRequest.exit_code
    assert "not a usable sinmun database" in proc.stderr
    assert "Traceback" not in proc.stderr


def file_at_schema(db, version: int) -> sqlite3.Connection:
    """A SQLite file as sinmun left it at an older schema `version` (an open connection)."""
    from sinmun.store.packing import pack_raw
    from sinmun.store.vectors import band_key

    con = sqlite3.connect(db)
    con.create_function("text_hash", 1, lambda body: None)
    con.create_function("pack_raw", 3, pack_raw)
    con.create_function("band_key", 2, band_key)
    for number, migration in enumerate(MIGRATIONS[:version], 1):
        con.executescript(f"{migration}; PRAGMA user_version = {number};")
    return con


def test_a_store_of_the_previous_schema_is_migrated_and_rederived(tmp_path):
    """A file written before the change log: the log is made from its articles, and
    everything derived is rebuilt from it on the next catch-up."""
    db = tmp_path / "old.db"
    con = file_at_schema(db, 5)
    con.execute("INSERT INTO articles (id, title, headline, body, ingested_at, raw, content_id) "
                "VALUES ('a1', '옛 기사', '옛 기사', '변경 기록이 생기기 전에 저장된 기사다.', '2025-01-01', 'x', 'c1')")
    con.commit()
    con.close()
    with Archive(db) as archive:
        assert archive.store.changes.head() == 1
        assert catch_up(archive) == 1
        assert archive.index.ids() == {"a1"}
        assert archive.store.articles.get("a1").raw == "x"  # packed by migration 12, read back the same
    con = sqlite3.connect(db)
    assert con.execute("SELECT typeof(raw) FROM articles").fetchone()[0] == "blob"
    con.close()


def key_ordered_plan(db, tables: tuple[str, ...], query: str) -> str:
    """Asserts the tables are kept as their key's B-tree (WITHOUT ROWID); returns the query's plan."""
    con = sqlite3.connect(db)
    try:
        for table in tables:
            sql = con.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
            assert sql.rstrip().endswith("WITHOUT ROWID"), table
        return " ".join(r[3] for r in con.execute(f"EXPLAIN QUERY PLAN {query}"))
    finally:
        con.close()


def test_entity_rows_survive_the_move_to_key_ordered_tables(tmp_path):
    """Migration 13 rebuilds the all-key tables WITHOUT ROWID: every row is still there,
    and the entity pages' lookups by name still use an index."""
    db = tmp_path / "v12.db"
    con = file_at_schema(db, 12)
    con.executemany("INSERT INTO article_entities VALUES (?, ?, ?, ?)",
                    [("a1", "엔비디아", "org", 3), ("a1", "젠슨 황", "person", 1), ("a2", "엔비디아", "org", 1)])
    con.execute("INSERT INTO story_entities VALUES ('s1', '엔비디아', 0.5)")
    con.execute("INSERT INTO term_df VALUES ('엔비디아', 2)")
    con.commit()
    con.close()
    store = SQLiteStore(db)
    assert sorted(store.entities.articles_naming("엔비디아")) == ["a1", "a2"]
    store.close()
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM article_entities").fetchone()[0] == 3
    assert con.execute("SELECT weight FROM story_entities").fetchone()[0] == 0.5
    assert con.execute("SELECT df FROM term_df").fetchone()[0] == 2
    con.close()
    assert "article_entities_name" in key_ordered_plan(db, ("article_entities", "story_entities", "term_df"),
                                                       "SELECT article_id FROM article_entities WHERE name = '엔비디아'")


def test_stored_signatures_get_their_band_keys_on_upgrade(tmp_path):
    """Migration 14 gives every stored signature its LSH band keys, the ones ingest computes:
    an archive stored before it still finds near-duplicates of its articles."""
    from sinmun.connect.dedupe import BANDS, band_keys, signature

    db = tmp_path / "v13.db"
    con = file_at_schema(db, 13)
    text = "항만 당국은 새 크레인 열두 대를 들여와 다음 달부터 야간 하역을 늘리기로 했다고 밝혔다."
    stored = signature(text).hashvalues.tobytes()
    con.execute("INSERT INTO minhashes VALUES ('a1', ?)", (stored,))
    con.commit()
    con.close()
    store = SQLiteStore(db)
    try:
        assert [a for a, _ in store.signatures.candidates(band_keys(stored))] == ["a1"]
    finally:
        store.close()
    con = sqlite3.connect(db)
    assert sorted(r[0] for r in con.execute("SELECT band FROM minhash_bands")) == sorted(band_keys(stored))
    assert len(set(band_keys(stored))) == BANDS
    con.close()


def test_articles_with_entities_are_counted_on_upgrade(tmp_path):
    """Migration 15 counts the articles that name anything once; from then on they are counted as written."""
    db = tmp_path / "v14.db"
    con = file_at_schema(db, 14)
    con.executemany("INSERT INTO article_entities VALUES (?, ?, ?, ?)",
                    [("a1", "엔비디아", "org", 3), ("a1", "젠슨 황", "person", 1), ("a2", "엔비디아", "org", 1)])
    con.commit()
    con.close()
    store = SQLiteStore(db)
    try:
        assert store.entities.count_articles() == 2
        with store.transaction():
            store.entities.replace("a3", [("삼성전자", "org", 1)])
        assert store.entities.count_articles() == 3
        with store.transaction():
            store.entities.replace("a1", [])
            store.entities.replace("a2", [("엔비디아", "org", 2)])
        assert store.entities.count_articles() == 2
    finally:
        store.close()


def test_stories_survive_the_move_to_key_ordered_tables(tmp_path):
    """Migration 16 rebuilds the story tables WITHOUT ROWID: every story and member is still
    there, and placing a new article still finds its story by a shared name."""
    db = tmp_path / "v15.db"
    con = file_at_schema(db, 15)
    con.execute("INSERT INTO stories VALUES ('s1', '항만 야간 하역', 2, '2025-03-01', '2025-03-04', 7)")
    con.executemany("INSERT INTO story_articles VALUES (?, 's1', ?)", [("a1", 1.0), ("a2", 0.61)])
    con.execute("INSERT INTO story_entities VALUES ('s1', '부산항만공사', 2.0)")
    con.commit()
    con.close()
    store = SQLiteStore(db)
    try:
        assert store.stories.story_of("a2") == "s1"
        assert store.stories.summary("s1")["size"] == 2
        assert store.stories.candidates(["부산항만공사"], 0, 5) == [("s1", "2025-03-01", "2025-03-04")]
    finally:
        store.close()
    assert "story_articles_story" in key_ordered_plan(db, ("stories", "story_articles"),
                                                      "SELECT article_id FROM story_articles WHERE story_id = 's1'")


def test_a_revised_text_is_no_longer_matched_by_copies_of_the_old_one(tmp_path):
    """Near-duplicates are found against each article's current text: after a revision, a copy
    of the old text is a new article, and a copy of the new text is linked to the revised one."""
    old = ("시청 앞 광장이 1년간의 공사를 마치고 다시 문을 열었다. 분수대와 잔디밭이 새로 생겼고 "
           "야간 조명도 설치됐다. 시는 주말마다 작은 음악회를 열 계획이다.")
    new = ("구도심 전통시장이 지붕 공사를 끝내고 상인 120명이 돌아왔다. 주차장 두 곳이 새로 문을 열었고 "
           "배달 서비스도 시작됐다. 구청은 다음 달 시장 축제를 연다.")
    from sinmun.connect.dedupe import BANDS

    url = "https://news.example/a/7"

    def ingest(name: str, record: dict) -> str:
        path = tmp_path / f"{name}.jsonl"
        path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        return run_cli("ingest", str(path), db=tmp_path / "r.db", check=True).stdout.strip()

    ingest("first", {"title": "광장 재개장", "body": old, "url": url})
    ingest("revised", {"title": "시장 재개장", "body": new, "url": url})
    assert "near-duplicate" not in ingest("old-copy", {"title": "광장 다시 열어", "body": old + " 시민 반응도 좋다.",
                                                       "url": "https://other.example/1"})
    assert "1 near-duplicates" in ingest("new-copy", {"title": "시장 다시 열어", "body": new + " 상인들은 반겼다.",
                                                      "url": "https://other.example/2"})
    con = sqlite3.connect(tmp_path / "r.db")
    assert con.execute("SELECT count(*) FROM minhash_bands").fetchone()[0] == 3 * BANDS  # the old text's keys went
    con.close()


def test_an_ingest_that_changes_anything_is_one_audit_entry(backend):
    import getpass

    db = backend
    run_cli("ingest", str(SEED), db=db, check=True)
    run_cli("ingest", str(SEED), db=db, check=True)  # nothing new: nothing to record
    [entry] = cli_json("audit", db=db)["entries"]
    assert (entry["actor"], entry["action"]) == (f"cli:{getpass.getuser()}", "ingest")
    assert entry["detail"] == {"files": 1, "read": 20, "new": 20, "revised": 0, "merged": 0, "near_duplicates": 0,
                               "quarantined": 0}


def test_doctor_checks_a_deployment_in_either_store(backend, tmp_path):
    db = backend
    run_cli("ingest", str(SEED), db=db, check=True)
    report = cli_json("doctor", db=db)
    levels = {c["name"]: c["level"] for c in report["checks"]}
    assert report["ok"] and levels["store"] == levels["schema"] == levels["index"] == "ok", report
    assert {"derived: stories", "derived: vectors", "derived: vocabulary", "analysis", "disk"} <= set(levels)
    engine = next(c["detail"] for c in report["checks"] if c["name"] == "store")
    assert engine.startswith("PostgreSQL" if db.startswith("postgresql://") else "SQLite")
    if db.startswith("postgresql://"):
        # Another server's index over the same store shows up, with its position.
        with Archive(db, home=tmp_path / "elsewhere") as other:
            catch_up(other)
        others = [c for c in cli_json("doctor", db=db)["checks"] if c["name"] == "other index"]
        assert len(others) == 1 and "elsewhere" in others[0]["detail"] and " at 20 of 20" in others[0]["detail"]
    # An index that belongs to another store fails, and the line says what to do.
    with Archive(db) as archive:
        meta = archive.index.path / "sinmun-index.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "store_id": "another"}))
    ran = run_cli("doctor", db=db)
    assert ran.returncode == 1 and "fail  index:" in ran.stdout and "belongs to another store" in ran.stdout


def test_the_biggest_stories_come_from_an_index(seed_db):
    """The home page lists the biggest stories: read down an index, not by sorting every story
    (60 ms at 412,000 articles, on every home page). The order is the one `sinmun stories` shows."""
    listed = cli_json("stories", "--limit", "5", db=seed_db)["stories"]
    assert listed and [s["size"] for s in listed] == sorted((s["size"] for s in listed), reverse=True)
    con = sqlite3.connect(seed_db)
    try:
        for query in ("SELECT count(*) FROM stories WHERE size >= 2",
                      "SELECT * FROM stories WHERE size >= 2 ORDER BY size DESC, COALESCE(last_day, '') DESC, "
                      "last_seq DESC LIMIT 5"):
            plan = " ".join(r[3] for r in con.execute(f"EXPLAIN QUERY PLAN {query}"))
            assert "stories_biggest" in plan and "TEMP B-TREE" not in plan, plan
    finally:
        con.close()
