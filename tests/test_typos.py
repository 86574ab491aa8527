"""Jamo edit distance and the vocabulary it corrects against."""

from __future__ import annotations

from sinmun.analysis.typos import Corrector, jamo, split_particle


def corrector(tmp_path, terms: dict[str, int], latin: list[str] = ()) -> Corrector:
    return Corrector(terms, latin)


def test_one_jamo_off_is_one_edit():
    from rapidfuzz.distance import Levenshtein

    assert Levenshtein.distance(jamo("엔비디야"), jamo("엔비디아")) == 1
    assert Levenshtein.distance(jamo("넷플렉스"), jamo("넷플릭스")) == 1
    assert Levenshtein.distance(jamo("카오리나이트"), jamo("카올리나이트")) == 1
    assert jamo("AI칩") == "AI" + jamo("칩")


def test_corrects_to_the_most_frequent_close_term(tmp_path):
    c = corrector(tmp_path, {"엔비디아": 9, "넷플릭스": 3, "수출": 5, "수술": 1})
    assert c.correct("엔비디야") == "엔비디아"
    assert c.correct("넷플렉스") == "넷플릭스"
    assert c.correct("수줄") == "수출"  # 수출 and 수술 are both one jamo away; 수출 is more common
    assert c.correct("엔비디아") is None  # known words are left alone
    assert c.correct("양봉") is None  # nothing close
    assert c.correct("엔디비아") == "엔비디아"  # two syllables swapped


def test_latin_words_are_corrected_by_letters_towards_the_dictionary(tmp_path):
    c = corrector(tmp_path, {"엔비디아": 9}, latin=["Nvidia", "Netflix", "Warner", "Bros", "Altman", "Broadcom", "AMD"])
    assert c.correct("nvdia") == "Nvidia"  # as the dictionary writes it
    assert c.correct("netflx") == "Netflix"
    assert c.correct("bross") == "Bros"
    assert c.correct("brodcomm") == "Broadcom"  # 8 letters and more: 2 edits
    assert c.correct("nvidia") is None  # a dictionary spelling is left alone
    assert c.correct("amx") is None  # under 4 letters: too many near neighbours
    assert c.correct("altmxxn") is None  # 2 letters off a 7-letter word


def test_particles_are_kept_apart():
    assert split_particle("엔비디야의") == ("엔비디야", "의")
    assert split_particle("넷플렉스가") == ("넷플렉스", "가")
    assert split_particle("우주") == ("우주", "")
