"""Search by meaning: article vectors built from Kiwi's own morpheme embeddings.

No sentence-embedding model can be downloaded here, but Kiwi's `cong` model,
which ships on PyPI, embeds each common morpheme in 256 dimensions. Kiwi only
exposes cosine similarities (`morpheme_similarity`), yet a matrix of cosines
between unit vectors has the rank of the space, so the vectors themselves are
recovered exactly, up to a rotation that cosine cannot see, by the Nyström
method: a morpheme's similarities to `ANCHORS` fixed anchor morphemes, times
the inverse square root of the anchors' own similarity matrix.

Raw Kiwi embeddings share one large common direction (any two morphemes have
cosine 0.4-0.9), so the anchors' mean and top principal direction are removed
("all-but-the-top", Mu & Viswanath 2018). Measured: 거품·버블 0.72 -> 0.47 while
거품·사과 0.36 -> 0.03.

Kiwi's vectors alone blur what a reader asked for: 미국 and 중국, or 인상 and 인하, are
near neighbours. So each word's vector has a second part, a fixed random direction
of its own in IDENTITY_DIM more dimensions (a random projection of the word itself,
as names and numbers have no Kiwi vector): similar words still meet in the first
part, and the same word meets itself in both. nDCG@10 of `--mode semantic`
(`bench/relevance.py`), Kiwi's part alone -> with the identity part and numbers as
words: KLUE entailment 0.941 -> 0.975, KLUE neutral 0.851 -> 0.931, Wikinews
0.866 -> 0.943, held-out 0.894 -> 0.956, seed 0.725 -> 0.765, own (paraphrases)
0.919 -> 0.959. A third part reads the article's sentences (`sentences.py`).
Vectors are kept as int8 (1,280 bytes an article; see `quantize`).

An article's vector is the sum of its content morphemes' vectors, each weighted
by (1 + log count) x IDF over the archive (title words count three times), then
normalised; a query is embedded the same way. Each article's morpheme counts
(its "bag") are stored, so `sinmun train` can refresh the IDF weights and
re-embed everything without analysing again; this also happens on its own
whenever the archive has doubled since the last training.

Vectors are kept in the store (the truth) and in a usearch HNSW index beside the
Tantivy index (`vector_index.py`), which follows the change log like the Tantivy
index does and is rebuilt after a training. Near-duplicates get vectors but stay
out of the index.
"""

from __future__ import annotations

import math
import random
import re
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ..analysis.korean import Analyzer, Term
from ..store import Store
from .sentences import SENTENCE_DIM, encoder, join, lead, sentence_part

if TYPE_CHECKING:

    from ..derive import Item

ANCHORS = 384  # > 256, the dimension of Kiwi's cong embeddings
ANCHOR_SEED = 20261125
ANCHOR_RANGE = (50, 20000)  # common morphemes: well-trained vectors
REMOVE_TOP = 1
# Morphemes that carry meaning. Latin and hanja words (SL, SH) have no Kiwi
# vector of their own; like names Kiwi does not know, they get a direction of
# their own (see `bag`).
MEANING_TAGS = {"NNG", "NNP", "NR", "XR", "VV", "VA", "SL", "SH", "SN"}
NAME_TAGS = {"NNP", "SL", "SH", "SN"}  # keyed by their text: numbers and names match only themselves
# Each word's own direction (see the module docstring): its size and its weight beside Kiwi's
# part, chosen on the judgement sets. 256 and 384 dimensions measured worse; weight 1.5 scored
# 0.005 higher on the real sets but lost paraphrases to articles that repeat the words
# (우주에 물질이 반물질보다 많은 이유 found the galaxy article first): meaning is its purpose.
IDENTITY_DIM = 512
IDENTITY_WEIGHT = 1.0
# An article's vector: Kiwi's part (256), the words' own directions, the sentence part.
ARTICLE_DIM = 256 + IDENTITY_DIM + SENTENCE_DIM
# How vectors are stored and indexed (see `quantize`).
STORED = np.int8
# Components beyond this many standard deviations are clipped when quantized (see `quantize`).
CLIP = 3.0
# What the stored vectors are; a change makes every follower embed the archive again.
VECTORS_VERSION = "4"  # 4: the sentence part (sentences.py)

