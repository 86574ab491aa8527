"""Search on the seed page and the project's own dated samples."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sinmun.errors import BadRequest
from sinmun.search.query import parse_query
from sinmun.service import queries
from sinmun.service.params import SearchParams


def search(archive, q: str = "", **params):
    """Keyword search: what these tests pin down. Hybrid and meaning: test_meaning.py."""
    params.setdefault("mode", "keyword")
    return queries.search(archive, SearchParams(q=q, **params))


def expansions(results) -> list[tuple[str, str]]:
    return [(w.from_, w.to) for w in results.expansions]


def positions(results, seed_ids) -> list[int]:
    by_id = {v: k for k, v in seed_ids.items()}
    return [by_id[h.id] for h in results.hits]


# Seed positions: 2 China chip fund, 4 US trade deficit (金 exports), 5/11/15/19 퓨처 Eyes,
# 8 Paramount counter-bid, 10 Netflix buys Warner Bros., 12 OpenAI code red,
# 16 H200 export approval, 18 Nvidia earnings and the Dow (미니 해설).

def test_particle_form_finds_the_name(seed_archive, seed_ids):
    results = search(seed_archive, "엔비디아의 수출")
    assert positions(results, seed_ids)[0] == 16
    assert not results.partial


def test_english_name_finds_korean_spelling(seed_archive, seed_ids):
    results = search(seed_archive, "OpenAI")
    assert positions(results, seed_ids)[0] == 12
    assert ("OpenAI", "오픈AI") in expansions(results)
    assert "<mark>오픈AI</mark>" in results.hits[0].snippet
    nvidia = search(seed_archive, "Nvidia", limit=50)
    assert {16, 18, 1} <= set(positions(nvidia, seed_ids))


def test_spacing_variant(seed_archive, seed_ids):
    spaced = positions(search(seed_archive, "파라 마운트"), seed_ids)
    joined = positions(search(seed_archive, "파라마운트"), seed_ids)
    assert spaced[0] == joined[0] == 8
    assert set(spaced) == set(joined) and 10 in spaced


def test_particles_on_both_words(seed_archive, seed_ids):
    assert set(positions(search(seed_archive, "넷플릭스의 인수"), seed_ids)[:2]) == {8, 10}


def test_hanja_abbreviation(seed_archive, seed_ids):
    results = search(seed_archive, "韓 반도체")
    # Articles that say 한국 반도체 (positions 2, 3, 16, 17, 20) come first.
    assert set(positions(results, seed_ids)[:4]) <= {2, 3, 16, 17, 20}
    assert ("韓", "한국") in expansions(results)
    gold = search(seed_archive, "金 수출")
    assert positions(gold, seed_ids)[0] == 4


def test_exact_phrase(seed_archive, seed_ids):
    loose = search(seed_archive, "엔비디아 수출", limit=50)
    phrase = search(seed_archive, '"엔비디아 수출"', limit=50)
    assert phrase.total < loose.total
    assert set(positions(phrase, seed_ids)) <= set(positions(loose, seed_ids))
    # Particles do not break a phrase: 엔비디아의 수출 is the phrase 엔비디아 수출.
    assert search(seed_archive, '"오픈AI의 코드 레드"').total == search(seed_archive, '"오픈AI 코드 레드"').total >= 1


def test_exclusion(seed_archive, seed_ids):
    everything = search(seed_archive, "엔비디아", limit=50)
    without_china = search(seed_archive, "엔비디아 -중국", limit=50)
    assert 0 < without_china.total < everything.total
    assert 16 not in positions(without_china, seed_ids)  # the H200-to-China article
    assert search(seed_archive, '엔비디아 -"블랙웰"', limit=50).total < everything.total


def test_section_and_series_filters(seed_archive, seed_ids):
    finance = search(seed_archive, "엔비디아", section="금융/증권")
    assert positions(finance, seed_ids) == [18]
    future = search(seed_archive, "우주", series="퓨처 Eyes", limit=50)
    assert future.total >= 1 and all(h.series == "퓨처 Eyes" for h in future.hits)
    assert search(seed_archive, "엔비디아", section="없는 섹션").total == 0


def test_date_filters_and_sorting(sample_archive):
    everything = search(sample_archive, "", sort="date", limit=50)
    assert [h.published[:10] for h in everything.hits] == sorted(
        (h.published[:10] for h in everything.hits), reverse=True)
    in_2025 = search(sample_archive, "", since="2025", limit=50)
    assert in_2025.total == 5
    window = search(sample_archive, "", since="2024-06", until="2025-03-10", limit=50)
    assert sorted(h.published[:10] for h in window.hits) == ["2024-06-17", "2024-11-25", "2025-03-10"]
    assert search(sample_archive, "배터리", until="2024-01-31").total == 0
    assert search(sample_archive, "배터리", since="2024-06-17", until="2024-06-17").total == 1


def test_date_filters_take_text_dates_and_page_order_bounds(seed_archive, seed_ids):
    # Of the seed, positions 3 (2025-12) and 20 (2025-11-19) are dated from their text; the page
    # is newest first, so 1-2 are on or after 2025-12 and 4-19 on or after 2025-11-19.
    assert len(search(seed_archive, "", since="1900", limit=50).hits) == 20
    assert set(positions(search(seed_archive, "", since="2025-12", limit=50), seed_ids)) == {1, 2, 3}
    assert search(seed_archive, "엔비디아", until="2025-11-18").total == 0


def test_sort_by_date_and_relevance_return_the_same_set(sample_archive):
    by_rel = search(sample_archive, "반도체", limit=50)
    by_date = search(sample_archive, "반도체", sort="date", limit=50)
    assert {h.id for h in by_rel.hits} == {h.id for h in by_date.hits}
    assert [h.published for h in by_date.hits] == sorted((h.published for h in by_date.hits), reverse=True)


def test_pagination(seed_archive):
    full = search(seed_archive, "엔비디아", limit=20)
    page1 = search(seed_archive, "엔비디아", limit=3)
    page2 = search(seed_archive, "엔비디아", limit=3, offset=3)
    assert [h.id for h in page1.hits + page2.hits] == [h.id for h in full.hits[:6]]
    assert page1.total == page2.total == full.total


def test_too_few_results_fall_back_to_partial_matches(seed_archive):
    results = search(seed_archive, "엔비디아 양봉")  # no seed article keeps bees
    assert results.partial and results.total > 0
    assert all(h.partial for h in results.hits)
    # Enough articles with every word: no partial matches at all.
    strict = search(seed_archive, "엔비디아 블랙웰", limit=50)
    assert strict.total >= 3 and not strict.partial and not any(h.partial for h in strict.hits)
    # One article with both words: it comes first, then the partial matches.
    few = search(seed_archive, "오라클 버블", limit=50)
    flags = [h.partial for h in few.hits]
    assert few.partial and flags[0] is False and len(flags) > 1 and all(flags[1:])


def test_snippets_highlight_the_words_as_printed(seed_archive, seed_ids):
    hit = search(seed_archive, "엔비디아의 수출").hits[0]
    assert "<mark>엔비디아</mark>의" in hit.snippet
    assert "<mark>수출</mark>" in hit.snippet
    assert "<mark>엔비디아</mark>" in hit.title_html
    hanja = search(seed_archive, "미국 무역적자").hits[0]
    assert "<mark>美</mark>" in hanja.title_html


def test_query_syntax():
    parsed = parse_query('엔비디아 "블랙웰 칩" -중국 -"수출 허용" “AI 거품”')
    assert parsed.words == "엔비디아"
    assert parsed.phrases == ["블랙웰 칩", "AI 거품"]
    assert parsed.excluded == ["중국", "수출 허용"]


@pytest.mark.parametrize("params, message", [
    ({"since": "2025-13"}, "not a date"),
    ({"since": "2025-05", "until": "2025-01"}, "after"),
    ({"sort": "popular"}, "'relevance' or 'date'"),
    ({"limit": 0}, "greater than or equal to 1"),
    ({"offset": 9995}, "at most 10000"),
])
def test_bad_parameters_are_named(seed_archive, params, message):
    with pytest.raises((BadRequest, ValidationError), match=message):
        search(seed_archive, "엔비디아", **params)


# Two articles written for this test. The first answers the question but never says
# 서울; the second says every word of the question once, in passing, about something else.
ANSWER = {"title": "시내버스 노조 총파업 예고", "body": (
    "시내버스 노조가 내일 새벽부터 총파업에 들어간다고 밝혔다. 노조는 임금 9% 인상과 "
    "버스 감차 계획 철회를 요구했다. 노조 관계자는 요구가 받아들여지지 않으면 파업을 "
    "이어 가겠다고 말했다. 버스 회사들은 노조의 파업 예고에 대책 회의를 열었다.")}
PASSING = {"title": "도심 축제 일정 발표", "body": (
    "서울 도심에서 열리는 가을 축제의 일정이 발표됐다. 주최 측은 관람객이 무엇을 "
    "요구하는지 조사했고, 지난해 버스 노조 파업으로 교통이 막혔던 경험을 참고했다고 "
    "밝혔다. 축제는 광장과 공원, 박물관과 미술관에서 사흘 동안 이어지며 공연과 전시, "
    "먹거리 장터와 체험 행사가 열린다. 주최 측은 대중교통 이용을 권했다.")}


@pytest.fixture(scope="module")
def question_archive(tmp_path_factory):
    import json

    from sinmun.service import Archive
    from sinmun.service.ingest import ingest

    folder = tmp_path_factory.mktemp("question")
    corpus = folder / "two.jsonl"
    # In a real archive 서울 and 무엇 are everywhere: a few more articles make them so here.
    others = [{"title": f"서울 소식 {n}", "body": f"서울 {place}에서 시민들이 무엇을 바라는지 묻는 행사가 열렸다. "
               "참가자들은 공원과 도서관을 늘려 달라고 말했다."}
              for n, place in enumerate(["종로", "마포", "강남", "노원", "은평", "송파"])]
    corpus.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in (ANSWER, PASSING, *others)),
                      encoding="utf-8")
    archive = Archive(folder / "q.db", create=True)
    ingest(archive, [corpus])
    yield archive
    archive.close()


def test_a_question_ranks_the_answer_first_though_it_lacks_one_word(question_archive):
    for mode in ("keyword", "hybrid"):
        hits = search(question_archive, "서울 버스 노조가 파업하며 요구한 것은 무엇인가", mode=mode).hits
        assert [h.title for h in hits][:2] == [ANSWER["title"], PASSING["title"]], mode


def test_keywords_still_put_the_article_with_every_word_first(question_archive):
    hits = search(question_archive, "서울 버스 노조 파업", mode="keyword").hits
    assert hits[0].title == PASSING["title"]
    assert hits[1].title == ANSWER["title"] and hits[1].partial


def test_what_counts_as_a_sentence(seed_archive):
    from sinmun.search.planning import is_sentence

    analyzer = seed_archive.analyzer
    for q in ("나로호 발사가 미뤄진 이유는 무엇인가", "미국에서 만든 첫 AI 칩", "이번 파업의 원인은 임금 문제이다.",
              "엔비디아 수출 규제 누가 정했나", "서울 버스 노조가 파업하며 요구한 것"):
        assert is_sentence(analyzer.tags(q), analyzer.analyze(q)), q
    for q in ("빅테크의 자체 칩 개발 경쟁", "엔비디아 수출", "인공지능 칩 판매 허가", "왜 올랐나",
              "엔비디아 반도체 수출 국가"):
        assert not is_sentence(analyzer.tags(q), analyzer.analyze(q)), q


def test_offsets_written_by_an_older_sinmun_still_make_snippets(seed_archive):
    """Offsets are zstd now; documents indexed before keep their zlib blobs, read by their header
    (an upgraded archive shows snippets without a rebuild)."""
    import zlib

    from sinmun.search.index import _unpack, decode_offsets, encode_offsets

    terms = seed_archive.analyzer.analyze("엔비디아는 엔비디아의 칩을 팔았다")
    blob = encode_offsets({"title": [], "body": terms})
    older = zlib.compress(_unpack(blob), 1)
    assert blob[:4] != older[:4]
    wanted = {"엔비디아", "칩"}
    found = decode_offsets(blob, wanted)
    assert found == decode_offsets(older, wanted)
    assert [(text, start, end) for text, start, end, *_ in found["body"]] == [
        ("엔비디아", 0, 4), ("엔비디아", 6, 10), ("칩", 12, 13)]


def test_a_sentence_leaves_out_bigrams_most_articles_have_once_their_postings_are_long(question_archive):
    """Bigrams in most articles (서울 and 무엇 here) cost the longest postings and tell articles
    apart least: a large archive leaves them out of a sentence query, a small one keeps them."""
    from sinmun.analysis.korean import char_bigrams
    from sinmun.search.query import gram_clauses

    index = question_archive.index
    searcher = index.searcher()
    q = "서울 버스 노조가 파업하며 요구한 것은 무엇인가"
    grams = set(char_bigrams(q))
    common = {g for g in grams if searcher.doc_freq("grams", g) > 0.3 * searcher.num_docs}
    assert {"서울", "무엇"} <= common and "노조" not in common
    assert len(gram_clauses(index.schema, searcher, q, 0.5, 0.3, floor=0)) == len(grams) - len(common)
    assert len(gram_clauses(index.schema, searcher, q, 0.5, 0.3, floor=1_000)) == len(grams)


def test_a_name_kiwi_reads_apart_in_a_question_finds_the_article_that_has_it_whole(tmp_path):
    """Kiwi reads 박승민은 as 박승 + 민 in this question and 박승민 whole in the article: the joined
    form of the written word stays in the query, as the best of its forms, and finds it."""
    import json

    from sinmun.service import Archive
    from sinmun.service.ingest import ingest

    answer = {"title": "광양소방서 소방위, 산악 구조 장비 직접 고안",
              "body": "광양소방서 박승민 소방위는 산악 구조 장비를 직접 고안해 올해 소방기술 경진대회에서 상을 받았다."}
    others = [("방화복 착용감 점검", "소방관들이 새 방화복을 만든 업체를 찾아 착용감을 점검했다."),
              ("중소기업 수출 계약", "구조 장비를 만든 중소기업이 수출 계약을 맺었다."),
              ("노후 장비 교체", "정부는 노후 장비를 바꾸는 예산을 늘리겠다고 밝혔다."),
              ("홍보 영상 반응", "누리꾼들은 새로 만든 소방관 홍보 영상에 뜨거운 반응을 보였다."),
              ("업체 상장", "소방관이 쓰는 장비를 만든 업체가 코스닥에 상장했다.")]
    corpus = tmp_path / "names.jsonl"
    corpus.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n"
                              for a in [answer, *({"title": t, "body": b} for t, b in others)]), encoding="utf-8")
    with Archive(tmp_path / "n.db", create=True) as archive:
        ingest(archive, [corpus])
        q = "박승민은 장비를 만든 소방관이다."
        assert {t.text for t in archive.analyzer.analyze(q) if not t.compound} >= {"박승", "민"}
        for mode in ("keyword", "hybrid"):
            first = search(archive, q, mode=mode).hits[0]
            assert first.title == answer["title"], mode
            assert "박승민" in first.matched  # why it ranks: the name, whole


def test_keywords_no_article_has_all_of_meet_through_the_bigrams(tmp_path):
    """누리호 한국형발사체: Kiwi reads 한국형발사체 as one name in the query and 한국 + 발사체 in the
    article, and no article has every word. Among those with some, the character bigrams (한국,
    국형, 발사, 사체) put the article about the rocket above the ones that only say 누리."""
    import json

    from sinmun.service import Archive
    from sinmun.service.ingest import ingest

    answer = {"title": "우주센터 엔진 점검", "body": "나로우주센터는 한국형 발사체 누리호의 엔진 점검을 마치고 발사 날짜를 정했다."}
    others = [("영화 관심", "누리꾼들의 관심이 새 우주 영화에 쏠렸다."),
              ("불꽃놀이 반응", "누리꾼들은 불꽃놀이 발사 장면에 뜨거운 반응을 보였다."),
              ("유아 과정 예산", "누리 과정 예산을 두고 교육청과 정부가 맞섰다.")]
    others += [(f"{town} 도서관 개관", f"{town}에 새 도서관이 문을 열어 주민들이 책을 빌리러 몰렸다.")
               for town in ("종로", "마포", "강남", "노원", "은평", "송파", "용산", "성동", "광진", "중랑")]
    corpus = tmp_path / "rocket.jsonl"
    corpus.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n"
                              for a in [answer, *({"title": t, "body": b} for t, b in others)]), encoding="utf-8")
    with Archive(tmp_path / "r.db", create=True) as archive:
        ingest(archive, [corpus])
        found = search(archive, "누리호 한국형발사체")
        assert found.hits[0].title == answer["title"] and found.hits[0].partial
        assert answer["title"] in [h.title for h in search(archive, "누리호 한국형발사체", mode="hybrid").hits[:2]]


def test_a_year_the_reader_names_meets_the_articles_of_that_year(tmp_path):
    """News rarely writes its own year: `2020년 프로야구 개막` asks for the 2020 season's opening,
    and the article dated 2020 that never says 2020 is found, first, as a keyword query and as a
    question; a month narrows it the same way."""
    import json

    from conftest import cli_json, run_cli

    def article(title: str, published: str, body: str) -> dict:
        return {"title": title, "published": published, "body": body}

    answer = article("프로야구 내달 5일 개막 확정", "2020-04-21",
                     "한국야구위원회는 프로야구 정규 시즌을 다음 달 5일 무관중으로 개막한다고 밝혔다.")
    earlier = article("프로야구 개막 앞두고 표 예매 시작", "2018-03-20",
                      "프로야구 정규 시즌 개막을 앞두고 구단들이 표 예매를 시작했다. 개막 경기는 매진이 예상된다.")
    crowds = article("프로야구 개막전 관중 몰려", "2019-03-24",
                     "프로야구 정규 시즌 개막전에 관중이 몰려 구장 주변 도로가 막혔다. 구단은 개막 행사를 열었다.")
    volleyball = article("프로배구 새 시즌 개막", "2020-11-02", "프로배구가 새 시즌을 열었다. 첫 경기는 관중 없이 치러졌다.")
    all_stars = article("프로배구 올스타전 열려", "2020-01-19", "시즌 중반 프로배구 올스타전이 팬들 앞에서 열렸다.")
    others = [article("기준금리 동결", "2016-05-28", "한국은행은 기준금리를 동결하고 경기 회복을 지켜보기로 했다."),
              article("첫눈 내린 서울", "2017-12-13", "서울에 첫눈이 내려 출근길 도로가 미끄러웠다."),
              article("반도체 수출 늘어", "2021-07-01", "반도체 수출이 석 달 만에 다시 늘었다고 정부가 밝혔다."),
              article("도서관 야간 개방", "2022-09-10", "시립 도서관이 시험 기간에 밤 열 시까지 문을 연다.")]
    corpus = tmp_path / "seasons.jsonl"
    corpus.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n"
                              for a in [answer, earlier, crowds, volleyball, all_stars, *others]), encoding="utf-8")
    db = tmp_path / "y.db"
    run_cli("ingest", str(corpus), db=db, check=True)

    def first(q: str, mode: str = "hybrid") -> str:
        hits = cli_json("search", q, "--mode", mode, db=db)["hits"]
        return hits[0]["title"] if hits else ""

    for q in ("2020년 프로야구 개막", "2020년 프로야구 정규 시즌은 언제 시작하나"):
        for mode in ("keyword", "hybrid"):
            assert first(q, mode) == answer["title"], (q, mode)
    # Why it ranks: the year is among the words it holds, by its date.
    hit = cli_json("search", "2020년 프로야구 개막", db=db)["hits"][0]
    assert hit["matched"][:1] == ["2020"] and "2020" not in hit["snippet"]
    assert first("2019년 프로야구 개막전 관중") == crowds["title"]
    # A month narrows it: 2020년 11월 is the new volleyball season, not January's all-star game.
    assert first("2020년 11월 프로배구 시즌") == volleyball["title"]
    assert first("2020년 1월 프로배구 시즌") == all_stars["title"]


def test_an_article_with_every_word_in_passing_does_not_top_the_one_about_them(tmp_path):
    """`중국 정부 반도체 지원 자금`: one long article has every word, each once in passing; the
    article about China's chip support says 기금, not 자금, and scores far more on the words it
    has. With so few articles holding every word, it comes first (the few keep their order;
    `planning.EVERY_WORD_WEIGHT`), and an article with every word still comes first when its
    words weigh as much."""
    import json

    from conftest import cli_json, run_cli

    chips = {"title": "중국 정부, 반도체 지원 기금 두 배로",
             "body": "중국 정부가 반도체 산업 지원 기금을 두 배로 늘린다. 중국 정부는 반도체 장비와 소재 기업을 "
                     "지원하고, 반도체 인재를 기르는 데 기금을 쓰기로 했다. 중국의 반도체 지원은 해마다 커지고 있다."}
    passing = {"title": "항만 물류 회사 올해 실적 발표",
               "body": "부산의 한 항만 물류 회사가 올해 실적을 발표했다. 회사는 새 크레인을 들이고 창고를 넓혔다. "
                       "중국 노선 화물이 조금 늘었고, 정부의 물류 지원 사업에도 참여했다. 설비 자금은 은행에서 "
                       "빌렸다. 회사 대표는 반도체 장비 같은 고가 화물을 더 다루겠다고 말했다. 직원 수는 "
                       "작년보다 열 명 늘었고, 내년에는 인천에도 창고를 열 계획이다. 항만 노조와 임금 협상도 "
                       "마무리했다. 회사는 배당을 늘리고 새 정보 시스템을 들이기로 했다."}
    others = [{"title": "대학 장학금 확대", "body": "대학들이 장학금을 늘리고 기숙사를 새로 짓는다."},
              {"title": "가을 축제 개막", "body": "지역 가을 축제가 주말에 개막해 관광객이 몰렸다."}]
    corpus = tmp_path / "chips.jsonl"
    corpus.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in [chips, passing, *others]),
                      encoding="utf-8")
    db = tmp_path / "c.db"
    run_cli("ingest", str(corpus), db=db, check=True)
    for mode in ("keyword", "hybrid"):
        hits = cli_json("search", "중국 정부 반도체 지원 자금", "--mode", mode, db=db)["hits"]
        assert [h["title"] for h in hits][:2] == [chips["title"], passing["title"]], mode
        if mode == "keyword":  # in hybrid, meaning found it too
            assert hits[0]["partial"] is True and hits[1]["partial"] is False
    # The words as the long article has them, all weighing alike: every word first still holds.
    hits = cli_json("search", "물류 회사 실적 자금", db=db)["hits"]
    assert hits[0]["title"] == passing["title"]


def test_a_clear_keyword_answer_keeps_first_place_when_meaning_misses_it():
    """No article has every word, so the keyword and meaning rankings are fused by rank. KLUE's
    `누리호는 한국형발사체이다`: the premise scored 15.8 on the words, the next 6.9, and meaning,
    which missed it, ranked the next three first; rank fusion put the premise fourth. A keyword
    answer that clear (`planning.CLEAR_LEAD` times the next) keeps first place."""
    from sinmun.search.planning import CLEAR_LEAD, Ranked, fuse

    def keyword(first: float) -> Ranked:
        scores = {"premise": first, "b": 6.9, "c": 6.8, "d": 6.7}
        return Ranked(ids=list(scores), scores=scores, strict=0)

    meaning = Ranked(ids=["b", "c", "d", "e"], scores={"b": 0.36, "c": 0.34, "d": 0.29, "e": 0.2}, strict=4)
    assert fuse(keyword(15.8), meaning).ids[0] == "premise"
    # Not far enough ahead: rank fusion decides, and the articles both rankings found lead.
    close = fuse(keyword(6.9 * CLEAR_LEAD * 0.9), meaning).ids
    assert close[:3] == ["b", "c", "d"] and close[3] == "premise"


def test_a_number_is_found_however_the_news_writes_it(tmp_path):
    """News writes one figure three ways: 3,000명, 3000명 and 3천 명 (2만5천, 25,000, 1억 2천만).
    A reader searching any one of them finds every article that states that figure, and
    nothing else: 2,3위 (second and third place) is not 23, 1.5% is not 15%, and 300명 is
    not 3천 명."""
    import json

    from conftest import cli_json, run_cli

    same = [("산불 대피 주민", "산불이 번지자 주민 3,000명이 대피했다."),
            ("홍수 대피 주민", "홍수로 강둑이 무너져 3천 명이 대피했다."),
            ("지진 대피 주민", "지진이 나자 마을 주민 3000명이 대피했다.")]
    others = [("태풍 대피 주민", "태풍이 다가오자 주민 300명이 대피했다."),
              ("폭설 대피 주민", "폭설로 고립된 주민 30명이 대피했다.")]
    money = [("기부 행렬", "시민 2만5천 명이 성금을 보냈다."), ("기부 집계", "성금을 보낸 시민은 25,000명으로 집계됐다."),
             ("예산 확정", "구청은 1억 2천만 원의 예산을 확정했다."), ("예산 집행", "구청은 120,000,000원을 집행했다."),
             ("대회 결과", "우리 팀은 2,3위를 차지했다."), ("대회 순위", "상대 팀은 23위에 머물렀다."),
             ("금리 인상", "기준금리를 1.5%로 올렸다."), ("득표율", "후보는 15%를 얻었다.")]
    corpus = tmp_path / "numbers.jsonl"
    corpus.write_text("".join(json.dumps({"title": t, "body": b}, ensure_ascii=False) + "\n"
                              for t, b in same + others + money), encoding="utf-8")
    db = tmp_path / "numbers.db"
    run_cli("ingest", str(corpus), db=db, check=True)

    def found(query: str) -> set[str]:
        """The articles with every word of the query (not those that join them with some)."""
        return {h["title"] for h in cli_json("search", query, "--mode", "keyword", db=db)["hits"] if not h["partial"]}

    for query in ("3000명 대피", "3,000명 대피", "3천 명 대피", "3천명이 대피"):
        assert found(query) == {t for t, _ in same}, query
    assert found("25000명") == found("2만5천 명") == {"기부 행렬", "기부 집계"}
    assert found("1억2천만원") == found("120,000,000원") == {"예산 확정", "예산 집행"}
    assert "대회 결과" not in found("23위")
    assert found("1.5%") == {"금리 인상"} and found("15%") == {"득표율"}
    # Why each ranks: the figure, once, whichever way the article wrote it, marked as printed.
    hits = {h["title"]: h for h in cli_json("search", "3천 명 대피", db=db)["hits"]}
    assert all(hits[t]["matched"] == ["3000", "대피"] for t, _ in same)
    assert "<mark>3,000</mark>명" in hits["산불 대피 주민"]["snippet"] and "<mark>3천</mark>" in hits["홍수 대피 주민"]["snippet"]
