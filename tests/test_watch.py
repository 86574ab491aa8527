"""`sinmun watch`: new and changed files are ingested as they appear, until stopped."""

from __future__ import annotations

import json
import signal
import subprocess
import time

from conftest import FIXTURES, SINMUN, cli_json


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {condition}")


def total(db) -> int:
    if not db.exists():
        return 0
    return cli_json("list", db=db)["total"]


def test_watch_ingests_new_and_changed_files(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "first.jsonl").write_text((FIXTURES / "sample.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    db = tmp_path / "w.db"
    proc = subprocess.Popen([str(SINMUN), "watch", str(inbox), "--db", str(db), "--debounce", "200"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: total(db) == 8)
        # A new file in a subfolder, written in two steps (debounced into one read).
        (inbox / "sub").mkdir()
        late = inbox / "sub" / "late.jsonl"
        record = {"title": "늦게 도착한 기사", "body": "감시 중인 폴더에 새로 들어온 기사도 곧바로 저장된다.", "published": "2025-12-01"}
        with late.open("w", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            f.flush()
            time.sleep(0.05)
            f.write(json.dumps({**record, "title": "두 번째 늦은 기사", "body": "같은 파일의 두 번째 줄이다."}, ensure_ascii=False) + "\n")
        wait_for(lambda: total(db) == 10)
        # A changed file: only its new article is new.
        with late.open("a", encoding="utf-8") as f:
            f.write(json.dumps({**record, "title": "세 번째 기사", "body": "파일이 바뀌면 다시 읽는다."}, ensure_ascii=False) + "\n")
        wait_for(lambda: total(db) == 11)
        # Partial downloads are not read: a file written after the `.part` one is, and the
        # `.part` article is still absent once that later file has been ingested.
        (inbox / "next.jsonl.part").write_text('{"title": "미완성", "body": "아직 받는 중"}\n', encoding="utf-8")
        (inbox / "after.jsonl").write_text(json.dumps({**record, "title": "나중 기사", "body": "부분 파일 다음에 온 기사다."},
                                                      ensure_ascii=False) + "\n", encoding="utf-8")
        wait_for(lambda: total(db) == 12)
        assert "미완성" not in {a["title"] for a in cli_json("list", db=db)["articles"]}
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "1 articles: 1 new" in out or "3 articles: 1 new, 2 unchanged" in out
    assert cli_json("search", "늦게 도착한 기사", db=db)["hits"][0]["title"] == "늦게 도착한 기사"
