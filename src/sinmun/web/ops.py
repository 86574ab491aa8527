"""What a self-hoster's tools ask of a server: /healthz, /metrics, sitemap.xml, and a log line per request.

- `/healthz`: 200 with the store's and the index's counts and the change-log lag,
  503 when the store or the index does not answer.
- `/metrics`: Prometheus text (prometheus-client): requests and latencies by
  route, the API's writes, and the store's state read at scrape time (articles,
  change-log head, each follower's position and lag). Several worker processes
  share their counters through PROMETHEUS_MULTIPROC_DIR (set by `sinmun serve`).
- Every request gets an id (the client's `X-Request-ID` when it is a sane one),
  returned in `X-Request-ID` and written on its access-log line, a JSON object
  on stderr (`sinmun.access`), with every other log line of that request.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..service import Archive, maintenance, queries

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
SITEMAP_LIMIT = 50_000  # URLs a sitemap may hold (sitemaps.org)
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
access_log = logging.getLogger("sinmun.access")

REQUESTS = Counter("sinmun_requests", "HTTP requests answered.", ["route", "method", "status"])
LATENCY = Histogram("sinmun_request_seconds", "Time to answer, by route.", ["route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
WRITES = Counter("sinmun_api_writes", "Articles published, corrected or retracted through the API.", ["action"])
INDEXED = Counter("sinmun_indexed_changes", "Changes of the log this server's indexer has derived.")

router = APIRouter(include_in_schema=False)


class Observe:
    """ASGI middleware: a request id, the request's metrics and its access-log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            REQUESTS.labels(route, scope["method"], str(status)).inc()
            LATENCY.labels(route).observe(seconds)
            client = scope.get("client") or ("-", 0)
            access_log.info("request", extra={"fields": {
                "method": scope["method"], "path": scope["path"], "route": route, "status": status,
                "ms": round(seconds * 1000, 1), "client": client[0]}})
            request_id.reset(token)


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request id, and any `extra={"fields": ...}`."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname.lower(),
                "logger": record.name, "message": record.getMessage(), "request_id": request_id.get(),
                **getattr(record, "fields", {})}
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(access: bool = True) -> None:
    """sinmun's loggers as JSON lines on stderr (a server's log is read by programs)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines())
    root = logging.getLogger("sinmun")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False
    access_log.disabled = not access


class StoreState:
    """Gauges read from the store at scrape time: right whichever worker answers the scrape."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def collect(self) -> Iterator[GaugeMetricFamily]:
        health = maintenance.health(self.archive)
        yield GaugeMetricFamily("sinmun_articles", "Articles stored.", value=health.articles)
        yield GaugeMetricFamily("sinmun_indexed_articles", "Articles in this server's index.", value=health.indexed)
        yield GaugeMetricFamily("sinmun_change_log_head", "The newest change in the store's log.",
                                value=health.changes)
        lag = GaugeMetricFamily("sinmun_follower_lag", "Changes each follower of the log has yet to read.",
                                labels=["follower"])
        for name, position in sorted(health.positions.items()):
            lag.add_metric([name], health.changes - position)
        yield lag
        yield GaugeMetricFamily("sinmun_quarantined_files", "Inputs waiting in quarantine.",
                                value=len(self.archive.quarantine.entries()))


@router.get("/healthz")
def healthz(request: Request) -> Response:
    try:
        health = maintenance.health(request.app.state.archive)
    except Exception as exc:  # the store or the index does not answer: say so, and what
        logging.getLogger("sinmun.web").warning("health check failed: %s", exc)
        return JSONResponse({"status": f"unavailable: {type(exc).__name__}: {exc}"}, status_code=503)
    return JSONResponse(health.model_dump())


class ThisProcess:
    """This process's own metrics (one worker serving)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


@router.get("/metrics")
def metrics(request: Request) -> Response:
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):  # every worker's counters, summed
        MultiProcessCollector(registry)
    else:
        registry.register(ThisProcess())
    registry.register(StoreState(request.app.state.archive))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/sitemap.xml")
def sitemap(request: Request) -> Response:
    """Every live article's page (the newest SITEMAP_LIMIT), with its last change, for search engines."""
    base = escape(str(request.base_url).rstrip("/"))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">', f"<url><loc>{base}/</loc></url>"]
    for article_id, changed in queries.page_dates(request.app.state.archive, SITEMAP_LIMIT):
        lines.append(f"<url><loc>{base}/articles/{article_id}</loc>"
                     + (f"<lastmod>{changed}</lastmod>" if changed else "") + "</url>")
    lines.append("</urlset>")
    return Response("\n".join(lines) + "\n", media_type="application/xml")
