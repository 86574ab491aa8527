"""Query planning: which ranking a query gets.

Keywords (`엔비디아 수출 규제`) keep "every word first". A query written as a sentence
(a question, a claim) ranks by BM25 over all its words, any of which may be missing,
the title weighing less than for keywords, with the character-bigram view beside
the words. Every rule and weight here was chosen by measurement on the judgement
sets (README, "Query planning" and "A second lexical view").
"""

from __future__ import annotations

from ..analysis.korean import Term
from .query import word_clauses

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


def is_sentence(tags: list[str], terms: list[Term]) -> bool:
    """Whether a query is written as a sentence: enough words, and a predicate (a verb,
    an adjective, 이다, 하다 after a noun, a final ending) or a question word among Kiwi's
    `tags` of it. `빅테크의 자체 칩 개발 경쟁` is keywords (all must match);
    `미국에서 만든 첫 AI 칩` and `나로호 발사가 미뤄진 이유는 무엇인가` are sentences."""
    if len(word_clauses(terms)) < LONG_QUERY:
        return False
    return (any(tag == "EF" or tag.startswith(PREDICATE_TAGS) for tag in tags)
            or any(t.text in QUESTION_WORDS for t in terms))
