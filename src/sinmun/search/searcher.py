"""Search: keyword, meaning and hybrid rankings, spelling, facets.

Words must all match; when that finds fewer than `FALLBACK_BELOW` articles,
articles matching only some words join them (`partial` is true; `EVERY_WORD_WEIGHT`). A query
written as a sentence (`is_sentence`) ranks by BM25 over all its words instead:
the article that answers a question often lacks one of its words. The query
syntax and the Tantivy queries it becomes are in `query.py`; snippets in
`snippets.py`; the related words that may stand in for a query word in `related.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import tantivy

from ..analysis.korean import Analyzer, Term
from ..errors import BadRequest
from ..store import Store
from .index import SearchIndex, day_number, decode_offsets
from .params import SearchParams
from .planning import (
    DATE_WEIGHT,
    FALLBACK_BELOW,
    GRAM_FLOOR,
    GRAM_MAX_DF,
    GRAM_WEIGHT,
    LONG_QUERY,
    LOOSE_GRAM_WEIGHT,
    SENTENCE_FIELD_BOOSTS,
    Ranked,
    fuse,
    is_sentence,
    join_the_few,
)
from .query import (
    ParsedQuery,
    any_field,
    any_word,
    asked_dates,
    date_clauses,
    gram_clauses,
    parse_day,
    parse_query,
    phrase_query,
    unparse,
    word_clauses,
    written_words,
)
from .related import related_words
from .results import FacetValue, Hit, SearchResults, WordPair
from .snippets import make_snippet, mark

if TYPE_CHECKING:
    from ..analysis.typos import Corrector
    from .meaning import MorphemeVectors
    from .vector_index import VectorIndex

Q = tantivy.Query
Occur = tantivy.Occur

PROXIMITY_BOOST = 2.0
MATCHED_SHOWN = 8  # words listed per result as why it ranks
# Search by meaning: how deep each ranking goes before fusion, the least cosine
# that counts as found.
FUSION_DEPTH = 100
# Half of what it was when vectors were Kiwi's part alone: a neighbour that shares no word
# now meets the query in that half only (search/meaning.py, IDENTITY_WEIGHT).
SEMANTIC_MIN = 0.025
# Cosines are not comparable across queries (a two-word query scores lower than a
# ten-word one), so what counts as found is relative to the best match (0.5 / 0.4 measured:
# README, Hybrid ranking).
SEMANTIC_RELATIVE = 0.6
FACET_DEPTH = 1000
FACET_VALUES = 8


class Searcher:
    """Answers search requests against one store, its index and its vectors."""

    def __init__(self, store: Store, index: SearchIndex, analyzer: Analyzer,
                 vectors: Callable[[], MorphemeVectors] | None, vector_index: VectorIndex | None,
                 corrector: Callable[[], Corrector]) -> None:
        """`vectors` and `corrector` are callables (the archive caches what they give), called
        only when a search needs them: recovering Kiwi's vectors costs ~1.6 s once per
        process, and most queries find enough by their words. `vectors` None: keyword only."""
        self.store = store
        self.index = index
        self.analyzer = analyzer
        self.schema = index.schema
        self._make_vectors = vectors
        self.vector_index = vector_index
        self.corrector = corrector

    # --- building the keyword query ---

    def build(self, parsed: ParsedQuery, request: SearchParams, require_all: bool,
              terms: list[Term], related: dict[str, dict[str, float]] | None = None,
              words: bool = True, boosts: dict[str, float] | None = None,
              optional: list[tuple[tantivy.Occur, tantivy.Query]] | None = None,
              best_form: bool = False) -> tuple[tantivy.Query, set[str], int]:
        """The Tantivy query, the forms to highlight, and how many word clauses it has.

        `terms` is the analysis of `parsed.words`, made once by the caller;
        `related` maps a word to the related words that may stand in for it.
        With `words` false the query holds only the constraints (phrases,
        exclusions, filters): what a result found by meaning must also meet.
        `optional` clauses add to a hit's score without being required. With `best_form`,
        a word of several forms scores as its best one (`any_word`).
        """
        must: list[tuple[tantivy.Occur, tantivy.Query]] = []
        highlight: set[str] = set()
        clauses = word_clauses(terms) if words else []
        related = related or {}
        for forms in clauses:
            highlight |= forms
        related_of = [{w: b for form in f for w, b in related.get(form, {}).items()} for f in clauses]
        # A date the reader names (2020년) is met by the number in the text or by the article's
        # own date, the better of the two: news rarely writes its own year.
        spans = asked_dates(parsed.words) if clauses else {}
        dated = date_clauses(self.schema, self.index.searcher(), spans, DATE_WEIGHT) if spans else {}
        instead = [next((dated[spans[form]] for form in sorted(f) if form in spans), None) for f in clauses]
        if require_all:
            for f, r, alternative in zip(clauses, related_of, instead):
                clause = any_field(self.schema, f, r, boosts)
                must.append((Occur.Must, clause if alternative is None else
                             Q.disjunction_max_query([clause, alternative])))
        elif clauses:
            must.append((Occur.Must, any_word(self.schema, clauses, related_of, boosts, best_form, instead)))
        must.extend(optional or [])
        if require_all and len(clauses) >= 2:
            # Words found next to each other, as typed, rank higher (phrase boost).
            nearby = phrase_query(self.schema, terms, slop=2)
            if nearby is not None:
                must.append((Occur.Should, Q.boost_query(nearby, PROXIMITY_BOOST)))
        for phrase in parsed.phrases:
            variants = []
            for text in {phrase, phrase.replace(" ", "")}:
                phrase_terms = self.analyzer.analyze(text)
                highlight |= {t.text for t in phrase_terms}
                query = phrase_query(self.schema, phrase_terms)
                if query is not None:
                    variants.append((Occur.Should, query))
            if variants:
                must.append((Occur.Must, Q.boolean_query(variants)))
        for word in parsed.excluded:
            excluded = word_clauses(self.analyzer.analyze(word))
            if excluded:
                every_word = [(Occur.Must, any_field(self.schema, f)) for f in excluded]
                must.append((Occur.MustNot, Q.boolean_query(every_word)))
        must.extend(self._filters(request))
        if not any(occur == Occur.Must for occur, _ in must):
            must.append((Occur.Must, Q.all_query()))
        return Q.boolean_query(must), highlight, len(clauses)

    def _filters(self, request: SearchParams) -> list[tuple[tantivy.Occur, tantivy.Query]]:
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
                raise BadRequest(f"--since {request.since} is after --until {request.until}")
            filters.append((Occur.Must, Q.range_query(self.schema, "day", tantivy.FieldType.Integer, lower, upper)))
        if request.entity:
            ids = self.store.entities.articles_naming(request.entity)
            filters.append((Occur.Must, Q.term_set_query(self.schema, "id", ids) if ids else Q.empty_query()))
        return filters

    # --- rankings ---

    def ids(self, searcher: tantivy.Searcher, hits: list) -> list[str]:
        """Article ids of search hits, from the `recency` fast field (it ends in the
        store `seq`) and the store: loading each stored document costs far more."""
        if not hits:
            return []
        seqs = [r & 0xFFFFFFFF for r in searcher.fast_field_values("recency", [addr for _, addr in hits])]
        by_seq = self.store.articles.ids_of_seqs(seqs)
        return [by_seq.get(seq, "") for seq in seqs]

    def keyword(self, searcher: tantivy.Searcher, parsed: ParsedQuery, request: SearchParams,
                terms: list[Term], related: dict, depth: int) -> Ranked:
        """Articles with every word, then (when those are few) articles with some."""
        order = {"order_by_field": "recency"} if request.sort == "date" or not parsed.words.strip() else {}
        # Kiwi's tags (a second, cheap analysis) only for a query long enough to be a sentence.
        if (request.sort == "relevance" and len(word_clauses(terms)) >= LONG_QUERY
                and is_sentence(self.analyzer.tags(parsed.words), terms)):
            return self.sentence(searcher, parsed, request, terms, related, depth, order)
        query, highlight, n_clauses = self.build(parsed, request, require_all=True, terms=terms, related=related)
        for forms in related.values():
            highlight |= set(forms)
        strict = searcher.search(query, limit=depth, **order)
        ranked = self.ranked(searcher, strict, highlight)
        if strict.count < FALLBACK_BELOW and n_clauses >= 2:
            # The character bigrams beside the words: a name Kiwi reads one way in the query and
            # another in the article (한국형발사체 against 한국 + 발사체) still meets.
            grams = gram_clauses(self.schema, searcher, parsed.words, LOOSE_GRAM_WEIGHT, GRAM_MAX_DF, GRAM_FLOOR)
            loose_query, _, _ = self.build(parsed, request, require_all=False, terms=terms, related=related,
                                           optional=grams)
            loose = searcher.search(loose_query, limit=depth + strict.count, **order)
            loose_score: dict[str, float] = {}
            for (score, address), article_id in zip(loose.hits, self.ids(searcher, loose.hits)):
                loose_score[article_id] = float(score)
                if article_id not in ranked.scores:
                    ranked.ids.append(article_id)
                    ranked.scores[article_id] = float(score)
                    ranked.partial.add(article_id)
                    ranked.addresses[article_id] = address
            if not order:
                join_the_few(ranked, strict.count, loose_score)
            ranked.total = loose.count
        return ranked

    def sentence(self, searcher: tantivy.Searcher, parsed: ParsedQuery, request: SearchParams,
                 terms: list[Term], related: dict, depth: int, order: dict) -> Ranked:
        """A long query: every article with any of its words, by BM25."""
        # Joined forms across words (버스 노조 -> 버스노조) count a sentence's words twice; the
        # title's boost lets one shared word of a headline outrank the article that answers.
        # A joined form within one written word stays, as the best of its forms: Kiwi may read
        # a name apart in the query (박승민은 -> 박승 + 민) that an article has whole.
        words = written_words(terms, parsed.words)
        # The bigrams are optional clauses of the same query, not a query around it: a
        # level less for Tantivy to union (see `field_terms`). Bigrams in most articles
        # (에서, 정부 in the generated archive) are left out (see GRAM_MAX_DF).
        grams = gram_clauses(self.schema, searcher, parsed.words, GRAM_WEIGHT, GRAM_MAX_DF, GRAM_FLOOR)
        query, highlight, _ = self.build(parsed, request, require_all=False, terms=words, related=related,
                                         boosts=SENTENCE_FIELD_BOOSTS, optional=grams, best_form=True)
        return self.ranked(searcher, searcher.search(query, limit=depth, **order), highlight)

    def ranked(self, searcher: tantivy.Searcher, found: tantivy.SearchResult, highlight: set[str]) -> Ranked:
        """A Tantivy result as a ranking; every hit counts as an answer (`strict`)."""
        ranked = Ranked(total=found.count, strict=found.count, highlight=highlight)
        for (score, address), article_id in zip(found.hits, self.ids(searcher, found.hits)):
            ranked.ids.append(article_id)
            ranked.scores[article_id] = float(score)
            ranked.addresses[article_id] = address
        return ranked

    def keyword_with_related(self, searcher: tantivy.Searcher, parsed: ParsedQuery, request: SearchParams,
                             terms: list[Term], depth: int) -> tuple[Ranked, dict]:
        """The keyword ranking; when the words alone find fewer than FALLBACK_BELOW
        articles, related words may stand in for them (the guard against drift:
        수출 never brings in 수입 articles while 수출 itself finds enough)."""
        ranked = self.keyword(searcher, parsed, request, terms, {}, depth)
        if not request.expand or ranked.strict >= FALLBACK_BELOW or self._make_vectors is None:
            return ranked, {}
        related = related_words(terms, self.analyzer, self._make_vectors(), self.corrector())
        if not related:
            return ranked, {}
        return self.keyword(searcher, parsed, request, terms, related, depth), related

    def semantic(self, searcher: tantivy.Searcher, parsed: ParsedQuery, request: SearchParams,
                 terms: list[Term], depth: int) -> Ranked:
        """Articles nearest in meaning, that also meet the query's filters and constraints."""
        from .meaning import query_bag, query_vector
        from .vector_index import resolve

        ranked = Ranked()
        if self._make_vectors is None or self.vector_index is None:
            return ranked
        vectors = self._make_vectors()
        counts, df = query_bag(parsed.words, terms, self.analyzer, vectors, self.store)
        vec = query_vector(parsed.words, counts, df, vectors, self.store)
        if vec is None:
            return ranked
        found = resolve(self.store, self.vector_index.search(vec, max(depth * 4, 200)))
        if not found:
            return ranked
        # A query of names alone (Sam Altman, 엔비디아) ranks only the articles naming one: a
        # name's own direction meets nothing else, and the rest of the ranking would be noise.
        names_only = all(key < 0 for key in counts)
        constraints, _, _ = self.build(parsed, request, require_all=False, terms=terms, words=names_only)
        ids = [article_id for article_id, _ in found]
        allowed_query = Q.boolean_query([(Occur.Must, Q.term_set_query(self.schema, "id", ids)),
                                         (Occur.Must, constraints)])
        allowed = set(self.ids(searcher, searcher.search(allowed_query, limit=len(ids)).hits))
        found = [(article_id, score) for article_id, score in found if article_id in allowed]
        # Relative to the best match that meets the filters (within a section, its nearest).
        # Articles naming the names all count: a name is one of hundreds of directions summed
        # into an article, and its cosine is small even where the article is about it.
        floor = max(SEMANTIC_MIN, SEMANTIC_RELATIVE * found[0][1]) if found and not names_only else -1.0
        for article_id, score in found:
            if score >= floor and len(ranked.ids) < depth:
                ranked.ids.append(article_id)
                ranked.scores[article_id] = score
        ranked.total = ranked.strict = len(ranked.ids)
        return ranked

    def _respell(self, words: str, terms: list[Term], parsed: ParsedQuery) -> tuple[ParsedQuery, list[Term]] | None:
        """The query with its unknown words respelled (`typos.Corrector`), analysed; None if none is."""
        fixed = self.corrector().correct_words(words, terms)
        return (ParsedQuery(fixed, parsed.phrases, parsed.excluded), self.analyzer.analyze(fixed)) if fixed else None

    # --- the request ---

    def search(self, request: SearchParams) -> SearchResults:
        """Answer one search (the parameters were validated when `request` was made)."""
        parsed = parse_query(request.q)
        searcher = self.index.searcher()
        words = parsed.words
        terms = self.analyzer.analyze(words) if words else []
        if request.q.strip() and not self._searchable(parsed, terms):
            # `-`, a lone quote or an emoji: without this, the empty query matched every article.
            raise BadRequest(f"the query {request.q!r} has no words to search for")
        # Meaning needs words to work on; a date-sorted list is a keyword list.
        mode = request.mode if terms and request.sort == "relevance" else "keyword"
        if self._make_vectors is None:
            mode = "keyword"
        page_end = request.offset + request.limit
        depth = max(page_end, FUSION_DEPTH) if mode == "hybrid" else page_end
        if mode == "semantic":
            depth = max(page_end, FACET_DEPTH if request.facets else page_end)

        related: dict = {}
        keyword = Ranked()
        if mode != "semantic":
            # Hybrid fuses only when the words find few articles (`fuse`): a page's worth is
            # enough to know, and the ids of a hundred hits cost more than the search itself.
            first = page_end if mode == "hybrid" and not request.facets else depth
            keyword, related = self.keyword_with_related(searcher, parsed, request, terms, first)
            if keyword.strict < FALLBACK_BELOW and depth > first:
                # Deeper, with the related words already found (Kiwi's neighbours, looked up once).
                keyword = self.keyword(searcher, parsed, request, terms, related, depth)
        corrected_from = suggestion = None
        if request.correct and words and keyword.strict < FALLBACK_BELOW and mode != "semantic":
            respelled = self._respell(words, terms, parsed)
            if respelled:
                better, fixed_related = self.keyword_with_related(searcher, respelled[0], request, respelled[1], depth)
                if better.strict > keyword.strict:
                    if keyword.strict == 0:
                        corrected_from, (parsed, terms) = request.q, respelled
                        keyword, related = better, fixed_related
                    else:
                        suggestion = respelled[0].words
        # Hybrid answers with the words alone when they find enough (see `fuse`).
        needs_meaning = mode == "semantic" or (mode == "hybrid" and keyword.strict < FALLBACK_BELOW)
        meaning = self.semantic(searcher, parsed, request, terms, depth) if needs_meaning else Ranked()
        if request.correct and words and mode == "semantic" and not meaning.ids:  # 엔비디야: nothing to go on
            respelled = self._respell(words, terms, parsed)
            better = self.semantic(searcher, respelled[0], request, respelled[1], depth) if respelled else Ranked()
            if respelled and better.ids:
                corrected_from, (parsed, terms), meaning = request.q, respelled, better

        if mode == "keyword":
            ranked = keyword
        elif mode == "semantic":
            ranked = meaning
        else:
            ranked = fuse(keyword, meaning)
        if request.facets:
            ranked_facets = self.facets(ranked.ids[:FACET_DEPTH] if mode != "keyword" else
                                        self._all_ids(searcher, parsed, request, terms, related, keyword))
        else:
            ranked_facets = {}

        page = ranked.ids[request.offset:page_end]
        articles = self.store.articles.get_many(page, raw=False)
        docs = self._docs(searcher, page, keyword.addresses)
        highlight = keyword.highlight | {t.text for t in terms if not t.compound}
        stand_ins = {w for forms in related.values() for w in forms} - {t.text for t in terms}
        # Why each result ranks: the query's words it holds, as analysed (particles off), in order,
        # with a written word's joined form (박승민 for 박승 + 민) where the article has it whole.
        phrase_words = [t.text for p in parsed.phrases for t in self.analyzer.analyze(p) if not t.compound]
        written = [t.text for t in written_words(terms, parsed.words)]
        asked = list(dict.fromkeys(written + phrase_words + sorted(stand_ins)))
        wanted = highlight | stand_ins | set(asked)  # the only terms whose offsets a hit shows
        spans = asked_dates(parsed.words)  # a year asked is held by the article dated then too
        hits = []
        for article_id in page:
            article = articles.get(article_id)
            if article is None or article_id not in docs:  # deleted since; the next sync drops it
                continue
            offsets = decode_offsets(docs[article_id]["offsets"][0], wanted)
            found_by = [name for name, r in (("words", keyword), ("meaning", meaning)) if article_id in r.scores]
            held = {o[0] for part in offsets.values() for o in part}
            if spans:
                day = day_number(article.published)
                held |= {number for number, (first, last) in spans.items() if first <= day <= last}
            hits.append(Hit(
                id=article.id, title=article.title, series=article.series, episode=article.episode,
                section=article.section, published=article.published, date_precision=article.date_precision,
                score=round(ranked.scores.get(article_id, 0.0), 4) if request.sort == "relevance" else 0.0,
                snippet=make_snippet(article, offsets, highlight, stand_ins),
                title_html=mark(article.title, offsets.get("title", []), highlight),
                partial=article_id in keyword.partial and article_id not in meaning.scores,
                found_by=found_by,
                matched=[w for w in asked if w in held][:MATCHED_SHOWN],
            ))
        return SearchResults(
            query=unparse(parsed) if corrected_from else request.q, total=ranked.total, hits=hits, mode=mode,
            expansions=[WordPair(from_=a, to=b) for a, b in self.analyzer.expansions(parsed.words, terms)],
            related_words=[WordPair(from_=w, to=r) for w, forms in related.items() for r in forms],
            partial=bool(keyword.partial),
            corrected_from=corrected_from, suggestion=suggestion, facets=ranked_facets,
        )

    def matching_ids(self, query: str) -> list[str]:
        """Every article with all the words of `query` (no fallback, no near-duplicates), newest first."""
        return self.every_match(SearchParams(q=query, sort="date"))

    def matching_days(self, query: str) -> dict[int, int]:
        """How many articles with all the words of `query` (as `matching_ids`) fall on each day
        (20251215; 0 for undated), counted by Tantivy from the `day` field: listing every match and
        reading its date from the store took 2-5 s for a name in 147,000 of 412,000 articles."""
        built, _ = self._every_word(SearchParams(q=query))
        found = self.index.searcher().aggregate(built, {"days": {"terms": {"field": "day", "size": 1_000_000}}})
        return {int(b["key"]): int(b["doc_count"]) for b in found["days"]["buckets"]}

    def every_match(self, request: SearchParams) -> list[str]:
        """Every article with all the words of the query that meets the filters, by relevance or
        newest first: no fallback, no meaning, no page window (what an export takes)."""
        built, parsed = self._every_word(request)
        searcher = self.index.searcher()
        order = {"order_by_field": "recency"} if request.sort == "date" or not parsed.words.strip() else {}
        hits = searcher.search(built, limit=max(searcher.num_docs, 1), **order)
        return self.ids(searcher, hits.hits)

    def _every_word(self, request: SearchParams) -> tuple[tantivy.Query, ParsedQuery]:
        """The query for every article with all the words that meets the filters (no fallback)."""
        parsed = parse_query(request.q)
        terms = self.analyzer.analyze(parsed.words) if parsed.words else []
        return self.build(parsed, request, require_all=True, terms=terms)[0], parsed

    def _searchable(self, parsed: ParsedQuery, terms: list[Term]) -> bool:
        """Does the query hold a word, a phrase or an exclusion the analysis can use?"""
        return bool(word_clauses(terms)) or any(
            word_clauses(self.analyzer.analyze(text)) for text in parsed.phrases + parsed.excluded)

    def _docs(self, searcher: tantivy.Searcher, ids: list[str],
              addresses: dict[str, tantivy.DocAddress]) -> dict[str, dict]:
        """The stored documents of `ids`: by address where the ranking kept one, else by id."""
        docs = {i: searcher.doc(addresses[i]) for i in ids if i in addresses}
        missing = [i for i in ids if i not in docs]
        if missing:
            for _, addr in searcher.search(Q.term_set_query(self.schema, "id", missing), limit=len(missing)).hits:
                doc = searcher.doc(addr)
                docs[doc["id"][0]] = doc
        return docs

    def _all_ids(self, searcher, parsed, request, terms, related, keyword: Ranked) -> list[str]:
        if keyword.total <= len(keyword.ids):
            return keyword.ids
        query, _, _ = self.build(parsed, request, require_all=not keyword.partial, terms=terms, related=related)
        return self.ids(searcher, searcher.search(query, limit=FACET_DEPTH).hits)

    def facets(self, ids: list[str]) -> dict[str, list[FacetValue]]:
        """Counts by section, series, year and entity over the results (the first FACET_DEPTH)."""
        if not ids:
            return {}
        out = {name: [FacetValue(value=v, count=n) for v, n in values]
               for name, values in self.store.articles.facet_counts(ids, FACET_VALUES).items()}
        out["entity"] = [FacetValue(value=v, type=t, count=n)
                         for v, t, n in self.store.entities.facet(ids, FACET_VALUES)]
        return {k: v for k, v in out.items() if v}
