"""The web app: reader pages and a JSON API over one archive.

Handlers are `async def` on purpose: they run one at a time on the event loop,
so the single SQLite connection and the Tantivy searcher are never used from
two threads at once. Every request is a few milliseconds of work.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from .. import __version__
from ..archive import Archive
from ..errors import SinmunError
from . import api, pages

STATIC = Path(__file__).parent / "static"


def create_app(archive: Archive) -> FastAPI:
    app = FastAPI(
        title="sinmun",
        version=__version__,
        description="Search and read a Korean news archive.",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.archive = archive
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(SinmunError)
    async def user_error(request: Request, exc: SinmunError):
        return error_response(request, 400, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return error_response(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path"))
        return error_response(request, 422, f"{where}: {first.get('msg')}")

    return app


def error_response(request: Request, status: int, message: str):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"status": status, "message": message}, status_code=status)
    return pages.error_page(request, status, message)
