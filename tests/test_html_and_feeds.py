"""Saved article pages from several site layouts, feeds from files and URLs, encodings."""

from __future__ import annotations

import codecs
import http.server
import threading
from functools import partial

import pytest

from sinmun.ingest import read_path
from sinmun.ingest.encoding import decode

from conftest import FIXTURES, cli_json, run_cli

HTML = FIXTURES / "html"
FEEDS = FIXTURES / "feeds"
FURNITURE = ("무단", "재배포", "Copyright", "관련 뉴스", "많이 본", "로그인", "@", "좋아요", "송고시간", "개인정보")


def only(path):
    batch = read_path(path)
    assert batch.problems == [], [str(p) for p in batch.problems]
    assert len(batch.articles) == 1
    return batch.articles[0]


def assert_clean(body: str):
    for word in FURNITURE:
        assert word not in body, word


def test_json_ld_page_with_blocks():
    a = only(HTML / "daily_jsonld.html")
    assert (a.title, a.series, a.episode) == ("해저케이블, 데이터 고속도로의 숨은 주역", "테크 돋보기", 4)
    assert a.section == "IT/바이오"
    assert a.byline == "김하늘"
    assert (a.published, a.modified) == ("2025-10-20T08:00:00+09:00", "2025-10-20T11:30:00+09:00")
    assert a.url == "https://www.hanbit-daily.example/tech/2025/10/20/cable"
    assert a.body.startswith("전 세계 인터넷 트래픽의") and a.body.endswith("보호에 나서는 이유다.")
    assert a.key_insights.startswith("한국은 해저케이블") and a.summary.startswith("해저케이블이")
    assert_clean(a.body)
    assert a.format == "html" and a.encoding == "utf-8"


def test_wire_story_with_dateline():
    a = only(HTML / "wire_dateline.html")
    assert a.title == "항만 자동화 속도…부산항 무인 크레인 절반 넘어"
    assert a.byline == "박서준"
    assert a.body.startswith("부산항 신항의 컨테이너")  # dateline "(부산=한빛뉴스) 박서준 기자 =" removed
    assert a.body.endswith("확대하겠다고 밝혔다.")
    assert (a.published, a.modified, a.section) == ("2025-11-03T06:00:00+09:00", "2025-11-03T09:12:00+09:00", "경제")
    assert_clean(a.body)


def test_portal_page_with_br_paragraphs():
    a = only(HTML / "portal_br.html")
    assert a.title == '"도서관이 달라졌다"⋯심야 열람실에 청년들 몰려'
    assert a.byline == "최민지"
    assert a.published.startswith("2025-09-14")
    assert a.url == "https://portal.example/article/123/0000045678"
    assert len(a.body.splitlines()) == 3 and a.body.endswith("늘릴 계획이다.")
    assert_clean(a.body)


def test_euc_kr_table_layout_page():
    a = only(HTML / "legacy_euckr.html")
    assert a.encoding == "cp949"
    assert a.title == "지역 축제, 올해는 친환경으로"
    assert a.byline == "한지민" and a.published == "2009-04-01"
    assert a.body.endswith("행사장 청소를 돕는다.")
    assert_clean(a.body)


def test_truncated_page_is_refused_not_half_stored():
    batch = read_path(HTML / "truncated.html")
    assert batch.articles == [] and "truncated" in batch.problems[0].reason


def test_rss_with_full_text():
    batch = read_path(FEEDS / "rss_full.xml")
    assert batch.format == "feed" and batch.problems == []
    first, second = batch.articles
    assert (first.series, first.episode, first.section, first.byline) == ("테크 돋보기", 5, "IT/바이오", "김하늘")
    assert not first.partial and len(first.body.splitlines()) == 3
    assert first.published == "2025-11-10T00:30:00+00:00"
    assert second.url.endswith("/arctic")


def test_atom_summary_only_entries_are_partial():
    batch = read_path(FEEDS / "atom_summary.xml")
    assert [a.partial for a in batch.articles] == [True, True]
    assert batch.articles[0].published == "2025-12-01T08:00:00+09:00"  # the feed's own offset kept
    assert batch.articles[0].modified == "2025-12-01T08:30:00+09:00"
    assert batch.articles[1].body == "중고 거래 앱의 월간 이용자가 처음으로 1천만 명을 넘었다."
    assert len(batch.problems) == 1 and "no text" in batch.problems[0].reason


@pytest.fixture
def feed_server():
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(FEEDS))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_feed_from_a_url(tmp_path, feed_server):
    db = tmp_path / "feeds.db"
    proc = run_cli("ingest", f"{feed_server}/rss_full.xml", db=db, check=True)
    assert proc.stdout.strip() == "2 articles: 2 new, 0 unchanged"
    articles = cli_json("list", db=db)["articles"]
    assert {a["title"] for a in articles} == {"달 기지 건설, 현지 흙으로 벽돌 찍는다", "북극 해빙 면적, 관측 이래 두 번째로 작아"}
    missing = run_cli("ingest", f"{feed_server}/nothing.xml", db=db)
    assert missing.returncode == 1 and "404" in missing.stderr and "Traceback" not in missing.stderr


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr", "utf-16", "utf-16-le", "utf-16-be"])
def test_encodings_are_detected(encoding):
    text = '{"title": "인코딩 확인", "body": "한글 본문과 漢字, 그리고 English."}\n'
    data = text.encode(encoding)
    decoded, used = decode(data)
    assert decoded.lstrip("\ufeff") == text
    assert codecs.lookup(used).name in {codecs.lookup(e).name for e in (encoding, "cp949", "utf-16", "utf-8-sig", "utf-8")}


def test_whole_folder_of_mixed_inputs(tmp_path):
    db = tmp_path / "mixed.db"
    proc = run_cli("ingest", str(HTML), str(FEEDS), str(FIXTURES / "sample.jsonl"), db=db)
    # One truncated page and one feed entry without text are quarantined; the rest is stored.
    assert proc.returncode == 1
    assert proc.stdout.startswith("16 articles: 16 new, 0 unchanged; 2 quarantined")
    shown = cli_json("search", "해저케이블", db=db)
    assert shown["hits"][0]["title"] == "해저케이블, 데이터 고속도로의 숨은 주역"
    stored = cli_json("show", shown["hits"][0]["id"], db=db)
    assert stored["encoding"] == "utf-8" and stored["byline"] == "김하늘"
