"""The server's indexer: a background thread that follows the change log.

Request handlers never write. New articles (stored by `sinmun ingest` in another
process, or by anything else that writes the store) reach the index through this
thread, which looks at the change log every `INTERVAL_S` seconds and catches up
whenever it is behind and no other process holds the index writer. With several
server processes, each runs one; the index writer's lock lets one work at a time.

It works in rounds of at most `ROUND` changes (a few seconds each on two cores),
so that the server stops promptly and an ingest can take the writer between
rounds: a 10,000-article backlog in one call kept a stopping server busy for
minutes.
"""

from __future__ import annotations

import logging
import threading

from ..errors import Busy
from ..service import Archive
from ..service.maintenance import catch_up
from .ops import INDEXED

INTERVAL_S = 1.0
ROUND = 256
PAUSE_S = 0.5  # between full rounds: an ingest waiting for the writer (it polls every 0.2 s) gets it
log = logging.getLogger("sinmun.indexer")


class BackgroundIndexer:
    def __init__(self, archive: Archive, interval: float = INTERVAL_S) -> None:
        self.archive = archive
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sinmun-indexer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            while not self._stop.is_set():
                try:
                    done = catch_up(self.archive, limit=ROUND)
                except Busy:
                    break  # another process is indexing: it will bring these in
                except Exception:  # keep serving; the next round tries again
                    log.exception("indexing failed")
                    break
                if done:
                    INDEXED.inc(done)
                    log.info("indexed %d changes", done)
                if done < ROUND or self._stop.wait(PAUSE_S):
                    break
