"""What the rest of sinmun may ask of a store: the typed protocol every backend implements.

A store is one database (a SQLite file, or a PostgreSQL database that several
servers share) holding the articles verbatim (the record) and the tables
derived from them. It is split into parts, one per group of tables, and each table
has exactly one owner here:

    articles     articles, revisions, sources        the record (ingest writes, all read)
    changes      changes, consumers                  the change log and how far each consumer read
    entities     article_entities, entity_df,        written by the story connector
                 entity_variants, meta `entity_articles`
    stories      stories, story_articles, story_entities
    vectors      article_vectors, morph_df,          written by the embedder (search by meaning)
                 meta `vector_articles`
    vocabulary   term_df                             written by the vocabulary step (typos)
    signatures   minhashes, minhash_bands            written by near-duplicate detection at ingest
    files        files                               the watch log: which files were read
    tokens       tokens                              access tokens for the API (digests only)
    audit        audit                               who changed what through the API or the CLI, and when

Every write that changes an article appends to the change log in the same
transaction; everything derived (the search index, entities and stories, vectors,
vocabulary) follows the log (`sinmun.derive`). One store object is one connection:
use it from one thread; `sinmun.service.Archive` gives each thread its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from ..articles import Article

PUT = "put"  # the article is new or has new text: (re)derive it
DELETE = "delete"  # the article left the archive: forget it


@dataclass(frozen=True)
class Change:
    """One entry of the change log: `seq` grows in commit order."""

    seq: int
    article_id: str
    kind: str  # PUT or DELETE


@dataclass
class AddResult:
    """What storing one batch did to each article (see `sinmun.ingest.accept`)."""

    new: list[str] = field(default_factory=list)
    unchanged: int = 0
    merged: int = 0  # the same text as a stored article: recorded as one more source
    revised: int = 0  # new text at a stored URL: the old text became a revision
    near_duplicates: int = 0  # stored, linked to their original, hidden from search


class Articles(Protocol):
    """The record: articles with every field and their raw source, earlier revisions, sources."""

    def insert(self, article: Article, *, text_hash: str | None, duplicate_of: str | None,
               similarity: float | None, ingested_at: str) -> None:
        """Store a new article and log it."""
    def revise(self, article_id: str, article: Article, *, text_hash: str | None, replaced_at: str) -> int:
        """Keep the stored text as the next revision (its number is returned), give the article
        the new text, log it."""
    def retract(self, article_id: str, at: str) -> bool:
        """Take an article out of search and lists (it stays, with when), log it; False if it already was."""
    def add_source(self, article_id: str, source: str, url: str | None, ingested_at: str) -> None: ...
    def id_with_content(self, content_id: str) -> str | None:
        """The article that has (or once had) this content id."""
    def id_with_text(self, text_hash: str) -> str | None: ...
    def id_at_url(self, url: str) -> str | None:
        """The first article stored from this URL."""
    def has_url_prefix(self, prefix: str) -> bool:
        """Is any article's URL one starting so?"""
    def duplicate_of(self, article_id: str) -> str | None: ...
    def get(self, article_id: str) -> Article | None:
        """By id, or by a unique prefix of 6+ hex digits."""
    def get_many(self, ids: list[str], raw: bool = True) -> dict[str, Article]: ...
    def with_seq(self, ids: list[str], raw: bool = True) -> dict[str, tuple[int, Article]]:
        """Articles with their row number (the derived views key articles by it)."""
    def ids_of_seqs(self, seqs: list[int]) -> dict[int, str]: ...
    def page(self, section: str | None, series: str | None, limit: int, offset: int,
             order: Literal["published", "arrived"] = "published") -> tuple[int, list[Article]]:
        """Newest first (a series in episode order), or the latest to arrive first; with the total count."""
    def iter_all(self) -> Iterator[Article]: ...
    def select(self, *, section: str | None = None, series: str | None = None, since: str | None = None,
               until: str | None = None, entity: str | None = None, duplicates: bool = False,
               order: Literal["published", "arrived"] = "published") -> list[str]:
        """Ids of every live article matching the filters (`since`/`until` ISO prefixes such as
        2025 or 2025-06), newest first, or in the order they arrived, latest first."""
    def live_ids(self) -> set[str]:
        """Every article not retracted: what search and the index hold."""
    def content_id(self, article_id: str) -> str | None:
        """The id the article's current text would have (it differs from its id after a revision)."""
    def content_ids(self) -> dict[str, str]:
        """Article id -> the id its current text would have (they differ after a revision)."""
    def count(self) -> int: ...
    def facet(self, column: str) -> list[tuple[str, int]]:
        """Distinct sections or series with their article counts."""
    def facet_counts(self, ids: list[str], limit: int) -> dict[str, list[tuple[str, int]]]:
        """Counts by section, series and year over the given articles."""
    def published(self, ids: list[str]) -> list[str]:
        """The publication dates of the given articles that have one."""
    def latest_day(self) -> str | None: ...
    def count_between(self, since: str, until: str) -> int:
        """Articles published on days since..until (inclusive)."""
    def revisions(self, article_id: str) -> list[dict]: ...
    def sources(self, article_id: str) -> list[dict]: ...
    def stats(self) -> dict: ...


