"""What a self-hoster's tools see: health, Prometheus metrics across workers, request ids in JSON logs,
a sitemap, and article pages that link and preview well."""

from __future__ import annotations

import json
import re
import shutil
from urllib.parse import quote

import httpx
from lxml import etree
from prometheus_client.parser import text_string_to_metric_families

from conftest import Server


def samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def test_health_and_metrics_across_two_workers_and_request_ids_in_the_log(seed_db, tmp_path):
    db = tmp_path / "ops.db"
    shutil.copy(seed_db, db)
    server = Server(db, "--workers", "2", "--search-rate", "0")
    try:
        health = httpx.get(server.base + "/healthz", timeout=30)
        assert health.status_code == 200
        assert health.json()["status"] == "ok" and health.json()["articles"] == 20
        # Each request opens a connection of its own: the kernel spreads them over both workers.
        for _ in range(30):
            assert httpx.get(server.base + "/api/search", params={"q": "엔비디아"}, timeout=30).status_code == 200
        asked = httpx.get(server.base + "/api/articles/nope", headers={"X-Request-ID": "trace-42"}, timeout=30)
        assert asked.status_code == 404 and asked.headers["x-request-id"] == "trace-42"
        made = httpx.get(server.base + "/", timeout=30).headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", made)
        metrics = httpx.get(server.base + "/metrics", timeout=30)
        assert metrics.headers["content-type"].startswith("text/plain")
        found = samples(metrics.text)
        searches = found[("sinmun_requests_total", (("method", "GET"), ("route", "/api/search"), ("status", "200")))]
        assert searches == 30  # both workers' counts, whichever answered the scrape
        assert found[("sinmun_request_seconds_count", (("route", "/api/search"),))] == 30
        assert found[("sinmun_articles", ())] == 20
        assert found[("sinmun_follower_lag", (("follower", "index"),))] == 0
    finally:
        log = server.stop()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    traced = [line for line in lines if line.get("request_id") == "trace-42"]
    assert traced and traced[0]["status"] == 404 and traced[0]["path"] == "/api/articles/nope"
    assert sum(1 for line in lines if line.get("route") == "/api/search") == 30


def test_sitemap_lists_every_article_page(server, seed_ids):
    response = httpx.get(server + "/sitemap.xml", timeout=30)
    assert response.status_code == 200 and "xml" in response.headers["content-type"]
    root = etree.fromstring(response.content)
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert {f"{server}/articles/{i}" for i in seed_ids.values()} <= set(locs)
    assert len(locs) == 21  # the home page and twenty articles


def test_article_page_has_canonical_and_open_graph_tags(server, seed_ids):
    html = httpx.get(f"{server}/articles/{seed_ids[1]}", timeout=30).text
    tree = etree.HTML(html)
    assert tree.xpath("//link[@rel='canonical']/@href") == [f"{server}/articles/{seed_ids[1]}"]
    og = {m.get("property"): m.get("content") for m in tree.xpath("//meta[starts-with(@property, 'og:')]")}
    assert og["og:type"] == "article" and og["og:url"] == f"{server}/articles/{seed_ids[1]}"
    assert og["og:title"] and len(og["og:description"]) <= 160
    article = httpx.get(f"{server}/api/articles/{seed_ids[1]}", timeout=30).json()
    assert og["og:title"] == article["headline"]


def test_licensed_sources_are_credited(tmp_path):
    """An article from a CC BY source names it and its licence; the footer credits the source."""
    from conftest import run_cli

    db = tmp_path / "credit.db"
    path = tmp_path / "wiki.jsonl"
    path.write_text(json.dumps({"title": "시험용 위키뉴스 형식 기사", "body": "프로젝트가 쓴 시험용 본문입니다. 출처 표기를 확인합니다.",
                                "date": "2020-05-01", "url": "https://ko.wikinews.org/wiki/" + quote("시험")},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    run_cli("ingest", str(path), db=db, check=True)
    server = Server(db, "--workers", "1")
    try:
        article_id = httpx.get(server.base + "/api/articles", timeout=30).json()["articles"][0]["id"]
        tree = etree.HTML(httpx.get(f"{server.base}/articles/{article_id}", timeout=30).text)
        assert tree.xpath("//a[@rel='license']/text()") == ["CC BY 2.5"]
        assert "위키뉴스" in "".join(tree.xpath("//footer//text()"))
        assert httpx.get(f"{server.base}/api/articles/{article_id}", timeout=30).json()["published"] == "2020-05-01"
    finally:
        server.stop()
