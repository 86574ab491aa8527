"""Korean analysis: normalisation, Kiwi morphemes, names and aliases.

The same `Analyzer.analyze` turns article text into index terms at ingest and a
query into search terms, so the two always agree. Every term keeps the
character offsets of the *original* text it came from, so snippets highlight
the words as they were printed.

Choices, measured on the seed page (see README, "Korean analysis"):
- Kiwi's `cong` model: same results as `cong-global` on our name and particle
  cases once names are user words, at about twice the speed.
- Names from the alias dictionary are Kiwi user words (so `엔비디아의` splits into
  엔비디아 + 의 and `오픈AI` stays whole) and every alias maps to one canonical
  term (Nvidia, NVIDIA -> 엔비디아; 美 -> 미국).
- Adjacent nouns also yield their joined form at the same position, so spacing
  variants meet: `파라 마운트` in a query finds `파라마운트` and the reverse.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import unicodedata
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from ..errors import BadRequest
from .numbers import figures, plain

MODEL_TYPE = "cong"
# Bump when the analysis changes in a way that changes index terms: the index
# notices the new fingerprint and rebuilds itself from the store.
ANALYSIS_VERSION = "6"  # 6: numbers as their value (numbers.py); 5: transcript cues are not analysed
# Transcript cues of broadcast pages ([앵커], [기자], 【 앵커멘트 】, <인터뷰>): information for a reader,
# who sees them as labels, but no word of the story. The analysis (index, names, vectors) and
# snippets skip them; the stored text keeps them.
TRANSCRIPT_CUE = re.compile(r"[\[【<〈]\s*(?:앵커(?:\s*멘트|\s*리포트)?|기자|리포트|인터뷰|녹취|현장음|씽크|"
                            r"브릿지|스탠드업|클로징)\s*[\]】>〉]")

DEFAULT_ALIASES = Path(__file__).parent.parent / "data" / "aliases.txt"
# Sections of the alias file: what kind of thing each name is.
ENTITY_TYPES = ("place", "org", "person", "product", "concept", "name")

NOUN_TAGS = {"NNG", "NNP", "NR", "SL", "SN", "SH", "XR"}
CONTENT_TAGS = NOUN_TAGS | {"VV", "VA"}
COMPOUND_TAGS = {"NNG", "NNP", "SL", "SH", "XR"}
# Light verbs and auxiliaries that carry no topic on their own.
STOP_STEMS = {"하", "되", "있", "없", "않", "같", "이"}

# One-character replacements that keep every offset in place.
_CHAR_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u22ef": "…", "\u318d": "·", "\u30fb": "·", "\u2027": "·", "\u3000": " ", "\u00a0": " ",
}
_KEY_JUNK = re.compile(r"[\s.]+")


class Term(NamedTuple):
    """An index term and where it stands in the original text.

    A NamedTuple, not a dataclass: ingest makes millions of them.
    """

    text: str
    start: int
    end: int
    position: int
    compound: bool = False
    tag: str = ""  # Kiwi's tag (NNP, NNG, SL, ...); "" for joined forms but a figure's digits and units
    morph: int = -1  # Kiwi's morpheme id (its embedding, for search by meaning); -1 if none


_TRANSLATE: dict[int, int | str] = {**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)},
                                    **{ord(k): v for k, v in _CHAR_MAP.items()}}


def normalize(text: str) -> tuple[str, Sequence[int]]:
    """NFC, full-width to half-width, one kind of quote and ellipsis.

    Returns the analysis text and, for each of its characters, the offset of the
    original character it came from (plus one entry for the end), so that offsets
    found in the analysis text can be mapped back to the text as printed.
    """
    if unicodedata.is_normalized("NFC", text):
        # Every replacement is one character for one: offsets do not move.
        return text.translate(_TRANSLATE), range(len(text) + 1)
    out: list[str] = []
    origin: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        # A base character with the combining marks or conjoining jamo after it
        # is one unit for NFC.
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or "\u1160" <= text[j] <= "\u11ff"):
            j += 1
        unit = text[i:j]
        if j - i > 1:
            unit = unicodedata.normalize("NFC", unit)
        for ch in unit.translate(_TRANSLATE):
            out.append(ch)
            origin.append(i)
        i = j
    origin.append(n)
    return "".join(out), origin


# Texts longer than this are analysed in pieces cut at sentence ends (see `analyze_many`).
PIECE_CHARS = 4000
_SENTENCE_END = re.compile(r"[.!?。]['\"’”)]*\s+|\n+")


def pieces(text: str) -> list[tuple[int, str]]:
    """(offset, piece) of a text cut at sentence ends (else spaces) into pieces of at most PIECE_CHARS."""
    if len(text) <= PIECE_CHARS:
        return [(0, text)]
    out = []
    start = 0
    while start < len(text):
        end = start + PIECE_CHARS
        if end >= len(text):
            end = len(text)
        else:
            ends = [m.end() for m in _SENTENCE_END.finditer(text, start + PIECE_CHARS // 2, end)]
            cut = ends[-1] if ends else text.rfind(" ", start + 1, end) + 1
            end = cut if cut > start else end
        out.append((start, text[start:end]))
        start = end
    return out


def _joins(gap: str) -> bool:
    """Two tokens read as one word when nothing or a single space separates them."""
    return not gap or gap == " "


_LATIN_WORD = re.compile(r"\b[A-Za-z][A-Za-z0-9&]{3,}\b")


def alias_key(form: str) -> str:
    """How a name is looked up: case, spaces and periods do not matter."""
    return _KEY_JUNK.sub("", unicodedata.normalize("NFKC", form)).lower()




@dataclass
class Aliases:
    """The alias dictionary: canonical names and the other ways they are written.

    File format, one name per line: `canonical: alias, alias, ...`. An alias may
    be restricted to one Kiwi tag with `form/TAG` (`미/NNP`: 미 as an abbreviation
    of 미국, not 미 in other words). `#` starts a comment.
    """

    canonical: dict[str, str]  # alias key (or "key/TAG") -> canonical display form
    words: list[str]  # Hangul names to pin as Kiwi user words
    source_text: str
    types: dict[str, str] = field(default_factory=dict)  # canonical display form -> entity type
    latin: list[str] = field(default_factory=list)  # English words of the names, as written (spelling correction)

    @classmethod
    def load(cls, path: Path | None = None) -> Aliases:
        path = path or Path(os.environ.get("SINMUN_ALIASES") or DEFAULT_ALIASES)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise BadRequest(f"cannot read alias dictionary {path}: {exc.strerror}") from None
        canonical: dict[str, str] = {}
        words: list[str] = []
        types: dict[str, str] = {}
        latin: dict[str, None] = {}
        kind = "name"
        for line_no, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("[") and line.endswith("]"):
                kind = line[1:-1].strip()
                if kind not in ENTITY_TYPES:
                    raise BadRequest(f"{path}:{line_no}: unknown section [{kind}] (use {', '.join(ENTITY_TYPES)})")
                continue
            name, sep, rest = line.partition(":")
            name = name.strip()
            if not sep or not name:
                raise BadRequest(f"{path}:{line_no}: expected 'canonical: alias, alias'")
            forms = [name] + [f.strip() for f in rest.split(",") if f.strip()]
            types[name] = kind
            for form in forms:
                word, slash, tag = form.rpartition("/")
                if slash and tag.isupper() and word:
                    canonical[f"{alias_key(word)}/{tag}"] = name
                    continue
                canonical[alias_key(form)] = name
                latin.update(dict.fromkeys(_LATIN_WORD.findall(form)))
                # Single syllables stay out of Kiwi: pinning 금 would break 금리.
                # Spaced names stay out too: their parts must remain searchable.
                if len(form) >= 2 and " " not in form and re.search(r"[가-힣]", form):
                    words.append(form)
        return cls(canonical=canonical, words=words, source_text=text, types=types, latin=list(latin))

    def lookup(self, form: str, tag: str | None = None) -> str | None:
        key = alias_key(form)
        if tag:
            hit = self.canonical.get(f"{key}/{tag}")
            if hit:
                return hit
        return self.canonical.get(key)


_WORD = re.compile(r"\w+")


def char_bigrams(text: str) -> list[str]:
    """Overlapping character bigrams inside each word of the normalised, lower-cased text
    (a one-character word is itself): a second lexical view that needs no segmentation, so
    it still matches where Kiwi splits a name or a new word its own way."""
    out: list[str] = []
    for word in _WORD.findall(normalize(text)[0].lower()):
        out.extend([word] if len(word) == 1 else [word[i:i + 2] for i in range(len(word) - 1)])
    return out


def without_cues(text: str) -> str:
    """The text with its transcript cues blanked at the same length: offsets still point into it."""
    return TRANSCRIPT_CUE.sub(lambda m: " " * len(m.group()), text)


def fingerprint(aliases: Aliases) -> str:
    """Changes whenever the terms the analysis produces could change (no model load)."""
    from importlib.metadata import version

    key = f"{ANALYSIS_VERSION}|{version('kiwipiepy')}|{MODEL_TYPE}|{aliases.source_text}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


_SHARED: dict[str, Analyzer] = {}
_SHARED_LOCK = threading.Lock()


class Analyzer:
    """Kiwi with sinmun's names, turning text into index terms."""

    def __init__(self, aliases: Aliases | None = None, num_workers: int | None = None) -> None:
        from kiwipiepy import Kiwi  # imported here: loading the model takes ~1.5 s

        self.aliases = aliases or Aliases.load()
        self.num_workers = num_workers or os.cpu_count() or 1
        self.kiwi = Kiwi(model_type=MODEL_TYPE, num_workers=self.num_workers)
        self._cache: dict[tuple[str, str | None], str] = {}
        for word in self.aliases.words:
            self.kiwi.add_user_word(word, "NNP", 0)

    @classmethod
    def shared(cls) -> Analyzer:
        """One analyser per process and alias dictionary (the model is loaded once)."""
        aliases = Aliases.load()
        key = aliases.source_text
        with _SHARED_LOCK:  # two threads asking at once must not load Kiwi twice
            if key not in _SHARED:
                _SHARED[key] = cls(aliases)
        return _SHARED[key]

    @cached_property
    def fingerprint(self) -> str:
        return fingerprint(self.aliases)

    def analyze(self, text: str) -> list[Term]:
        return next(self.analyze_many([text]))

    def tags(self, text: str) -> list[str]:
        """Kiwi's tag of each morpheme of a short text (endings included: terms leave them out)."""
        return [token.tag for token in self.kiwi.tokenize(normalize(text)[0])]

    def analyze_many(self, texts: Iterable[str]) -> Iterator[list[Term]]:
        """Terms for each text, analysed on all workers, in input order.

        A text longer than PIECE_CHARS goes to Kiwi in pieces cut at sentence ends:
        Kiwi is slower than linear on one long string (a 1 MB body took minutes;
        in pieces, seconds, on every worker). The pieces' terms are put back
        together with their offsets and positions as if the text had been whole;
        only a joined form across a cut (two nouns on either side of a sentence
        end) is lost.
        """
        pending: deque[tuple[str, Sequence[int], int, int]] = deque()  # (piece, origin, offset, pieces left)

        def normalized() -> Iterator[str]:
            for text in texts:
                parts = pieces(text)
                for i, (offset, piece) in enumerate(parts):
                    norm, origin = normalize(without_cues(piece))
                    pending.append((piece, origin, offset, len(parts) - 1 - i))
                    yield norm

        whole: list[Term] = []
        for tokens in self.kiwi.tokenize(normalized()):
            piece, origin, offset, left = pending.popleft()
            terms = self._terms(tokens, piece, origin)
            if offset or whole:
                base = (whole[-1].position + 1) if whole else 0
                terms = [t._replace(start=t.start + offset, end=t.end + offset, position=t.position + base)
                         for t in terms]
            whole.extend(terms)
            if not left:
                yield whole
                whole = []

    def _terms(self, tokens: list, original: str, origin: Sequence[int]) -> list[Term]:
        # 1. Content tokens with original offsets; letters and digits written
        #    together (H200, 4o) become one token.
        kept: list[tuple[str, str, int, int, int]] = []  # (form, tag, start, end, morpheme id)
        for tok in tokens:
            tag = tok.tag.split("-", 1)[0]
            if tag not in CONTENT_TAGS:
                continue
            start, end = origin[tok.start], origin[tok.end]
            if tag in ("VV", "VA") and tok.form in STOP_STEMS:
                continue
            if kept and tag in ("SL", "SN") and kept[-1][1] in ("SL", "SN") and kept[-1][3] == start:
                prev = kept.pop()
                kept.append((original[prev[2]:end], "SL", prev[2], end, -1))
                continue
            if tag == "SH" and len(tok.form) > 1 and end - start == len(tok.form) and all(
                    self.aliases.lookup(ch) for ch in tok.form):
                # 美中, 韓美: headline abbreviations written together, one country each.
                kept.extend((ch, tag, start + k, start + k + 1, -1) for k, ch in enumerate(tok.form))
                continue
            if " " in tok.form:
                # A spaced name (젠슨 황) is indexed by its parts too; the joined
                # form comes back below as a compound.
                offset = start
                for part in original[start:end].split():
                    offset = original.index(part, offset)
                    kept.append((part, tag, offset, offset + len(part), -1))
                    offset += len(part)
                continue
            # A number with thousands separators is its value (3,000 -> 3000: numbers.py).
            kept.append((plain(tok.form) if tag == "SN" else tok.form, tag, start, end, tok.id))

        # 2. Canonical terms, plus joined forms of neighbours written together or
        #    one space apart: any run of 2-3 that is a known name, and any noun pair.
        #    (The hot loop of ingest: written for speed.)
        n = len(kept)
        joins = [_joins(original[kept[i][3]:kept[i + 1][2]]) for i in range(n - 1)]
        canonical = [self._canonical(form, tag) for form, tag, _, _, _ in kept]
        known = self._known_name
        terms: list[Term] = []
        append = terms.append
        # Digits with unit numerals (3천, 2만5천, 1억 2천만) are one word, the figure's value
        # (numbers.py): the digits and units are kept as joined forms, as the words of a name are.
        runs = figures(kept, joins) if any(k[1] == "NR" for k in kept) else {}
        within = -1  # the last token of the figure being read
        for i in range(n):
            form, tag, start, end, morph = kept[i]
            if i in runs:
                within, figure = runs[i]
                append(Term(figure, start, kept[within][3], i, False, "SN", -1))
            if i <= within:  # a digit or unit of the figure: a joined form with its own tag
                append(Term(canonical[i], start, end, i, True, tag))
                continue
            append(Term(canonical[i], start, end, i, False, tag, morph))
            if i + 1 == n or not joins[i]:
                continue
            nform, ntag, _, nend, _ = kept[i + 1]
            text = known(form + nform)
            if not text and tag in COMPOUND_TAGS and ntag in COMPOUND_TAGS:
                text = canonical[i] + canonical[i + 1]
            if text:
                append(Term(text, start, nend, i, True))
            if i + 2 < n and joins[i + 1]:
                text = known(form + nform + kept[i + 2][0])
                if text:
                    append(Term(text, start, kept[i + 2][3], i, True))
        return terms

    def readings(self, word: str, n: int = 4) -> list[list[Term]]:
        """Kiwi's `n` best readings of one written word on its own, as terms (offsets into
        `word`). Alone, a word may be read as a whole name that a sentence split (김영록이다:
        김영록, where the question read 김 + 영 + 록), or split where the sentence kept one
        unknown name (한국형발사체): the search by meaning picks the reading the archive has."""
        norm, origin = normalize(word)
        return [self._terms(tokens, word, origin) for tokens, _ in self.kiwi.analyze(norm, top_n=n)]

    def known_common_noun(self, form: str) -> bool:
        """Does Kiwi read `form`, alone, as one common noun of its dictionary? Kiwi tags words
        in quotes or before a name as proper nouns (\'맛\', 연구소); a word it does not know
        (딥시크) comes out as its placeholder noun, with no form of its own. Cached."""
        key = (form, "NNG?")
        found = self._cache.get(key)
        if found is None:
            tokens = self.kiwi.tokenize(form)
            found = "1" if (len(tokens) == 1 and tokens[0].tag == "NNG"
                            and self.kiwi.morpheme(tokens[0].id).form) else ""
            if len(self._cache) < 500_000:
                self._cache[key] = found
        return bool(found)

    def _known_name(self, joined: str) -> str:
        """The canonical term if `joined` is in the alias dictionary, else ''."""
        key = (joined, "+")
        term = self._cache.get(key)
        if term is None:
            hit = self.aliases.lookup(joined)
            term = alias_key(hit) if hit else ""
            if len(self._cache) < 500_000:
                self._cache[key] = term
        return term

    def _canonical(self, form: str, tag: str | None) -> str:
        # Cached: a corpus repeats the same few thousand forms millions of times.
        key = (form, tag)
        term = self._cache.get(key)
        if term is None:
            hit = self.aliases.lookup(form, tag)
            # A number keeps its decimal point (alias keys drop periods: 1.5% is not 15%).
            term = alias_key(hit) if hit else form if tag == "SN" else alias_key(form).strip("'\"")
            if len(self._cache) < 500_000:
                self._cache[key] = term
        return term

    def expansions(self, text: str, terms: list[Term]) -> list[tuple[str, str]]:
        """(as written, canonical) for each name in `text` that the aliases rewrite,
        given the text's terms (already analysed by the caller)."""
        seen: list[tuple[str, str]] = []
        for term in terms:
            written = text[term.start:term.end]
            hit = self.aliases.lookup(written)
            if hit and alias_key(hit) != alias_key(written) and (written, hit) not in seen:
                seen.append((written, hit))
        return seen
