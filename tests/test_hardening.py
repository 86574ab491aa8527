"""A server exposed to the internet: private reads, rate limits, size limits, HEAD, security headers,
self-hosted API docs. Tried over real HTTP against `sinmun serve`."""

from __future__ import annotations

import base64
import shutil

import httpx
import pytest

from conftest import Server, run_cli

PAGES = ["/", "/search?q=엔비디아", "/sections/IT%2F바이오", "/trends?terms=엔비디아", "/entities/엔비디아",
         "/api/docs"]


@pytest.fixture(scope="module")
def private(seed_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("private") / "p.db"
    shutil.copy(seed_db, db)
    token = run_cli("token", "create", "--name", "reader", "--scope", "read", db=db, check=True).stdout.strip()
    server = Server(db, "--workers", "1", "--private", "--search-rate", "2")
    yield server.base, token
    server.stop()


def test_a_private_server_needs_a_read_token_for_pages_and_api(private):
    base, token = private
    api = httpx.get(base + "/api/articles")
    assert api.status_code == 401 and api.json()["status"] == 401
    page = httpx.get(base + "/")
    assert page.status_code == 401 and 'Basic realm="sinmun"' in page.headers["www-authenticate"]
    assert httpx.get(base + "/api/articles", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    basic = base64.b64encode(f"reader:{token}".encode()).decode()  # what a browser sends after asking
    assert httpx.get(base + "/", headers={"Authorization": f"Basic {basic}"}).status_code == 200


def test_searches_are_rate_limited_per_address(private):
    base, token = private
    headers = {"Authorization": f"Bearer {token}"}
    answers = [httpx.get(base + "/api/search", params={"q": "엔비디아"}, headers=headers) for _ in range(8)]
    statuses = [a.status_code for a in answers]
    assert 200 in statuses and 429 in statuses, statuses
    limited = next(a for a in answers if a.status_code == 429)
    assert int(limited.headers["retry-after"]) >= 1 and "at most 2" in limited.json()["message"]
    # Reading an article is not a search: not limited.
    assert httpx.get(base + "/api/articles", headers=headers).status_code == 200


def test_every_response_carries_the_security_headers(server):
    for path in [*PAGES, "/api/articles", "/api/articles/nope", "/static/site.css", "/nowhere"]:
        response = httpx.get(server + path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp, path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin", path


def test_no_page_has_an_inline_script(server):
    for path in PAGES:
        html = httpx.get(server + path).text
        inline = [tag for tag in html.split("<script")[1:] if "src=" not in tag.split(">")[0]
                  and 'type="application/json"' not in tag.split(">")[0]]
        assert inline == [], path


def test_head_is_answered_like_get_without_a_body(server):
    for path in ["/", "/api/articles", "/api/search?q=엔비디아"]:
        head = httpx.head(server + path)
        assert head.status_code == 200 and head.content == b"", path
        assert head.headers["content-type"] == httpx.get(server + path).headers["content-type"]


def test_oversized_urls_bodies_and_queries_are_refused_clearly(server):
    long_url = httpx.get(server + "/api/search", params={"q": "가" * 5000})
    assert long_url.status_code == 414 and long_url.json()["status"] == 414
    long_query = httpx.get(server + "/api/search", params={"q": "nvidia " * 80})
    assert long_query.status_code == 422 and "at most 500" in long_query.json()["message"]
    declared = httpx.post(server + "/api/articles", content=b"{" + b" " * (3 * 1024 * 1024) + b"}",
                          headers={"Content-Type": "application/json"})
    assert declared.status_code == 413 and declared.json()["status"] == 413

    def chunks():
        for _ in range(40):
            yield b" " * 100_000

    streamed = httpx.post(server + "/api/articles", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code in (401, 413)  # refused either for its size or for want of a token, never read whole
    assert httpx.get(server + "/api/sections").status_code == 200
