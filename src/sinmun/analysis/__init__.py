"""Korean text analysis: pure functions and objects over text, no storage.

    korean.py    normalisation, Kiwi morphemes, the alias dictionary (the same at ingest and query time)
    dates.py     relative dates in the text resolved against the article's date; dating undated articles
    entities.py  people, organisations, places, products named in an analysed article
    typos.py     jamo edit distance against the archive's vocabulary ("did you mean")
"""