class Changes(Protocol):
    """The append-only change log, and the position of each consumer in it."""

    def head(self) -> int:
        """The seq of the last change (0 when none)."""
    def since(self, seq: int, limit: int) -> list[Change]: ...
    def count_since(self, seq: int) -> int: ...
    def position(self, consumer: str, analysis: str = "") -> int:
        """How far `consumer` has read; 0 when it never read, or read with another analysis."""
    def advance(self, consumer: str, seq: int, analysis: str = "") -> None: ...
    def positions(self) -> dict[str, int]: ...


class Entities(Protocol):
    def replace(self, article_id: str, entities: Iterable[tuple[str, str, int]]) -> bool:
        """Set an article's (name, type, count) rows; True when it had none before."""
    def count_articles(self) -> int:
        """Articles with at least one entity row."""
    def doc_freqs(self, names: list[str]) -> dict[str, int]: ...
    def add_doc_freqs(self, names: Iterable[tuple[str, str]]) -> None:
        """One more article for each (name, type)."""
    def add_variants(self, pairs: Iterable[tuple[str, str]]) -> None:
        """One more article for each (name, variant): another form the article used for the name."""
    def variants(self, name: str) -> list[tuple[str, int]]:
        """(variant, articles) of a name, most used first."""
    def owners(self, variants: list[str]) -> dict[str, list[str]]:
        """variant -> the names it has stood for."""
    def of_article(self, article_id: str) -> list[dict]: ...
    def articles_naming(self, name: str) -> list[str]: ...
    def get(self, name: str) -> dict | None: ...
    def newest_naming(self, name: str, limit: int) -> list[Article]: ...
    def top(self, limit: int, type: str | None) -> list[dict]: ...
    def related(self, article_id: str, limit: int) -> list[str]:
        """Articles naming the same rare entities (same story first), not near-duplicates."""
    def counts_between(self, since: str, until: str) -> dict[tuple[str, str], int]:
        """(name, type) -> articles published since..until naming it."""
    def names_in(self, ids: list[str], skip_types: tuple[str, ...]) -> list[tuple[str, str, str]]:
        """(article id, name, type) for the given articles."""
    def facet(self, ids: list[str], limit: int) -> list[tuple[str, str, int]]:
        """(name, type, articles) over the given articles; a guessed name must recur."""
    def clear(self) -> None: ...


class Stories(Protocol):
    def story_of(self, article_id: str) -> str | None: ...
    def stories_of(self, article_ids: list[str]) -> dict[str, str]:
        """Article id -> its story, for those in one."""
    def create(self, story_id: str, title: str) -> None: ...
    def assign(self, article_id: str, story_id: str, score: float, seq: int, day: str | None) -> None: ...
    def add_weights(self, story_id: str, weights: dict[str, float]) -> None: ...
    def candidates(self, names: list[str], min_seq: int, limit: int) -> list[tuple[str, str | None, str | None]]:
        """(story id, first day, last day) of recent stories sharing one of `names`."""
    def centroids(self, story_ids: list[str]) -> dict[str, dict[str, float]]: ...
    def summary(self, story_id: str) -> dict | None:
        """The story row alone (id, title, size, first and last day)."""
    def get(self, story_id: str) -> tuple[dict, list[Article], list[str]] | None:
        """The story row, its articles in time order and its top entities."""
    def page(self, limit: int, offset: int, min_size: int, since: str | None) -> tuple[int, list[dict]]: ...
    def clear(self) -> None: ...


