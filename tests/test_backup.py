"""Backup and restore: a fresh location gets back every article, revision, audit entry and search answer."""

from __future__ import annotations

import sqlite3

import pytest

from sinmun.service import Archive, editor
from sinmun.service.editor import ArticleIn

from conftest import FIXTURES, SEED, cli_json, run_cli

QUERIES = ["엔비디아의 수출", "넷플릭스 인수", "양자컴퓨터", "동물도 의식이 있을까", "도서관"]


def rows(db, query: str) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute(query).fetchall()


def test_a_restored_archive_answers_as_the_original(tmp_path):
    db = tmp_path / "live" / "news.db"
    db.parent.mkdir()
    run_cli("ingest", str(SEED), str(FIXTURES / "sample.jsonl"), db=db, check=True)
    run_cli("token", "create", "--name", "desk", db=db, check=True)
    with Archive(db) as archive:  # an editor's day: a new article, a correction, a retraction
        body = "구립 도서관이 새벽까지 문을 연다. 시험 기간에 맞춘 조치로, 열람실 좌석도 두 배로 늘렸다. " * 2
        made = editor.publish(archive, ArticleIn(title="도서관, 새벽까지 문 연다", body=body), "desk")
        editor.correct(archive, made.id, ArticleIn(title="도서관, 새벽 2시까지 문 연다", body=body), "desk")
        retracted = cli_json("list", "--limit", "1", db=db)["articles"][0]["id"]
        editor.retract(archive, retracted, "desk", "오보")
    run_cli("search", "도서관", db=db, check=True)  # derive what the writes logged

    folder = tmp_path / "backups" / "monday"
    report = cli_json("backup", str(folder), db=db)
    assert report["articles"] == 28 and report["changes"] == report["index_position"]  # 29 stored, 1 retracted
    again = run_cli("backup", str(folder), db=db)
    assert again.returncode == 4 and "already holds a backup" in again.stderr  # never overwritten

    restored = tmp_path / "elsewhere" / "restored.db"
    assert run_cli("restore", str(folder), db=restored).returncode == 0
    assert run_cli("restore", str(folder), db=restored).returncode == 4  # not over an existing archive
    for query in ("SELECT * FROM articles ORDER BY id", "SELECT * FROM revisions ORDER BY article_id, rev",
                  "SELECT * FROM audit ORDER BY seq", "SELECT * FROM sources ORDER BY 1, 2",
                  "SELECT name, digest, scope FROM tokens ORDER BY name"):
        assert rows(restored, query) == rows(db, query), query
    for q in QUERIES:
        assert cli_json("search", q, db=restored) == cli_json("search", q, db=db), q
    check = cli_json("check", db=restored)
    assert check["ok"] and check["articles"] == 28  # 29 stored; the retracted one is out of the index
    assert restored.with_name("restored.secret").exists()


@pytest.mark.parametrize("bad", ["nowhere", "empty"])
def test_restoring_from_something_else_is_one_clear_line(tmp_path, bad):
    source = tmp_path / bad
    if bad == "empty":
        source.mkdir()
    proc = run_cli("restore", str(source), db=tmp_path / "r.db")
    assert proc.returncode == 3 and "holds no sinmun backup" in proc.stderr and len(proc.stderr.splitlines()) == 1
