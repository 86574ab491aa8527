"""What a search answers: typed models shared by the library, the CLI, the API and the pages."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ArticleHead(BaseModel):
    """What every list of articles shows of each: enough to show and link it."""

    id: str
    title: str
    series: str | None
    episode: int | None
    section: str | None
    published: str | None
    date_precision: str | None = Field(None, description="How `published` is known (page-order: on or after it).")


class Hit(ArticleHead):
    """One article in the results."""

    score: float = Field(description="Ranking score (0 when sorted by date).")
    snippet: str = Field(description="HTML-escaped passage, the matched words in <mark>.")
    title_html: str = Field("", description="HTML-escaped title, the matched words in <mark>.")
    partial: bool = Field(False, description="Matched only some of the words.")
    found_by: list[str] = Field(default_factory=list, description='"words", "meaning" or both.')
    matched: list[str] = Field(default_factory=list, description="The query's words (and related words searched "
                               "for them) that the article holds, in the query's order: why it ranks.")


class WordPair(BaseModel):
    """A word of the query and what was searched for it."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: str = Field(alias="from")
    to: str


class FacetValue(BaseModel):
    value: str
    count: int
    type: str | None = Field(None, description="For entities: person, org, place, product, concept or name.")


class SearchResults(BaseModel):
    """A page of results, and what the search did with the query."""

    query: str = Field(description="The query searched: what was typed, or its correction.")
    total: int
    mode: str = Field(description="keyword, semantic or hybrid: the ranking that answered.")
    partial: bool = Field(False, description="Some results match only part of the query.")
    corrected_from: str | None = Field(None, description="What was typed, when a corrected spelling was searched.")
    suggestion: str | None = Field(None, description="A spelling that finds more than the query as typed.")
    expansions: list[WordPair] = Field(default_factory=list, description="Names the alias dictionary rewrote.")
    related_words: list[WordPair] = Field(default_factory=list, description="Related words searched too.")
    facets: dict[str, list[FacetValue]] = Field(default_factory=dict)
    hits: list[Hit]
