"""Trends over time, rising entities and the co-occurrence network."""

from __future__ import annotations

import json
import random
import time

import httpx

from sinmun.connect.trends import bucket, fill

from conftest import cli_json, run_cli

POOL = [
    "메모리 반도체 가격이 석 달 만에 반등했다.", "파운드리 업계는 미세 공정 경쟁에 속도를 내고 있다.",
    "장비 업체들의 수주 잔고가 크게 늘었다.", "정부는 반도체 특별법 처리를 서두르겠다고 밝혔다.",
    "수출 물량의 절반은 중국과 대만으로 향했다.", "데이터센터 투자가 고대역폭 메모리 수요를 끌어올렸다.",
    "재고 조정이 마무리 단계에 들어섰다는 분석이 나왔다.", "원화 약세가 수출 기업의 실적을 떠받쳤다.",
    "팹리스 스타트업에 대한 투자도 활발해졌다.", "전력 반도체 시장은 전기차 보급과 함께 커지고 있다.",
    "소재 국산화율은 처음으로 삼분의 일을 넘었다.", "업계는 하반기 설비 투자 규모를 늘릴 계획이다.",
    "일부 품목은 단가 하락으로 수출액이 줄었다.", "인력 부족은 여전히 업계의 고민거리로 꼽힌다.",
]


def dated_corpus(path):
    """Five weeks of project-written articles: 셀바이오 appears only in the last week."""
    records = []
    for day in range(1, 29):
        picked = " ".join(random.Random(day).sample(POOL, 3))
        records.append({"title": f"반도체 수출 동향 {day}", "published": f"2025-10-{day:02d}",
                        "body": f"삼성전자 반도체 수출이 {day}일 집계됐다. {picked}"})
    for day in range(1, 8):
        picked = " ".join(random.Random(200 + day).sample(POOL, 2))
        records.append({"title": f"셀바이오 신약 임상 {day}", "published": f"2025-11-{day:02d}",
                        "body": f"바이오 기업 셀바이오가 {day}일 임상 {day}상 결과를 공개했다. 삼성전자도 투자 의사를 밝혔다. {picked}"})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_buckets():
    assert bucket("2025-11-05T09:00:00+09:00", "week") == "2025-11-03"
    assert bucket("2025-11", "month") == "2025-11"
    assert fill(["2025-09", "2025-11"], "month") == ["2025-09", "2025-10", "2025-11"]


def test_trends_command_counts_dated_articles_per_interval(tmp_path):
    db = tmp_path / "t.db"
    run_cli("ingest", str(dated_corpus(tmp_path / "c.jsonl")), db=db, check=True)
    data = cli_json("trends", "동향", "셀바이오", "--interval", "month", db=db)
    assert data["buckets"] == ["2025-10", "2025-11"]
    semis, cell = data["terms"]
    assert semis["counts"] == {"2025-10": 28}
    assert cell["counts"] == {"2025-11": 7} and cell["total"] == 7
    weekly = cli_json("trends", "셀바이오", "--interval", "week", db=db)
    assert sum(weekly["terms"][0]["counts"].values()) == 7
    bad = run_cli("trends", "x", "--interval", "year", db=db)
    assert bad.returncode == 2 and "unknown interval" in bad.stderr


def test_rising_and_network_api(tmp_path):
    from conftest import Server

    db = tmp_path / "r.db"
    run_cli("ingest", str(dated_corpus(tmp_path / "c.jsonl")), db=db, check=True)
    server = Server(db)
    base = server.base
    try:
        rising = httpx.get(base + "/api/rising", params={"window_days": 7}).json()
        assert rising["until"] == "2025-11-07"
        assert rising["entities"][0]["name"] == "셀바이오"
        assert rising["entities"][0]["before"] == 0 and rising["entities"][0]["recent"] == 7
        graph = httpx.get(base + "/api/network", params={"entity": "셀바이오"}).json()
        names = {n["id"] for n in graph["nodes"]}
        assert {"셀바이오", "삼성전자"} <= names
        edge = next(e for e in graph["edges"] if {e["source"], e["target"]} == {"셀바이오", "삼성전자"})
        assert edge["weight"] == 7
        by_query = httpx.get(base + "/api/network", params={"q": "동향"}).json()
        assert by_query["articles"] == 28
        assert httpx.get(base + "/api/network").status_code == 400
        trend = httpx.get(base + "/api/trends", params={"terms": "반도체,셀바이오", "interval": "month"}).json()
        assert [t["term"] for t in trend["terms"]] == ["반도체", "셀바이오"]
        assert trend["terms"][1]["counts"] == {"2025-11": 7}
        assert "삼성전자" in httpx.get(base + "/trends").text  # a first visit draws the most-named names
        home = httpx.get(base + "/").text
        assert "급상승" in home and "셀바이오" in home
        # Counts are kept between changes of the archive: an article ingested meanwhile is counted.
        later = tmp_path / "later.jsonl"
        later.write_text(json.dumps({"title": "셀바이오 임상 결과 추가 공개", "published": "2025-12-02",
                                     "body": "셀바이오가 2일 추가 임상 결과를 공개했다."}, ensure_ascii=False) + "\n",
                         encoding="utf-8")
        run_cli("ingest", str(later), db=db, check=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            trend = httpx.get(base + "/api/trends", params={"terms": "반도체,셀바이오", "interval": "month"}).json()
            if trend["terms"][1]["total"] == 8:
                break
            time.sleep(0.3)
        assert trend["terms"][1]["counts"] == {"2025-11": 7, "2025-12": 1}
    finally:
        server.stop()
