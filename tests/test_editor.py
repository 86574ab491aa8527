"""The newsroom's API, from `curl`'s side: tokens made by the CLI, then publish, correct, retract over
HTTP, each refusal with its status and a JSON message, everything in the audit log."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import httpx
import pytest

from conftest import SEED, Server, cli_json, fresh_database, run_cli, sinmun_home

ARTICLE = {"title": "[편집국 시험(1)] 시청 앞 광장에 새 도서관 문 열어", "section": "사회", "published": "2026-11-30",
           "url": "https://news.example/desk/1",
           "body": "시청 앞 광장에 시민 도서관이 문을 열었다. 장서 3만 권과 열람석 200석을 갖췄고, 어린이 열람실은 "
                   "따로 두었다. 개관 첫날 시민 2천 명이 찾아 책을 빌렸다. 도서관은 평일 밤 10시까지 문을 연다."}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def desk(request, seed_db, tmp_path_factory):
    """A server over the seed (a copy of the SQLite file, or the seed ingested into a new
    PostgreSQL database), with a write, a read and an admin token made by the CLI."""
    folder = tmp_path_factory.mktemp("desk")
    if request.param == "sqlite":
        db = folder / "desk.db"
        shutil.copy(seed_db, db)
    else:
        db = fresh_database(request.getfixturevalue("postgres"))
    with sinmun_home(folder):  # where a PostgreSQL archive's index and token key live (SQLite: beside it)
        if request.param == "postgresql":
            run_cli("ingest", str(SEED), db=db, check=True)
        tokens = {scope: run_cli("token", "create", "--name", f"{scope}-desk", "--scope", scope, db=db,
                                 check=True).stdout.strip() for scope in ("read", "write", "admin")}
        server = Server(db, "--workers", "1", env_extra={"SINMUN_HOME": str(folder)})
        yield server.base, db, tokens
        server.stop()


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def wait_until(condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.3)
    raise AssertionError("timed out")


def found_by_search(base: str, words: str, article_id: str) -> bool:
    hits = httpx.get(base + "/api/search", params={"q": words, "mode": "keyword"}).json()["hits"]
    return article_id in {h["id"] for h in hits}


def test_tokens_are_shown_once_and_kept_as_digests(desk):
    base, db, tokens = desk
    assert all(re.fullmatch(r"snm_[\w-]{43}", t) for t in tokens.values())
    listed = cli_json("token", "list", db=db)
    assert {t["name"]: t["scope"] for t in listed} == {"read-desk": "read", "write-desk": "write", "admin-desk": "admin"}
    if isinstance(db, str):  # PostgreSQL: what the store holds is read back through it
        from sinmun.store import open_store

        with open_store(db) as store:
            stored = repr(store.tokens.all()).encode() + repr(list(store.audit.entries(100, 0))).encode()
        key = Path(os.environ["SINMUN_HOME"]) / (db.rsplit("/", 1)[1] + ".secret")
    else:
        stored, key = db.read_bytes(), db.with_name("desk.secret")
    assert not any(t.encode() in stored for t in tokens.values())
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_writes_need_a_write_token_and_refusals_are_json(desk):
    base, _, tokens = desk
    missing = httpx.post(base + "/api/articles", json=ARTICLE)
    assert missing.status_code == 401 and missing.json()["status"] == 401
    assert "Bearer" in missing.headers["www-authenticate"]
    unknown = httpx.post(base + "/api/articles", json=ARTICLE, headers=auth("snm_" + "x" * 43))
    assert unknown.status_code == 401 and "unknown" in unknown.json()["message"]
    reader = httpx.post(base + "/api/articles", json=ARTICLE, headers=auth(tokens["read"]))
    assert reader.status_code == 403 and "'write'" in reader.json()["message"]
    bad = httpx.post(base + "/api/articles", json={"title": "본문 없음"}, headers=auth(tokens["write"]))
    assert bad.status_code == 422 and bad.json()["message"].startswith("body")
    date = httpx.post(base + "/api/articles", json={**ARTICLE, "published": "어제"}, headers=auth(tokens["write"]))
    assert date.status_code == 422 and date.json()["message"].startswith("published: not a date")


def test_publish_correct_retract_end_to_end(desk):
    base, db, tokens = desk
    write = auth(tokens["write"])

    def sections() -> dict[str, int]:  # every page shows them; the server counts them once per change
        return {s["name"]: s["articles"] for s in httpx.get(base + "/api/sections").json()}

    assert "사회" not in sections()
    made = httpx.post(base + "/api/articles", json=ARTICLE, headers=write)
    assert made.status_code == 201, made.text
    article = made.json()
    article_id = article["id"]
    assert made.headers["location"] == f"/api/articles/{article_id}"
    assert (article["title"], article["series"], article["episode"]) == ("시청 앞 광장에 새 도서관 문 열어", "편집국 시험", 1)
    assert article["source"] == "api:write-desk" and article["date_precision"] == "source"
    # The same article, the same text under another headline, the same URL: 409, naming the stored one.
    near = ARTICLE["body"].replace("평일 밤 10시까지", "주말에도")
    for again in (ARTICLE, {**ARTICLE, "title": "다른 제목", "url": None}, {**ARTICLE, "body": "새 글이다. " * 20},
                  {**ARTICLE, "title": "거의 같은 기사", "url": None, "body": near}):
        refused = httpx.post(base + "/api/articles", json=again, headers=write)
        assert refused.status_code == 409 and article_id in refused.json()["message"], refused.text
    # The background indexer makes it searchable within seconds.
    assert wait_until(lambda: found_by_search(base, "시민 도서관", article_id))
    assert sections()["사회"] == 1 and ">사회</a>" in httpx.get(base + "/").text

    corrected = {**ARTICLE, "body": ARTICLE["body"].replace("2천 명", "3천 명")}
    fixed = httpx.put(base + f"/api/articles/{article_id}", json=corrected, headers=write)
    assert fixed.status_code == 200 and "3천 명" in fixed.json()["body"] and fixed.json()["id"] == article_id
    same = httpx.put(base + f"/api/articles/{article_id}", json=corrected, headers=write)
    assert same.status_code == 200
    revisions = httpx.get(base + f"/api/articles/{article_id}/revisions").json()["revisions"]
    assert [r["body"] for r in revisions] == [ARTICLE["body"]]  # one correction, the previous text kept
    page = httpx.get(base + f"/articles/{article_id}").text
    assert "1차례 수정되었습니다" in page and f"/articles/{article_id}/revisions" in page
    diff = httpx.get(base + f"/articles/{article_id}/revisions").text
    assert "<del>2천</del>" in diff and "<ins>3천</ins>" in diff
    assert wait_until(lambda: found_by_search(base, "3천 명", article_id))

    gone = httpx.delete(base + f"/api/articles/{article_id}", params={"reason": "사실과 달라"}, headers=write)
    assert gone.status_code == 200 and gone.json()["retracted_at"]
    assert httpx.put(base + f"/api/articles/{article_id}", json=ARTICLE, headers=write).status_code == 409
    assert wait_until(lambda: not found_by_search(base, "시민 도서관", article_id))
    assert "사회" not in sections()
    assert article_id not in {a["id"] for a in httpx.get(base + "/api/articles", params={"limit": 100}).json()["articles"]}
    assert httpx.get(base + f"/api/articles/{article_id}").json()["retracted_at"]  # nothing is erased
    assert "철회되었습니다" in httpx.get(base + f"/articles/{article_id}").text
    assert cli_json("check", db=db)["ok"]

    log = cli_json("audit", "--article", article_id, db=db)["entries"]
    assert [(e["actor"], e["action"]) for e in log] == [("write-desk", "retract"), ("write-desk", "correct"),
                                                        ("write-desk", "publish")]
    assert log[0]["detail"] == {"reason": "사실과 달라"} and log[1]["rev"] == 1
    assert httpx.get(base + "/api/audit", headers=write).status_code == 403
    api_log = httpx.get(base + "/api/audit", params={"article_id": article_id}, headers=auth(tokens["admin"])).json()
    assert [e["action"] for e in api_log["entries"]] == ["retract", "correct", "publish"]


def test_a_revoked_token_stops_working_at_once(desk):
    base, db, _ = desk
    token = run_cli("token", "create", "--name", "short-lived", db=db, check=True).stdout.strip()
    body = {**ARTICLE, "title": "짧게 쓰는 열쇠", "url": None, "body": "폐기된 열쇠로는 기사를 쓸 수 없다. " * 5}
    run_cli("token", "revoke", "short-lived", db=db, check=True)
    refused = httpx.post(base + "/api/articles", json=body, headers=auth(token))
    assert refused.status_code == 401
    assert ("cli:" in cli_json("audit", db=db)["entries"][0]["actor"]
            and cli_json("audit", db=db)["entries"][0]["action"] == "token-revoke")
