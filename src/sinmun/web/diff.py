"""What a correction changed: a word-by-word diff of two texts, for the revisions page."""

from __future__ import annotations

import difflib
import html
import re

from markupsafe import Markup

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> Markup:
    """`new` as HTML, with what it removed from `old` in <del> and what it added in <ins>.

    Korean text is compared by space-separated words (eojeol): a changed particle marks
    its whole word, which is how an editor reads a correction.
    """
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape("".join(b[j1:j2])))
            continue
        if i2 > i1:
            out.append(f"<del>{html.escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{html.escape(''.join(b[j1:j2]))}</ins>")
    return Markup("".join(out))
