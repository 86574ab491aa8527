"""Running the app with uvicorn: one process, or one a core, each with its own socket on the same port.

Several processes share a port with SO_REUSEPORT, each listening on a socket of
its own: the kernel spreads new connections over them. (With one shared socket,
as uvicorn's own `--workers` has it, the process that wakes first accepts every
pending connection at once: 16 clients opening together measured 16 on one
process and 0 on the other in about half the runs.)
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import socket
import tempfile
import threading
import time
from pathlib import Path

from fastapi import FastAPI

DB_ENV = "SINMUN_SERVE_DB"
SETTINGS_ENV = "SINMUN_SERVE_SETTINGS"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # (read by prometheus-client when a worker starts)
# A worker that dies sooner than this after starting is not restarted more than RETRIES times.
EARLY_EXIT_S = 10.0
RETRIES = 3
log = logging.getLogger("sinmun.web")


def app_from_env() -> FastAPI:
    """The app over the store named in $SINMUN_SERVE_DB (how each worker process starts)."""
    from ..service import Archive
    from . import Settings, create_app
    from .ops import configure_logging

    configure_logging()
    settings = Settings(**json.loads(os.environ.get(SETTINGS_ENV, "{}")))
    return create_app(Archive(os.environ[DB_ENV]), settings=settings)


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to the port, in the port's SO_REUSEPORT group.

    Opened with IPPROTO_TCP on purpose: asyncio sets TCP_NODELAY only on sockets
    that say they are TCP, and without it every keep-alive answer waited 40 ms for
    a delayed ACK (measured: 48 ms for a 5 ms request).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _config(host: str = "127.0.0.1", port: int = 8000):
    import uvicorn

    return uvicorn.Config("sinmun.web.server:app_from_env", factory=True, host=host, port=port, log_level="warning")


def _worker(host: str, port: int) -> None:
    import uvicorn

    uvicorn.Server(_config()).run(sockets=[listening_socket(host, port)])


def run(db: str | Path, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
        settings: dict[str, object] | None = None) -> None:
    """Serve `db`; `settings` are `sinmun.web.Settings` fields (each worker process reads them)."""
    import uvicorn

    from ..service.archive import HOME_ENV
    from ..store import is_postgres

    os.environ[DB_ENV] = str(db) if is_postgres(db) else str(Path(db).resolve())
    if home := os.environ.get(HOME_ENV):  # the workers may not share this process's working folder
        os.environ[HOME_ENV] = str(Path(home).resolve())
    os.environ[SETTINGS_ENV] = json.dumps(settings or {})
    if workers == 1:
        uvicorn.Server(_config(host=host, port=port)).run()
        return
    listening_socket(host, port).close()  # a port taken by another program fails here, once
    # The workers' metrics meet in files here: /metrics answers for all of them, whichever is asked.
    with tempfile.TemporaryDirectory(prefix="sinmun-metrics-") as metrics:
        os.environ[MULTIPROC_ENV] = metrics
        Supervisor(host, port, workers).run()


class Supervisor:
    """Starts the worker processes, restarts one that dies, stops them all on SIGINT or SIGTERM."""

    def __init__(self, host: str, port: int, workers: int) -> None:
        self.host, self.port, self.count = host, port, workers
        self.context = multiprocessing.get_context("spawn")
        self.stop = threading.Event()
        self.early_exits = 0

    def start(self) -> multiprocessing.process.BaseProcess:
        process = self.context.Process(target=_worker, args=(self.host, self.port), name="sinmun-worker")
        process.start()
        process.started_at = time.monotonic()  # type: ignore[attr-defined]
        return process

    def run(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop.set())
        processes = [self.start() for _ in range(self.count)]
        while not self.stop.wait(1.0):
            for i, process in enumerate(processes):
                if process.is_alive():
                    continue
                if time.monotonic() - process.started_at < EARLY_EXIT_S:  # type: ignore[attr-defined]
                    self.early_exits += 1
                    if self.early_exits > RETRIES:
                        log.error("worker processes keep exiting at start; stopping")
                        self.stop.set()
                        break
                log.warning("worker %s exited with %s; starting another", process.pid, process.exitcode)
                processes[i] = self.start()
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=30)
