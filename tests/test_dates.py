"""Relative dates in Korean news text, resolved against the article's own date."""

from __future__ import annotations

from datetime import date

import pytest

from sinmun.analysis.dates import drop_page_outliers, infer_date, reference_day, resolve
from sinmun.ingest import read_path

from conftest import SEED, cli_json

REF = date(2025, 12, 16)


@pytest.mark.parametrize("text, expected", [
    ("15일(현지시간) 밝혔다", ("15일", "2025-12-15", "day")),
    ("13일 장중 한때", ("13일", "2025-12-13", "day")),
    ("16일 발표", ("16일", "2025-12-16", "day")),
    ("지난 16일", ("지난 16일", "2025-11-16", "day")),       # 지난: strictly before
    ("20일 열렸다", ("20일", "2025-11-20", "day")),           # no day 20 yet this month
    ("오는 20일 열린다", ("오는 20일", "2025-12-20", "day")),
    ("지난 9월", ("지난 9월", "2025-09", "month")),
    ("지난 12월", ("지난 12월", "2024-12", "month")),
    ("12월 3일 회의", ("12월 3일", "2025-12-03", "day")),
    ("지난해 5월", ("지난해 5월", "2024-05", "month")),
    ("작년", ("작년", "2024", "year")),
    ("올해 3월", ("올해 3월", "2025-03", "month")),
    ("내년 1월 10일", ("내년 1월 10일", "2026-01-10", "day")),
    ("오는 2028년까지", ("오는 2028년", "2028", "year")),
    ("2025년 12월, 81세의", ("2025년 12월", "2025-12", "month")),
    ("2024년 2월 29일", ("2024년 2월 29일", "2024-02-29", "day")),
    ("어제", ("어제", "2025-12-15", "day")),
    ("그제", ("그제", "2025-12-14", "day")),
    ("지난달 말", ("지난달", "2025-11", "month")),
    ("다음 달", ("다음 달", "2026-01", "month")),
    ("지난주", ("지난주", "2025-12-08", "week")),
])
def test_expression(text, expected):
    events = resolve(text, REF)
    assert [(e.text, e.date, e.precision) for e in events] == [expected]
    assert text[events[0].start:events[0].end] == expected[0]


@pytest.mark.parametrize("text", ["1.5일", "3일간", "2,000년", "5000억 달러", "10일째", "13월", "32일"])
def test_not_dates(text):
    assert resolve(text, REF) == []


def test_month_and_year_boundaries():
    new_year = date(2026, 1, 3)
    found = {e.text: e.date for e in resolve("지난 28일과 2일, 12월 30일, 지난해 5월, 지난달", new_year)}
    assert found == {"지난 28일": "2025-12-28", "2일": "2026-01-02", "12월 30일": "2025-12-30",
                     "지난해 5월": "2025-05", "지난달": "2025-12"}
    march = date(2025, 3, 1)
    assert resolve("29일", march)[0].date == "2025-01-29"  # February 2025 has no 29th
    assert resolve("오는 31일", date(2025, 4, 2))[0].date == "2025-05-31"


def test_local_time_note_does_not_change_the_day():
    # (현지시간) says whose calendar the day is on; the day itself is as printed.
    assert resolve("뉴욕증시는 20일(현지시간) 하락했다", date(2025, 11, 21))[0].date == "2025-11-20"


def test_reference_day_of_a_month_is_its_last_day():
    assert reference_day("2025-12") == date(2025, 12, 31)
    assert reference_day("2025-12-16T09:00:00+09:00") == date(2025, 12, 16)
    assert reference_day(None) is None


def test_undated_article_is_dated_from_its_text():
    assert infer_date("그는 2021년 2월 착륙 당시를, 그리고 2025년 11월 19일 발표를 떠올렸다") == ("2025-11-19", "day")
    assert infer_date("15일(현지시간) 발표됐다") is None  # relative dates alone cannot date an article


def test_page_outliers_are_dropped():
    assert drop_page_outliers(["2025-12", "2021-02", "2025-11-19"]) == [True, False, True]


def test_seed_page_dates_and_events(seed_db):
    articles = read_path(SEED).articles
    dated = {a.position: (a.published, a.date_precision) for a in articles if a.date_precision != "page-order"}
    # Only articles that name an absolute date near the page's others get one from their text...
    assert dated == {3: ("2025-12", "month"), 20: ("2025-11-19", "day")}
    # ...and every other card is bound by them: the page is newest first, so a card above the
    # 2025-12 card is on or after it, and one between the two lies on or after 2025-11-19.
    bound = {a.position: a.published for a in articles if a.date_precision == "page-order"}
    assert bound == {1: "2025-12", 2: "2025-12", **{p: "2025-11-19" for p in range(4, 20)}}
    listed = cli_json("list", "--limit", "50", db=seed_db)["articles"]
    oracle = next(a for a in listed if a["published"] == "2025-12" and a["date_precision"] == "month")
    shown = cli_json("show", oracle["id"], db=seed_db)
    assert shown["date_precision"] == "month"
    bounded = cli_json("show", next(a["id"] for a in listed if a["date_precision"] == "page-order"), db=seed_db)
    assert bounded["events"] == []  # a bound is no day to resolve "15일" against
    for e in shown["events"]:
        assert shown[e["part"]][e["start"]:e["end"]] == e["text"]
    assert any(e["precision"] == "day" and e["date"].startswith("2025-12") for e in shown["events"])


def test_page_date_resolves_the_nemotron_day(tmp_path):
    from conftest import run_cli

    db = tmp_path / "dated.db"
    run_cli("ingest", str(SEED), "--published", "2025-12-16", db=db, check=True)
    first = cli_json("list", "--limit", "1", db=db)["articles"][0]  # the newest card
    shown = cli_json("show", first["id"], db=db)
    assert shown["date_precision"] == "page"
    day15 = [e for e in shown["events"] if e["text"] == "15일"]
    assert day15 and day15[0]["date"] == "2025-12-15" and day15[0]["part"] == "body"


def test_page_order_needs_a_newest_first_page():
    from sinmun.analysis.dates import page_order_bounds

    assert page_order_bounds([None, "2025-12-02", None, "2025-11-30", None]) == [
        "2025-12-02", None, "2025-11-30", None, "2025-11-30"]
    assert page_order_bounds([None, "2025-11-30", None, "2025-12-02"]) == [None] * 4  # oldest first: no bound
    assert page_order_bounds([None, "2025-12-02", None]) == [None] * 3  # one dated card proves no order


def test_resolution_is_linear_in_the_text():
    """Each match used to rescan all the text before it (a 1 MB body took 9.5 s)."""
    text = "회의는 15일 열렸다. 가격은 1.5일 만에 올랐다. " * 20_000
    events = resolve(text, REF)
    assert len(events) == 20_000 and all(e.text == "15일" and e.date == "2025-12-15" for e in events)
