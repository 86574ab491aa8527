"""Exports as a researcher uses them: a CSV opened by Excel, Parquet read by a notebook, JSON Lines
piped elsewhere; from the CLI and streamed from the API; flat memory at 100,000 rows."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import httpx
import pyarrow.parquet as pq
import pytest

from sinmun.articles import ARTICLE_FIELDS, make_article, text_hash
from sinmun.service import Archive

from conftest import run_cli


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_of_the_seed_holds_every_field_verbatim(seed_db, seed_archive, tmp_path):
    out = tmp_path / "seed.csv"
    ran = run_cli("export", "--out", str(out), db=seed_db, check=True)
    assert "exported 20 articles as csv" in ran.stderr
    rows = read_csv(out.read_bytes())
    assert len(rows) == 20
    assert set(ARTICLE_FIELDS) <= set(rows[0]) and {"story", "people", "organizations", "places"} <= set(rows[0])
    for row in rows:
        stored = seed_archive.store.articles.get(row["id"])
        assert row["body"] == stored.body and row["title"] == stored.title  # not one character changed
    # Two of the seed's continuing stories come out with their story id on both articles.
    stories = [r["story"] for r in rows if r["story"]]
    assert len(stories) >= 4 and len(set(stories)) < len(stories)
    assert any("넷플릭스" in r["organizations"] for r in rows)


def test_a_query_exports_only_its_matches_in_any_format(seed_db, tmp_path):
    lines = run_cli("export", "엔비디아", db=seed_db, check=True).stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert 1 <= len(records) < 20
    assert all("엔비디아" in r["title"] + r["body"] for r in records)
    run_cli("export", "엔비디아", "--out", str(tmp_path / "hits.parquet"), db=seed_db, check=True)
    table = pq.read_table(tmp_path / "hits.parquet")
    assert table.num_rows == len(records)
    assert table.column("id").to_pylist() == [r["id"] for r in records]  # the same order: relevance
    assert str(table.schema.field("partial").type) == "bool"
    two = run_cli("export", "--max-rows", "2", "--section", "경제", db=seed_db, check=True).stdout.splitlines()
    assert len(two) <= 2 and all(json.loads(line)["section"] == "경제" for line in two)


def test_bad_options_are_one_line(seed_db):
    ran = run_cli("export", "--format", "xls", db=seed_db)
    assert ran.returncode == 2 and "--format" in ran.stderr and "Traceback" not in ran.stderr
    ran = run_cli("export", "--since", "2025-12", "--until", "2025-01", db=seed_db)
    assert ran.returncode != 0 and "after" in ran.stderr


def test_formulas_are_neutralised_in_csv_only(tmp_path):
    db = tmp_path / "formula.db"
    path = tmp_path / "formula.jsonl"
    path.write_text(json.dumps({"title": "=HYPERLINK(\"http://example.invalid\",\"클릭\")",
                                "body": "+82 전화번호로 시작하는 본문입니다. 수식으로 읽히면 안 됩니다.",
                                "section": "@사회", "published": "2026-11-02"}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    run_cli("ingest", str(path), db=db, check=True)
    row = read_csv(run_and_read(db, tmp_path / "out.csv"))[0]
    assert row["title"].startswith("'=HYPERLINK") and row["body"].startswith("'+82") and row["section"] == "'@사회"
    record = json.loads(run_cli("export", db=db, check=True).stdout)
    assert record["title"].startswith("=HYPERLINK")  # the data itself stays verbatim


def run_and_read(db, out) -> bytes:
    run_cli("export", "--out", str(out), db=db, check=True)
    return out.read_bytes()


def test_api_streams_an_export(server):
    response = httpx.get(server + "/api/export", params={"q": "반도체", "format": "csv"}, timeout=60)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = read_csv(response.content)
    assert len(rows) == int(response.headers["x-total-count"]) >= 1
    everything = httpx.get(server + "/api/export", timeout=60)
    assert len(everything.text.splitlines()) == 20
    bad = httpx.get(server + "/api/export", params={"format": "xlsx"}, timeout=10)
    assert bad.status_code == 422 and "format" in bad.json()["message"]


def test_search_all_pages_past_one_hundred(seed_db):
    one_page = json.loads(run_cli("search", "기업", "--json", db=seed_db, check=True).stdout)
    every = json.loads(run_cli("search", "기업", "--all", "--json", db=seed_db, check=True).stdout)
    assert len(one_page["hits"]) == 10 and len(every["hits"]) == every["total"] > 10
    assert len({h["id"] for h in every["hits"]}) == len(every["hits"])


# The process's own peak (VmHWM): ru_maxrss would carry pytest's peak over from the fork.
PEAK = """
import re, sys
from pathlib import Path
from sinmun.cli import run
code = run(sys.argv[1:])
status = Path("/proc/self/status").read_text()
print(int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1)) // 1024, file=sys.stderr)
sys.exit(code)
"""


def export_peak_mb(db, out, *args) -> int:
    proc = subprocess.run([sys.executable, "-c", PEAK, "export", "--db", str(db), "--out", str(out), *args],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stderr.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def hundred_thousand(tmp_path_factory):
    """100,000 generated articles of about 1,200 characters, written through the store (analysis would
    take an hour on two cores: the export reads the store, not the index)."""
    db = tmp_path_factory.mktemp("big") / "big.db"
    with Archive(db, create=True) as archive:
        store = archive.store
        words = "가나다라마바사아자차카타파하"
        with store.transaction():
            for i in range(100_000):
                body = f"생성 기사 {i}번의 본문입니다. " + " ".join(words[(i + k) % 14] * 3 for k in range(300))
                article = make_article(f"생성 기사 {i}", body, published=f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}",
                                       section=("경제", "사회", "국제")[i % 3])
                store.articles.insert(article, text_hash=text_hash(article.body), duplicate_of=None, similarity=None,
                                      ingested_at="2026-11-30T00:00:00+00:00")
    return db


def test_export_memory_stays_flat_at_100000_rows(hundred_thousand, tmp_path):
    peaks = {}
    for fmt in ("csv", "parquet"):
        small = export_peak_mb(hundred_thousand, tmp_path / f"small.{fmt}", "--max-rows", "10000")
        full = export_peak_mb(hundred_thousand, tmp_path / f"full.{fmt}")
        peaks[fmt] = (small, full)
        print(f"\n{fmt} export peak RSS: {small} MB at 10,000 rows, {full} MB at 100,000 rows "
              f"({(tmp_path / f'full.{fmt}').stat().st_size // 2**20} MB written)")
    with (tmp_path / "full.csv").open(encoding="utf-8-sig", newline="") as f:
        assert sum(1 for _ in csv.reader(f)) == 100_001
    assert pq.ParquetFile(tmp_path / "full.parquet").metadata.num_rows == 100_000
    # Ten times the rows; the ids (about 70 bytes each) are all that grows.
    for fmt, (small, full) in peaks.items():
        assert full - small < 30, (fmt, small, full)
