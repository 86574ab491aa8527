"""A backfill across a Ray cluster: reading and Kiwi's analysis as Ray tasks, one writer.

Reading an input (decoding, parsing, extracting the article) and analysing its
articles with Kiwi are the costly, independent parts of an ingest, about 50
articles a second a core. Here they run as Ray tasks, one per input, on any node of
the cluster; the input's bytes travel with its task, so the nodes need no shared
folder. This process stays the only writer: it stores each input's articles in
input order (near-duplicate detection and story assignment keep one writer, their
state in the store), and the follower derives them with the terms the tasks made
(`Follower.catch_up(prepared=...)`) instead of analysing them again.

    sinmun ingest --ray auto data/     # the cluster `ray start` made on this machine
    sinmun ingest --ray local data/    # a Ray of its own, on this machine's cores
    sinmun ingest --ray 10.0.0.5:6379 data/
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BadRequest, Conflict
from ..ingest import Batch, Problem, read_bytes
from ..ingest.fetch import fetch, is_url

IN_FLIGHT_PER_CPU = 2  # tasks submitted ahead of the one being stored, per CPU of the cluster


@dataclass
class Analysed:
    """One input, read and analysed by a task."""

    target: str
    batch: Batch
    terms: dict  # text -> its terms (sinmun.analysis.korean.Term lists)
    node: str  # the Ray node that did it
    fingerprint: str  # the analysis that made the terms


def read_and_analyse(target: str, data: bytes, format: str | None, published: str | None) -> Analysed:
    """The task: read one input's bytes, analyse every non-empty part of its articles."""
    import ray

    from ..analysis.korean import Analyzer
    from ..articles import PARTS

    batch = read_bytes(data, target, format=format, published=published)
    analyzer = Analyzer.shared()  # once per worker process: Kiwi takes a second or two to load
    texts = list(dict.fromkeys(text for a in batch.articles for part in PARTS if (text := getattr(a, part))))
    terms = dict(zip(texts, analyzer.analyze_many(texts), strict=True))
    return Analysed(target, batch, terms, ray.get_runtime_context().get_node_id(), analyzer.fingerprint)


def connect(address: str) -> None:
    """Join the cluster at `address` ("auto": the one on this machine; "local": start one here)."""
    try:
        import ray
    except ImportError:
        raise BadRequest("--ray needs Ray: pip install 'sinmun[ray]'") from None
    if ray.is_initialized():
        return
    if address not in ("auto", "local"):
        _reachable(address)
    try:
        ray.init(address=None if address == "local" else address, logging_level=logging.WARNING,
                 log_to_driver=False, include_dashboard=False, configure_logging=False)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise BadRequest(f"--ray {address}: cannot join the Ray cluster ({exc})") from None


def _reachable(address: str, timeout: float = 5.0) -> None:
    """Ray waits minutes for an address that does not answer; a plain connection says so in seconds."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout).close()
    except (OSError, ValueError) as exc:
        raise BadRequest(f"--ray {address}: cannot join the Ray cluster ({exc})") from None


def analysed_inputs(targets: list[str | Path], address: str, fingerprint: str, format: str | None = None,
                    published: str | None = None) -> Iterator[Analysed]:
    """Each input read and analysed on the cluster, in input order (tasks run ahead, bounded)."""
    import ray

    connect(address)
    task = ray.remote(num_cpus=1, max_retries=2)(read_and_analyse)
    ahead = max(2, int(ray.cluster_resources().get("CPU", 1)) * IN_FLIGHT_PER_CPU)
    pending: list[tuple[str, Any]] = []  # (input, an ObjectRef or an Analysed made here)
    queue = iter(targets)

    def submit() -> bool:
        target = next(queue, None)
        if target is None:
            return False
        name = str(target)
        try:
            data = fetch(name) if is_url(name) else Path(target).read_bytes()
        except (BadRequest, OSError) as exc:
            pending.append((name, Analysed(name, Batch(problems=[Problem(name, None, f"cannot read: {exc}")]),
                                           {}, "", fingerprint)))
            return True
        pending.append((name, task.remote(name, data, format, published)))
        return True

    while len(pending) < ahead and submit():
        pass
    while pending:
        name, ref = pending.pop(0)
        done = ref if isinstance(ref, Analysed) else ray.get(ref)
        if done.fingerprint != fingerprint:
            raise Conflict(f"the Ray workers analyse differently from this process (analysis {done.fingerprint}, "
                           f"here {fingerprint}): install the same sinmun, Kiwi and model on every node")
        submit()
        yield done
