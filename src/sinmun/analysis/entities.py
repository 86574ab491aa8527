"""Entities: the people, organisations, places, products and concepts an article names.

Found from the same Kiwi analysis the index uses:
- names in the alias dictionary, by their canonical form and section type
  (Nvidia, NVIDIA and 엔비디아 are one entity, `엔비디아`, an org);
- other proper nouns (Kiwi's NNP) and capitalised acronyms, as printed, unless they
  are common nouns: listed in `data/common_nouns.txt` (Kiwi's dictionary tags
  스트리밍 and 클라우드 as proper nouns), or a proper noun Kiwi reads alone as one
  common noun it knows (맛, 연구소: tagged NNP in context, in quotes);
- two proper nouns one space apart are a person's full name when the second is a
  surname: the article puts it before a title somewhere (`판데흐라프 교수`), a title
  stands before the pair, or a Latin gloss follows (`에이드리언 브로즈(Adrian Broz)`);
  in a longer run (`퍼듀대 브라이어니 호건 교수`) only the pair ending in the surname;
- a quoted title of two to five words, at least half of them proper nouns, is one name;
- a name followed by a title within two words (`젠슨 황 엔비디아 최고경영자`,
  `파월 의장`) is a person;
- within an article, a lone surname or given name after (or before) a full name is
  that person (`엘리슨` after `데이비드 엘리슨`: the nearest full name before it).
A multi-word name (`워너브러더스 디스커버리`) counts once, not once per word.
Measured against a labelled list (`entity_eval.py`, `make bench`).
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .korean import Aliases, Term, alias_key

# Words that make the name before them a person's.
TITLES = {
    "최고경영자", "ceo", "회장", "부회장", "사장", "대통령", "총리", "장관", "의장", "위원장", "총재",
    "교수", "연구원", "박사", "창업자", "국무장관", "상무장관", "재무장관", "주석", "국왕", "왕세자", "대변인",
    "이코노미스트", "애널리스트", "신경과학자", "과학자", "하원의원", "상원의원", "의원", "감독", "선수", "기자",
    "학자", "연구자", "천문학자", "물리학자", "경제학자", "차관보", "차관", "대령", "관방장관", "국장",
}  # not 대표: "할리우드 대표 스튜디오" is no person
# Generic words Kiwi sometimes tags as proper nouns.
NOT_NAMES = {"현지", "시간", "현지시간", "이날", "당시", "최근", "사실상"}
MAX_ENTITIES = 30
COMMON_NOUNS = Path(__file__).parent.parent / "data" / "common_nouns.txt"
# Bumped when the rules change: the entities and stories of every article are derived again.
RULES_VERSION = "5"
QUOTES = set("'\"‘’“”")
# A place named with its kind (애리조나주, 서울시) beside the same place without it is one place.
PLACE_SUFFIXES = ("주", "시", "도", "군", "구")
_GLOSS_THEN_QUOTE = re.compile("\\([^()]{1,80}\\)['\"’”]")  # `…인바이러먼트(Communications …)'`
_LATIN_NAME = re.compile(r"\(\s*[A-Z][a-z]+ [A-Z]")  # `(Adrian Broz`: a person's name glossed in Latin letters


@dataclass(frozen=True)
class Entity:
    name: str
    type: str
    count: int
    variants: tuple[str, ...] = ()  # the other forms the article used for it (엘리슨, Nvidia)

    def to_dict(self) -> dict:
        return {"name": self.name, "type": self.type, "count": self.count}


def display_names(aliases: Aliases) -> dict[str, str]:
    """Index term of a canonical name -> the name as the dictionary writes it."""
    return {alias_key(name): name for name in aliases.types}


class _Spans:
    """Character spans, asked whether one of them contains a term: by bisection over the
    starts with the furthest end so far (a scan of every span for every term was
    quadratic: 80 s for a 1 MB article)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.reach: list[int] = []
        furthest = -1
        for _, end in ordered:
            furthest = max(furthest, end)
            self.reach.append(furthest)

    def contain(self, term: Term) -> bool:
        i = bisect_right(self.starts, term.start) - 1
        return i >= 0 and self.reach[i] >= term.end


@cache
def common_nouns() -> frozenset[str]:
    """The words of `data/common_nouns.txt`."""
    lines = COMMON_NOUNS.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if (w := line.split("#", 1)[0].strip()))


