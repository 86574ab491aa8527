"""The parameters of a search: one definition for the library, the CLI, the API and the pages.

Each field's type, default, bounds and description are declared once here; the
CLI builds its options from them, FastAPI its query parameters and OpenAPI
schema, and the search page reads its form with them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# The deepest result a search or a list may page to (Elasticsearch's
# max_result_window): Tantivy collects offset + limit hits, so an unbounded offset
# is an allocation of any size a client asks for.
MAX_RESULT_WINDOW = 10_000
MAX_LIMIT = 100
# A query longer than this is no reader's query (a 16,000-character one took 6 s to analyse).
MAX_QUERY_CHARS = 500
SORTS = ("relevance", "date")
MODES = ("hybrid", "keyword", "semantic")
DEFAULT_MODE: Literal["hybrid"] = "hybrid"
# A year, a month or a day (whether that day exists is checked when the search runs).
DAY_PATTERN = r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$"


def none_if_blank(value: object) -> object:
    """A form sends `section=` for "any section": blank text is no value."""
    return None if isinstance(value, str) and not value.strip() else value


class SearchFilters(BaseModel):
    """Which articles a search (or an export) is about: its words and filters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    q: str = Field("", max_length=MAX_QUERY_CHARS, description='Words (all must match), "a phrase", -excluded.')
    section: str | None = Field(None, description="Only this section.")
    series: str | None = Field(None, description="Only this series (column).")
    since: str | None = Field(None, pattern=DAY_PATTERN, description="Published on or after (YYYY[-MM[-DD]]).")
    until: str | None = Field(None, pattern=DAY_PATTERN, description="Published on or before (YYYY[-MM[-DD]]).")
    entity: str | None = Field(None, description="Only articles naming this entity.")
    sort: Literal["relevance", "date"] = Field("relevance", description="relevance or date (newest first).")
    include_duplicates: bool = Field(False, description="Also show near-duplicate copies.")

    _blank_is_none = field_validator("section", "series", "since", "until", "entity", mode="before")(none_if_blank)


class SearchParams(SearchFilters):
    """What to search for, how to rank it and which page of results to return."""

    mode: Literal["hybrid", "keyword", "semantic"] = Field(
        DEFAULT_MODE, description="hybrid (words, then meaning), keyword or semantic.")
    expand: bool = Field(True, description="Also search related words (거품 -> 버블) when the words find few.")
    correct: bool = Field(True, description="Search a corrected spelling when nothing matches.")
    facets: bool = Field(False, description="Count results by section, series, year and entity.")
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description="Results per page.")
    offset: int = Field(0, ge=0, le=MAX_RESULT_WINDOW, description="Results to skip.")

    @model_validator(mode="after")
    def _within_window(self) -> SearchParams:
        if self.offset + self.limit > MAX_RESULT_WINDOW:
            raise ValueError(f"offset + limit must be at most {MAX_RESULT_WINDOW} (results beyond the first "
                             f"{MAX_RESULT_WINDOW} are not served: narrow the search instead)")
        return self