TITLE_WEIGHT = 3
# Whole word vectors kept in memory (6 KB each): at most ~300 MB.
KEYED_CACHE = 50_000
# Articles embedded in one sparse product (their distinct words must fit KEYED_CACHE: a
# 6,000-character article has under 1,000).
EMBED_CHUNK = 32
# Train again (fresh IDF for every article) when the archive has grown this much.
RETRAIN_GROWTH = 2.0


class MorphemeVectors:
    """Kiwi's morpheme embeddings, recovered from its similarities, centred."""

    def __init__(self, kiwi) -> None:
        self.kiwi = kiwi
        # The compiled method under kiwipiepy's wrapper (see `get`).
        self._similarity = super(type(kiwi), kiwi).morpheme_similarity  # type: ignore[misc]
        sim = kiwi.morpheme_similarity
        rng = random.Random(ANCHOR_SEED)
        anchors: list[int] = []
        while len(anchors) < ANCHORS:
            morph = rng.randrange(*ANCHOR_RANGE)
            if morph not in anchors and not math.isnan(sim(morph, morph)):
                anchors.append(morph)
        self.anchors = anchors
        gram = np.array([[sim(a, b) for b in anchors] for a in anchors])
        values, vecs = np.linalg.eigh(gram)
        keep = values > values.max() * 1e-5
        self.project = (vecs[:, keep] / np.sqrt(values[keep])).T
        raw = (self.project @ gram).T
        self.mean = raw.mean(axis=0)
        _, _, vt = np.linalg.svd(raw - self.mean, full_matrices=False)
        self.top = vt[:REMOVE_TOP]
        self.kiwi_dim = self.project.shape[0]
        self.dim = self.kiwi_dim + IDENTITY_DIM  # an article's vector
        # Kiwi's first morpheme ids are placeholders, one per tag, shared by every
        # word it does not know (뉴트리노 and 카오리나이트 are both id 2): they mean
        # nothing, so such words are keyed by their text, like names.
        self.first_known = next(i for i in range(1000) if kiwi.morpheme(i).form)
        self._cache: dict[int, np.ndarray | None] = {}  # Kiwi's part, by morpheme id
        # Whole word vectors, by bag key: a row each of one matrix, so that `embed` sums a
        # batch of articles' words in one sparse product.
        self.matrix = np.zeros((KEYED_CACHE, self.dim))
        self._rows: dict[int, int] = {}
        self._filled = 0
        # Held from `key_rows` to the product that reads the rows: a server's search threads
        # and its indexer share this object, and one's rows may be another's fresh start.
        self.lock = threading.Lock()

    def get(self, morph: int) -> np.ndarray | None:
        """The unit vector of a Kiwi morpheme id; None for names Kiwi has no vector for."""
        if morph in self._cache:
            return self._cache[morph]
        vec = None
        if morph >= self.first_known:
            # Kiwi's own method, not its Python wrapper (which only unwraps Token
            # arguments): a new morpheme costs len(anchors) calls, and the wrapper
            # doubled what warming the cache costs an ingest.
            sims = np.fromiter(map(self._similarity, [morph] * len(self.anchors), self.anchors),
                               dtype=float, count=len(self.anchors))
            if not np.isnan(sims).any():
                v = self.project @ sims - self.mean
                v -= (self.top @ v) @ self.top
                norm = np.linalg.norm(v)
                vec = v / norm if norm > 1e-9 else None
        self._cache[morph] = vec
        return vec

    def key_rows(self, keys: Sequence[int]) -> list[int]:
        """Each bag key's row in `matrix`, -1 for a morpheme Kiwi has no vector for. A row
        holds the key's unit vector: Kiwi's part and the word's own direction for a morpheme
        id, the own direction alone for a name key (< 0). Rows hold until the next call:
        call it, and read the rows, holding `lock`."""
        rows = self._rows
        if self._filled + len(keys) > len(self.matrix):
            # Names are a long tail: kept forever, a follower on a growing archive held
            # 6 KB for every name it ever saw. Starting over is cheap: a word's vector is
            # remade from `_cache`, a name's in about 35 µs.
            rows.clear()
            self._filled = 0
            if len(keys) > len(self.matrix):  # one enormous text: room for all its words
                self.matrix = np.zeros((len(keys), self.dim))
        out = []
        for key in keys:
            row = rows.get(key)
            if row is None:
                vec = self._key_vector(key)
                row = -1 if vec is None else self._filled
                if vec is not None:
                    self.matrix[row] = vec
                    self._filled += 1
                rows[key] = row
            out.append(row)
        return out

    def _key_vector(self, key: int) -> np.ndarray | None:
        kiwi = self.get(key) if key >= 0 else None
        if key >= 0 and kiwi is None:
            return None
        own = np.random.default_rng([int(key < 0), abs(key)]).standard_normal(IDENTITY_DIM)
        own /= np.linalg.norm(own)
        if kiwi is None:
            return np.concatenate([np.zeros(self.kiwi_dim), own])
        return np.concatenate([kiwi, IDENTITY_WEIGHT * own]) / math.hypot(1.0, IDENTITY_WEIGHT)

    def similarity(self, a: int, b: int) -> float:
        va, vb = self.get(a), self.get(b)
        return float(va @ vb) if va is not None and vb is not None else 0.0


