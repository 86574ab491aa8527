"""What a reader yields for a record it cannot turn into an article."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from ..articles import Article


class Refused(NamedTuple):
    """Where (a line, or None for the whole input), why, and the record itself (None: the whole input)."""

    line: int | None
    reason: str
    record: str | None = None


# A reader: the decoded text and its source's name in, articles and refusals out, in input order.
Reader = Callable[[str, str], Iterator[Article | Refused]]
