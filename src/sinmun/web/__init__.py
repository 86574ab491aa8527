"""The web app: reader pages and a JSON API, thin faces over `sinmun.service`.

Handlers are plain `def` functions: Starlette runs them in its thread pool, so
requests are served concurrently. Each thread has its own store connection
(`Archive.store`); Kiwi, Tantivy and SQLite release the GIL while they work. No
handler derives anything (the editor API's handlers store and log the change): a
background thread follows the change log into the index (`indexer.py`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from mcp.server.mcpserver import MCPServer
from starlette.exceptions import HTTPException
from starlette.routing import Route

from .. import __version__
from ..assistant import build as build_assistant
from ..errors import RateLimited, SinmunError, Unauthorized
from ..service import Archive, maintenance
from ..service.params import problem
from . import api, feeds, ops, pages
from .guard import MAX_BODY, Guard, RateLimit, principal
from .indexer import BackgroundIndexer

STATIC = Path(__file__).parent / "static"
THREADS = 2
log = logging.getLogger("sinmun.web")


@dataclass(frozen=True)
class Settings:
    """How a server guards itself (`sinmun serve` options; every limit is documented in the API)."""

    private: bool = False  # reads need a `read` token too
    search_rate: float = 20.0  # searches a second per address, bursts of twice that (0: no limit)
    write_rate: float = 5.0  # writes a second per token
    max_body: int = MAX_BODY
    threads: int = THREADS
    host: str = "127.0.0.1"  # where it listens: a loopback server refuses other Host headers at /mcp


def create_app(archive: Archive, index_in_background: bool = True, settings: Settings = Settings()) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Requests at once per process. More threads than this only trade the GIL
        # back and forth (measured: README, "Serving"); several processes scale further.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        # Load Kiwi, its vectors, the index and the vocabulary before the first request, not in it.
        await anyio.to_thread.run_sync(maintenance.warm, archive)
        indexer = BackgroundIndexer(archive) if index_in_background else None
        if indexer:
            indexer.start()
        async with assistant.session_manager.run():
            yield
        if indexer:
            indexer.stop()
        archive.close()

    app = FastAPI(
        title="sinmun",
        version=__version__,
        description=api.DESCRIPTION,
        docs_url=None,  # the docs page is served from the site's own assets (api.docs)
        redoc_url=None,
        lifespan=lifespan,
    )
    assistant = mcp_over_http(app, archive, settings)
    app.state.archive = archive
    app.state.settings = settings
    app.state.search_limit = RateLimit(settings.search_rate)
    app.state.write_limit = RateLimit(settings.write_rate)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(feeds.router)
    app.include_router(ops.router)
    app.add_middleware(Guard, refuse=refusal, max_body=settings.max_body)
    app.add_middleware(ops.Observe)  # outermost: Guard's refusals are counted and logged too
    app.openapi = lambda: openapi(app)  # type: ignore[method-assign]

    @app.exception_handler(SinmunError)
    async def known_error(request: Request, exc: SinmunError):
        return error_response(request, exc.status, str(exc), headers=error_headers(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            methods = allowed(app, request.url.path) or headers.get("Allow", "GET")
            headers["Allow"] = methods if "HEAD" in methods or "GET" not in methods else methods + ", HEAD"
        return error_response(request, exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        first = exc.errors()[0]
        loc = list(first.get("loc", ()))
        # "query.offset" says less than "offset"; a missing body stays "body".
        loc = loc[1:] if len(loc) > 1 and loc[0] in ("query", "path", "body", "header") else loc
        return error_response(request, 422, problem({**first, "loc": tuple(loc)}))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        # A bug: logged with its traceback here, one JSON line (or page) for the client.
        log.exception("%s %s failed", request.method, request.url.path)
        return error_response(request, 500, "internal error (the server log has the details)")

    return app


def mcp_over_http(app: FastAPI, archive: Archive, settings: Settings) -> MCPServer:
    """The MCP tools at /mcp (streamable HTTP, stateless: any worker process answers any request),
    behind the same read access and per-address limit as the API's searches."""
    from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
    from mcp.server.transport_security import TransportSecuritySettings

    server = build_assistant(archive)
    local = settings.host in ("127.0.0.1", "localhost", "::1")
    # On loopback, other Host and Origin headers are refused (DNS rebinding); an exposed server has tokens.
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=local, allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
        allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"])
    server.streamable_http_app(stateless_http=True, json_response=True, transport_security=security)
    endpoint = StreamableHTTPASGIApp(server.session_manager)

    class Guarded:  # an ASGI app (a plain function would be taken for a request handler)
        async def __call__(self, scope, receive, send) -> None:
            request = Request(scope)
            try:
                principal(archive, request.headers.get("authorization"), "read", not settings.private)
                # An assistant's calls are searches and reads: limited per address like /api/search.
                app.state.search_limit.take(request.client.host if request.client else "?", "MCP requests")
            except SinmunError as exc:
                await error_response(request, exc.status, str(exc), error_headers(exc))(scope, receive, send)
                return
            await endpoint(scope, receive, send)

    app.router.routes.append(Route("/mcp", Guarded(), methods=["GET", "POST", "DELETE"]))
    return server


def openapi(app: FastAPI) -> dict:
    """The schema, once: each operation's scope (`x-scope`), and on a public server a read needs no
    token (the bearer is optional there)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for methods in schema["paths"].values():
            for operation in methods.values():
                # Each operation says the scope it needs (x-scope: write and admin are marked).
                operation.setdefault("x-scope", "read")
                if operation["x-scope"] == "read" and not app.state.settings.private:
                    operation["security"] = [{}, *operation.get("security", [])]
        app.openapi_schema = schema
    return app.openapi_schema


def allowed(app: FastAPI, path: str) -> str | None:
    """Every method the API has at `path` (Starlette's 405 names only those of the first route
    matching the path: GET for /api/articles, which also takes POST)."""
    for template, methods in app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            found = {m.upper() for m in methods}
            return ", ".join(sorted(found | ({"HEAD"} if "GET" in found else set())))
    return None


def error_headers(exc: SinmunError) -> dict[str, str]:
    if isinstance(exc, RateLimited):
        return {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, Unauthorized):
        # Bearer for programs; Basic lets a browser ask for the token on a private server's pages.
        return {"WWW-Authenticate": 'Bearer realm="sinmun", Basic realm="sinmun"'}
    return {}


def is_api(path: str) -> bool:
    return path.startswith("/api/") or path in ("/openapi.json", "/mcp")


def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if is_api(request.url.path):
        return JSONResponse({"status": status, "message": message}, status_code=status, headers=headers)
    page = pages.error_page(request, status, message)
    page.headers.update(headers or {})
    return page


def refusal(scope, error: SinmunError) -> Response:
    """A refusal made before routing (size limits), in the shape of the path's answers."""
    if is_api(scope.get("path", "")):
        return JSONResponse({"status": error.status, "message": str(error)}, status_code=error.status)
    return PlainTextResponse(str(error), status_code=error.status)
