"""Who may do what: `sinmun token create|list|revoke` and `sinmun audit`."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from ..service import access
from . import app
from .common import DEFAULT_DB, DbOption, JsonOption, emit, friendly, open_archive, out

token_app = typer.Typer(help="Access tokens for the API: make one, list them, revoke one.", no_args_is_help=True)
app.add_typer(token_app, name="token")


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


@token_app.command("create")
@friendly
def token_create(
    name: Annotated[str, typer.Option(help="What the token is for (it names the writer in the audit log).")],
    scope: Annotated[str, typer.Option(help="read, write (read too) or admin (everything).")] = "write",
    db: DbOption = DEFAULT_DB,
) -> None:
    """Make a token and print it, once: only a keyed digest of it is kept."""
    token = access.create_token(open_archive(db), name, scope, actor=_actor())
    out.print(token, highlight=False)


@token_app.command("list")
@friendly
def token_list(db: DbOption = DEFAULT_DB, json_: JsonOption = False) -> None:
    """Every token's name, scope and dates (never the token)."""
    found = access.tokens(open_archive(db))
    if json_:
        emit(found)
        return
    for t in found:
        state = f"revoked {t.revoked_at}" if t.revoked_at else "live"
        out.print(f"{t.name:<24} {t.scope:<6} made {t.created_at}  {state}")


@token_app.command("revoke")
@friendly
def token_revoke(name: Annotated[str, typer.Argument(help="The token's name.")], db: DbOption = DEFAULT_DB) -> None:
    """Revoke a token: it stops working at once, in every server process."""
    access.revoke_token(open_archive(db), name, actor=_actor())
    out.print(f"revoked {name}")


@app.command()
@friendly
def audit(
    db: DbOption = DEFAULT_DB,
    article: Annotated[str | None, typer.Option(help="Only this article's entries.")] = None,
    limit: Annotated[int, typer.Option(help="Entries to show, newest first.")] = 50,
    json_: JsonOption = False,
) -> None:
    """Every write through the API or the CLI: who, when, what."""
    log = access.audit(open_archive(db), limit=max(1, min(limit, 500)), article_id=article)
    if json_:
        emit(log)
        return
    for e in log.entries:
        what = " ".join(str(x) for x in (e.article_id, f"rev {e.rev}" if e.rev else None, e.detail) if x)
        out.print(f"{e.at}  {e.actor:<20} {e.action:<13} {what}")
    out.print(f"{len(log.entries)} of {log.total}", style="dim")
