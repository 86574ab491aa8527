"""The MCP face as an assistant uses it: the SDK's own client, in-process, over stdio and over HTTP."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import shutil

import httpx
import pytest
from mcp import Client, StdioServerParameters

from sinmun.assistant import build
from sinmun.service import Archive

from conftest import SINMUN, Server, run_cli

TOOLS = {"search", "read_article", "list_stories", "read_story", "trends", "entity_network", "export"}


def run(coroutine):
    """Run a client session to its end, on a thread of its own: Playwright's sync API (the browser
    tests' session fixture) keeps an event loop running on the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def search_and_read(client: Client, query: str = "엔비디아") -> tuple[dict, dict]:
    found = await client.call_tool("search", {"q": query, "limit": 3})
    assert not found.is_error, found.content
    first = found.structured_content["hits"][0]
    article = await client.call_tool("read_article", {"id": first["id"]})
    assert not article.is_error, article.content
    return found.structured_content, article.structured_content


def test_a_session_in_process_searches_reads_and_follows_stories(seed_archive):
    async def session():
        async with Client(build(seed_archive)) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert TOOLS <= set(tools)
            # The API's parameters, with the API's descriptions.
            assert {"q", "section", "since", "until", "mode", "limit", "offset"} <= set(
                tools["search"].input_schema["properties"])
            results, article = await search_and_read(client)
            assert results["total"] >= 1 and "엔비디아" in article["title"] + article["body"]
            api_shape = {"id", "title", "body", "published", "events", "story", "entities", "related"}
            assert api_shape <= set(article)
            resource = await client.read_resource(f"article://{article['id']}")
            assert json.loads(resource.contents[0].text)["body"] == article["body"]

            stories = (await client.call_tool("list_stories", {"limit": 3})).structured_content
            story = (await client.call_tool("read_story", {"id": stories["stories"][0]["id"]})).structured_content
            assert len(story["timeline"]) == stories["stories"][0]["size"]
            trend = (await client.call_tool("trends", {"terms": ["엔비디아", "넷플릭스"]})).structured_content
            assert [t["term"] for t in trend["terms"]] == ["엔비디아", "넷플릭스"]
            network = (await client.call_tool("entity_network", {"entity": "넷플릭스"})).structured_content
            assert "넷플릭스" in {n["id"] for n in network["nodes"]} and network["edges"]
            exported = (await client.call_tool("export", {"q": "반도체", "max_rows": 2})).structured_content
            assert len(exported["articles"]) == min(2, exported["total"]) and "raw" not in exported["articles"][0]
            assert {"body", "ingested_at", "people"} <= set(exported["articles"][0])

            # Mistakes come back as one line the assistant can act on.
            missing = await client.call_tool("read_article", {"id": "0000000000000000"})
            assert missing.is_error and "no article with id" in missing.content[0].text
            bad = await client.call_tool("search", {"q": "반도체", "since": "어제"})
            assert bad.is_error and "not a date" in bad.content[0].text
            nothing = await client.call_tool("entity_network", {})
            assert nothing.is_error and "give entity" in nothing.content[0].text

    run(session())


def test_stdio_server_started_as_an_assistant_would(seed_db, tmp_path):
    db = tmp_path / "stdio.db"
    shutil.copy(seed_db, db)

    async def session():
        params = StdioServerParameters(command=str(SINMUN), args=["mcp", "--db", str(db)])
        async with Client(params) as client:
            results, article = await search_and_read(client, "워너브러더스")
            assert "워너브러더스" in article["body"]

    run(session())


def test_http_endpoint_beside_the_site(server):
    async def session():
        async with Client(server + "/mcp") as client:
            _, article = await search_and_read(client)
            api = httpx.get(f"{server}/api/articles/{article['id']}", timeout=30).json()
            assert api["body"] == article["body"]

    run(session())


@pytest.fixture
def private_server(seed_db, tmp_path):
    db = tmp_path / "private.db"
    shutil.copy(seed_db, db)
    token = run_cli("token", "create", "--name", "assistant", "--scope", "read", db=db, check=True).stdout.strip()
    running = Server(db, "--workers", "1", "--private")
    yield running.base, token
    running.stop()


def test_a_private_server_asks_the_assistant_for_a_token(private_server):
    base, token = private_server
    refused = httpx.post(base + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                         headers={"Accept": "application/json, text/event-stream"}, timeout=30)
    assert refused.status_code == 401 and "token" in refused.json()["message"]

    async def session():
        from mcp.client.streamable_http import streamable_http_client

        http = httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30)
        async with http, Client(streamable_http_client(base + "/mcp", http_client=http)) as client:
            await search_and_read(client)

    run(session())


def test_the_archive_answers_the_same_through_every_face(seed_db, seed_archive):
    """The CLI's --json, the MCP tool and the library agree: one service under all of them."""
    cli = json.loads(run_cli("search", "반도체", "--json", db=seed_db, check=True).stdout)

    async def session():
        async with Client(build(Archive(seed_db))) as client:
            return (await client.call_tool("search", {"q": "반도체"})).structured_content

    assert [h["id"] for h in run(session())["hits"]] == [h["id"] for h in cli["hits"]]


def test_assistants_share_the_search_limit(seed_db, tmp_path):
    """/mcp counts against the per-address search limit: a client looping on it gets 429 with Retry-After."""
    db = tmp_path / "limited.db"
    shutil.copy(seed_db, db)
    running = Server(db, "--workers", "1", "--search-rate", "0.5")
    try:
        call = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
        statuses = [httpx.post(running.base + "/mcp", json=call, headers=headers, timeout=30) for _ in range(3)]
        limited = [r for r in statuses if r.status_code == 429]
        assert limited and "Retry-After" in limited[0].headers and "MCP requests" in limited[0].json()["message"]
    finally:
        running.stop()
