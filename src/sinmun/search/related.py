"""Related words: the words of the archive that may stand in for a query word.

When a query's words find fewer than `FALLBACK_BELOW` articles (planning.py), each of its
common words (nouns, verbs, adjectives, roots) may bring in Kiwi's nearest morphemes
(its `most_similar_morphemes`), at EXPAND_BOOST of the word's weight: 거품 finds the
article that says 버블. Guarded against drift: names are never expanded (엔비디아 has no
synonym), a neighbour must be close in the centred space (`meaning.MorphemeVectors`) and
must occur in the archive (the spelling corrector's vocabulary).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..analysis.korean import Analyzer, Term

if TYPE_CHECKING:
    from ..analysis.typos import Corrector
    from .meaning import MorphemeVectors

# A neighbour is kept when its (centred) cosine reaches EXPAND_MIN, measured on the judgement
# sets, and the archive uses it; at most EXPAND_PER_WORD a word, each at EXPAND_BOOST of it.
EXPAND_MIN = 0.45
EXPAND_PER_WORD = 2
EXPAND_BOOST = 0.4
EXPAND_TAGS = {"NNG", "VV", "VA", "XR"}


def related_words(terms: list[Term], analyzer: Analyzer, vectors: MorphemeVectors,
                  corrector: Corrector) -> dict[str, dict[str, float]]:
    """Word -> {related word: weight}, for the query's `terms` (see the module docstring)."""
    related: dict[str, dict[str, float]] = {}
    for t in terms:
        if t.compound or t.tag not in EXPAND_TAGS or t.morph < 0 or analyzer.aliases.lookup(t.text):
            continue
        try:
            neighbours = analyzer.kiwi.most_similar_morphemes(t.morph, top_n=20)
        except (ValueError, RuntimeError):
            continue
        found: dict[str, float] = {}
        for n in neighbours:
            tag = str(n.tag).split("-", 1)[0]
            if tag not in EXPAND_TAGS or len(n.form) < 2 or n.form == t.text:
                continue
            score = vectors.similarity(t.morph, n.id)
            if score >= EXPAND_MIN and corrector.known(n.form) and n.form not in found:
                found[n.form] = EXPAND_BOOST
            if len(found) >= EXPAND_PER_WORD:
                break
        if found:
            related[t.text] = found
    return related