_SHARED: dict[int, MorphemeVectors] = {}


def morpheme_vectors(kiwi) -> MorphemeVectors:
    """One per Kiwi instance (building the anchors loads Kiwi's embeddings: ~1.6 s once)."""
    key = id(kiwi)
    if key not in _SHARED:
        _SHARED[key] = MorphemeVectors(kiwi)
    return _SHARED[key]


def name_key(term: str) -> int:
    """A negative bag key for a word without a Kiwi vector, stable across runs."""
    return -1 - (zlib.crc32(term.encode()) & 0x7FFFFFFF)


def bag(parts: dict[str, list[Term]], vectors: MorphemeVectors) -> Counter[int]:
    """Key -> count over an article's parts (title words weigh more).

    A key is Kiwi's morpheme id when Kiwi has a vector for it, else a key made
    from the term's text: names (엔비디아, H200) then match only themselves, so a
    query naming them still finds them by meaning.
    """
    counts: Counter[int] = Counter()
    for name, terms in parts.items():
        weight = TITLE_WEIGHT if name == "title" else 1
        for t in terms:
            if t.compound or t.tag not in MEANING_TAGS:
                continue
            # Proper nouns, Latin and hanja go by their canonical text: 美 and 미국,
            # Nvidia and 엔비디아 are one key, whichever tag Kiwi gave them.
            named = t.tag in NAME_TAGS or t.morph < 0 or vectors.get(t.morph) is None
            key = name_key(t.text) if named else t.morph
            counts[key] += weight
    return counts


def encode_bag(counts: Counter[int]) -> bytes:
    return zlib.compress(np.array(sorted(counts.items()), dtype=np.int64).tobytes(), 1)


def decode_bag(blob: bytes) -> dict[int, int]:
    pairs = np.frombuffer(zlib.decompress(blob), dtype=np.int64).reshape(-1, 2)
    return dict(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist()))


def idf(df: int, n: int) -> float:
    return math.log((n + 1) / (df + 0.5))


