"""The `sinmun` command: thin faces over `sinmun.service`, one verb per task.

Every read command takes `--json` (the same models the API answers). Errors are
one line on stderr and the error's exit code (see `sinmun.errors`), never a
traceback (SINMUN_DEBUG=1 shows it for bug reports).

    read.py   search, show, list, stories, story, summarize, trends, stats, eval
    admin.py  ingest, watch, quarantine, reindex, train, check, serve
    reach.py  export, mcp
    access.py token create|list|revoke, audit
"""

from __future__ import annotations

import sys

import typer
from rich.markup import escape
from typer.exceptions import TyperException

from .common import err

app = typer.Typer(
    help="sinmun (신문): archive and Korean-aware search for news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

from . import access, admin, reach, read  # noqa: E402,F401  (registers the commands)


def run(argv: list[str] | None = None) -> int:
    """Run one command line; returns its exit code. Usage errors are one line too."""
    command = typer.main.get_command(app)
    try:
        # Not standalone: an exit code comes back as the return value, usage errors as exceptions.
        code = command.main(args=argv, prog_name="sinmun", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except TyperException as exc:  # a usage error (unknown option, missing argument, ...)
        if exc.format_message():  # (empty after the help shown for a bare `sinmun`)
            err.print(f"[red]error:[/red] {escape(exc.format_message())}")
        return exc.exit_code
    except typer.Abort:
        err.print("interrupted")
        return 130
    return code if isinstance(code, int) else 0


def main() -> None:
    sys.exit(run())
