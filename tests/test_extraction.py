"""The extraction evaluation, as trafilatura has one: saved pages modelled on real Korean outlets'
layouts (written by the project), each with the headline, first and last body text, date, byline
and the furniture that must not be in the body. The suite prints the rates and gates them."""

from __future__ import annotations

import json

import pytest

from sinmun.ingest import read_path

from conftest import FIXTURES

EXPECTED = FIXTURES / "pages" / "expected.jsonl"
GATES = {"headline": 0.95, "body span": 0.90, "date": 0.90, "furniture-free": 0.95}


def judged() -> list[dict]:
    return [json.loads(line) for line in EXPECTED.read_text(encoding="utf-8").splitlines() if line.strip()]


def grade(expected: dict) -> dict[str, bool]:
    batch = read_path(FIXTURES / expected["file"])
    if not batch.articles:
        return dict.fromkeys([*GATES, "byline"], False)
    article = batch.articles[0]
    body = article.body.strip()
    return {
        "headline": article.title == expected["headline"],
        "body span": (expected["first"] is None or body.startswith(expected["first"])) and body.endswith(
            expected["last"]),
        "date": (article.published or "")[:10] == expected["date"],
        "furniture-free": not [f for f in expected["furniture"] if f in body],
        "byline": article.byline == expected["byline"],
    }


def test_the_fixture_set_covers_the_layouts():
    files = [e["file"] for e in judged()]
    assert len(files) == len(set(files)) >= 17
    assert all((FIXTURES / f).exists() for f in files)


def test_extraction_rates_meet_the_gates(capsys):
    grades = {e["file"]: grade(e) for e in judged()}
    rates = {name: sum(g[name] for g in grades.values()) / len(grades) for name in [*GATES, "byline"]}
    with capsys.disabled():
        print(f"\nextraction over {len(grades)} pages: " + ", ".join(f"{k} {v:.0%}" for k, v in rates.items()))
        for name, g in grades.items():
            missed = [k for k, ok in g.items() if not ok]
            if missed:
                print(f"  {name}: {', '.join(missed)}")
    for name, gate in GATES.items():
        assert rates[name] >= gate, (name, rates[name], grades)


@pytest.mark.parametrize("expected", judged(), ids=lambda e: e["file"])
def test_each_page(expected):
    """Each page on its own, so a regression names its layout."""
    missed = [k for k, ok in grade(expected).items() if not ok]
    assert not missed, missed