def quantize(rows: np.ndarray) -> np.ndarray:
    """Rows as int8: each scaled so that CLIP standard deviations (or its largest
    component, if smaller) is 127, larger components clipped; a zero row stays zero.

    Cosine ignores a vector's length, so the scale is not kept. An article's row then
    takes 768 bytes: as float16 (1,536) a row with its morpheme bag outgrew half a
    SQLite page, and each took a whole page (4.1 KB an article at 10,000). Scaled by the
    largest component, the few heavy ones (a title's rare word) left the rest a handful
    of levels: semantic nDCG@10 fell about 0.01 below float16 on KLUE and Wikinews.
    Clipped at 3 standard deviations it is level with float16 or above (clipping damps
    one dominant word), within the ±0.01 that two HNSW graphs over the same vectors
    differ by (4 and 6 measured no better, 10 worse).
    """
    peak = np.minimum(np.abs(rows).max(axis=-1, keepdims=True), CLIP * rows.std(axis=-1, keepdims=True))
    scaled = np.divide(rows, peak, out=np.zeros_like(rows), where=peak > 0)
    return np.round(np.clip(scaled, -1, 1) * 127).astype(STORED)


def embed(bags: Sequence[Mapping[int, int]], vectors: MorphemeVectors, df: Mapping[int, int], n: int) -> np.ndarray:
    """One normalised float32 row per bag (all zeros if no morpheme has a vector): the sum of
    its words' vectors, each weighted (1 + log count) x IDF.

    A chunk of bags at a time, as a sparse weight matrix times the word vectors (scipy, in C):
    adding one 768-d vector per word in Python took 1.2 ms an article. The sum runs over each
    bag's words in the same order with the same products, so the rows are the same.
    """
    from scipy.sparse import csr_matrix

    out = np.zeros((len(bags), vectors.dim), dtype=np.float32)
    for start in range(0, len(bags), EMBED_CHUNK):
        chunk = bags[start:start + EMBED_CHUNK]
        keys = list(dict.fromkeys(key for counts in chunk for key in counts))
        weights: list[float] = []
        columns: list[int] = []
        ends = [0]
        with vectors.lock:
            row_of = dict(zip(keys, vectors.key_rows(keys), strict=True))
            for counts in chunk:
                for key, count in counts.items():
                    row = row_of[key]
                    if row >= 0:
                        columns.append(row)
                        weights.append((1 + math.log(count)) * idf(df.get(key, 0), n))
                ends.append(len(columns))
            summed = csr_matrix((weights, columns, ends), shape=(len(chunk), len(vectors.matrix))) @ vectors.matrix
        norms = np.linalg.norm(summed, axis=1, keepdims=True)
        out[start:start + len(chunk)] = np.divide(summed, norms, out=np.zeros_like(summed), where=norms > 0)
    return out


TRAIN_PAGE = 5_000


def _bag_pages(store: Store, vectors: bool = False) -> Iterator[list[tuple[int, dict[int, int], bytes | None]]]:
    """Every stored bag, decoded (with its vector if asked), a page at a time: a million bags
    held at once took tens of GB as dicts, and a page lets the vectors be written between reads."""
    after = 0
    while page := store.vectors.bags_after(after, TRAIN_PAGE, vectors):
        yield [(seq, decode_bag(blob), vec) for seq, blob, vec in page]
        after = page[-1][0]


