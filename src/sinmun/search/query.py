"""Query syntax and the Tantivy queries built from it.

Query syntax (what a BigKinds or Naver user types):
  words          every word must match (particles and spacing do not matter)
  "a phrase"     the words in this order, next to each other
  -word          leave out articles with this word (also -"a phrase")
Filters (section, series, since, until) and sorting are parameters, not syntax.
"""

from __future__ import annotations

import math
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
# A year a reader names as a date, with its month if one follows: 2020년, 2016년 11월.
_ASKED_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*년(?:\s*(\d{1,2})\s*월)?")


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


def asked_dates(text: str) -> dict[str, tuple[int, int]]:
    """The dates a query names (2020년, 2016년 11월): each of their numbers as the query
    has it (2020, 11) -> the span of `day` values asked for. News rarely writes its own
    year, so an article of that year or month answers as if it had the number."""
    spans: dict[str, tuple[int, int]] = {}
    for match in _ASKED_DATE.finditer(text):
        year, month = int(match.group(1)), int(match.group(2) or 0)
        if 1 <= month <= 12:
            span = (year * 10000 + month * 100 + 1, year * 10000 + month * 100 + 31)
            spans.setdefault(match.group(2), span)
        else:
            span = (year * 10000 + 101, year * 10000 + 1231)
        spans.setdefault(match.group(1), span)
    return spans


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
    own = Q.boolean_query(field_terms(schema, forms, boosts))
    others = {form: weight for form, weight in (related or {}).items() if form not in forms}
    if not others:
        return own
    return Q.disjunction_max_query([own] + [Q.boolean_query(field_terms(schema, {form}, boosts, weight))
                                           for form, weight in sorted(others.items())])


def field_terms(schema: tantivy.Schema, forms: set[str], boosts: dict[str, float] | None = None,
                weight: float = 1.0) -> list[tuple[tantivy.Occur, tantivy.Query]]:
    """Each of `forms` in each text field, at the field's boost times `weight`, as optional
    clauses. A query of any words puts these in one flat list: a sum of the same scores as
    a clause per word, and Tantivy unions one level of term postings far faster than nested
    ones (a sentence query at 412,000 generated articles: 18.4 -> 9.9 ms, the same hits)."""
    return [(Occur.Should, Q.boost_query(Q.term_query(schema, f, form), boost * weight))
            for f, boost in (boosts or FIELD_BOOSTS).items()
            for form in sorted(forms)]


def any_word(schema: tantivy.Schema, clauses: list[set[str]], related: list[dict[str, float]],
             boosts: dict[str, float] | None = None, best_form: bool = False,
             alternatives: list[tantivy.Query | None] | None = None) -> tantivy.Query:
    """Any of the words (each a set of forms, with its related words), as one flat list of
    term clauses (see `field_terms`); a word with related words stays one dis-max clause.
    With `best_form`, so does a word of several forms (박승 or 박승민): an article that has
    the joined form counts it once, not once per form. A word's alternative (the article's
    date for a year, `date_clauses`) stands in for it, the better of the two counting."""
    found: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for forms, others, instead in zip(clauses, related, alternatives or [None] * len(clauses)):
        if others:
            word = any_field(schema, forms, others, boosts)
        elif best_form and len(forms) > 1:
            word = Q.disjunction_max_query([Q.boolean_query(field_terms(schema, {form}, boosts))
                                            for form in sorted(forms)])
        elif instead is not None:
            word = Q.boolean_query(field_terms(schema, forms, boosts))
        else:
            found.extend(field_terms(schema, forms, boosts))
            continue
        found.append((Occur.Should, word if instead is None else Q.disjunction_max_query([word, instead])))
    return Q.boolean_query(found)


def gram_clauses(schema: tantivy.Schema, searcher: tantivy.Searcher, text: str, weight: float,
                 max_df: float, floor: int) -> list[tuple[tantivy.Occur, tantivy.Query]]:
    """Each of the text's character bigrams in the `grams` field, once, at `weight`, as
    optional clauses (BM25 over bigrams), leaving out those in more than `max_df` of the
    articles and more than `floor` of them: they tell articles apart least and have the
    longest postings (a small archive keeps them all: there they cost nothing)."""
    most = max(max_df * searcher.num_docs, floor)
    return [(Occur.Should, Q.boost_query(Q.term_query(schema, "grams", g), weight))
            for g in sorted(set(char_bigrams(text))) if searcher.doc_freq("grams", g) <= most]


def date_clauses(schema: tantivy.Schema, searcher: tantivy.Searcher, spans: dict[str, tuple[int, int]],
                 weight: float) -> dict[tuple[int, int], tantivy.Query]:
    """Each asked date span (`asked_dates`) as a clause on the articles' `day`, scored as a
    word held by the span's articles would be: BM25's IDF of that many, times `weight`. A
    fixed score would outweigh every word in a small archive and no word in a large one."""
    out = {}
    for span in set(spans.values()):
        in_span = Q.range_query(schema, "day", tantivy.FieldType.Integer, *span)
        n, total = searcher.search(in_span, limit=1).count, searcher.num_docs
        idf = math.log(1 + (total - n + 0.5) / (n + 0.5))
        out[span] = Q.boost_query(in_span, weight * idf)
    return out


def written_words(terms: list[Term], text: str) -> list[Term]:
    """The words of `text` as analysed, with the joined forms inside one written word
    (박승민 for 박승민은 read as 박승 + 민) but not those across words (버스 노조 -> 버스노조),
    nor the digits and units a figure was written in (3천 is the word 3000; they keep a tag)."""
    return [t for t in terms if not t.compound or (not t.tag and " " not in text[t.start:t.end])]


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
