"""Typos: "did you mean" from the archive's own vocabulary, by jamo edit distance.

Korean typos are mostly one jamo off (엔비디야 for 엔비디아: ㅑ for ㅏ; 넷플렉스
for 넷플릭스: ㅔ for ㅣ), which is a whole syllable to a character-level edit
distance. So words are compared as jamo strings (each syllable split into its
initial, medial and final), with rapidfuzz's Levenshtein distance, against the
terms the archive actually contains (table `term_df`, kept by the index sync).
Two neighbouring syllables swapped (엔디비아) count as one slip too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .korean import Term

if TYPE_CHECKING:
    from ..derive import Item
    from ..store import Store

# Jamo edits allowed: 1 for words of up to 4 syllables, 2 beyond.
LONG_WORD = 5
# Latin words: none corrected below 4 letters (too many near neighbours: AMD, AWS),
# 1 letter off up to 7 letters, 2 from 8.
LATIN_MIN = 4
LATIN_LONG = 8
_HANGUL = re.compile(r"[가-힣]")
_LATIN = re.compile(r"[a-z][a-z0-9&]*")
# Particles that may follow a mistyped name; longest first.
PARTICLES = sorted(
    "의 은 는 이 가 을 를 에 에서 에게 와 과 로 으로 도 만 보다 부터 까지 처럼 이라는 라는 이란 란".split(),
    key=len, reverse=True,
)


def jamo(text: str) -> str:
    """Hangul syllables split into jamo (as private code points); other characters kept."""
    out = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out.append(chr(0x1100 + code // 588))
            out.append(chr(0x1161 + (code % 588) // 28))
            if code % 28:
                out.append(chr(0x11A7 + code % 28))
        else:
            out.append(ch)
    return "".join(out)


def vocabulary_terms(parts: dict[str, list[Term]]) -> set[str]:
    """The terms an article adds to the vocabulary: words of two syllables or more."""
    return {t.text for terms in parts.values() for t in terms
            if len(t.text) >= 2 and (_HANGUL.search(t.text) or len(t.text) >= 4)}


class Vocabulary:
    """Follows the change log: document frequency of every term (`vocabulary` consumer)."""

    name = "vocabulary"
    version = ""

    def reset(self, store: Store) -> None:
        store.vocabulary.clear()

    def prepare(self, items: list[Item]) -> None:
        """Nothing to do before the follower's transaction."""

    def settle(self, store: Store) -> None:
        """Nothing to do after the follower's transaction."""

    def write(self, store: Store, items: list[Item]) -> None:
        # Approximate on purpose: a revised article counts again until the next
        # rebuild. The vocabulary only proposes spellings; search checks them.
        counts: Counter[str] = Counter()
        for item in items:
            counts.update(vocabulary_terms(item.parts))
        if counts:
            store.vocabulary.add(dict(counts))


def split_particle(word: str) -> tuple[str, str]:
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)], particle
    return word, ""


class Corrector:
    """Closest known spelling of a word, by jamo edit distance.

    Latin words go by letters against the alias dictionary's English spellings
    (`latin`): the archive indexes Nvidia as 엔비디아, so its own vocabulary has
    no English names to offer for `Nvdia`.
    """

    def __init__(self, df: dict[str, int], latin: Iterable[str] = ()) -> None:
        self.df = df
        self.terms = list(df)
        self.keys = [jamo(t) for t in self.terms]
        self.latin = {w.lower(): w for w in latin}

    def known(self, term: str) -> bool:
        return self.df.get(term, 0) > 0

    def correct(self, word: str) -> str | None:
        """The most frequent known term within the allowed jamo distance, or None."""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        if len(word) < 2 or self.known(word):
            return None
        if _LATIN.fullmatch(word):
            return self._correct_latin(word)
        limit = 1 if len(word) < LONG_WORD else 2
        matches = process.extract(jamo(word), self.keys, scorer=Levenshtein.distance,
                                  score_cutoff=limit, limit=20)
        if not matches:
            # Two syllables typed in the wrong order (엔디비아): several jamo apart,
            # one slip of the fingers.
            swaps = [word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)]
            known = [w for w in swaps if self.known(w)]
            return max(known, key=lambda w: self.df[w]) if known else None
        best = min(matches, key=lambda m: (m[1], -self.df[self.terms[m[2]]]))
        return self.terms[best[2]]

    def correct_words(self, words: str, terms: list[Term]) -> str | None:
        """A query's `words` with each unknown word replaced by the nearest known spelling
        (its particle kept), or None when every word is known. `terms` is their analysis:
        a word is known when all its morphemes are, or a joined form covering it is."""
        out, changed = [], False
        pos = 0
        for word in words.split(" "):
            start, end = pos, pos + len(word)
            pos = end + 1
            inside = [t for t in terms if start <= t.start and t.end <= end and not t.compound]
            joined = [t for t in terms if start <= t.start and t.end <= end and t.compound]
            if all(self.known(t.text) for t in inside) or any(self.known(t.text) for t in joined):
                out.append(word)
                continue
            core, particle = split_particle(word)
            fixed = self.correct(core.lower())
            if fixed:
                out.append(fixed + particle)
                changed = True
            else:
                out.append(word)
        return " ".join(out) if changed else None

    def _correct_latin(self, word: str) -> str | None:
        """The dictionary's English spelling within 1 letter (2 from 8 letters), as written there."""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        word = word.lower()
        if len(word) < LATIN_MIN or word in self.latin:
            return None
        limit = 1 if len(word) < LATIN_LONG else 2
        match = process.extractOne(word, list(self.latin), scorer=Levenshtein.distance, score_cutoff=limit)
        return self.latin[match[0]] if match else None