@cache
def rules_version() -> str:
    """Names the entity rules and the common-noun list: derived entities follow it."""
    return RULES_VERSION + "." + hashlib.sha256(COMMON_NOUNS.read_bytes()).hexdigest()[:8]


@dataclass
class _Mention:
    name: str
    kind: str
    at: tuple[int, int]  # (part, offset): the reading order
    words: tuple[str, ...] = ()  # a name of several words, its words (for coreference)
    surface: str = ""  # as printed


def extract(parts: dict[str, list[Term]], texts: dict[str, str], aliases: Aliases,
            displays: dict[str, str], common: Callable[[str], bool] = lambda form: False) -> list[Entity]:
    """The article's entities, most named first. `common` says whether a proper noun is a
    common noun by Kiwi's own dictionary (`Analyzer.known_common_noun`)."""
    mentions: list[_Mention] = []
    parts_words: list[tuple[str, list[Term]]] = []
    stop = common_nouns()
    for number, (part, terms) in enumerate(parts.items()):
        text = texts.get(part) or ""
        # Known multi-word names first; the words inside them are not names of their own.
        covered: list[tuple[int, int]] = []
        for t in terms:
            if t.compound and t.text in displays:
                name = displays[t.text]
                mentions.append(_Mention(name, aliases.types.get(name, "name"), (number, t.start),
                                         tuple(name.split()) if " " in name else (), text[t.start:t.end]))
                covered.append((t.start, t.end))
        inside = _Spans(covered)
        parts_words.append((text, [t for t in terms if not t.compound and not inside.contain(t)]))
    # Surnames: proper nouns the article puts before a title (`판데흐라프 교수`, `러트닉 미 상무장관`).
    surnames = {text[w.start:w.end] for text, words in parts_words for i, w in enumerate(words)
                if w.tag == "NNP" and _before_title(words, i, displays)}
    for number, (text, words) in enumerate(parts_words):
        mentions.extend(_words(words, text, number, aliases, displays, lambda f: f in stop or common(f), surnames))
    _corefer(mentions)
    counts: Counter[str] = Counter()
    types: dict[str, str] = {}
    variants: dict[str, set[str]] = {}
    for m in mentions:
        counts[m.name] += 1
        if types.get(m.name, "name") == "name":
            types[m.name] = m.kind
        if len(m.surface) >= 2 and m.surface != m.name:
            variants.setdefault(m.name, set()).add(m.surface)
    return [Entity(name, types[name], n, tuple(sorted(variants.get(name, ()))))
            for name, n in counts.most_common(MAX_ENTITIES)]


def _before_title(words: list[Term], i: int, displays: dict[str, str]) -> bool:
    """Is word i followed by a title, with at most two dictionary names or common words between
    (`판데흐라프 교수`, `나델라 MS CEO`), and no other proper noun?"""
    for w in words[i + 1:i + 4]:
        if w.text in TITLES:
            return True
        if w.tag == "NNP" and w.text not in displays:
            return False
    return False


