"""Parameters of the service's queries: one definition each, for the library, the CLI, the API and the pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import BadRequest
from ..search.params import DAY_PATTERN, MAX_LIMIT, MAX_RESULT_WINDOW, SearchFilters, SearchParams, none_if_blank

__all__ = ["EXPORT_FORMATS", "ExportParams", "ListParams", "MAX_LIMIT", "MAX_RESULT_WINDOW", "SearchParams",
           "StoryParams", "bad_request", "problem"]

EXPORT_FORMATS = ("jsonl", "csv", "parquet")


class ListParams(BaseModel):
    """Which articles to list, newest first (a series in episode order)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    section: str | None = Field(None, description="Only this section.")
    series: str | None = Field(None, description="Only this series, in episode order.")
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description="Articles per page.")
    offset: int = Field(0, ge=0, le=MAX_RESULT_WINDOW, description="Articles to skip.")
    order: Literal["published", "arrived"] = Field(
        "published", description="published (newest first; a series in episode order) or arrived "
        "(the latest stored first, dated or not).")

    _blank_is_none = field_validator("section", "series", mode="before")(none_if_blank)

    @model_validator(mode="after")
    def _within_window(self) -> ListParams:
        if self.offset + self.limit > MAX_RESULT_WINDOW:
            raise ValueError(f"offset + limit must be at most {MAX_RESULT_WINDOW}")
        return self


class StoryParams(BaseModel):
    """Which continuing stories to list, largest and most recent first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    limit: int = Field(20, ge=1, le=MAX_LIMIT, description="Stories per page.")
    offset: int = Field(0, ge=0, le=MAX_RESULT_WINDOW, description="Stories to skip.")
    min_size: int = Field(2, ge=1, le=MAX_RESULT_WINDOW, description="Only stories of at least this many articles.")
    since: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$",
                              description="Only stories with an article on or after this day (YYYY-MM-DD).")


class ExportParams(SearchFilters):
    """Which articles to export and how: a search's words and filters (the same definitions), every
    match rather than a page of them, in one of EXPORT_FORMATS."""

    format: Literal["jsonl", "csv", "parquet"] | None = Field(
        None, description="jsonl, csv (for Excel) or parquet (default: the output file's suffix, else jsonl).")
    max_rows: int | None = Field(None, ge=1, description="At most this many articles (default: every match; "
                                 "without a query, newest first).")


def problem(error: Mapping[str, Any]) -> str:
    """One pydantic error as `where: what`, with a date's format in words rather than its regular expression."""
    where = ".".join(str(part) for part in error.get("loc", ()))
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if error.get("type") == "string_pattern_mismatch":
        # Every pattern on a parameter or a field is a date.
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        wanted = ("YYYY, YYYY-MM or YYYY-MM-DD" if pattern == DAY_PATTERN
                  else "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+09:00]" if "T" in pattern else "YYYY-MM-DD")
        message = f"not a date: {error.get('input')!r} (use {wanted})"
    return f"{where}: {message}" if where else message


def bad_request(error: ValidationError, prefix: str = "") -> BadRequest:
    """A validation error as one line a user can act on: `offset: must be at most 10000`."""
    first = error.errors()[0]
    if prefix:  # a CLI option: --min-size, not min_size
        where = ".".join(str(part) for part in first.get("loc", ()))
        first = {**first, "loc": (prefix + where.replace("_", "-"),) if where else ()}
    return BadRequest(problem(first))
