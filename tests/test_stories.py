"""Entities and stories: the seed's continuing stories, series kept apart, the labelled set."""

from __future__ import annotations

import importlib.util

import httpx
import pytest

from conftest import ROOT, SEED, cli_json, run_cli


@pytest.fixture(scope="module")
def by_position(seed_archive) -> dict[int, str]:
    return {a.position: a.id for a in seed_archive.store.articles.page(limit=50)[1]}


def story(seed_archive, position_ids, position) -> str:
    return seed_archive.store.stories.story_of(position_ids[position])


def test_seed_stories(seed_archive, by_position):
    assert story(seed_archive, by_position, 8) == story(seed_archive, by_position, 10)  # Netflix / Paramount / WB
    assert story(seed_archive, by_position, 2) == story(seed_archive, by_position, 16)  # H200 / China chip fund
    assert story(seed_archive, by_position, 6) != story(seed_archive, by_position, 7)   # two 우주의 속삭임 episodes
    eyes = {story(seed_archive, by_position, p) for p in (5, 11, 15, 19)}              # a series is not a story
    assert len(eyes) == 4


def test_entities_are_canonical_and_typed(seed_db, by_position):
    shown = cli_json("show", by_position[1], db=seed_db)
    entities = {e["name"]: e["type"] for e in shown["entities"]}
    assert entities["엔비디아"] == "org"
    assert entities["젠슨 황"] == "person"
    assert "Nvidia" not in entities and "젠슨" not in entities
    assert shown["story"] == by_position[1]  # a story of its own


def test_stories_and_story_commands(seed_db):
    data = cli_json("stories", db=seed_db)
    assert data["total"] == 2
    sizes = [s["size"] for s in data["stories"]]
    assert sizes == [2, 2]
    for listed in data["stories"]:
        one = cli_json("story", listed["id"], db=seed_db)
        assert len(one["timeline"]) == 2 and one["entities"]
    text = run_cli("stories", db=seed_db, check=True).stdout
    assert text.count("2 articles") == 2


def test_story_and_entity_api(server):
    stories = httpx.get(server + "/api/stories").json()
    assert stories["total"] == 2
    one = httpx.get(server + f"/api/stories/{stories['stories'][0]['id']}").json()
    assert {"id", "title", "size", "entities", "timeline"} <= set(one)
    entities = {e["name"]: e for e in httpx.get(server + "/api/entities").json()}
    assert entities["엔비디아"]["type"] == "org" and entities["엔비디아"]["articles"] >= 8
    nvidia = httpx.get(server + "/api/entities/엔비디아").json()
    assert nvidia["count"] == len(nvidia["articles"]) == entities["엔비디아"]["articles"]
    assert httpx.get(server + "/api/entities/없는이름").status_code == 404
    article = httpx.get(server + f"/api/articles/{nvidia['articles'][0]['id']}").json()
    assert len(article["related"]) == 5 and article["story"] and article["entities"]


def test_related_articles_skip_retracted_ones_past_the_first_window(backend, monkeypatch):
    # Related articles are ranked on the names alone, then the best few are checked for being
    # live: an article retracted (or found a duplicate) but not yet derived away still has its
    # names. When the first window holds too few live ones, a wider one is read.
    from sinmun.service import Archive, editor, queries
    from sinmun.store import connect

    run_cli("ingest", str(SEED), db=backend, check=True)
    with Archive(backend) as archive:
        nvidia = archive.store.entities.articles_naming("엔비디아")
        page = queries.article(archive, nvidia[0])
        before = [r.id for r in page.related]
        assert len(before) == 5
        for gone in before[:3]:
            editor.retract(archive, gone, actor="test")
        monkeypatch.setattr(connect, "RELATED_WINDOW", 5)  # the first window: five, three of them retracted
        after = [r.id for r in queries.article(archive, nvidia[0]).related]
        monkeypatch.setattr(connect, "RELATED_WINDOW", 10_000)
        assert after == [r.id for r in queries.article(archive, nvidia[0]).related]
        assert after[:2] == before[3:] and len(after) == 5 and not set(after) & set(before[:3])


def test_labelled_set_quality(tmp_path):
    spec = importlib.util.spec_from_file_location("bench", ROOT / "bench" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    scores = bench.story_scores(tmp_path)
    assert scores["pairwise precision"] >= 0.9
    assert scores["pairwise recall"] >= 0.8
    assert scores["B-cubed F1"] >= 0.95


def test_story_lists_follow_the_stories_derived_after_their_articles(seed_db, tmp_path):
    """Lists are made once per change of the archive; stories are derived after the change that
    brings their article, so a story list asked in between is made again once they are."""
    import shutil

    from sinmun.ingest import read_path
    from sinmun.ingest.accept import accept
    from sinmun.service import Archive, queries
    from sinmun.service.maintenance import catch_up
    from sinmun.service.params import StoryParams

    from conftest import FIXTURES

    db = tmp_path / "later.db"
    shutil.copy(seed_db, db)
    every = StoryParams(min_size=1, limit=100)
    with Archive(db) as archive:
        before = queries.stories(archive, every).total
        with archive.store.transaction():
            accept(archive.store, read_path(FIXTURES / "sample.jsonl").articles)  # stored, not yet derived
        assert queries.stories(archive, every).total == before
        catch_up(archive)
        after = queries.stories(archive, every)
        assert after.total > before
        assert after.total == archive.store.stories.page(100, 0, 1)[0]