class Vectors(Protocol):
    def bag(self, article_id: str) -> bytes | None: ...
    def put(self, rows: list[tuple[int, str, bool, bytes]]) -> None:
        """(seq, article id, is a near-duplicate, bag) for new or changed articles."""
    def set_vectors(self, rows: list[tuple[bytes, int]]) -> None:
        """(vector, seq) pairs."""
    def add_doc_freqs(self, changes: dict[int, int]) -> None: ...
    def replace_doc_freqs(self, df: dict[int, int]) -> None: ...
    def doc_freqs(self, keys: list[int] | None = None) -> dict[int, int]: ...
    def count(self) -> int:
        """Articles with a vector (a counter kept as they are written: no scan)."""
    def count_rows(self) -> int:
        """The same, counted in the table."""
    def bags_after(self, seq: int, limit: int, vectors: bool = False) -> list[tuple[int, bytes, bytes | None]]:
        """(seq, bag, vector) of up to `limit` articles after `seq`, in seq order: a page of a scan.
        The vector is None unless `vectors` is asked for (1.3 KB a row that counting needs not)."""
    def vector_of(self, article_id: str) -> tuple[int, bytes] | None: ...
    def for_articles(self, ids: list[str]) -> list[tuple[int, str, bool, bytes]]:
        """(seq, article id, is a near-duplicate, vector) of the given articles."""
    def all_vectors(self) -> Iterator[tuple[int, bool, bytes]]: ...
    def remove(self, article_id: str) -> int | None:
        """Forget an article's vector; its seq, if it had one."""
    def training(self) -> tuple[int, int]:
        """(articles at the last training, generation)."""
    def set_training(self, articles: int, generation: int) -> None: ...
    def clear(self) -> None: ...


class Vocabulary(Protocol):
    def add(self, counts: dict[str, int]) -> None: ...
    def all(self) -> dict[str, int]: ...
    def clear(self) -> None: ...


class Signatures(Protocol):
    def get(self, article_id: str) -> bytes | None: ...
    def put(self, article_id: str, signature: bytes, bands: list[int], old_bands: list[int]) -> None:
        """Keep an article's signature and its LSH band keys, dropping the keys its old signature had."""
    def candidates(self, bands: list[int]) -> list[tuple[str, bytes]]:
        """(article id, signature) of every article sharing one of these band keys."""


class Tokens(Protocol):
    """Access tokens, by name: only a keyed digest of each is kept."""

    def add(self, name: str, digest: str, scope: str, created_at: str) -> None: ...
    def by_digest(self, digest: str) -> dict | None:
        """The live (not revoked) token with this digest: name, scope, created_at."""
    def all(self) -> list[dict]: ...
    def revoke(self, name: str, at: str) -> bool: ...


class Audit(Protocol):
    """Who changed what, when: appended, never rewritten."""

    def record(self, at: str, actor: str, action: str, article_id: str | None = None, rev: int | None = None,
               detail: str | None = None) -> int: ...
    def entries(self, limit: int, offset: int, article_id: str | None = None) -> tuple[int, list[dict]]: ...


class Files(Protocol):
    def changed(self, path: Path) -> bool:
        """True when the file was never read, or has changed size or time since."""
    def mark(self, path: Path, size: int, mtime: float) -> None:
        """Record the file as read at this size and time (as it was *before* it was read)."""


class Store(Protocol):
    """One store: its parts, its identity and its transactions (read-only members: any
    implementation whose parts satisfy the part protocols is a Store)."""

    @property
    def location(self) -> str:
        """Where the store is, fit to print (a file's path; a PostgreSQL address without its password)."""
    @property
    def articles(self) -> Articles: ...
    @property
    def changes(self) -> Changes: ...
    @property
    def entities(self) -> Entities: ...
    @property
    def stories(self) -> Stories: ...
    @property
    def vectors(self) -> Vectors: ...
    @property
    def vocabulary(self) -> Vocabulary: ...
    @property
    def signatures(self) -> Signatures: ...
    @property
    def files(self) -> Files: ...
    @property
    def tokens(self) -> Tokens: ...
    @property
    def audit(self) -> Audit: ...
    @property
    def store_id(self) -> str: ...
    @property
    def schema_version(self) -> int: ...
    @property
    def latest_schema(self) -> int:
        """The schema this sinmun writes (a store is migrated to it when opened)."""
    @property
    def engine(self) -> str:
        """The database engine and its version, e.g. "SQLite 3.40.1"."""
    def transaction(self) -> AbstractContextManager[None]:
        """One write transaction: all of it is committed, or none. Nested: joins the outer one."""
    def backup(self, dest: Path) -> None:
        """A consistent copy of the whole store at `dest`, made while others keep working."""
    def integrity(self) -> list[str]:
        """What the database engine finds wrong with the store; empty when sound."""
    def size(self) -> int:
        """Bytes on disk (the SQLite file; the PostgreSQL database with its indexes)."""
    def close(self) -> None: ...
