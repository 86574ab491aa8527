"""Search: the Tantivy index, the query language, rankings by words and by meaning.

    params.py     SearchParams: the one definition of a search's parameters
    results.py    SearchResults, Hit: what a search answers
    index.py      the Tantivy index over Kiwi terms (follows the change log)
    query.py      query syntax ("phrase", -exclude) and the Tantivy queries it becomes
    searcher.py   keyword, meaning and hybrid rankings, related words, spelling, facets
    meaning.py    Kiwi's morpheme vectors, article vectors, the usearch index
    snippets.py   the passage that shows why an article matched, words in <mark>
    evaluate.py   graded judgements -> nDCG, MRR, recall
"""
