"""Korean analysis: the same terms for text and queries, with offsets into the original."""

from __future__ import annotations

import pytest

from sinmun.analysis.korean import Aliases, Analyzer, normalize
from sinmun.errors import BadRequest


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.shared()


def terms(analyzer: Analyzer, text: str, compounds: bool = False) -> list[str]:
    return [t.text for t in analyzer.analyze(text) if compounds or not t.compound]


def test_particles_split_off_names(analyzer):
    assert terms(analyzer, "엔비디아의 수출") == ["엔비디아", "수출"]
    assert terms(analyzer, "엔비디아가") == terms(analyzer, "엔비디아는") == ["엔비디아"]
    assert terms(analyzer, "넷플릭스의 인수") == ["넷플릭스", "인수"]


def test_english_and_korean_names_meet(analyzer):
    assert terms(analyzer, "OpenAI") == terms(analyzer, "오픈AI가") == ["오픈ai"]
    assert terms(analyzer, "NVIDIA") == terms(analyzer, "Nvidia의") == ["엔비디아"]
    assert "워너브러더스" in terms(analyzer, "Warner Bros.", compounds=True)
    assert terms(analyzer, "워너브라더스") == ["워너브러더스"]  # a common misspelling


def test_hanja_abbreviations(analyzer):
    assert terms(analyzer, "韓 반도체") == ["한국", "반도체"]
    assert terms(analyzer, "美서") == ["미국"]
    assert terms(analyzer, "中 전기차")[0] == "중국"
    assert terms(analyzer, "金 수출") == ["금", "수출"]
    assert terms(analyzer, "日 리켄")[0] == "일본"


def test_province_short_forms_are_the_province(analyzer):
    """News writes 전북 and 충남; a reader may type either form. Only where Kiwi reads a
    name: 전남편 (a former husband) is not 전라남도."""
    assert terms(analyzer, "전북은 소비 증대를 목표로")[0] == terms(analyzer, "전라북도는")[0] == "전라북도"
    assert terms(analyzer, "충남 천안시와 충북 청주시") == ["충청남도", "천안시", "충청북도", "청주시"]
    assert "전라남도" not in terms(analyzer, "전남편과 이혼했다", compounds=True)


def test_spacing_variants_share_a_joined_term(analyzer):
    spaced = set(terms(analyzer, "파라 마운트", compounds=True))
    joined = set(terms(analyzer, "파라마운트"))
    assert joined <= spaced


def test_verbs_and_adjectives_are_indexed_by_stem(analyzer):
    assert "높" in terms(analyzer, "높았다")
    assert "하" not in terms(analyzer, "사용했다")


def test_letters_and_digits_written_together_stay_one_term(analyzer):
    assert "h200" in terms(analyzer, "H200 칩")


def test_offsets_point_into_the_original_text(analyzer):
    text = "“ＯｐｅｎＡＩ”와 엔비디아⋯美"
    for term in analyzer.analyze(text):
        assert text[term.start:term.end].strip()
    by_text = {t.text: text[t.start:t.end] for t in analyzer.analyze(text) if not t.compound}
    assert by_text == {"오픈ai": "ＯｐｅｎＡＩ", "엔비디아": "엔비디아", "미국": "美"}


def test_normalize_keeps_a_map_back_to_the_original():
    decomposed = "\u1112\u1161\u11ab\u1100\u116e\u11a8 ＡＩ “인용”⋯"  # 한국 in conjoining jamo
    norm, origin = normalize(decomposed)
    assert norm.startswith("한국 AI \"인용\"…")
    assert len(origin) == len(norm) + 1
    assert origin[1] == 3 and origin[2] == 6  # 국 starts after the three jamo of 한


def test_alias_file_is_plain_text_users_can_edit(tmp_path):
    custom = tmp_path / "aliases.txt"
    custom.write_text("# 회사\n카카오: Kakao, 다음카카오\n", encoding="utf-8")
    aliases = Aliases.load(custom)
    assert aliases.lookup("KAKAO") == "카카오"
    assert "다음카카오" in aliases.words
    broken = tmp_path / "broken.txt"
    broken.write_text("no colon here\n", encoding="utf-8")
    with pytest.raises(BadRequest, match="broken.txt:1"):
        Aliases.load(broken)


def test_hanja_abbreviations_written_together_split_into_countries():
    analyzer = Analyzer.shared()
    terms = [t for t in analyzer.analyze("美中 반도체 갈등") if not t.compound]
    assert [t.text for t in terms][:2] == ["미국", "중국"]
    assert [(t.start, t.end) for t in terms][:2] == [(0, 1), (1, 2)]


def test_a_long_text_is_analysed_in_pieces_with_offsets_and_positions_intact(analyzer):
    """Kiwi slows down on one very long string (a 1 MB body took minutes): long texts
    are analysed in pieces cut at sentence ends, and the terms come back as if whole."""
    sentence = "엔비디아의 수출이 늘었다. 파라마운트는 인수전에 뛰어들었다. "
    text = sentence * 600  # about 20,000 characters: several pieces
    whole = analyzer.analyze(text)
    assert len(text) > 4 * 4000
    words = [t for t in whole if not t.compound]
    assert [t.text for t in words] == ["엔비디아", "수출", "늘", "파라마운트", "인수전", "뛰어들"] * 600
    assert all(text[t.start:t.end] == sentence_form for t, sentence_form in
               zip(words, ["엔비디아", "수출", "늘", "파라마운트", "인수전", "뛰어들"] * 600))
    positions = [t.position for t in words]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)


def test_character_bigrams_are_the_second_lexical_view():
    """Bigrams inside each normalised word (full-width folded, lower case); the index, the query and
    the bm25-bigram baseline share this one function."""
    from sinmun.analysis.korean import char_bigrams

    assert char_bigrams("초거대ＡＩ 칩, 美") == ["초거", "거대", "대a", "ai", "칩", "美"]
    assert char_bigrams("") == []
