"""The reading site in Debian's Chromium, driven by Playwright, as a reader uses it."""

from __future__ import annotations

from sinmun.ingest import read_path

from conftest import SEED


def test_search_from_the_home_page_and_read_the_article(browser, server, tmp_path):
    expected = read_path(SEED).articles[15]  # the H200 export approval
    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    page.goto(server + "/")
    assert page.locator(".card").count() == 20
    page.fill("input[name=q]", "엔비디아의 수출")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    first = page.locator(".results .card").first
    assert first.locator(".headline").inner_text() == expected.title
    assert first.locator("mark").count() >= 2
    first.locator(".headline").click()
    page.wait_for_url("**/articles/*")
    assert page.locator("h1").inner_text() == expected.title
    summary = page.locator("section.summary")
    assert summary.is_visible()
    assert summary.locator("p").inner_text() == expected.summary
    assert page.locator("section.insights p").inner_text() == expected.key_insights
    # The self-hosted Korean font is what draws the text (a bare machine has none).
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px \"Noto Sans KR\"', '한국어 美')")
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert "Noto Sans KR" in {name.strip('"') for name in loaded}
    shot = tmp_path / "article.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()


def test_phone_width_has_no_horizontal_scroll(browser, server):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(server + "/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.goto(server + "/search?q=넷플릭스")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.close()


def test_story_and_entity_pages(browser, server):
    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    page.goto(server + "/")
    panel = page.locator(".top-stories li a")
    assert panel.count() == 2
    panel.first.click()
    page.wait_for_url("**/stories/*")
    assert page.locator(".timeline li").count() == 2
    page.locator(".timeline .headline").first.click()
    page.wait_for_url("**/articles/*")
    assert page.locator(".story-link").is_visible()
    assert page.locator(".related li").count() == 5
    page.locator(".chips a.chip.org").first.click()
    page.wait_for_url("**/entities/*")
    assert page.locator(".page-title .chip").inner_text() == "org"
    assert page.locator(".card").count() >= 2
    page.close()


def test_trend_chart_and_entity_network_are_drawn(browser, server):
    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    page.goto(server + "/trends?terms=엔비디아,넷플릭스&interval=month")
    assert page.locator("#trend-chart").get_attribute("data-ready") == "2"
    assert page.locator(".trend-table thead th").count() == 3
    page.goto(server + "/entities/" + "엔비디아")
    page.wait_for_function("document.getElementById('network').dataset.ready > 5")
    assert page.locator("#network canvas").count() >= 1
    page.close()


def test_search_page_corrects_a_typo_and_narrows_by_facet(browser, server):
    page = browser.new_page(viewport={"width": 1200, "height": 1200})
    page.goto(server + "/search?q=" + "엔비디야")
    correction = page.locator(".correction").first
    assert "엔비디아" in correction.inner_text() and "엔비디야" in correction.inner_text()
    assert page.locator(".results .card").count() > 0
    # "Search what I typed" searches it as typed (the link used to be ignored).
    correction.locator("a").click()
    page.wait_for_url("**correct=false*")
    assert page.locator(".correction").count() == 0
    assert "엔비디야" in page.locator(".summary").inner_text() and page.locator(".results .card").count() == 0
    page.go_back()
    sections = page.locator(".facet[data-facet=section] li")
    assert sections.count() >= 2
    link = sections.first.locator("a")
    name = link.inner_text()
    count = int(sections.first.locator(".count").inner_text())
    link.click()
    page.wait_for_url("**section=*")
    assert page.locator(".results .card").count() == count
    metas = page.locator(".results .card .meta").all_inner_texts()
    assert all(name in m for m in metas)
    # An entity facet narrows too, and says so.
    page.goto(server + "/search?q=" + "인수")
    # Names come grouped as BigKinds readers know them; Netflix is an organisation.
    groups = page.locator(".facet[data-facet=entity] h2").all_inner_texts()
    assert groups and set(groups) <= {"인물", "기관", "장소", "키워드"}
    assert "넷플릭스" in page.locator(".facet[data-facet=entity] h2:text-is('기관') + ul").inner_text()
    entity = page.locator(".facet[data-facet=entity] li a", has_text="넷플릭스")
    entity.click()
    page.wait_for_url("**entity=*")
    assert "넷플릭스" in page.locator(".summary").inner_text()
    titles = page.locator(".results .headline").all_inner_texts()
    assert titles and all(("넷플릭스" in t) or ("워너" in t) or ("파라마운트" in t) for t in titles)
    page.close()


def test_article_page_shows_articles_similar_in_meaning(browser, server):
    page = browser.new_page()
    page.goto(server + "/search?q=" + "넷플릭스 인수")
    page.locator(".results .headline").first.click()
    page.wait_for_url("**/articles/*")
    similar = page.locator("aside.similar li a")
    assert similar.count() >= 1
    assert "파라마운트" in similar.first.inner_text()
    page.close()


def test_the_api_docs_render_from_the_sites_own_assets(browser, server):
    """Swagger UI came from a CDN: blank on a closed network. Now every request stays on the server."""
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(server + "/api/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() >= 15  # every route, the editor's included
    assert "/api/articles" in page.locator(".swagger-ui").inner_text()
    assert requested and all(url.startswith(server) for url in requested), requested
    page.close()


def test_a_one_line_body_reads_in_paragraphs(browser, server, seed_ids, seed_archive):
    """The seed's bodies are one line each: the page shows paragraphs of a few sentences, and
    together they are the stored text, not a character changed (the API keeps the one line)."""
    import re

    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    page.goto(f"{server}/articles/{seed_ids[1]}")
    shown = page.locator(".article .body p").all_inner_texts()
    stored = seed_archive.store.articles.get(seed_ids[1]).body
    assert "\n" not in stored and len(shown) >= 4
    assert all(p.rstrip("\"'”’)").endswith((".", "?", "!")) for p in shown[:-1])  # cut at sentence ends
    assert " ".join(shown) == re.sub(r"\s+", " ", stored).strip()
    page.close()


def test_paragraphs_keep_the_sources_own_and_cut_only_at_sentence_ends():
    from sinmun.web.paragraphs import paragraphs

    assert paragraphs("첫 문단입니다.\n\n둘째 문단입니다.\n") == ["첫 문단입니다.", "둘째 문단입니다."]
    assert paragraphs("짧은 한 줄 기사입니다. 두 문장뿐입니다.") == ["짧은 한 줄 기사입니다. 두 문장뿐입니다."]
    sentence = "점유율은 72.6%에서 78.3%로 올랐다고 회사가 밝혔다. "
    body = (sentence * 3 + "그는 \"곧 발표하겠다\"고 말했다. " + sentence * 6).strip()
    made = paragraphs(body)
    assert len(made) >= 2 and " ".join(made) == body
    assert not any(p.startswith(("6%", "3%", "고 말했다")) for p in made)


def test_a_broadcast_transcript_shows_its_cues_as_labels_and_searches_without_them(browser, tmp_path):
    """[앵커] and [리포트] are labels on the page; the index and snippets leave them out."""
    import json

    from conftest import FIXTURES, Server, run_cli

    db = tmp_path / "tv.db"
    run_cli("ingest", str(FIXTURES / "pages" / "broadcast_transcript.html"), db=db, check=True)
    assert json.loads(run_cli("search", "앵커", "--mode", "keyword", "--json", db=db, check=True).stdout)["total"] == 0
    found = json.loads(run_cli("search", "출근길 혼잡", "--json", db=db, check=True).stdout)["hits"][0]
    assert "[앵커]" not in found["snippet"] and "[리포트]" not in found["snippet"]
    stored = json.loads(run_cli("show", found["id"], "--json", db=db, check=True).stdout)["body"]
    assert stored.startswith("[앵커]")  # the stored text keeps them
    server = Server(db, "--workers", "1")
    try:
        page = browser.new_page(viewport={"width": 1000, "height": 1200})
        page.goto(f"{server.base}/articles/{found['id']}")
        assert page.locator(".article .body .cue").all_inner_texts()[:2] == ["앵커", "리포트"]
        assert "[앵커]" not in page.locator(".article .body").inner_text()
        page.close()
    finally:
        server.stop()
