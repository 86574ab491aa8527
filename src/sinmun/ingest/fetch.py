"""Fetching a feed or a page by URL (`sinmun ingest https://...`)."""

from __future__ import annotations

import urllib.error
import urllib.request

from ..errors import BadRequest

FETCH_TIMEOUT_S = 30
USER_AGENT = "sinmun/0.1 (+news archive)"


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def fetch(url: str) -> bytes:
    """The body at `url`; BadRequest says why not (HTTP status, network error)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise BadRequest(f"cannot fetch: HTTP {exc.code} {exc.reason}") from None
    except (OSError, ValueError) as exc:
        raise BadRequest(f"cannot fetch: {getattr(exc, 'reason', exc)}") from None
