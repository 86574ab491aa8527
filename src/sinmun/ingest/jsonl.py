"""JSON Lines: one article per line.

Fields: `title` and `body` (required); `section`, `series`, `episode`, `published`
(or `date`, as many dumps call it) and `modified` (ISO date or datetime), `url`, `source`, `byline`, `key_insights`,
`summary`, `explainer` (optional). A body that still carries `[Key Insights]`/`[Summary]`/`[미니 해설]`
blocks is split like a list-page body. A title with a series tag is split too,
unless `series` is given.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..articles import Article, make_article, parse_published
from .encoding import text_lines
from .refused import Refused

# A longer line is not an article but a runaway export; it goes to quarantine whole.
MAX_LINE_CHARS = 5_000_000
OPTIONAL_TEXT = ("section", "series", "url", "source", "byline", "key_insights", "summary", "explainer")


def article_from(record: object, source: str, line_no: int | None, raw: str) -> Article:
    """One JSON Lines record (also the editor API's body) as an article; ValueError names the bad field."""
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    fields: dict = {}
    for name in ("title", "body"):
        value = record.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"field {name!r} is missing or empty")
    for name in OPTIONAL_TEXT:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"field {name!r} must be a string")
        if value:
            fields[name] = value
    episode = record.get("episode")
    if episode is not None:
        if isinstance(episode, bool) or not isinstance(episode, (int, str)) or not str(episode).isdigit():
            raise ValueError("field 'episode' must be a whole number")
        fields["episode"] = int(episode)
    if record.get("published") is None and record.get("date") is not None:
        record = {**record, "published": record["date"]}
    for name in ("published", "modified"):
        if record.get(name) is not None:
            if not isinstance(record[name], str):
                raise ValueError(f"field {name!r} must be an ISO date string")
            try:
                fields[name] = parse_published(record[name])
            except ValueError as exc:
                raise ValueError(f"field {name!r}: {exc}") from None
    fields["source"] = fields.get("source") or source
    fields["position"] = line_no
    return make_article(record["title"], record["body"], raw=raw, **fields)


def read(text: str, source: str) -> Iterator[Article | Refused]:
    for line_no, line in enumerate(text_lines(text), start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            yield Refused(line_no, f"line of {len(line):,} characters is over the {MAX_LINE_CHARS:,} limit", line)
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Refused(line_no, f"invalid JSON: {exc.msg} at column {exc.colno}", line)
            continue
        except RecursionError:  # [[[[... deeper than the parser's stack
            yield Refused(line_no, "invalid JSON: nested too deeply", line)
            continue
        try:
            yield article_from(record, source, line_no, line)
        except ValueError as exc:
            yield Refused(line_no, str(exc), line)
