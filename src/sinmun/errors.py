"""sinmun's one error tree: every error a user can see, with its HTTP status and exit code.

    SinmunError         500  exit 1   the base; an unexpected failure is reported as one
    ├── BadRequest      400  exit 2   a parameter, query, option or file the user must fix
    │   ├── TooLarge    413  exit 2   a body over its documented limit
    │   └── TooLong     414  exit 2   a URL (a query) over its documented limit
    ├── Unauthorized    401  exit 77  no token, or one that is unknown or revoked
    ├── Forbidden       403  exit 77  a token whose scope does not allow the request
    ├── NotFound        404  exit 3   no such database, article, story, entity or token
    ├── Conflict        409  exit 4   the request clashes with what is stored (a duplicate)
    ├── RateLimited     429  exit 75  too many requests from one address or token: wait and retry
    └── Busy            503  exit 75  another process holds what is needed (the index writer,
                                      a locked database); the same request later succeeds

The CLI prints `str(error)` as one line and exits with `exit_code`; the web app
answers `{"status": status, "message": str(error)}` with `status`. Messages say
what to do. A bad *input record* is not an error: the readers turn it into a
quarantined problem and the batch goes on (`sinmun.ingest`).

Exit code 1 also means "some inputs were quarantined" for `sinmun ingest`, and
"problems found" for `sinmun check`: the work was done, but not all of it.
"""

from __future__ import annotations

from typing import ClassVar


class SinmunError(Exception):
    """Raised for input or state the user can act on; the message says how."""

    status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1


class BadRequest(SinmunError):
    """A parameter, query, option, alias or judgement file that must be corrected."""

    status = 400
    exit_code = 2


class TooLarge(BadRequest):
    """A request body or query over its documented size limit."""

    status = 413


class TooLong(BadRequest):
    """A URL (the query string) over its documented length limit."""

    status = 414


class Unauthorized(SinmunError):
    """No token, or a token that is unknown or revoked."""

    status = 401
    exit_code = 77  # EX_NOPERM


class Forbidden(SinmunError):
    """A token whose scope does not allow the request."""

    status = 403
    exit_code = 77


class NotFound(SinmunError):
    """No database at the path given, or no article, story or entity by that name."""

    status = 404
    exit_code = 3


class Conflict(SinmunError):
    """The request contradicts what is stored (a store written by a newer sinmun, a duplicate)."""

    status = 409
    exit_code = 4


class RateLimited(SinmunError):
    """Too many requests from one address or token; `retry_after` says in how many seconds to try again."""

    status = 429
    exit_code = 75

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Busy(SinmunError):
    """Another process holds the index writer or the database; trying again later works."""

    status = 503
    exit_code = 75  # EX_TEMPFAIL
