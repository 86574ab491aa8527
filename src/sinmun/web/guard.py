"""What every request passes through: size limits, HEAD, security headers, access and rate limits.

- A URL over MAX_URL characters is 414, a body over the configured limit 413,
  before any handler runs (a body sent without its length is read here first).
- HEAD is answered as GET without the body.
- Every response carries a Content-Security-Policy that allows only the site's own
  scripts, styles, fonts and images (no inline script: the pages' scripts are
  files), `frame-ancestors 'none'`, nosniff and a strict referrer policy.
- Tokens: `Authorization: Bearer snm_...` (or HTTP Basic with the token as the
  password, which a browser can send for the pages of a private server).
- Rate limits: a token bucket per address for searches and per token for writes
  (429 with Retry-After). Buckets live in each server process.
"""

from __future__ import annotations

import base64
import math
import threading
import time
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import Forbidden, RateLimited, TooLarge, TooLong, Unauthorized
from ..service import Archive
from ..service.access import TokenInfo, allows, verify

MAX_URL = 4096  # characters of path and query
MAX_BODY = 2 * 1024 * 1024  # bytes of a request body (an article of up to a million characters fits)
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' data:; "
     b"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class Guard:
    """ASGI middleware: limits, HEAD and headers (errors as the app's own JSON or page, via `refuse`)."""

    def __init__(self, app: ASGIApp, refuse, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.refuse = refuse  # (scope, error) -> ASGI response, in the API's or the pages' shape
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        url_length = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        if url_length > MAX_URL:
            await self.refuse(scope, TooLong(f"the URL is {url_length:,} characters; at most {MAX_URL:,}"))(
                scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body:
            await self.refuse(scope, TooLarge(f"the body is {int(declared):,} bytes; at most {self.max_body:,}"))(
                scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        if declared is None and scope["method"] in ("POST", "PUT", "PATCH"):
            # No length declared (a chunked body): read it here, up to the limit, before any handler does.
            body = bytearray()
            more = True
            while more:
                message = await receive()
                body += message.get("body", b"")
                more = message.get("more_body", False)
                if len(body) > self.max_body:
                    await self.refuse(scope, TooLarge(f"the body is over {self.max_body:,} bytes"))(
                        scope, receive, send)
                    return
            replayed = False

            async def receive_body() -> Message:
                nonlocal replayed
                if replayed:
                    return await receive()
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}

            receive = receive_body

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, secured)


def presented_token(authorization: str | None) -> str | None:
    """The token in `Bearer T`, or in HTTP Basic as the password (`user:T`)."""
    if not authorization:
        return None
    kind, _, value = authorization.partition(" ")
    if kind.lower() == "bearer":
        return value.strip() or None
    if kind.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode().partition(":")[2] or None
        except (ValueError, UnicodeDecodeError):
            return None
    return None


def principal(archive: Archive, authorization: str | None, need: str, public_reads: bool) -> TokenInfo | None:
    """The caller's token if it allows `need` (None: an anonymous reader of a public server)."""
    token = presented_token(authorization)
    if token is None:
        if need == "read" and public_reads:
            return None
        raise Unauthorized(f"this needs a token with the '{need}' scope (Authorization: Bearer ...)")
    info = verify(archive, token)
    if info is None:
        raise Unauthorized("unknown or revoked token")
    if not allows(info.scope, need):
        raise Forbidden(f"the token '{info.name}' has the '{info.scope}' scope; this needs '{need}'")
    return info


@dataclass
class Bucket:
    tokens: float
    at: float


class RateLimit:
    """A token bucket per key: `rate` requests a second on average, bursts of `burst`. 0 turns it off."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate * 2)
        self.buckets: dict[str, Bucket] = {}
        self.lock = threading.Lock()

    def take(self, key: str, what: str) -> None:
        if self.rate <= 0:
            return
        now = time.monotonic()
        with self.lock:
            bucket = self.buckets.get(key)
            if bucket is None:
                if len(self.buckets) > 100_000:  # forget idle callers rather than grow without end
                    self.buckets = {k: b for k, b in self.buckets.items() if now - b.at < 60}
                bucket = self.buckets[key] = Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            wait = math.ceil((1 - bucket.tokens) / self.rate)
        raise RateLimited(f"too many {what}: at most {self.rate:g} a second (and {self.burst:g} at once)", wait)
