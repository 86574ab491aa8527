"""The seed page: every article's fields, exactly, and damaged pages."""

from __future__ import annotations

import hashlib

import pytest

from sinmun.articles import split_blocks, split_headline
from sinmun.ingest import read_path

from conftest import SEED, cli_json, run_cli

# (position, series, episode, section, sha256[:12] of title, body, key_insights,
#  summary, explainer). Text is compared by hash so the seed's words stay in the seed.
EXPECTED = [
    (1, None, None, 'IT/바이오', '7df3b6d9c6ff', '03e53993599e', None, None, None),
    (2, '글로벌 핫이슈', None, 'IT/바이오', 'c8a1797a37fa', '8d8dd72b8893', 'de9be248490d', '1dd094ec3c06', None),
    (3, '국제 경제 흐름 읽기', None, '경제', '477b126add74', '2f80f01f691d', '577ae7816b79', '314d100b3f84', None),
    (4, '국제 경제 흐름 읽기', None, '포커스온', '45a775bbd4a6', '70e30c07efc7', '172d9a2c75e6', 'b65ca3196531', None),
    (5, '퓨처 Eyes', 114, '포커스온', '031bf46774e6', '4aa9afab2fac', None, None, None),
    (6, '우주의 속삭임', 163, '포커스온', 'e6406f61b182', 'd0e88d1ed23e', None, None, None),
    (7, '우주의 속삭임', 162, '포커스온', '1f7cfb20f4aa', 'e120a9fa92df', None, None, None),
    (8, '글로벌 핫이슈', None, '포커스온', '3341b12057ab', '6faabb2c6986', 'f339f3a3bbba', '446e2c83dd5d', None),
    (9, '글로벌 핫이슈', None, 'IT/바이오', '960a53d2ed49', '6ddf9c3a80ac', 'a1a19a4f865f', 'da2dd7d203dc', None),
    (10, '글로벌 핫이슈', None, '생활경제', '0e883ad2c481', 'dbe18cb0b462', 'c11fd0df14c0', 'fc6543c8ef72', None),
    (11, '퓨처 Eyes', 113, '포커스온', '05daa04b1642', '77b8c4e8f0e0', None, None, None),
    (12, '글로벌 핫이슈', None, 'IT/바이오', '9f016ab524d9', 'cf0235ccc86d', 'a6f963ee07a9', '21cfb5fa8db6', None),
    (13, None, None, 'IT/바이오', 'ac76008fb287', '829bac221922', None, None, None),
    (14, '글로벌 핫이슈', None, 'IT/바이오', '67ab53a7fea0', 'db56b3d71d7d', 'feabbd038678', '4aa19bb3ce65', None),
    (15, '퓨처 Eyes', 112, '포커스온', '615a5f20182c', '66631701e8ae', None, None, None),
    (16, '글로벌 핫이슈', None, '포커스온', 'a3066e2de0ef', '1fb0cf26b422', '17a482031538', '01562108fd36', None),
    (17, '글로벌 핫이슈', None, '포커스온', '6bf4540ad5b5', '06d4008601bd', '9013ec2a7819', 'b19aa53fa685', None),
    (18, '월가 레이더', None, '금융/증권', 'a63a4f3797c4', '9638527363c2', None, None, '3a9d19b19032'),
    (19, '퓨처 Eyes', 111, '포커스온', 'f0f451aa30e8', '70314eec2043', None, None, None),
    (20, '글로벌 핫이슈', None, 'IT/바이오', '9638d0aa9b7f', '5309265bb61e', 'f7887a74603d', '13a92eef3b04', None),
]


def digest(value: str | None) -> str | None:
    return None if value is None else hashlib.sha256(value.encode()).hexdigest()[:12]


