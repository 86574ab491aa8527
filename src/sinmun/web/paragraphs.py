"""Paragraphs for reading: the source's own, or, for a body that arrived as one line, groups of
sentences; a broadcast transcript's cues ([앵커], 【 기자 】) as labels. Display only: the stored
text stays verbatim, and the paragraphs joined give it back."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..analysis.korean import TRANSCRIPT_CUE

# A sentence ends at . ? ! (and any closing quote or bracket) before a space: "밝혔다. ", "말했다\"고"
# does not end one (no space after the period), nor does 72.6% (no space).
SENTENCE_END = re.compile(r"(?<=[.?!])[\"'”’)」』]*\s+")
# One line longer than this is a wall of text on a phone; shorter ones are left alone.
ONE_LINE_LIMIT = 300
# A paragraph closes after at least this many sentences and characters (Korean papers run 2-3 sentences).
PARAGRAPH_SENTENCES = 2
PARAGRAPH_CHARS = 180


@dataclass(frozen=True)
class Paragraph:
    text: str
    label: str | None = None  # a transcript cue that opens it: 앵커, 기자, 인터뷰


def labelled(body: str) -> list[Paragraph]:
    """The paragraphs, a transcript cue at the start of one taken out as its label."""
    out = []
    for text in paragraphs(body):
        cue = TRANSCRIPT_CUE.match(text)
        if cue:
            label = re.sub(r"[\[\]【】<>〈〉\s]", "", cue.group())
            out.append(Paragraph(text[cue.end():].strip(), label))
        else:
            out.append(Paragraph(text))
    return out


def paragraphs(body: str) -> list[str]:
    """The body's paragraphs: its own lines when it has several, else sentences grouped."""
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    if len(lines) != 1 or len(lines[0]) <= ONE_LINE_LIMIT:
        return lines
    out: list[str] = []
    current: list[str] = []
    start = 0
    for match in SENTENCE_END.finditer(lines[0]):
        current.append(lines[0][start:match.start() + len(match.group().rstrip())])
        start = match.end()
        if len(current) >= PARAGRAPH_SENTENCES and sum(map(len, current)) >= PARAGRAPH_CHARS:
            out.append(" ".join(current))
            current = []
    rest = lines[0][start:].strip()
    if rest:
        current.append(rest)
    if current:
        if out and sum(map(len, current)) < PARAGRAPH_CHARS // 2:  # a short tail joins the paragraph before
            out[-1] += " " + " ".join(current)
        else:
            out.append(" ".join(current))
    return out
