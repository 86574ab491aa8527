"""Extractive summaries (the lead, then the sentences that matter most) and their measure
against the seed's [Summary] blocks and the sentences the project picked for 40 Wikinews
articles."""

from __future__ import annotations

import gzip
import json

from sinmun.analysis.korean import Analyzer
from sinmun.connect.summarize import choose, lead, rouge, split_sentences
from sinmun.ingest import read_path

from conftest import FIXTURES, SEED, SHARED, cli_json, run_cli


def test_summarize_json_gives_three_body_sentences(seed_db):
    listed = cli_json("list", "--limit", "50", db=seed_db)["articles"]
    for item in listed[:4]:
        shown = cli_json("show", item["id"], db=seed_db)
        result = cli_json("summarize", item["id"], db=seed_db)
        assert set(result) == {"id", "summary", "sentences"}
        assert len(result["sentences"]) == 3
        assert result["summary"] == " ".join(result["sentences"])
        positions = [shown["body"].index(s) for s in result["sentences"]]
        assert positions == sorted(positions)  # in the article's order
        if shown["summary"]:
            assert shown["summary"] not in result["summary"]  # never the article's own block
    text = run_cli("summarize", listed[0]["id"], db=seed_db, check=True).stdout
    assert text.count("· ") == 3


def test_summaries_start_with_the_lead_and_are_not_just_the_lead():
    analyzer = Analyzer.shared()
    differs = 0
    for article in read_path(SEED).articles:
        sentences = split_sentences(analyzer, article.body)
        chosen = choose(analyzer, sentences, article.title)
        assert chosen[0] == sentences[0]  # news puts its point first
        if len(sentences) > 5 and chosen != sentences[:3]:
            differs += 1
    assert differs >= 8  # 11 of the 20 seed articles with more than five sentences


def test_summaries_beat_lead_3_on_the_seeds_own_summary_blocks():
    """The seed's [Summary] blocks were written by its editors: the summary, made from the
    body alone, scores above the first three sentences against them."""
    analyzer = Analyzer.shared()
    scores = {"sinmun": 0.0, "lead-3": 0.0}
    blocks = [a for a in read_path(SEED).articles if a.summary]
    for article in blocks:
        sentences = split_sentences(analyzer, article.body)
        for name, summary in (("sinmun", choose(analyzer, sentences, article.title)), ("lead-3", sentences[:3])):
            scores[name] += rouge(analyzer, " ".join(summary), article.summary)["rougeL"] / len(blocks)
    print(f"\nseed [Summary] blocks, ROUGE-L: sinmun {scores['sinmun']:.3f}, lead-3 {scores['lead-3']:.3f}")
    assert len(blocks) == 11 and scores["sinmun"] > scores["lead-3"]


def test_rouge_is_computed_over_morphemes():
    analyzer = Analyzer.shared()
    same = rouge(analyzer, "엔비디아가 칩을 공개했다.", "엔비디아가 칩을 공개했다.")
    assert same == {"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0}
    particles = rouge(analyzer, "엔비디아는 칩을 공개했다.", "엔비디아가 칩을 공개했다.")
    assert 0.5 < particles["rouge1"] < 1.0
    assert rouge(analyzer, "완전히 다른 문장", "엔비디아가 칩을 공개했다.")["rouge2"] == 0.0
    assert lead(analyzer, "첫 번째 문장은 이렇다. 두 번째 문장은 저렇다. 세 번째 문장도 있다. 네 번째 문장이다.") == [
        "첫 번째 문장은 이렇다.", "두 번째 문장은 저렇다.", "세 번째 문장도 있다."]


def test_wikinews_reference_picks():
    """The 40 Wikinews articles the project picked summary sentences for (by index) still split
    as they did, and the summary scores above lead-3 on them (ROUGE-L 0.693 against 0.677)."""
    analyzer = Analyzer.shared()
    picks = json.loads((FIXTURES / "summary_picks.json").read_text(encoding="utf-8"))["articles"]
    assert len(picks) >= 40
    with gzip.open(SHARED / "data" / "ko_wikinews_dev.jsonl.gz", "rt", encoding="utf-8") as rows:
        articles = {r["id"]: r for r in map(json.loads, rows) if r["id"] in picks}
    scores = {"sinmun": 0.0, "lead-3": 0.0}
    for article_id, picked in picks.items():
        sentences = split_sentences(analyzer, articles[article_id]["body"])
        assert len(sentences) == picked["sentences"], article_id  # the indices still point where they did
        chosen = picked["picked"]
        assert 3 <= len(chosen) <= 5 and chosen == sorted(set(chosen)) and chosen[-1] < len(sentences)
        reference = " ".join(sentences[i] for i in chosen)
        title = articles[article_id]["title"]
        for name, summary in (("sinmun", choose(analyzer, sentences, title)), ("lead-3", sentences[:3])):
            scores[name] += rouge(analyzer, " ".join(summary), reference)["rougeL"] / len(picks)
    print(f"\nWikinews picks, ROUGE-L: sinmun {scores['sinmun']:.3f}, lead-3 {scores['lead-3']:.3f}")
    assert scores["sinmun"] > scores["lead-3"]
