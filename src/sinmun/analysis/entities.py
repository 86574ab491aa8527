"""Entities: the people, organisations, places, products and concepts an article names.

Found from the same Kiwi analysis the index uses:
- names in the alias dictionary, by their canonical form and section type
  (Nvidia, NVIDIA and 엔비디아 are one entity, `엔비디아`, an org);
- other proper nouns (Kiwi's NNP) and capitalised acronyms, as printed;
- a name followed by a title within two words (`젠슨 황 엔비디아 최고경영자`,
  `파월 의장`) is a person.
A multi-word name (`워너브러더스 디스커버리`) counts once, not once per word.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from .korean import Aliases, Term, alias_key

# Words that make the name before them a person's.
TITLES = {
    "최고경영자", "ceo", "회장", "부회장", "사장", "대통령", "총리", "장관", "의장", "위원장", "총재",
    "교수", "연구원", "박사", "창업자", "국무장관", "상무장관", "재무장관", "주석", "국왕", "왕세자", "대변인",
}  # not 대표: "할리우드 대표 스튜디오" is no person
# Generic words Kiwi sometimes tags as proper nouns.
NOT_NAMES = {"현지", "시간", "현지시간", "이날", "당시", "최근", "사실상"}
MAX_ENTITIES = 30


@dataclass(frozen=True)
class Entity:
    name: str
    type: str
    count: int

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


def extract(parts: dict[str, list[Term]], texts: dict[str, str], aliases: Aliases,
            displays: dict[str, str]) -> list[Entity]:
    counts: Counter[str] = Counter()
    types: dict[str, str] = {}
    for part, terms in parts.items():
        text = texts.get(part) or ""
        # Known multi-word names first; the words inside them are not names of their own.
        covered: list[tuple[int, int]] = []
        for t in terms:
            if t.compound and t.text in displays:
                name = displays[t.text]
                counts[name] += 1
                types[name] = aliases.types.get(name, "name")
                covered.append((t.start, t.end))
        inside = _Spans(covered)
        words = [t for t in terms if not t.compound and not inside.contain(t)]
        # "고대역폭메모리(HBM)", "워너브러더스 디스커버리(WBD, ...)": an acronym in brackets right
        # after a name is that name again, within this article.
        acronyms: dict[str, str] = {}
        for i, t in enumerate(words):
            if (t.tag == "SL" and i and text[t.start - 1:t.start] == "(" and text[t.end:t.end + 1] in (")", ",")
                    and words[i - 1].end == t.start - 1):
                prev = words[i - 1]
                acronyms[text[t.start:t.end]] = displays.get(prev.text) or text[prev.start:prev.end]
        for i, t in enumerate(words):
            if text[t.start:t.end] in acronyms and t.text not in displays:
                name = acronyms[text[t.start:t.end]]
                kind = aliases.types.get(name, "name")
            elif t.text in displays:
                name = displays[t.text]
                kind = aliases.types.get(name, "name")
            elif t.tag == "NNP" and len(t.text) >= 2 and t.text not in NOT_NAMES:
                name, kind = text[t.start:t.end], "name"
            elif t.tag == "SL" and len(t.text) >= 2 and text[t.start:t.end].isupper():
                name, kind = text[t.start:t.end], "name"
            else:
                continue
            if name.lower() in TITLES:
                continue  # a title (최고경영자, CEO), not a name
            if kind == "name" and any(w.text in TITLES for w in words[i + 1:i + 3]):
                kind = "person"
            counts[name] += 1
            if types.get(name, "name") == "name":
                types[name] = kind
    return [Entity(name, types[name], n) for name, n in counts.most_common(MAX_ENTITIES)]
