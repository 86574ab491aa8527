"""The list-page dump: the plain text of a news site's article list.

After an optional header line (the site's search box, `검색`), each article is a
card of lines: its headline, `- ` + the whole body on one line, `-`, `- ` + the
section, `-`, the headline again (the card's link text), `-`. The README of
the seed page describes it. Cards are found by their shape, not by counting
lines, so one broken card does not shift the ones after it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..articles import Article, make_article
from .encoding import text_lines
from .refused import Refused

HEADER = "검색"


def _is_dash(line: str) -> bool:
    return line.strip() in ("-", "")


def _dash_text(line: str) -> str | None:
    """The text of a `- text` line, or None when the line is not one."""
    if line.startswith("- "):
        return line[2:].strip()
    return None


def read(text: str, source: str) -> Iterator[Article | Refused]:
    lines = text_lines(text)
    i = 1 if lines and lines[0].strip() == HEADER else 0
    position = 0
    while i < len(lines):
        line = lines[i]
        if _is_dash(line):
            i += 1
            continue
        position += 1
        start = i
        if _dash_text(line) is not None:
            yield Refused(i + 1, "text line without a headline before it", line)
            i += 1
            continue
        headline = line.strip()
        # The line right after the headline is the body line, by layout.
        body_line = lines[i + 1] if i + 1 < len(lines) else ""
        body = (_dash_text(body_line) or "") if body_line.startswith("-") else None
        j = i + 2 if body is not None else i + 1
        while j < len(lines) and _is_dash(lines[j]):
            j += 1
        section = None
        if j < len(lines) and _dash_text(lines[j]) is not None:
            section = _dash_text(lines[j]) or None
            j += 1
            while j < len(lines) and _is_dash(lines[j]):
                j += 1
        # The card closes with its headline repeated; a missing repeat is tolerated.
        if j < len(lines) and lines[j].strip() == headline:
            j += 1
        raw = "\n".join(lines[start:j]).rstrip("\n-").rstrip()
        if not body:
            yield Refused(i + 1, f"headline {headline[:40]!r} has no body text on the line after it", raw)
        else:
            yield make_article(headline, body, section=section, position=position, source=source, raw=raw)
        i = j
