"""The web app: reader pages and a JSON API, thin faces over `sinmun.service`.

Handlers are plain `def` functions: Starlette runs them in its thread pool, so
requests are served concurrently. Each thread has its own store connection
(`Archive.store`); Kiwi, Tantivy and SQLite release the GIL while they work. No
handler writes: a background thread follows the change log (`indexer.py`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from .. import __version__
from ..errors import SinmunError
from ..service import Archive, maintenance
from . import api, pages
from .indexer import BackgroundIndexer

STATIC = Path(__file__).parent / "static"
THREADS = 2
log = logging.getLogger("sinmun.web")


def create_app(archive: Archive, index_in_background: bool = True, threads: int = THREADS) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Requests at once per process. More threads than this only trade the GIL
        # back and forth (measured: README, "Serving"); several processes scale further.
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        # Load Kiwi, its vectors, the index and the vocabulary before the first request, not in it.
        await anyio.to_thread.run_sync(maintenance.warm, archive)
        indexer = BackgroundIndexer(archive) if index_in_background else None
        if indexer:
            indexer.start()
        yield
        if indexer:
            indexer.stop()
        archive.close()

    app = FastAPI(
        title="sinmun",
        version=__version__,
        description="Search and read a Korean news archive.",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.archive = archive
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(SinmunError)
    async def known_error(request: Request, exc: SinmunError):
        return error_response(request, exc.status, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return error_response(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body"))
        message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        return error_response(request, 422, f"{where}: {message}" if where else message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        # A bug: logged with its traceback here, one JSON line (or page) for the client.
        log.exception("%s %s failed", request.method, request.url.path)
        return error_response(request, 500, "internal error (the server log has the details)")

    return app


def error_response(request: Request, status: int, message: str):
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return JSONResponse({"status": status, "message": message}, status_code=status)
    return pages.error_page(request, status, message)