def _words(words: list[Term], text: str, number: int, aliases: Aliases, displays: dict[str, str],
           common: Callable[[str], bool], surnames: set[str]) -> list[_Mention]:
    """The mentions among one part's single words: dictionary names, people's full names,
    proper nouns, acronyms."""
    # "고대역폭메모리(HBM)", "워너브러더스 디스커버리(WBD, ...)": an acronym in brackets right
    # after a name is that name again, within this article.
    # Only a name's: a common noun glossed in English (중성미자(Neutrino)) is no entity.
    acronyms: dict[str, str] = {}
    for i, t in enumerate(words):
        if (t.tag == "SL" and i and text[t.start - 1:t.start] == "(" and text[t.end:t.end + 1] in (")", ",")
                and words[i - 1].end == t.start - 1):
            prev = words[i - 1]
            surface = text[prev.start:prev.end]
            if prev.text in displays or (prev.tag == "NNP" and not common(surface)):
                acronyms[text[t.start:t.end]] = displays.get(prev.text) or surface

    def titled(j: int) -> bool:  # a title within the two words after word j
        return any(w.text in TITLES for w in words[j + 1:j + 3])

    def proper(t: Term) -> bool:  # an unknown proper noun that may be part of a name
        return (t.tag == "NNP" and t.text not in displays and t.text not in TITLES and t.text not in NOT_NAMES
                and not common(text[t.start:t.end]))

    # People's full names: two proper nouns one space apart, the second a surname (the article
    # puts it before a title) or glossed in Latin letters (`에이드리언 브로즈(Adrian Broz)`).
    # Runs of proper nouns also hold places and organisations (`퍼듀대 브라이어니 호건 교수`,
    # `캘리포니아 샌디에이고`): only the pair ending in the surname is a name.
    pairs: dict[int, int] = {}  # first word -> words of the name
    i = 0
    while i < len(words):
        j = i + 1
        while j < len(words) and proper(words[j - 1]) and proper(words[j]) and \
                text[words[j - 1].end:words[j].start] == " ":
            j += 1
        surname = next((k for k in range(i + 1, j) if text[words[k].start:words[k].end] in surnames), None)
        if surname is None and j - i == 2 and (_LATIN_NAME.match(text, words[i + 1].end)
                                               or (i and words[i - 1].text in TITLES)):
            surname = i + 1  # glossed in Latin letters, or after a title: `천문학자 마르틴 도미니크`
        if surname is not None:
            pairs[surname - 1] = 2
        i = j
    # A quoted title of two to five words, at least half of them proper nouns, is one name:
    # '해리 포터', '시민 케인', '케이팝 데몬 헌터스' (not '코드 레드', '기묘한 이야기').
    for i, t in enumerate(words):
        if text[t.start - 1:t.start] not in QUOTES or i in pairs:
            continue
        for j in range(i + 2, min(i + 6, len(words) + 1)):
            if text[words[j - 2].end:words[j - 1].start] != " ":
                break
            if text[words[j - 1].end:words[j - 1].end + 1] in QUOTES or _GLOSS_THEN_QUOTE.match(text, words[j - 1].end):
                if 2 * sum(proper(w) for w in words[i:j]) >= j - i and not any(k in pairs for k in range(i + 1, j)):
                    pairs[i] = j - i
                break

    out: list[_Mention] = []
    i = 0
    while i < len(words):
        t = words[i]
        if i in pairs:
            n = pairs[i]
            name = text[t.start:words[i + n - 1].end]
            quoted = text[t.start - 1:t.start] in QUOTES
            out.append(_Mention(name, "product" if quoted else "person", (number, t.start), tuple(name.split()), name))
            i += n
            continue
        surface = text[t.start:t.end]
        if surface in acronyms and t.text not in displays:
            name = acronyms[surface]
            kind = aliases.types.get(name, "name")
        elif t.text in displays:
            name = displays[t.text]
            kind = aliases.types.get(name, "name")
        elif surface[:1].isdigit():
            i += 1
            continue  # 500MW, 8K, 100°C: a measure, not a name
        elif t.tag == "NNP" and len(t.text) >= 2 and t.text not in NOT_NAMES and not common(surface):
            name, kind = surface, "name"
        elif t.tag == "SL" and len(t.text) >= 2 and surface.isupper() and not common(surface):
            name, kind = surface, "name"
        else:
            i += 1
            continue
        i += 1
        if name.lower() in TITLES:
            continue  # a title (최고경영자, CEO), not a name
        if kind == "name" and titled(i - 1):
            kind = "person"
        out.append(_Mention(name, kind, (number, t.start), tuple(name.split()) if " " in name else (), surface))
    return out


def _corefer(mentions: list[_Mention]) -> None:
    """A lone word of a longer name in the same article is that name (the nearest one before
    it, else the nearest after): `엘리슨` after `데이비드 엘리슨`, `레번 박사` after `앤드루 레번`.
    The name takes the person type any of its mentions had."""
    named = {m.name for m in mentions}
    for m in mentions:
        if m.name.endswith(PLACE_SUFFIXES) and len(m.name) >= 3 and m.name[:-1] in named:
            m.name = m.name[:-1]
    full = sorted((m for m in mentions if m.words), key=lambda m: m.at)
    by_end: dict[str, list[_Mention]] = {}  # first or last word -> the full names, in reading order
    for f in full:
        for word in dict.fromkeys((f.words[0], f.words[-1])):
            by_end.setdefault(word, []).append(f)
    for m in mentions:
        if m.words or " " in m.name or m.kind not in ("name", "person") or m.name not in by_end:
            continue
        candidates = by_end[m.name]
        before = [f for f in candidates if f.at <= m.at]
        target = before[-1] if before else candidates[0]
        if m.kind == "person" and target.kind == "name":
            for f in full:
                if f.name == target.name:
                    f.kind = "person"
        m.name, m.kind = target.name, target.kind if target.kind != "name" else m.kind
