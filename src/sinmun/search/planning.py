"""Query planning: which ranking a query gets, and how words and meaning are fused.

Keywords (`엔비디아 수출 규제`) keep "every word first"; when no article has every word,
the articles with some of them rank with the character bigrams beside the words. A
query written as a sentence (a question, a claim) ranks by BM25 over all its words,
any of which may be missing, the title weighing less than for keywords, with the
bigram view beside the words. Hybrid search fuses meaning in only where the words
fall short (`fuse`). Every rule and weight here was chosen by measurement on the
judgement sets (README, "Query planning", "A second lexical view", "Hybrid ranking").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import tantivy

from ..analysis.korean import Term
from .query import word_clauses

# Fewer articles than this with every word: the articles with some of them join them, and
# hybrid search fuses meaning in (`fuse`).
FALLBACK_BELOW = 3
# Those few keep their order, and an article with some of the words goes before one of them
# when it scores this many times more in the any-word query (`Searcher.keyword`): an article
# holding every word in passing no longer tops the one about the question that lacks a word
# (중국 정부의 칩 산업 육성 자금: a story on Oracle's bonds had every word, China's chip fund
# scored 3.6 times more without one). Hybrid nDCG@10 at 1 / 1.5 / 2 / 3 / every word always
# first: held-out 0.972 / 0.972 / 0.972 / 0.962 / 0.952, own 0.980 / 0.993 / 0.993 / 0.993 /
# 0.993, KLUE neutral 0.955 / 0.956 / 0.956 / 0.956 / 0.956; the seed (0.972), KLUE
# entailment (0.989) and Wikinews (0.983) did not move.
EVERY_WORD_WEIGHT = 2.0
RRF_K = 60
# Meaning's weight in that fusion, when no article has every word. Chosen on the development
# sets (hybrid nDCG@10 at 0.5 / 0.75 / 1, with the bigrams of LOOSE_GRAM_WEIGHT): the seed
# 0.968 / 0.972 / 0.970, held-out 0.949 / 0.952 / 0.953, KLUE entailment 0.989 throughout,
# KLUE neutral 0.956 throughout, Wikinews 0.979 throughout.
MEANING_WEIGHT = 0.75
# In that fusion the keyword ranking's first article keeps first place when it scores this many
# times its second: rank fusion sees ranks, not how far ahead a keyword answer is. Hybrid
# nDCG@10 at 1.25 / 1.5 / 1.75 / 2 / 2.5 / 3 / never: KLUE entailment 0.991 up to 2, 0.989
# from 2.5; the seed 0.968 / 0.968 / 0.972 and on; the other sets level. It moves one
# question: `누리호는 한국형발사체이다` (its premise scored 15.8 against 6.9, and meaning,
# which did not find it, had put three others above it).
CLEAR_LEAD = 2.0

# A year or month a query names (2020년 프로야구) is met by the number in the text or by the
# article's date, the better of the two (`date_clauses`): the date scores as a word its
# span's articles hold, times this. Hybrid nDCG@10 at 0 / 1 / 2 / 3 / 5 / 8 / 15: Wikinews
# (9 of 175 questions name a year) 0.979 / 0.980 / 0.981 / 0.983 / 0.983 / 0.983 / 0.979;
# KLUE neutral (12 of 300 name one; 68 of its sentences carry a date) 0.956 up to 3, 0.952
# at 5 and 8; entailment 0.989 up to 3, 0.988 / 0.987. At 15 a question about 2018's World
# Cup loses the 2010 article that announced it.
DATE_WEIGHT = 3.0

# A query of this many words with a verb, an adjective or a question word is a sentence.
LONG_QUERY = 4
PREDICATE_TAGS = ("VV", "VA", "VC", "XSV", "XSA")
QUESTION_WORDS = {"무엇", "뭐", "왜", "누구", "어디", "언제", "얼마", "몇", "어떻", "어떤", "무슨", "어느"}
SENTENCE_FIELD_BOOSTS = {"title": 0.5, "lead": 0.3, "body": 1.0}
# The character-bigram view's weight beside the words, for sentences. Chosen on the development
# sets (hybrid nDCG@10 at 0 / 0.25 / 0.5 / 1 / 2): Wikinews questions 0.957 / 0.974 / 0.979 /
# 0.980 / 0.978, KLUE neutral 0.935 / 0.950 / 0.954 / 0.951 / 0.948, KLUE entailment 0.978 /
# 0.980 / 0.980 / 0.980 / 0.980.
GRAM_WEIGHT = 0.5
# Bigrams in more than GRAM_MAX_DF of the articles (and more than GRAM_FLOOR of them) are
# left out of a sentence query: 에서, 하는 and the like tell articles apart least (idf about
# 1.2 at 0.3) and have the longest postings to union. The floor keeps a small archive's
# ranking as it was: there the postings cost nothing, and on the seed's 20 articles a cut
# at 6 cost one query 0.02. Keyword nDCG@10 on KLUE (3,834 articles) with no cut / 0.3 /
# 0.1 / 0.05: neutral 0.954 / 0.954 / 0.954 / 0.955, entailment 0.986 throughout; on
# Wikinews (542), before the floor, 0.979 / 0.980 / 0.974 / 0.974. Four questions over
# 412,000 generated articles: 4-17% faster at 0.3.
GRAM_MAX_DF = 0.3
GRAM_FLOOR = 1_000
# The bigrams' weight when keywords fall back to articles with some of their words (hybrid
# nDCG@10 at 0 / 0.25 / 0.5 / 1, with the joined forms of `Searcher.sentence`): KLUE
# entailment 0.989 / 0.989 / 0.989 / 0.989 (keyword alone 0.989 / 0.991 / 0.991 / 0.990),
# KLUE neutral 0.953 / 0.956 / 0.956 / 0.956, the seed 0.970 / 0.970 / 0.968 / 0.971, held-out
# 0.952 / 0.953 / 0.951 / 0.948, Wikinews 0.979 throughout.
LOOSE_GRAM_WEIGHT = 0.25


def is_sentence(tags: list[str], terms: list[Term]) -> bool:
    """Whether a query is written as a sentence: enough words, and a predicate (a verb,
    an adjective, 이다, 하다 after a noun, a final ending) or a question word among Kiwi's
    `tags` of it. `빅테크의 자체 칩 개발 경쟁` is keywords (all must match);
    `미국에서 만든 첫 AI 칩` and `나로호 발사가 미뤄진 이유는 무엇인가` are sentences."""
    if len(word_clauses(terms)) < LONG_QUERY:
        return False
    return (any(tag == "EF" or tag.startswith(PREDICATE_TAGS) for tag in tags)
            or any(t.text in QUESTION_WORDS for t in terms))


@dataclass
class Ranked:
    """One ranking of article ids, best first, with what the page needs."""

    ids: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    partial: set[str] = field(default_factory=set)
    total: int = 0
    strict: int = 0  # articles with every word
    highlight: set[str] = field(default_factory=set)
    # Where each hit's document lies in the searcher that found it: a page loads its
    # stored offsets from there instead of searching for its ids again.
    addresses: dict[str, tantivy.DocAddress] = field(default_factory=dict)


def join_the_few(ranked: Ranked, few: int, any_word: dict[str, float]) -> None:
    """Rank the `few` articles with every word (first in `ranked`, in their own order, with
    its proximity boost) together with those after them that have some of the words: one of
    those goes before one of the few when it scores EVERY_WORD_WEIGHT times more in the
    any-word query (`any_word`: the one scale both have)."""
    bar = math.inf
    for article_id in ranked.ids[:few]:
        bar = min(bar, EVERY_WORD_WEIGHT * any_word.get(article_id, 0.0))
        ranked.scores[article_id] = bar
    ranked.ids.sort(key=lambda i: -ranked.scores[i])  # stable: ties keep every word first


def fuse(keyword: Ranked, meaning: Ranked) -> Ranked:
    """Words first; meaning fills in where words fall short.

    - Enough articles have every word (FALLBACK_BELOW or more): the keyword
      ranking is the answer; a reader who typed words that match gets matches.
    - A few have: they and the articles with some of the words, ranked together
      (`EVERY_WORD_WEIGHT`), then the articles found only by meaning.
    - None has (a paraphrase, a question): the keyword (partial) and meaning
      rankings are fused by reciprocal rank fusion (Cormack et al. 2009), meaning
      at MEANING_WEIGHT; a keyword answer far ahead of the next keeps first place
      (CLEAR_LEAD).
    Fusing always, even with a small weight on meaning, measured worse on the
    judgement sets: RRF lets a weak meaning ranking reorder good keyword answers.
    """
    if keyword.strict >= FALLBACK_BELOW:
        return keyword
    scores: dict[str, float] = {}
    if keyword.strict:
        ids = keyword.ids + [i for i in meaning.ids if i not in keyword.scores]
        scores = {i: 1.0 / (RRF_K + rank + 1) for rank, i in enumerate(ids)}
    else:
        for ranking, weight in ((keyword, 1.0), (meaning, MEANING_WEIGHT)):
            for rank, article_id in enumerate(ranking.ids):
                scores[article_id] = scores.get(article_id, 0.0) + weight / (RRF_K + rank + 1)
        ids = sorted(scores, key=lambda i: -scores[i])
        top = keyword.ids[:2]
        if len(top) == 2 and keyword.scores[top[0]] >= CLEAR_LEAD * keyword.scores[top[1]]:
            ids.remove(top[0])  # a clear keyword answer: rank fusion cannot see how clear
            ids.insert(0, top[0])
    extra = len(set(meaning.ids) - set(keyword.scores))
    return Ranked(ids=ids, scores=scores, partial=keyword.partial, total=keyword.total + extra,
                  strict=keyword.strict, highlight=keyword.highlight)
