"""The MCP face: sinmun's questions as tools an AI assistant can call (the official `mcp` SDK).

`sinmun mcp` serves it over stdio (an assistant starts it as a subprocess);
`sinmun serve` answers it over streamable HTTP at /mcp beside the site. Tools
take the API's parameters (the same definitions: `SearchParams`, `StoryParams`,
`ExportParams`) and answer the API's models as structured content. Articles are
resources too: `article://{id}`.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from pydantic import BaseModel, Field, ValidationError

from . import __version__
from .errors import SinmunError
from .service import Archive, queries
from .service.export import records, selection
from .service.models import ArticleDetail, Network, SearchResults, StoryDetail, StoryList, Trends
from .service.params import ExportParams, SearchParams, StoryParams, bad_request

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)

# Articles an assistant may take in one `export` call (its context is the limit; files are for the CLI and API).
EXPORT_TOOL_ROWS = 200
INSTRUCTIONS = """sinmun searches a Korean news archive. Search in Korean (words, "a phrase", -excluded);
names in English or hanja are matched too. Read an article by its id for its full text, dates, story
and names. Stories are continuing coverage with timelines; trends count articles per month;
entity_network shows who appears with whom. Cite articles by title and date."""


class ExportRows(BaseModel):
    total: int = Field(description="Articles matching; at most max_rows of them are in `articles`.")
    articles: list[dict[str, Any]] = Field(description="Every stored field of each article.")


def answered(fn: F) -> F:
    """A tool's known failures (not found, a bad parameter) as the tool error an assistant reads:
    one line, as the CLI prints it, and no traceback in the server's log."""

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SinmunError as exc:
            raise ToolError(str(exc)) from None
        except ValidationError as exc:
            raise ToolError(str(bad_request(exc))) from None
        except ValueError as exc:
            raise ToolError(str(exc)) from None

    return call  # type: ignore[return-value]


def with_model(model: type[M], call: Callable[[M], Any], name: str, doc: str,
               returns: Any, skip: tuple[str, ...] = ()) -> Callable[..., Any]:
    """A tool function whose parameters are the fields of `model` (flat, as the API's query has them)."""

    @answered
    def tool(**given: Any) -> Any:
        return call(model(**given))

    params = [inspect.Parameter(field, inspect.Parameter.KEYWORD_ONLY, default=info.default,
                                annotation=Annotated[info.annotation, Field(description=info.description)])
              for field, info in model.model_fields.items() if field not in skip]
    tool.__signature__ = inspect.Signature(params, return_annotation=returns)  # type: ignore[attr-defined]
    tool.__name__, tool.__doc__ = name, doc
    return tool


def build(archive: Archive) -> MCPServer:
    """The MCP server over one archive."""
    server: MCPServer = MCPServer("sinmun", title="sinmun (신문)", instructions=INSTRUCTIONS, version=__version__,
                                  log_level="WARNING")

    server.add_tool(with_model(SearchParams, lambda p: queries.search(archive, p), "search",
                               "Search the archive (as GET /api/search): Korean-aware words fused with meaning. "
                               "Each hit has an id to read.", SearchResults))
    server.add_tool(with_model(StoryParams, lambda p: queries.stories(archive, p), "list_stories",
                               "Continuing stories, largest and most recent first.", StoryList))

    def export(params: ExportParams) -> ExportRows:
        ids = selection(archive, params.model_copy(update={"max_rows": None}))
        wanted = min(params.max_rows or EXPORT_TOOL_ROWS, EXPORT_TOOL_ROWS)
        rows = [r for batch in records(archive, ids[:wanted]) for r in batch]
        return ExportRows(total=len(ids), articles=rows)

    server.add_tool(with_model(ExportParams, export, "export",
                               f"Every stored field of the articles a search matches (at most {EXPORT_TOOL_ROWS}; "
                               "`sinmun export` or GET /api/export write files of any size).", ExportRows,
                               skip=("format",)))

    @server.tool()
    @answered
    def read_article(id: Annotated[str, Field(description="An article id (or a unique prefix of 6+ characters).")]
                     ) -> ArticleDetail:
        """One article: every stored field, the dates it names, its story, its names and related articles."""
        return queries.article(archive, id)

    @server.tool()
    @answered
    def read_story(id: Annotated[str, Field(description="A story id from list_stories or an article.")]
                   ) -> StoryDetail:
        """One continuing story: its names and the timeline of its articles."""
        return queries.story(archive, id)

    @server.tool()
    @answered
    def trends(terms: Annotated[list[str], Field(min_length=1, max_length=6, description="1 to 6 words or queries.")],
               interval: Literal["day", "week", "month"] = "month") -> Trends:
        """Dated articles per interval for each term."""
        return queries.trends(archive, terms, interval)

    @server.tool()
    @answered
    def entity_network(entity: Annotated[str | None, Field(description="A name (person, organisation, place).")] = None,
                       q: Annotated[str | None, Field(description="Or a query: the names in its articles.")] = None
                       ) -> Network:
        """Names that appear together in the articles of an entity or a query, with how often."""
        if not entity and not q:
            raise ValueError("give entity (a name) or q (a query)")
        return queries.network(archive, query=q, entity=entity)

    @server.resource("article://{id}", name="article", mime_type="application/json",
                     description="An article with every stored field (as read_article).")
    def article_resource(id: str) -> str:
        try:
            return json.dumps(queries.article(archive, id).model_dump(mode="json"), ensure_ascii=False)
        except SinmunError as exc:
            raise ResourceError(str(exc)) from None

    return server