def train(store: Store, vectors: MorphemeVectors) -> dict:
    """Recount document frequencies from the stored bags and re-embed every article
    (two passes over the bags, one page in memory at a time).

    A transaction a page, not one for all: re-embedding 146,000 articles took minutes,
    and one transaction held the store's write lock all that time (no ingest, no article
    published through the API). Stopped half-way, it leaves some vectors made with the new
    frequencies and the training not recorded, so the next retraining, due as before,
    makes them all again. The vector files are rebuilt once the new generation is recorded."""
    df: Counter[int] = Counter()
    articles = 0
    for page in _bag_pages(store):
        articles += len(page)
        for _, counts, _ in page:
            df.update(counts.keys())
    with store.transaction():
        store.vectors.replace_doc_freqs(df)
    for page in _bag_pages(store, vectors=True):
        words = embed([bag for _, bag, _ in page], vectors, df, articles)  # the lock only for the writing
        # The sentence part is read from the text, not the bag: it is kept as it was.
        full = vectors.dim + SENTENCE_DIM
        stored = np.vstack([np.frombuffer(vec, dtype=STORED) if vec and len(vec) == full
                            else np.zeros(full, dtype=STORED) for *_, vec in page])
        matrix = join(words, sentence_part(stored, vectors.dim))
        with store.transaction():
            _set_vectors(store, [seq for seq, *_ in page], matrix)
    with store.transaction():
        generation = store.vectors.training()[1] + 1
        store.vectors.set_training(articles, generation)
    return {"articles": articles, "morphemes": len(df), "generation": generation}


def _set_vectors(store: Store, seqs: list[int], matrix: np.ndarray) -> None:
    """Store embedded rows (`embed`'s float32) as they are kept: quantized."""
    packed = quantize(matrix)
    store.vectors.set_vectors([(packed[i].tobytes(), seq) for i, seq in enumerate(seqs)])


class Embedder:
    """Follows the change log: each changed article's morpheme bag and vector (`vectors` consumer)."""

    name = "vectors"
    version = VECTORS_VERSION

    def __init__(self, vectors: Callable[[], MorphemeVectors]) -> None:
        self._make_vectors = vectors  # called on first use: a catch-up with nothing to do loads nothing
        # Each article's bag and sentence row, by its change (never a stale one): made by
        # `prepare`, used by `write`.
        self._prepared: dict[int, tuple[Counter[int], np.ndarray]] = {}

    @cached_property
    def vectors(self) -> MorphemeVectors:
        return self._make_vectors()

    def reset(self, store: Store) -> None:
        store.vectors.clear()
        # A new generation: vector files made from the old vectors are rebuilt, not patched.
        store.vectors.set_training(0, store.vectors.training()[1] + 1)

    def prepare(self, items: list[Item]) -> None:
        """Each article's bag, and its lead read by the sentence encoder, before the follower's
        transaction: the encoder takes 2.9 ms an article (and loads in 2 s), which the store's
        write lock need not wait for. Kiwi's vectors and the encoder load here, the first time."""
        present = [item for item in items if item.article is not None]
        sentences = encoder().encode([lead(item.article.title, item.article.body)  # type: ignore[union-attr]
                                      for item in present])
        self._prepared = {item.change.seq: (bag(item.parts, self.vectors), row)
                          for item, row in zip(present, sentences, strict=True)}

    def write(self, store: Store, items: list[Item]) -> None:
        if any(item.article is not None and item.change.seq not in self._prepared for item in items):
            self.prepare(items)  # not prepared (a caller other than the follower)
        prepared, self._prepared = self._prepared, {}
        # Document frequencies first: the new articles are embedded with them.
        df_change: Counter[int] = Counter()
        rows = []
        for item in items:
            old = store.vectors.bag(item.change.article_id)
            if old:  # a revision (or a removal): its old words no longer count
                df_change.subtract(decode_bag(old).keys())
            if item.article is None:
                store.vectors.remove(item.change.article_id)
                continue
            counts, sentence = prepared[item.change.seq]
            df_change.update(counts.keys())
            rows.append((item.seq, item.article.id, bool(item.article.duplicate_of), counts, sentence))
        store.vectors.add_doc_freqs(dict(df_change))
        store.vectors.put([(seq, article_id, dup, encode_bag(counts)) for seq, article_id, dup, counts, _ in rows])
        if rows:
            n = store.vectors.count()
            bags = [row[3] for row in rows]
            # Only these bags' keys: the whole table is a row per distinct word and name.
            df = store.vectors.doc_freqs(list({key for counts in bags for key in counts}))
            matrix = join(embed(bags, self.vectors, df, n), np.vstack([row[4] for row in rows]))
            _set_vectors(store, [row[0] for row in rows], matrix)

    def settle(self, store: Store) -> None:
        """Train again once the archive has grown RETRAIN_GROWTH times since the last
        training (the first time: as soon as there is an article), outside the follower's
        transaction (see `train`)."""
        if store.vectors.count() >= max(RETRAIN_GROWTH * store.vectors.training()[0], 1):
            train(store, self.vectors)


