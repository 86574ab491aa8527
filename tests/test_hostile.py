"""Hostile content, proved in Chromium: script in every field an article can carry, on every kind of page.

Each payload would set `window.__pwned` or open a dialog if the site ever let it run;
the test opens every page kind in Chromium and checks that nothing ran, no element
a payload could inject exists, and the text is shown as text.
"""

from __future__ import annotations

import json
import shutil
from urllib.parse import quote

import httpx
import pytest

from conftest import Server, run_cli

PAYLOADS = [
    "<script>window.__pwned=1;alert(1)</script>",
    '"><img src=x onerror="window.__pwned=2;alert(2)">',
    "</title></textarea><svg onload=\"window.__pwned=4;alert(4)\">",
    "'\"><iframe src=\"javascript:alert(6)\"></iframe>",
    '<a href="javascript:window.__pwned=8;alert(8)">누르기</a>',
    "{{7*7}} ${7*7} <!-- 닫히지 않은 주석",
    "\u202e뒤집힌 글\u202c 보이지\u200b 않는\u200d 문자\ufeff",
    "<style>body{display:none}</style><b>굵게",
]
INJECTED = ("script:not([src]):not([type='application/json']), img[onerror], svg[onload], iframe, "
            "a[href^='javascript:'], style:not([data-x]) ~ b, body[style]")


def hostile_articles() -> list[dict]:
    records = []
    for i, payload in enumerate(PAYLOADS):
        records.append({
            "title": f"[공격 시험{payload}({i + 1})] 악성 제목 {payload}",
            "body": f"공격 문자열이 본문에 들어 있다 {payload}. 사이트는 이것을 글자로만 보여 주어야 한다. "
                    f"공격 시험 기사 {i}번이다. {payload} 끝.",
            "section": f"보안{payload}",
            "series": f"공격 시험{payload}",
            "url": f"javascript:window.__pwned={i};//{payload}",
            "byline": f"기자{payload}",
            "summary": f"요약 {payload}",
            "key_insights": f"핵심 {payload}",
            "published": "2026-11-2" + str(i % 9),
        })
    return records


@pytest.fixture(scope="module")
def hostile(seed_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "h.db"
    shutil.copy(seed_db, db)
    data = folder / "hostile.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in hostile_articles()), encoding="utf-8")
    run_cli("ingest", str(data), db=db, check=True)
    token = run_cli("token", "create", "--name", "editor", db=db, check=True).stdout.strip()
    server = Server(db, "--workers", "1")
    # A correction carrying payloads too, for the revisions page.
    first = httpx.get(server.base + "/api/search", params={"q": "공격 시험 기사 0번", "mode": "keyword"}).json()
    article_id = first["hits"][0]["id"]
    original = httpx.get(server.base + f"/api/articles/{article_id}").json()
    corrected = {"title": original["headline"] + PAYLOADS[1], "body": original["body"] + " " + PAYLOADS[0]}
    assert httpx.put(server.base + f"/api/articles/{article_id}", json=corrected,
                     headers={"Authorization": f"Bearer {token}"}).status_code == 200
    yield server.base, article_id
    server.stop()


def page_urls(base: str, article_id: str) -> list[str]:
    listed = httpx.get(base + "/api/articles", params={"limit": 100}).json()["articles"]
    api = next(a for a in listed if (a["series"] or "").startswith("공격 시험"))
    entities = httpx.get(base + "/api/entities", params={"limit": 5}).json()
    urls = ["/", "/?page=2", f"/articles/{article_id}", f"/articles/{article_id}/revisions",
            f"/sections/{quote(api['section'], safe='')}", f"/series/{quote(api['series'], safe='')}",
            "/search?q=" + quote("공격 시험"), "/search?q=" + quote(PAYLOADS[0]), "/search?q=" + quote(PAYLOADS[1]),
            "/trends?terms=" + quote("공격," + PAYLOADS[0]), "/articles/" + quote(PAYLOADS[1], safe=""),
            "/entities/" + quote(entities[0]["name"], safe="")]
    stories = httpx.get(base + "/api/stories", params={"min_size": 1, "limit": 3}).json()["stories"]
    urls += [f"/stories/{s['id']}" for s in stories]
    return urls


def test_no_payload_runs_on_any_page(browser, hostile):
    base, article_id = hostile
    urls = page_urls(base, article_id)
    dialogs: list[str] = []
    violations: list[str] = []
    page = browser.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    for url in urls:
        response = page.goto(base + url)
        assert response is not None and response.status in (200, 400, 404), (url, response and response.status)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned") is None, url
        assert page.locator(INJECTED).count() == 0, url
        # Clicking every link of the page never runs script either.
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            assert not href.strip().lower().startswith("javascript:"), (url, href)
    assert dialogs == []
    # The text is shown as text: the payload's characters are on the page, not interpreted.
    page.goto(base + f"/articles/{article_id}")
    body = page.locator(".article").inner_text()
    assert "<script>window.__pwned=1" in body and "{{7*7}}" in body and "49" not in body
    page.goto(base + "/search?q=" + quote("공격 시험"))
    assert page.locator(".results .card").count() >= 5
    assert "<img src=x" in page.locator(".results").inner_text()
    page.close()
    assert violations == [] or all("inline" not in v for v in violations), violations


def test_the_api_returns_the_payloads_as_data(hostile):
    base, article_id = hostile
    found = httpx.get(base + f"/api/articles/{article_id}").json()
    assert PAYLOADS[0] in found["body"]  # stored verbatim
    listed = httpx.get(base + "/api/articles", params={"limit": 100}).json()["articles"]
    other = next(a for a in listed if (a["series"] or "").startswith("공격 시험"))
    assert httpx.get(base + f"/api/articles/{other['id']}").json()["url"].startswith("javascript:")
    hits = httpx.get(base + "/api/search", params={"q": "공격 시험"}).json()["hits"]
    assert hits and all("<script>" not in h["snippet"] for h in hits)  # snippets are escaped HTML
    assert any("&lt;script&gt;" in h["snippet"] or "&lt;" in h["title_html"] for h in hits)
