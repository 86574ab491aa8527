"""The `sinmun` command as an operator uses it: real processes, real files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sinmun.articles import ARTICLE_FIELDS
from sinmun.ingest import read_path

from conftest import SEED, cli_json, run_cli

SEED_ARTICLES = read_path(SEED).articles


def title_at(position: int) -> str:
    return SEED_ARTICLES[position - 1].title


@pytest.mark.parametrize("query, position", [
    ("엔비디아의 수출", 16),
    ("OpenAI", 12),
    ("파라 마운트", 8),
    ("넷플릭스의 인수", 10),
])
def test_search_json_finds_the_article(seed_db, query, position):
    data = cli_json("search", query, db=seed_db)
    assert data["query"] == query
    titles = [h["title"] for h in data["hits"]]
    if query == "넷플릭스의 인수":
        assert title_at(position) in titles[:2]
    else:
        assert titles[0] == title_at(position)
    assert set(data["hits"][0]) >= {"id", "title", "series", "episode", "section", "published", "score", "snippet"}
    assert data["total"] >= len(data["hits"])


def test_hanja_query_on_the_command_line(seed_db):
    data = cli_json("search", "韓 반도체", db=seed_db)
    assert data["total"] >= 4
    assert {"from": "韓", "to": "한국"} in data["expansions"]


def test_search_text_output(seed_db):
    proc = run_cli("search", "엔비디아의 수출", "--limit", "2", "--mode", "keyword", db=seed_db, check=True)
    assert proc.stdout.splitlines()[0].startswith("3 results for '엔비디아의 수출' (keyword)")
    assert title_at(16) in proc.stdout
    assert "<mark>" not in proc.stdout


def test_show_json_has_every_field(seed_db):
    article_id = cli_json("search", "OpenAI", db=seed_db)["hits"][0]["id"]
    shown = cli_json("show", article_id, db=seed_db)
    assert list(shown) == [*ARTICLE_FIELDS, "sources", "events", "story", "entities", "related"]
    assert shown["sources"][0]["source"] == str(SEED)
    expected = SEED_ARTICLES[11]
    for name in ("title", "series", "episode", "section", "body", "key_insights", "summary", "explainer", "position"):
        assert shown[name] == getattr(expected, name)
    assert shown["id"] == article_id and shown["ingested_at"]
    assert cli_json("show", article_id[:8], db=seed_db)["id"] == article_id  # unique prefix


def test_show_text_output_has_the_boxes(seed_db):
    article_id = cli_json("list", "--section", "금융/증권", db=seed_db)["articles"][0]["id"]
    proc = run_cli("show", article_id, db=seed_db, check=True)
    assert "미니 해설" in proc.stdout


def test_list_json_and_filters(seed_db):
    everything = cli_json("list", "--limit", "100", db=seed_db)
    assert everything["total"] == 20
    assert set(everything["articles"][0]) == {"id", "title", "series", "episode", "section", "published",
                                                  "date_precision", "lede"}
    series = cli_json("list", "--series", "퓨처 Eyes", db=seed_db)
    assert [a["episode"] for a in series["articles"]] == [114, 113, 112, 111]
    page = cli_json("list", "--limit", "5", "--offset", "5", db=seed_db)
    assert [a["id"] for a in page["articles"]] == [a["id"] for a in everything["articles"][5:10]]
    assert cli_json("list", "--section", "IT/바이오", db=seed_db)["total"] == 7


def test_stats_json(seed_db):
    stats = cli_json("stats", db=seed_db)
    # Two are dated from their text; the other eighteen are bound by them (page order).
    assert stats["articles"] == 20 and stats["undated"] == 0
    assert stats["sections"]["포커스온"] == 10
    assert stats["series"]["글로벌 핫이슈"] == 9


@pytest.mark.parametrize("command", ["show", "list", "stats"])
def test_read_commands_do_not_load_kiwi(seed_db, command):
    args = {"show": ["show", "missing-id"], "list": ["list"], "stats": ["stats"]}[command]
    code = (
        "import sys\n"
        "from sinmun.cli import run\n"
        f"run({args!r} + ['--db', {str(seed_db)!r}])\n"
        "print('loaded:', 'kiwipiepy' in sys.modules, 'tantivy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1].split() == ["loaded:", "False", "False"]


@pytest.mark.parametrize("args, message", [
    (["show", "0000000000000000"], "no article with id"),
    (["search", "엔비디아", "--since", "어제"], "not a date"),
    (["search", "엔비디아", "--sort", "popular"], "--sort"),
    (["list", "--limit", "0"], "--limit"),
    (["ingest", "/no/such/file.txt"], "no such file"),
    (["ingest", str(SEED), "--format", "csv"], "unknown format"),
])
def test_errors_are_one_line_without_traceback(seed_db, tmp_path, args, message):
    db = seed_db if args[0] != "ingest" else tmp_path / "x.db"
    proc = run_cli(*args, db=db)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]


def test_db_defaults_to_env_then_cwd(seed_db, tmp_path):
    import os

    env = {**os.environ, "SINMUN_DB": str(seed_db)}
    out = subprocess.run([str(sys.executable).replace("python", "sinmun"), "stats", "--json"],
                         capture_output=True, text=True, env=env, cwd=tmp_path, check=True).stdout
    assert json.loads(out)["db"] == str(seed_db)


@pytest.mark.parametrize("args, message", [
    (["search", "엔비디아", "--offset", "10000000000"], "10000"),
    (["search", "엔비디아", "--offset", str(2**64)], "10000"),
    (["list", "--offset", str(2**64)], "10000"),
    (["stories", "--min-size", str(2**64)], "--min-size"),
    (["search", "😀"], "no words"),
])
def test_out_of_range_numbers_and_empty_queries_are_one_line_errors(seed_db, args, message):
    proc = run_cli(*args, db=seed_db)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], lines
