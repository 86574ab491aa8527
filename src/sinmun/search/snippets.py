"""Snippets: the passage that best shows why an article matched, with the words marked.

Offsets come from Kiwi's analysis of the original text (stored in the index),
so `엔비디아의` is highlighted as 엔비디아 and `Nvidia` for a query `엔비디아`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Set as AbstractSet

from ..analysis.korean import without_cues
from ..articles import Article

SNIPPET_CHARS = 160
# Parts of an article a snippet may come from, in order of preference.
SNIPPET_PARTS = ("body", "explainer", "summary", "key_insights")


def _spans(offsets: list[tuple], highlight: set[str]) -> list[tuple[int, int]]:
    """Merged (start, end) character spans of the highlighted terms.

    A joined form (`美 무역` for 미국무역) is marked only where its parts are not,
    so a match reads as the words, not the gap between them.
    """
    words = [(o[1], o[2]) for o in offsets if o[0] in highlight and len(o) == 3]
    joined = [(o[1], o[2]) for o in offsets if o[0] in highlight and len(o) == 4]
    spans = sorted(words + [
        (s, e) for s, e in joined if not any(s <= ws and we <= e for ws, we in words)
    ])
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def mark(text: str, offsets: list[tuple], highlight: set[str], start: int = 0, end: int | None = None) -> str:
    """HTML-escaped `text[start:end]` with the highlighted terms in <mark>."""
    end = len(text) if end is None else end
    out, pos = [], start
    for s, e in _spans(offsets, highlight):
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[pos:s], quote=False))
        out.append(f"<mark>{html.escape(text[s:e], quote=False)}</mark>")
        pos = e
    out.append(html.escape(text[pos:end], quote=False))
    return "".join(out)


def make_snippet(article: Article, offsets: dict, highlight: set[str], stand_ins: AbstractSet[str] = frozenset(),
                 width: int = SNIPPET_CHARS) -> str:
    """The passage of about `width` characters with the most distinct query terms.

    `stand_ins` (related words searched in place of a query word) are marked too,
    but a passage with the words the reader typed beats one with only their
    stand-ins: the snippet should show why the article matched what was asked.
    """
    for part in SNIPPET_PARTS:
        text = getattr(article, part) or ""
        found = [(o[0], o[1], o[2]) for o in offsets.get(part, []) if o[0] in highlight]
        if found:
            break
    else:
        part, text, found = "body", article.body, []
    # A passage is shown from a little before its first match (`lead`), so it is
    # scored over what will be shown after that match.
    lead = width // 4
    best_start, best_score = 0, (-1, -1)
    for _, s, _ in found:
        inside = {t for t, s2, e2 in found if s <= s2 and e2 <= s + width - lead}
        score = (len(inside - stand_ins), len(inside & stand_ins))
        if score > best_score:
            best_start, best_score = s, score
    # Start a little before the first match, at a word boundary.
    start = max(0, best_start - lead)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < best_start else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    # Transcript cues are blanked (offsets stay right) and the gaps they leave closed.
    body = re.sub(r" {2,}", " ", mark(without_cues(text), offsets.get(part, []), highlight, start, end)).strip()
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
