"""JSON Lines input, format detection, and bad lines that must not lose good ones."""

from __future__ import annotations

import pytest

from sinmun.ingest import detect_format, read_path

from conftest import FIXTURES, SEED, cli_json, run_cli


def test_sample_articles_are_read_with_every_field():
    batch = read_path(FIXTURES / "sample.jsonl")
    assert batch.problems == []
    assert len(batch.articles) == 8
    first = batch.articles[0]
    assert (first.series, first.episode, first.title) == ("테크 돋보기", 1, "양자컴퓨터, 암호 체계를 흔들다")
    assert first.published == "2024-02-05"
    assert first.url == "https://news.example/a/1001"
    assert first.format == "jsonl"
    blocks = batch.articles[3]
    assert blocks.key_insights.startswith("메모리 업황")
    assert blocks.summary.startswith("삼성전자가")
    assert "[Key Insights]" not in blocks.body
    assert blocks.source == "project-sample"
    assert blocks.published == "2025-03-10T09:30:00+09:00"


def test_format_is_detected_from_content_and_can_be_forced(tmp_path):
    assert detect_format((FIXTURES / "sample.jsonl").read_text()) == "jsonl"
    assert detect_format(SEED.read_text(encoding="utf-8")) == "listpage"
    # A JSON Lines file with a misleading name is still read as JSON Lines.
    renamed = tmp_path / "articles.txt"
    renamed.write_bytes((FIXTURES / "sample.jsonl").read_bytes())
    assert len(read_path(renamed).articles) == 8
    # Forced to read it as a list page, each JSON line is a headline without a body:
    # eight problems named by line, nothing stored as an article by mistake.
    forced = read_path(renamed, format="listpage")
    assert forced.articles == []
    assert [p.line for p in forced.problems] == list(range(1, 9))
    assert all("has no body text" in p.reason and p.format == "listpage" for p in forced.problems)


def test_bad_lines_are_reported_and_good_lines_kept(tmp_path):
    db = tmp_path / "bad.db"
    proc = run_cli("ingest", str(FIXTURES / "bad.jsonl"), db=db)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    bad = str(FIXTURES / "bad.jsonl")
    assert errors == [
        f"error: {bad}:2: invalid JSON: Expecting ',' delimiter at column 22",
        f"error: {bad}:3: field 'body' is missing or empty",
        f"error: {bad}:4: field 'published': not an ISO date or datetime: '2025-02-30'",
        f"error: {bad}:5: not a JSON object",
    ]
    assert "2 articles: 2 new, 0 unchanged; 4 quarantined in" in proc.stdout
    listed = cli_json("list", db=db)
    assert sorted(a["title"] for a in listed["articles"]) == ["정상 기사 둘", "정상 기사 하나"]


def test_one_bad_file_does_not_stop_the_batch(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\x01\x02garbage" * 10)
    db = tmp_path / "mixed.db"
    proc = run_cli("ingest", str(empty), str(binary), str(FIXTURES / "sample.jsonl"), db=db)
    assert proc.returncode == 1
    assert f"error: {empty}: empty file" in proc.stderr
    assert f"error: {binary}: binary file, not text" in proc.stderr
    assert "8 articles: 8 new, 0 unchanged; 2 quarantined in" in proc.stdout


def test_cp949_file_is_decoded(tmp_path):
    legacy = tmp_path / "legacy.jsonl"
    legacy.write_bytes('{"title": "인코딩 시험 기사", "body": "완성형 한글 본문이다."}\n'.encode("cp949"))
    batch = read_path(legacy)
    assert [a.title for a in batch.articles] == ["인코딩 시험 기사"]


def test_published_option_dates_undated_articles(tmp_path):
    db = tmp_path / "dated.db"
    run_cli("ingest", str(SEED), "--published", "2025-12-16", db=db, check=True)
    articles = cli_json("list", db=db)["articles"]
    assert {a["published"] for a in articles} == {"2025-12-16"}
    proc = run_cli("ingest", str(SEED), "--published", "16/12/2025", db=db)
    assert proc.returncode == 2 and "--published" in proc.stderr and "Traceback" not in proc.stderr


LINE_BREAKERS = ["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]


@pytest.mark.parametrize("char", LINE_BREAKERS, ids=lambda c: f"U+{ord(c):04X}")
def test_a_line_break_character_inside_a_field_is_text(tmp_path, char):
    """json.dumps writes U+2028, U+2029 and U+0085 as they are: a record is still one line."""
    import json

    path = tmp_path / "breaks.jsonl"
    records = [{"title": f"제목{char}하나", "body": f"첫 문장입니다.{char}둘째 문장입니다."},
               {"title": "둘째 기사", "body": "멀쩡한 본문입니다."}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\r\n", encoding="utf-8")
    batch = read_path(path)
    assert not batch.problems and len(batch.articles) == 2
    assert char in batch.articles[0].body and batch.articles[1].position == 2
