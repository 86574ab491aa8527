"""The JSON API against a live `sinmun serve` on 127.0.0.1."""

from __future__ import annotations

import httpx
import pytest

from sinmun.ingest import read_path

from conftest import SEED

SEED_ARTICLES = read_path(SEED).articles


def get(server: str, path: str, **params) -> httpx.Response:
    return httpx.get(server + path, params=params, timeout=30)


def test_search_has_the_cli_shape(server):
    data = get(server, "/api/search", q="엔비디아의 수출").json()
    assert data["query"] == "엔비디아의 수출"
    assert data["hits"][0]["title"] == SEED_ARTICLES[15].title
    assert set(data["hits"][0]) >= {"id", "title", "series", "episode", "section", "published", "score", "snippet"}


def test_search_filters_and_paging(server):
    all_hits = get(server, "/api/search", q="엔비디아", limit=20).json()
    page = get(server, "/api/search", q="엔비디아", limit=2, offset=2).json()
    assert [h["id"] for h in page["hits"]] == [h["id"] for h in all_hits["hits"][2:4]]
    finance = get(server, "/api/search", q="엔비디아", section="금융/증권").json()
    assert finance["total"] == 1
    eyes = get(server, "/api/search", q="우주", series="퓨처 Eyes").json()
    assert all(h["series"] == "퓨처 Eyes" for h in eyes["hits"])


def test_articles_newest_first_and_one_article(server):
    listed = get(server, "/api/articles", limit=5).json()
    assert listed["total"] == 20
    assert [a["title"] for a in listed["articles"]] == [a.title for a in SEED_ARTICLES[:5]]
    one = get(server, f"/api/articles/{listed['articles'][0]['id']}").json()
    assert one["body"] == SEED_ARTICLES[0].body and one["position"] == 1
    source = get(server, f"/api/articles/{one['id']}/source").json()
    assert source["format"] == "listpage" and source["raw"].startswith(SEED_ARTICLES[0].title)
    section = get(server, "/api/articles", section="IT/바이오").json()
    assert section["total"] == 7


def test_sections_and_series(server):
    sections = {s["name"]: s["articles"] for s in get(server, "/api/sections").json()}
    assert sections == {"포커스온": 10, "IT/바이오": 7, "경제": 1, "금융/증권": 1, "생활경제": 1}
    series = {s["name"]: s["articles"] for s in get(server, "/api/series").json()}
    assert series["퓨처 Eyes"] == 4 and series["우주의 속삭임"] == 2


def test_errors_are_json_with_status_and_message(server):
    missing = get(server, "/api/articles/nope")
    assert missing.status_code == 404
    assert missing.json() == {"status": 404, "message": "no article with id 'nope'"}
    bad_limit = get(server, "/api/search", q="x", limit=0)
    assert bad_limit.status_code == 422 and bad_limit.json()["message"].startswith("limit")
    bad_date = get(server, "/api/search", q="x", since="2025-13")
    assert bad_date.status_code == 400 and "not a date" in bad_date.json()["message"]
    assert get(server, "/api/nothing-here").json()["status"] == 404


def test_openapi_describes_the_api(server):
    spec = get(server, "/openapi.json").json()
    assert {"/api/search", "/api/articles", "/api/articles/{article_id}", "/api/sections", "/api/series"} <= set(spec["paths"])


def test_pages_render_server_side(server):
    home = get(server, "/")
    assert home.status_code == 200 and 'name="q"' in home.text
    assert SEED_ARTICLES[0].title.replace("'", "&#39;") in home.text
    section = get(server, "/sections/IT%2F바이오")
    assert section.status_code == 200 and "7건" in section.text
    series = get(server, "/series/퓨처 Eyes")
    assert series.text.index("퓨처 Eyes(114)") < series.text.index("퓨처 Eyes(111)")
    assert get(server, "/articles/nope").status_code == 404
    assert get(server, "/sections/없는섹션").status_code == 404
    results = get(server, "/search", q="OpenAI")
    assert "<mark>오픈AI</mark>" in results.text


def test_huge_offsets_and_pages_are_refused_and_the_server_keeps_serving(server):
    """One GET used to abort the server: Tantivy was asked for offset + limit hits."""
    deep = get(server, "/api/search", q="엔비디아", offset=10_000_000_000)
    assert deep.status_code == 422 and deep.json()["message"].startswith("offset")
    window = get(server, "/api/search", q="엔비디아", offset=9_995, limit=10)
    assert window.status_code == 422 and "10000" in window.json()["message"]
    assert get(server, "/search", q="엔비디아", page=1_000_000_000).status_code == 400
    assert get(server, "/api/search", q="엔비디아").status_code == 200


@pytest.mark.parametrize("path, params", [
    ("/api/search", {"q": "엔비디아", "offset": 2**64}),
    ("/api/search", {"q": "엔비디아", "limit": 2**64}),
    ("/api/articles", {"offset": 2**64}),
    ("/api/stories", {"min_size": 2**64}),
    ("/api/stories", {"offset": 2**64}),
    ("/", {"page": 2**64}),
    ("/sections/IT%2F바이오", {"page": 2**64}),
    ("/search", {"q": "엔비디아", "page": 2**64}),
])
def test_integers_past_64_bits_are_a_client_error_not_a_500(server, path, params):
    response = get(server, path, **params)
    assert 400 <= response.status_code < 500, (path, response.status_code)


def test_article_ids_match_exactly_or_by_a_plain_prefix(server):
    article_id = get(server, "/api/articles", limit=1).json()["articles"][0]["id"]
    assert get(server, f"/api/articles/{article_id[:8]}").json()["id"] == article_id
    for pattern in (article_id[:-1] + "_", article_id[:8] + "%", "________________", "%"):
        assert get(server, f"/api/articles/{pattern}").status_code == 404, pattern


@pytest.mark.parametrize("q", ["-", '"', "😀", "- ~ !"])
def test_a_query_with_no_words_is_refused_not_answered_with_everything(server, q):
    response = get(server, "/api/search", q=q)
    assert response.status_code == 400
    assert "no words" in response.json()["message"]


def test_each_hit_says_why_it_ranks(server):
    """The words of the query each result holds (as analysed: 엔비디아의 -> 엔비디아), or that it was
    found by meaning; the search page shows the same."""
    found = httpx.get(server + "/api/search", params={"q": "엔비디아의 수출 허용", "limit": 5}).json()
    first = found["hits"][0]
    assert first["matched"][:3] == ["엔비디아", "수출", "허용"] and first["found_by"][0] == "words"
    for hit in found["hits"]:
        assert set(hit["matched"]) <= {"엔비디아", "수출", "허용"}
    meaning = httpx.get(server + "/api/search", params={"q": "동물도 의식이 있을까", "mode": "semantic"}).json()
    assert all("words" not in h["found_by"] for h in meaning["hits"])
    page = httpx.get(server + "/search", params={"q": "엔비디아의 수출 허용"}).text
    assert "일치: 엔비디아, 수출, 허용" in page
