"""Search: query syntax, Tantivy queries over Kiwi terms, snippets.

Query syntax (what a BigKinds or Naver user types):
  words          every word must match (particles and spacing do not matter);
                 when that finds fewer than `FALLBACK_BELOW` articles, articles
                 matching only some words follow, ranked (`partial` is true)
  "a phrase"     the words in this order, next to each other
  -word          leave out articles with this word (also -"a phrase")
Filters (section, series, since, until) and sorting are parameters, not syntax.

Snippets come from Kiwi's offsets on the original text (stored in the index),
so `엔비디아의` is highlighted as 엔비디아 and `Nvidia` for a query `엔비디아`.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass, field
from datetime import date

import tantivy

from .articles import Article
from .errors import SinmunError
from .index import SearchIndex, decode_offsets
from .korean import Analyzer, Term, normalize
from .store import Store

Q = tantivy.Query
Occur = tantivy.Occur

FIELD_BOOSTS = {"title": 3.0, "lead": 1.5, "body": 1.0}
FALLBACK_BELOW = 3
PROXIMITY_BOOST = 2.0
SNIPPET_CHARS = 160
# Parts of an article a snippet may come from, in order of preference.
SNIPPET_PARTS = ("body", "explainer", "summary", "key_insights")
SORTS = ("relevance", "date")
MAX_LIMIT = 100

_SYNTAX = re.compile(r'(-?)"([^"]*)"?|(\S+)')


class QueryError(SinmunError):
    """A query or parameter the user must correct; the message says how."""


@dataclass
class SearchRequest:
    q: str = ""
    section: str | None = None
    series: str | None = None
    since: str | None = None
    until: str | None = None
    sort: str = "relevance"
    limit: int = 10
    offset: int = 0
    include_duplicates: bool = False


@dataclass
class Hit:
    id: str
    title: str
    series: str | None
    episode: int | None
    section: str | None
    published: str | None
    score: float
    snippet: str
    title_html: str = field(default="", repr=False)
    partial: bool = False

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("title_html")
        return data


@dataclass
class Results:
    query: str
    total: int
    hits: list[Hit]
    expansions: list[tuple[str, str]] = field(default_factory=list)
    partial: bool = False

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "partial": self.partial,
            "expansions": [{"from": a, "to": b} for a, b in self.expansions],
            "hits": [h.to_dict() for h in self.hits],
        }


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
        raise QueryError(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from None
    return year * 10000 + month * 100 + day


@dataclass
class ParsedQuery:
    words: str
    phrases: list[str]
    excluded: list[str]


def parse_query(text: str) -> ParsedQuery:
    words, phrases, excluded = [], [], []
    for m in _SYNTAX.finditer(normalize(text)[0]):
        minus, phrase, word = m.groups()
        if phrase is not None:
            (excluded if minus else phrases).append(phrase)
        elif word.startswith("-") and len(word) > 1:
            excluded.append(word[1:])
        elif word != "-":
            words.append(word)
    return ParsedQuery(" ".join(words), [p for p in phrases if p.strip()], [e for e in excluded if e.strip()])


def _any_field(schema: tantivy.Schema, forms: set[str]) -> tantivy.Query:
    return Q.boolean_query([
        (Occur.Should, Q.boost_query(Q.term_query(schema, f, form), boost))
        for f, boost in FIELD_BOOSTS.items()
        for form in sorted(forms)
    ])


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


def _phrase(schema: tantivy.Schema, terms: list[Term], slop: int = 0) -> tantivy.Query | None:
    primaries = [t for t in terms if not t.compound]
    if not primaries:
        return None
    if len(primaries) == 1:
        return _any_field(schema, {primaries[0].text})
    first = primaries[0].position
    words = [(t.position - first, t.text) for t in primaries]
    return Q.boolean_query([
        (Occur.Should, Q.boost_query(Q.phrase_query(schema, f, words, slop), boost))
        for f, boost in FIELD_BOOSTS.items()
    ])


class Searcher:
    """Answers search requests against one store and its index."""

    def __init__(self, store: Store, index: SearchIndex, analyzer: Analyzer) -> None:
        self.store = store
        self.index = index
        self.analyzer = analyzer
        self.schema = index.schema

    def build(self, parsed: ParsedQuery, request: SearchRequest, require_all: bool,
              terms: list[Term]) -> tuple[tantivy.Query, set[str], int]:
        """The Tantivy query, the forms to highlight, and how many word clauses it has.

        `terms` is the analysis of `parsed.words`, made once by the caller.
        """
        must: list[tuple[tantivy.Occur, tantivy.Query]] = []
        highlight: set[str] = set()
        clauses = word_clauses(terms)
        for forms in clauses:
            highlight |= forms
        if require_all:
            must.extend((Occur.Must, _any_field(self.schema, f)) for f in clauses)
        elif clauses:
            any_word = [(Occur.Should, _any_field(self.schema, f)) for f in clauses]
            must.append((Occur.Must, Q.boolean_query(any_word)))
        if require_all and len(clauses) >= 2:
            # Words found next to each other, as typed, rank higher (phrase boost).
            nearby = _phrase(self.schema, terms, slop=2)
            if nearby is not None:
                must.append((Occur.Should, Q.boost_query(nearby, PROXIMITY_BOOST)))
        for phrase in parsed.phrases:
            variants = []
            for text in {phrase, phrase.replace(" ", "")}:
                phrase_terms = self.analyzer.analyze(text)
                highlight |= {t.text for t in phrase_terms}
                query = _phrase(self.schema, phrase_terms)
                if query is not None:
                    variants.append((Occur.Should, query))
            if variants:
                must.append((Occur.Must, Q.boolean_query(variants)))
        for word in parsed.excluded:
            excluded = word_clauses(self.analyzer.analyze(word))
            if excluded:
                every_word = [(Occur.Must, _any_field(self.schema, f)) for f in excluded]
                must.append((Occur.MustNot, Q.boolean_query(every_word)))
        must.extend(self._filters(request))
        if not any(occur == Occur.Must for occur, _ in must):
            must.append((Occur.Must, Q.all_query()))
        return Q.boolean_query(must), highlight, len(clauses)

    def _filters(self, request: SearchRequest) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        filters = []
        if not request.include_duplicates:
            filters.append((Occur.MustNot, Q.term_query(self.schema, "duplicate", 1)))
        if request.section:
            filters.append((Occur.Must, Q.term_query(self.schema, "section", request.section)))
        if request.series:
            filters.append((Occur.Must, Q.term_query(self.schema, "series", request.series)))
        if request.since or request.until:
            lower = parse_day(request.since, end=False) if request.since else 1
            upper = parse_day(request.until, end=True) if request.until else None
            if upper is not None and upper < lower:
                raise QueryError(f"--since {request.since} is after --until {request.until}")
            filters.append((Occur.Must, Q.range_query(self.schema, "day", tantivy.FieldType.Integer, lower, upper)))
        return filters

    def search(self, request: SearchRequest) -> Results:
        if request.sort not in SORTS:
            raise QueryError(f"unknown sort {request.sort!r} (use relevance or date)")
        if not 1 <= request.limit <= MAX_LIMIT:
            raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
        if request.offset < 0:
            raise QueryError("offset must be 0 or more")
        parsed = parse_query(request.q)
        searcher = self.index.searcher()
        order = {"order_by_field": "recency"} if request.sort == "date" or not request.q.strip() else {}

        terms = self.analyzer.analyze(parsed.words) if parsed.words else []
        query, highlight, n_clauses = self.build(parsed, request, require_all=True, terms=terms)
        strict = searcher.search(query, limit=request.offset + request.limit, **order)
        ranked = [(score, addr, False) for score, addr in strict.hits]
        total, partial = strict.count, False
        if strict.count < FALLBACK_BELOW and n_clauses >= 2:
            # Too little with every word: follow with articles that have some.
            loose_query, _, _ = self.build(parsed, request, require_all=False, terms=terms)
            loose = searcher.search(loose_query, limit=request.offset + request.limit + strict.count, **order)
            seen = {searcher.doc(addr)["id"][0] for _, addr in strict.hits}
            for score, addr in loose.hits:
                if searcher.doc(addr)["id"][0] not in seen:
                    ranked.append((score, addr, True))
            total, partial = loose.count, loose.count > strict.count

        page = ranked[request.offset:request.offset + request.limit]
        docs = [searcher.doc(addr) for _, addr, _ in page]
        ids = [d["id"][0] for d in docs]
        articles = self.store.get_many(ids)
        hits = []
        for (score, _, is_partial), doc, article_id in zip(page, docs, ids):
            article = articles.get(article_id)
            if article is None:  # deleted from the store since; the next sync drops it
                continue
            offsets = decode_offsets(doc["offsets"][0])
            hits.append(Hit(
                id=article.id, title=article.title, series=article.series, episode=article.episode,
                section=article.section, published=article.published,
                score=round(float(score), 4) if request.sort == "relevance" else 0.0,
                snippet=make_snippet(article, offsets, highlight),
                title_html=mark(article.title, offsets.get("title", []), highlight),
                partial=is_partial,
            ))
        expansions = self.analyzer.expansions(parsed.words, terms)
        return Results(query=request.q, total=total, hits=hits, expansions=expansions, partial=partial)


def _spans(offsets: list[tuple], highlight: set[str]) -> list[tuple[int, int]]:
    """Merged (start, end) character spans of the highlighted terms.

    A joined form (`美 무역` for 미국무역) is marked only where its parts are not,
    so a match reads as the words, not the gap between them.
    """
    words = [(o[1], o[2]) for o in offsets if o[0] in highlight and len(o) == 3]
    joined = [(o[1], o[2]) for o in offsets if o[0] in highlight and len(o) == 4]
    spans = sorted(words + [
        (s, e) for s, e in joined if not any(s <= ws and we <= e for ws, we in words)
    ])
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def mark(text: str, offsets: list[tuple], highlight: set[str], start: int = 0, end: int | None = None) -> str:
    """HTML-escaped `text[start:end]` with the highlighted terms in <mark>."""
    end = len(text) if end is None else end
    out, pos = [], start
    for s, e in _spans(offsets, highlight):
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[pos:s], quote=False))
        out.append(f"<mark>{html.escape(text[s:e], quote=False)}</mark>")
        pos = e
    out.append(html.escape(text[pos:end], quote=False))
    return "".join(out)


def make_snippet(article: Article, offsets: dict, highlight: set[str], width: int = SNIPPET_CHARS) -> str:
    """The passage of about `width` characters with the most distinct query terms."""
    for part in SNIPPET_PARTS:
        text = getattr(article, part) or ""
        found = [(o[0], o[1], o[2]) for o in offsets.get(part, []) if o[0] in highlight]
        if found:
            break
    else:
        part, text, found = "body", article.body, []
    best_start, best_score = 0, -1
    for _, s, _ in found:
        score = len({t for t, s2, e2 in found if s <= s2 and e2 <= s + width})
        if score > best_score:
            best_start, best_score = s, score
    # Start a little before the first match, at a word boundary.
    start = max(0, best_start - width // 4)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < best_start else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    body = mark(text, offsets.get(part, []), highlight, start, end)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
