"""Exact duplicates merge, near-duplicates link and hide, changed articles keep revisions."""

from __future__ import annotations

import json

import httpx

from sinmun.connect.dedupe import THRESHOLD, similarity

from conftest import FIXTURES, Server, cli_json, run_cli

PAIRS = [json.loads(line) for line in (FIXTURES / "duplicates.jsonl").read_text(encoding="utf-8").splitlines()]


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_threshold_separates_the_labelled_pairs():
    predicted = [similarity(p["a"]["body"], p["b"]["body"]) >= THRESHOLD for p in PAIRS]
    actual = [p["label"] == "dup" for p in PAIRS]
    tp = sum(p and a for p, a in zip(predicted, actual))
    precision = tp / max(1, sum(predicted))
    recall = tp / sum(actual)
    assert (precision, recall) == (1.0, 1.0)


def test_exact_duplicate_merges_into_one_article_with_two_sources(tmp_path):
    pair = PAIRS[4]  # the same text re-spaced and re-quoted by a second outlet
    assert pair["note"].startswith("spacing")
    db = tmp_path / "d.db"
    a = write_jsonl(tmp_path / "outlet_a.jsonl", [{**pair["b"], "source": "outlet-a"}])
    b = write_jsonl(tmp_path / "outlet_b.jsonl", [{**pair["a"], "source": "outlet-b"}])
    run_cli("ingest", str(a), db=db, check=True)
    proc = run_cli("ingest", str(b), db=db, check=True)
    assert proc.stdout.strip() == "1 articles: 0 new, 0 unchanged, 1 merged into an identical article"
    listed = cli_json("list", db=db)
    assert listed["total"] == 1
    shown = cli_json("show", listed["articles"][0]["id"], db=db)
    assert [s["source"] for s in shown["sources"]] == ["outlet-a", "outlet-b"]


def test_near_duplicates_are_linked_and_hidden_from_search(tmp_path):
    db = tmp_path / "near.db"
    originals = write_jsonl(tmp_path / "orig.jsonl", [p["b"] for p in PAIRS])
    copies = write_jsonl(tmp_path / "copies.jsonl", [p["a"] for p in PAIRS])
    run_cli("ingest", str(originals), db=db, check=True)
    proc = run_cli("ingest", str(copies), db=db, check=True)
    # 6 labelled duplicates: 1 identical text (merged) + 5 near-duplicates; 6 distinct articles.
    assert proc.stdout.strip() == ("12 articles: 11 new, 0 unchanged, 1 merged into an identical article, "
                                   "5 near-duplicates (hidden from search)")
    hidden = cli_json("search", "부산항 크레인", db=db)
    shown = cli_json("search", "부산항 크레인", "--include-duplicates", db=db)
    assert shown["total"] == hidden["total"] + 1
    copy_id = ({h["id"] for h in shown["hits"]} - {h["id"] for h in hidden["hits"]}).pop()
    copy = cli_json("show", copy_id, db=db)
    original = [h for h in hidden["hits"] if h["title"] == PAIRS[0]["b"]["title"]][0]
    assert copy["duplicate_of"] == original["id"]
    # The API takes the same parameter (it used to be missing there).
    server = Server(db)
    try:
        api = [httpx.get(server.base + "/api/search", params={"q": "부산항 크레인", **extra}).json()
               for extra in ({}, {"include_duplicates": "true"})]
    finally:
        server.stop()
    assert [a["total"] for a in api] == [hidden["total"], shown["total"]]
    assert copy_id in {h["id"] for h in api[1]["hits"]} - {h["id"] for h in api[0]["hits"]}


def test_changed_article_keeps_its_revisions(tmp_path):
    db = tmp_path / "rev.db"
    url = "https://news.example/a/42"
    first = {"title": "시청 앞 광장 재개장", "body": "시청 앞 광장이 1년간의 공사를 마치고 다시 문을 열었다. 분수대와 잔디밭이 새로 생겼다.", "url": url}
    second = {**first, "body": first["body"] + " 개장 첫날 시민 3천 명이 광장을 찾았다."}
    third = {**second, "title": "시청 앞 광장 재개장⋯첫날 3천 명 방문"}
    for n, record in enumerate((first, second, third)):
        run_cli("ingest", str(write_jsonl(tmp_path / f"v{n}.jsonl", [record])), db=db, check=True)
    again = run_cli("ingest", str(tmp_path / "v0.jsonl"), db=db, check=True)
    assert again.stdout.strip() == "1 articles: 0 new, 1 unchanged"  # an old version is not news
    listed = cli_json("list", db=db)
    assert listed["total"] == 1
    article_id = listed["articles"][0]["id"]
    assert listed["articles"][0]["title"] == third["title"]
    revisions = cli_json("show", article_id, "--revisions", db=db)["revisions"]
    assert [r["rev"] for r in revisions] == [1, 2]
    assert [r["body"] for r in revisions] == [first["body"], second["body"]]
    hits = cli_json("search", "3천 명 방문", db=db)
    assert [h["id"] for h in hits["hits"]] == [article_id]  # the index holds the current text only
    assert run_cli("check", db=db).returncode == 0
