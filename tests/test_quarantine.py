"""Bad input never loses anything: 20+ kinds of broken input in one batch."""

from __future__ import annotations

import json

from conftest import FIXTURES, SEED, cli_json, run_cli

GOOD = '{"title": "정상 기사", "body": "이 기사는 정상적으로 저장되어야 한다. 옆의 파일들이 모두 망가져 있어도 그렇다."}\n'


def broken_inputs(folder):
    """(file name, content, expected reason fragment): each refused for its own reason."""
    seed_lines = SEED.read_text(encoding="utf-8").split("\n")
    page = (FIXTURES / "html" / "wire_dateline.html").read_text(encoding="utf-8")
    cases = [
        ("empty.jsonl", b"", "empty file"),
        ("blank.txt", b"\n\n   \n", "empty file"),
        ("binary.bin", bytes(range(256)) * 40, "binary"),
        ("png.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, "binary"),
        ("cut.jsonl", b'{"title": "\xec\xa4\x91\xeb\x8b\xa8\xeb\x90\x9c", "body": "\xeb\xb3\xb8', "invalid JSON"),
        ("array.jsonl", b'["not", "an", "article"]\n', "not a JSON object"),
        ("no_body.jsonl", '{"title": "본문 없음"}\n'.encode(), "'body'"),
        ("no_title.jsonl", '{"body": "제목 없는 본문"}\n'.encode(), "'title'"),
        ("empty_body.jsonl", '{"title": "빈 본문", "body": ""}\n'.encode(), "'body'"),
        ("bad_date.jsonl", '{"title": "날짜", "body": "본문", "published": "어제"}\n'.encode(), "'published'"),
        ("bad_episode.jsonl", '{"title": "회차", "body": "본문", "episode": "열"}\n'.encode(), "'episode'"),
        ("number_title.jsonl", b'{"title": 42, "body": "x"}\n', "'title'"),
        ("trailing.jsonl", GOOD.encode() + b'{"title": "x", "body": "y"', "invalid JSON"),
        ("truncated.html", page[: len(page) // 2].encode(), "truncated"),
        ("menu_only.html", b"<html><body><nav><a href='/'>home</a></nav></body></html>", "no article text"),
        ("empty_feed.xml", b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>', "no articles"),
        ("entry_no_text.xml", '<?xml version="1.0"?><rss version="2.0"><channel><item><title>제목</title></item></channel></rss>'.encode(), "no text"),
        ("card_no_body.txt", ("검색\n-\n-\n" + seed_lines[3] + "\n-\n- 경제\n-\n").encode(), "no body"),
        ("stray_line.txt", "- 제목 없는 줄\n".encode(), "without a headline"),
        ("huge_line.jsonl", b'{"title": "big", "body": "' + b"a" * 6_000_000 + b'"}\n', "over the"),
        ("latin1.txt", "caf\xe9 cr\xe8me br\xfbl\xe9e \xbf\xa1".encode("latin-1") * 3, None),
    ]
    for name, data, _ in cases:
        (folder / name).write_bytes(data)
    return cases


def test_every_broken_input_is_quarantined_and_the_rest_stored(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    cases = broken_inputs(inbox)
    (inbox / "good.jsonl").write_text(GOOD, encoding="utf-8")
    db = tmp_path / "q.db"
    proc = run_cli("ingest", str(inbox), str(FIXTURES / "sample.jsonl"), db=db)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == len(cases)
    for name, _, reason in cases:
        line = next(e for e in errors if f"/{name}" in e)
        if reason:
            assert reason in line, line
    # The good article inside the file with a cut last line survives too.
    assert proc.stdout.startswith(f"10 articles: 9 new, 1 unchanged; {len(cases)} quarantined in ")
    listed = cli_json("quarantine", "list", db=db)
    assert len(listed["entries"]) == len(cases)
    entry = next(e for e in listed["entries"] if e["source"].endswith("trailing.jsonl"))
    assert entry["line"] == 2 and entry["format"] == "jsonl"
    quarantine = tmp_path / "q.quarantine"
    assert (quarantine / entry["name"]).read_bytes() == b'{"title": "x", "body": "y"'
    reason = json.loads((quarantine / f"{entry['name']}.json").read_text(encoding="utf-8"))
    assert reason["reason"].startswith("invalid JSON")
    huge = next(e for e in listed["entries"] if e["source"].endswith("huge_line.jsonl"))
    assert huge["bytes"] > 6_000_000  # the whole line is kept, not a piece of it


def test_retry_takes_fixed_inputs_out_of_quarantine(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bad.jsonl").write_text('{"title": "고칠 기사", "body": "본문", "published": "2025-02-30"}\n', encoding="utf-8")
    db = tmp_path / "r.db"
    assert run_cli("ingest", str(inbox), db=db).returncode == 1
    [entry] = cli_json("quarantine", "list", db=db)["entries"]
    data = tmp_path / "r.quarantine" / entry["name"]
    data.write_text(data.read_text(encoding="utf-8").replace("2025-02-30", "2025-02-28"), encoding="utf-8")
    proc = run_cli("quarantine", "retry", db=db)
    assert proc.returncode == 0 and proc.stdout.strip() == "1 articles: 1 new, 0 unchanged; 0 still quarantined"
    assert cli_json("quarantine", "list", db=db)["entries"] == []
    article = cli_json("list", db=db)["articles"][0]
    assert cli_json("show", article["id"], db=db)["source"] == str(inbox / "bad.jsonl")


def test_pathological_records_are_refused_one_by_one_not_with_their_file(tmp_path):
    """Nesting deep enough to exhaust the JSON parser's recursion is a bad line (or a
    page without usable metadata), not a reason to lose the good lines beside it."""
    deep = tmp_path / "deep.jsonl"
    deep.write_text(GOOD + "[" * 100_000 + "\n", encoding="utf-8")
    page = tmp_path / "deep_ld.html"
    page.write_text('<html><head><title>깊은 메타데이터 - 시험일보</title><script type="application/ld+json">'
                    + "[" * 5000 + "</script></head><body><article><h1>깊은 메타데이터</h1><p>"
                    + "메타데이터가 망가져도 본문은 읽혀야 한다. " * 5 + "</p></article></body></html>", encoding="utf-8")
    db = tmp_path / "deep.db"
    proc = run_cli("ingest", str(deep), str(page), db=db)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.startswith("error:")] == [
        f"error: {deep}:2: invalid JSON: nested too deeply"]
    assert sorted(a["title"] for a in cli_json("list", db=db)["articles"]) == ["깊은 메타데이터", "정상 기사"]


def test_xhtml_pages_with_an_xml_declaration_are_read(tmp_path):
    page = tmp_path / "xhtml.html"
    page.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">'
                    "<head><title>선언이 있는 쪽 - 시험일보</title></head><body><article><h1>선언이 있는 쪽</h1><p>"
                    + "XML 선언으로 시작하는 XHTML 기사도 읽어야 한다. " * 4 + "</p></article></body></html>",
                    encoding="utf-8")
    db = tmp_path / "x.db"
    run_cli("ingest", str(page), db=db, check=True)
    assert [a["title"] for a in cli_json("list", db=db)["articles"]] == ["선언이 있는 쪽"]


def test_a_reader_that_fails_quarantines_its_file_and_the_batch_goes_on(tmp_path, monkeypatch):
    """The safety net for reader bugs not found yet: a reader raising anything costs its
    own file (kept in quarantine, with the exception named), never the batch."""
    from sinmun import ingest

    real = ingest.READERS["jsonl"]

    def buggy(text, source):
        if "버그" in text:
            raise RuntimeError("a bug in a reader")
        return real(text, source)

    monkeypatch.setitem(ingest.READERS, "jsonl", buggy)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "버그를 부르는 기사", "body": "이 줄이 읽기 도구의 버그를 건드린다."}\n', encoding="utf-8")
    good = tmp_path / "good.jsonl"
    good.write_text(GOOD, encoding="utf-8")
    db = tmp_path / "b.db"
    proc = run_cli("ingest", str(bad), str(good), db=db)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"error: {bad}: could not be read as jsonl (RuntimeError: a bug in a reader)" in proc.stderr
    assert proc.stdout.startswith("1 articles: 1 new, 0 unchanged; 1 quarantined")
    [entry] = cli_json("quarantine", "list", db=db)["entries"]
    assert (tmp_path / "b.quarantine" / entry["name"]).read_bytes() == bad.read_bytes()