def seed_cards() -> list[tuple[str, str, str]]:
    """(headline, body, section) straight from the page layout, independently of the reader."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    return [(lines[i], lines[i + 1][2:], lines[i + 3][2:]) for i in range(3, 3 + 8 * 20, 8)]


def test_every_seed_article_parsed_exactly():
    batch = read_path(SEED)
    assert batch.problems == []
    got = [
        (a.position, a.series, a.episode, a.section, digest(a.title), digest(a.body),
         digest(a.key_insights), digest(a.summary), digest(a.explainer))
        for a in batch.articles
    ]
    assert got == EXPECTED


def test_seed_fields_agree_with_the_page_itself():
    batch = read_path(SEED)
    for article, (headline, text, section) in zip(batch.articles, seed_cards(), strict=True):
        assert article.headline == headline
        assert article.section == section
        assert not article.title.startswith("[")
        assert headline.endswith(article.title)
        for marker in ("[Key Insights]", "[Summary]", "[미니 해설]"):
            assert marker not in article.body
        # Nothing is lost: body and blocks put back together give the printed text.
        assert article.full_text().split() == text.split()
        assert article.source == str(SEED)
        assert article.format == "listpage"
        # The page gives no dates; two articles are dated from the dates their text names, and
        # the others are bound by those two (the page is newest first).
        assert (article.date_precision == "page-order") == (article.position not in (3, 20))
    with_blocks = [a for a in batch.articles if a.key_insights and a.summary]
    assert len(with_blocks) == 11
    assert [a.position for a in batch.articles if a.explainer] == [18]


def test_headline_and_block_splitting_rules():
    assert split_headline("[퓨처 Eyes(114)] 제목") == ("제목", "퓨처 Eyes", 114)
    assert split_headline("[월가 레이더] 다우 하락") == ("다우 하락", "월가 레이더", None)
    assert split_headline("태그 없는 제목") == ("태그 없는 제목", None, None)
    assert split_headline("[태그만]") == ("[태그만]", None, None)
    parts = split_blocks("본문이다. [Key Insights] 의미. [Summary] 요약.")
    assert parts == {"body": "본문이다.", "key_insights": "의미.", "summary": "요약.", "explainer": None}


def test_malformed_card_is_reported_by_line_and_the_rest_ingested(tmp_path):
    lines = SEED.read_text(encoding="utf-8").split("\n")
    # Card 3 loses its body line (line 21 of the page); card 7 (headline on line 52,
    # line 51 once line 21 is gone) gets an empty body.
    del lines[20]
    lines[51] = "- "
    broken = tmp_path / "broken.txt"
    broken.write_text("\n".join(lines), encoding="utf-8")
    batch = read_path(broken)
    assert [p.line for p in batch.problems] == [20, 51]
    assert all("has no body text" in p.reason for p in batch.problems)
    assert len(batch.articles) == 18

    db = tmp_path / "b.db"
    proc = run_cli("ingest", str(broken), db=db)
    assert proc.returncode == 1
    assert f"{broken}:20: headline" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "18 articles: 18 new, 0 unchanged; 2 quarantined in" in proc.stdout
    assert cli_json("list", db=db)["total"] == 18


def test_ids_are_stable_and_content_derived(tmp_path):
    first = [a.id for a in read_path(SEED).articles]
    copy = tmp_path / "copy.txt"
    copy.write_bytes(SEED.read_bytes())
    assert [a.id for a in read_path(copy).articles] == first
    assert len(set(first)) == 20


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\u0085", "\x0c"], ids=lambda c: f"U+{ord(c):04X}")
def test_a_line_break_character_inside_a_body_keeps_the_card_whole(tmp_path, char):
    from sinmun.ingest import read_path

    page = (f"검색\n-\n첫 기사 제목\n- 본문 첫 문장입니다.{char}본문 둘째 문장입니다.\n-\n- 경제\n-\n첫 기사 제목\n-\n"
            "둘째 기사 제목\n- 둘째 본문입니다.\n-\n- 사회\n-\n둘째 기사 제목\n-\n")
    path = tmp_path / "page.txt"
    path.write_text(page, encoding="utf-8")
    batch = read_path(path, format="listpage")
    assert not batch.problems and [a.section for a in batch.articles] == ["경제", "사회"]
    assert char in batch.articles[0].body
