"""Typed answers of the service: what `--json`, the API (and its OpenAPI schema) and the pages show."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ..articles import Article
from ..search.results import ArticleHead, FacetValue, Hit, SearchResults, WordPair

__all__ = [
    "ArticleDetail", "ArticleList", "ArticleListing", "ArticleRecord", "CheckReport", "DoctorCheck", "DoctorReport",
    "EntityCount",
    "EntityDetail", "EntityMention", "ErrorBody", "Event", "FacetValue", "Health", "Hit", "NameCount", "Network",
    "NetworkEdge", "NetworkNode", "Revision", "RevisionList", "SourceRecord", "Rising", "RisingEntity", "SearchResults",
    "SimilarArticle", "SimilarArticles", "Source", "Stats", "StoryDetail", "StoryList", "StorySummary",
    "SummaryResult", "TermCounts", "TimelineItem", "TrainReport", "Trends", "WordPair",
]


LEDE_CHARS = 140


class ErrorBody(BaseModel):
    """Every error the API answers."""

    status: int
    message: str


class ArticleListing(ArticleHead):
    """An article in a list, with the start of its text."""

    lede: str = Field(description="The start of the body, for a list.")

    @classmethod
    def of(cls, article: Article) -> ArticleListing:
        lede = article.body[:LEDE_CHARS] + ("…" if len(article.body) > LEDE_CHARS else "")
        return cls(id=article.id, title=article.title, series=article.series, episode=article.episode,
                   section=article.section, published=article.published, lede=lede,
                   date_precision=article.date_precision)


class ArticleList(BaseModel):
    total: int
    articles: list[ArticleListing]


class ArticleRecord(BaseModel):
    """Every stored field of an article (the raw source record aside), in the store's order."""

    id: str
    title: str
    series: str | None
    episode: int | None
    section: str | None
    body: str
    key_insights: str | None
    summary: str | None
    explainer: str | None
    published: str | None = Field(description="ISO date or datetime, as the source gave it (or inferred).")
    url: str | None
    source: str | None
    position: int | None = Field(description="1-based place on a list page, or the line of a JSON Lines file.")
    format: str | None
    ingested_at: str | None
    headline: str = Field(description="The title as printed, with its series tag.")
    byline: str | None
    modified: str | None
    encoding: str | None
    partial: bool = Field(description="The source gave only a summary (a feed entry).")
    duplicate_of: str | None = Field(description="The original, when this is a near-duplicate.")
    date_precision: str | None = Field(
        description="source, page, day, month or page-order: how `published` is known.")
    retracted_at: str | None = Field(None, description="When the newsroom retracted it (out of search and lists).")


class Source(BaseModel):
    source: str
    url: str | None
    ingested_at: str


class Event(BaseModel):
    """A date the text names, resolved against the article's own date."""

    text: str
    start: int
    end: int
    date: str
    precision: str
    part: str


class EntityMention(BaseModel):
    name: str
    type: str
    count: int


class ArticleDetail(ArticleRecord):
    """One article with its sources, the dates it names, its story, entities and related articles."""

    sources: list[Source]
    events: list[Event]
    story: str | None
    entities: list[EntityMention]
    related: list[ArticleListing]


class Revision(ArticleRecord):
    rev: int
    replaced_at: str


class RevisionList(BaseModel):
    id: str
    revisions: list[Revision]


class SourceRecord(BaseModel):
    """The article's source record exactly as it arrived: a list-page card, a JSON line, an HTML page."""

    id: str
    source: str | None = Field(None, description="The file or URL it was read from.")
    format: str | None = None
    encoding: str | None = Field(None, description="How the source bytes were decoded.")
    raw: str


class SimilarArticle(ArticleListing):
    similarity: float


class SimilarArticles(BaseModel):
    id: str
    similar: list[SimilarArticle]


class SummaryResult(BaseModel):
    id: str
    summary: str
    sentences: list[str]


class StorySummary(BaseModel):
    id: str
    title: str
    size: int
    first_day: str | None
    last_day: str | None
    last_seq: int


class StoryList(BaseModel):
    total: int
    stories: list[StorySummary]


class TimelineItem(BaseModel):
    id: str
    title: str
    published: str | None
    date_precision: str | None
    section: str | None
    events: list[Event]


class StoryDetail(StorySummary):
    entities: list[str]
    timeline: list[TimelineItem]


class EntityCount(BaseModel):
    name: str
    type: str
    articles: int


class EntityDetail(BaseModel):
    name: str
    type: str
    count: int
    variants: list[str] = Field(default_factory=list, description="other forms articles used for it, most used first")
    articles: list[ArticleListing]


class TermCounts(BaseModel):
    term: str
    total: int
    dated: int
    counts: dict[str, int]


class Trends(BaseModel):
    interval: str
    terms: list[TermCounts]
    buckets: list[str]


class RisingEntity(BaseModel):
    name: str
    type: str
    recent: int
    before: int
    ratio: float


class Rising(BaseModel):
    until: str | None
    window_days: int
    entities: list[RisingEntity]


class NetworkNode(BaseModel):
    id: str
    type: str
    articles: int


class NetworkEdge(BaseModel):
    source: str
    target: str
    weight: int


class Network(BaseModel):
    query: str | None
    entity: str | None
    articles: int
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]


class NameCount(BaseModel):
    name: str
    articles: int


class Stats(BaseModel):
    db: str
    schema_version: int
    articles: int
    sections: dict[str, int]
    series: dict[str, int]
    sources: int
    published_from: str | None
    published_to: str | None
    undated: int
    bytes: int


class CheckReport(BaseModel):
    ok: bool
    articles: int
    indexed: int
    vectors: int
    quarantined: int
    changes: int = Field(description="The head of the change log.")
    positions: dict[str, int] = Field(description="How far each consumer of the change log has read.")
    problems: list[str]


class DoctorCheck(BaseModel):
    name: str
    level: Literal["ok", "warn", "fail"]
    detail: str


class DoctorReport(BaseModel):
    """What `sinmun doctor` found about this process's deployment: fails first, then warnings."""

    ok: bool = Field(description="No check failed (warnings allowed).")
    checks: list[DoctorCheck]


class Health(BaseModel):
    """Is this server able to answer? (`/healthz`)"""

    status: str = Field(description="ok, or what is wrong.")
    articles: int = Field(description="Articles stored (retracted ones too).")
    indexed: int = Field(description="Articles in this server's index.")
    changes: int = Field(description="The head of the change log.")
    lag: int = Field(description="Changes the slowest follower of the log has yet to read.")
    positions: dict[str, int]


class TrainReport(BaseModel):
    articles: int
    morphemes: int
    generation: int
    seconds: float = 0.0
