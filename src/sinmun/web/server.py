"""Running the app with uvicorn: one process, or several sharing one store."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

DB_ENV = "SINMUN_SERVE_DB"


def app_from_env() -> FastAPI:
    """The app over the store named in $SINMUN_SERVE_DB (how each worker process starts)."""
    from ..service import Archive
    from . import create_app

    return create_app(Archive(os.environ[DB_ENV]))


def run(db: Path, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    import uvicorn

    os.environ[DB_ENV] = str(Path(db).resolve())
    # The thread pool runs the (plain `def`) handlers: 40 threads, Starlette's default.
    uvicorn.run("sinmun.web.server:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning")
