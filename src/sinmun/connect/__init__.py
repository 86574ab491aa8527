"""Connecting the news: what links articles to each other and over time.

    dedupe.py     near-duplicates (MinHash/LSH over word 3-grams), decided at ingest
    stories.py    grouping articles into continuing stories as the change log is followed
    trends.py     counts over time, rising entities, co-occurrence networks
    summarize.py  extractive summaries (the lead, centrality, position, headline) and ROUGE
"""