_WRITTEN = re.compile(r"\S+")
# Only words this short are read again: a name or a compound with its particle. Kiwi's
# readings of one 450-character word took 2.3 s (a query is at most 500 characters).
REREAD_MAX_CHARS = 24


def _in_pieces(terms: list[Term]) -> bool:
    """A written word read as several words, one a single syllable (numbers aside:
    31일, 11장 are a number and its unit; joined forms are not words of their own)."""
    words = [t for t in terms if not t.compound and t.tag not in ("SN", "NR")]
    return len(words) > 1 and any(len(t.text) == 1 and "가" <= t.text <= "힣" for t in words)


def _doubtful(terms: list[Term], counts: Counter[int], df: Mapping[int, int]) -> bool:
    """A reading the archive may not have made: a word in pieces, one a single syllable
    (김 + 영 + 록, 박승 + 민), or a name no article holds (한국형발사체). A common word no
    article holds is not doubtful: it is left out of the query (`query_vector`), as before."""
    return _in_pieces(terms) or (any(t.tag == "NNP" for t in terms)
                                 and any(not df.get(key) for key in counts if key < 0))


def query_bag(text: str, terms: list[Term], analyzer: Analyzer, vectors: MorphemeVectors,
              store: Store) -> tuple[Counter[int], dict[int, int]]:
    """The query's bag (`bag` of `terms`, the analysis of `text`), each written word read
    as the archive reads it, and the document frequencies of its keys (for `query_vector`).

    Kiwi reads a short question with little context, and a name may come out in pieces
    or whole where the articles have it the other way. A written word whose reading is
    doubtful (`_doubtful`) takes the first of Kiwi's readings of the word alone that is
    whole and whose every word the archive holds, if one is. Measured (`semantic`, at
    f42caa7): KLUE entailment 0.974 -> 0.983, KLUE neutral 0.933 -> 0.937, Wikinews
    0.943 -> 0.946; the seed, own and held-out sets the same."""
    words = []
    for match in _WRITTEN.finditer(text):
        mine = [t for t in terms if match.start() <= t.start < match.end()]  # `bag` skips joined forms
        words.append((match.group(), mine, bag({"body": mine}, vectors)))
    held = store.vectors.doc_freqs(list({key for *_, own in words for key in own}))  # one query for them all
    counts: Counter[int] = Counter()
    for word, mine, own in words:
        if own and len(word) <= REREAD_MAX_CHARS and _doubtful(mine, own, held):
            for reading in analyzer.readings(word):
                other = bag({"body": reading}, vectors)
                if other and not _in_pieces(reading):
                    df = store.vectors.doc_freqs(list(other))
                    if all(df.get(key) for key in other):
                        own = other
                        held.update(df)
                        break
        counts.update(own)
    return counts, held


def query_vector(text: str, counts: Counter[int], df: Mapping[int, int], vectors: MorphemeVectors,
                 store: Store) -> np.ndarray | None:
    """The query embedded like an article: its bag and the bag's document frequencies
    (`query_bag`) as the words' part, `text` read whole as the sentence part; None when no
    word has a vector."""
    if not counts:
        return None
    # A name no article contains has only its random direction, which matches
    # nothing but noise (and would weigh most, having the highest IDF).
    counts = Counter({key: c for key, c in counts.items() if key >= 0 or df.get(key)})
    if not counts:
        return None
    words = embed([counts], vectors, df, store.vectors.count())
    if not words.any():
        return None
    return join(words, encoder().encode([text]))[0]
