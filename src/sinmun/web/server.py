"""Running the app with uvicorn: one process, or several sharing one listening socket and one store."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from fastapi import FastAPI

DB_ENV = "SINMUN_SERVE_DB"
THREADS_ENV = "SINMUN_SERVE_THREADS"


def app_from_env() -> FastAPI:
    """The app over the store named in $SINMUN_SERVE_DB (how each worker process starts)."""
    from ..service import Archive
    from . import THREADS, create_app

    return create_app(Archive(os.environ[DB_ENV]), threads=int(os.environ.get(THREADS_ENV, THREADS)))


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket the worker processes share.

    Made here, not by uvicorn: uvicorn opens it with protocol 0, and asyncio sets
    TCP_NODELAY only on sockets that say they are TCP, so every keep-alive
    response in a worker waited 40 ms for a delayed ACK (measured: 48 ms for a
    5 ms request).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def run(db: Path, host: str = "127.0.0.1", port: int = 8000, workers: int = 1, threads: int | None = None) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    os.environ[DB_ENV] = str(Path(db).resolve())
    if threads:
        os.environ[THREADS_ENV] = str(threads)
    config = uvicorn.Config("sinmun.web.server:app_from_env", factory=True, host=host, port=port, workers=workers,
                            log_level="warning")
    if workers == 1:
        uvicorn.Server(config).run()
        return
    Multiprocess(config, sockets=[listening_socket(host, port)]).run()
