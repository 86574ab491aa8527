"""What a newcomer's `make demo` shows, in Chromium: the seed first, real dates behind trends and timelines."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT, SEED, SHARED, Server, run_cli

WIKINEWS = SHARED / "data" / "ko_wikinews_dev.jsonl.gz"


@pytest.fixture(scope="module")
def demo(tmp_path_factory, seed_ids, seed_archive):
    """The demo's store: the same inputs, in the same order, as the Makefile's DEMO_INPUTS."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    ran = run_cli("ingest", str(WIKINEWS), str(SEED), db=db, check=True)
    assert "562 new" in ran.stdout
    server = Server(db, "--workers", "1")
    yield server.base
    server.stop()


def test_home_page_leads_with_the_seed_then_the_dated_archive(browser, demo, seed_ids, seed_archive):
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    page.goto(demo + "/")
    cards = page.locator("main .card .headline")
    newest_of_seed = seed_archive.store.articles.get(seed_ids[1])
    assert cards.first.inner_text() == newest_of_seed.title  # the first thing on the page
    assert page.locator(".arrivals .card").count() == 10
    dated = page.locator("main > ol.cards .card time").first.inner_text()
    assert re.fullmatch(r"20\d\d-\d\d-\d\d", dated)
    assert "위키뉴스" in page.locator("footer").inner_text()
    page.close()


def test_trends_open_with_a_chart_over_years(browser, demo):
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    page.goto(demo + "/trends")
    page.wait_for_function("document.getElementById('trend-chart') && document.getElementById('trend-chart').dataset.ready")
    assert page.locator(".trend-table thead th").count() == 4  # the interval and three names
    buckets = page.locator(".trend-table tbody td:first-child").all_text_contents()
    years = {b[:4] for b in buckets}
    assert len(years) >= 8, years  # Wikinews spans 2009-2023
    page.close()


def test_a_story_timeline_has_real_dates(browser, demo):
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    page.goto(demo + "/")
    page.locator(".top-stories li a").first.click()
    page.wait_for_url("**/stories/*")
    days = page.locator(".timeline time").all_text_contents()
    assert len(days) >= 2 and all(re.fullmatch(r"20\d\d-\d\d-\d\d", d) for d in days)
    assert days == sorted(days)
    page.close()


def test_date_filters_narrow_to_real_years(demo):
    import httpx

    found = httpx.get(demo + "/api/search", params={"q": "대통령", "since": "2012", "until": "2013", "limit": 50},
                      timeout=30).json()
    assert found["total"] >= 3
    assert all("2012" <= h["published"][:4] <= "2013" for h in found["hits"])


def test_demo_inputs_match_the_makefile():
    """The fixture above ingests what `make demo` does, in its order."""
    line = next(x for x in (ROOT / "Makefile").read_text().splitlines() if x.startswith("DEMO_INPUTS"))
    assert line.index(WIKINEWS.name) < line.index("$(SEED)")
