"""Query syntax and the Tantivy queries built from it.

Query syntax (what a BigKinds or Naver user types):
  words          every word must match (particles and spacing do not matter)
  "a phrase"     the words in this order, next to each other
  -word          leave out articles with this word (also -"a phrase")
Filters (section, series, since, until) and sorting are parameters, not syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import tantivy

from ..analysis.korean import Term, char_bigrams, normalize
from ..errors import BadRequest

Q = tantivy.Query
Occur = tantivy.Occur

FIELD_BOOSTS = {"title": 3.0, "lead": 1.5, "body": 1.0}

_SYNTAX = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_day(value: str, end: bool) -> int:
    """'2025', '2025-12' or '2025-12-15' -> 20251215 (the first or last day of the span)."""
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            year, month, day = int(value), (12 if end else 1), (31 if end else 1)
        elif re.fullmatch(r"\d{4}-\d{1,2}", value):
            year, month = map(int, value.split("-"))
            if end:
                nxt = date(year + month // 12, month % 12 + 1, 1)
                day = (nxt - date.resolution).day
            else:
                day = 1
        else:
            d = date.fromisoformat(value[:10])
            year, month, day = d.year, d.month, d.day
        date(year, month, day)
    except ValueError:
        raise BadRequest(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from None
    return year * 10000 + month * 100 + day


@dataclass
class ParsedQuery:
    words: str
    phrases: list[str]
    excluded: list[str]


def parse_query(text: str) -> ParsedQuery:
    words: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    for m in _SYNTAX.finditer(normalize(text)[0]):
        minus, phrase, word = m.groups()
        if phrase is not None:
            (excluded if minus else phrases).append(phrase)
        elif word.startswith("-") and len(word) > 1:
            excluded.append(word[1:])
        elif word != "-":
            words.append(word)
    return ParsedQuery(" ".join(words), [p for p in phrases if p.strip()], [e for e in excluded if e.strip()])


def unparse(parsed: ParsedQuery) -> str:
    """The query text for a parsed query (to show a corrected query)."""
    return " ".join([parsed.words] + [f'"{p}"' for p in parsed.phrases] + [f'-"{e}"' for e in parsed.excluded]).strip()


def any_field(schema: tantivy.Schema, forms: set[str], related: dict[str, float] | None = None,
              boosts: dict[str, float] | None = None) -> tantivy.Query:
    """Any of `forms` in any text field.

    `related` words are alternatives, not additions: the clause scores as the
    best of the word itself and each related word at its own weight (dis-max),
    so an article with 배터리 gains nothing from also saying 리튬, and one with
    only 리튬 still matches the word, below those that say it.
    """
    def any_of(words: list[str], weight: float) -> tantivy.Query:
        return Q.boolean_query([
            (Occur.Should, Q.boost_query(Q.term_query(schema, f, form), boost * weight))
            for f, boost in (boosts or FIELD_BOOSTS).items()
            for form in words
        ])

    own = any_of(sorted(forms), 1.0)
    others = {form: weight for form, weight in (related or {}).items() if form not in forms}
    if not others:
        return own
    return Q.disjunction_max_query([own] + [any_of([form], weight) for form, weight in sorted(others.items())])


def gram_query(schema: tantivy.Schema, text: str) -> tantivy.Query | None:
    """Any of the text's character bigrams in the `grams` field, each once (BM25 over bigrams)."""
    grams = sorted(set(char_bigrams(text)))
    if not grams:
        return None
    return Q.boolean_query([(Occur.Should, Q.term_query(schema, "grams", g)) for g in grams])


def word_clauses(terms: list[Term]) -> list[set[str]]:
    """One set of acceptable forms per word: the word itself, or any joined form
    (compound or multi-word name) that covers it."""
    primaries = [t for t in terms if not t.compound]
    compounds = [t for t in terms if t.compound]
    clauses: list[set[str]] = []
    for t in primaries:
        forms = {t.text} | {c.text for c in compounds if c.start <= t.start and t.end <= c.end}
        if forms not in clauses:
            clauses.append(forms)
    return clauses


def phrase_query(schema: tantivy.Schema, terms: list[Term], slop: int = 0) -> tantivy.Query | None:
    """The words in order, in any text field; positions come from the analysis, so
    a particle between two words (`엔비디아의 수출`) leaves them adjacent."""
    primaries = [t for t in terms if not t.compound]
    if not primaries:
        return None
    if len(primaries) == 1:
        return any_field(schema, {primaries[0].text})
    first = primaries[0].position
    words = [(t.position - first, t.text) for t in primaries]
    return Q.boolean_query([
        (Occur.Should, Q.boost_query(Q.phrase_query(schema, f, words, slop), boost))
        for f, boost in FIELD_BOOSTS.items()
    ])
