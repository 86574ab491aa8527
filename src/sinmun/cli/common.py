"""What every `sinmun` command shares: options, one-line errors, JSON output, options made from models."""

from __future__ import annotations

import inspect
import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.markup import escape

from ..errors import SinmunError
from ..service import Archive
from ..service.params import bad_request

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str, typer.Option("--db", envvar="SINMUN_DB",
                      help="SQLite file or postgresql:// address (default $SINMUN_DB, else ./sinmun.db).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
DEFAULT_DB = "sinmun.db"

F = TypeVar("F", bound=Callable[..., Any])


def friendly(func: F) -> F:
    """Every failure becomes one line on stderr and the error's exit code; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except SinmunError as exc:
            fail(str(exc), exc.exit_code)
        except ValidationError as exc:
            problem = bad_request(exc, prefix="--")
            fail(str(problem), problem.exit_code)
        except OSError as exc:
            fail(str(exc), SinmunError.exit_code)
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:  # a bug: still one line, with a way to get more
            if os.environ.get("SINMUN_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (run with SINMUN_DEBUG=1 for details)",
                 SinmunError.exit_code)
        finally:
            while _opened:
                _opened.pop().close()

    return wrapper  # type: ignore[return-value]


def fail(message: str, code: int) -> None:
    err.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(code)


def emit(data: BaseModel | list | dict) -> None:
    """Print a model (or a list of models) as JSON, exactly as the API answers it."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json", by_alias=True)
    elif isinstance(data, list):
        data = [d.model_dump(mode="json", by_alias=True) if isinstance(d, BaseModel) else d for d in data]
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


_opened: list[Archive] = []  # closed when the command ends (in-process runs leave nothing open)


def open_archive(db: str | Path, create: bool = False) -> Archive:
    archive = Archive(db, create=create)
    _opened.append(archive)
    return archive


def model_options(model: type[BaseModel], skip: tuple[str, ...] = ()) -> list[inspect.Parameter]:
    """CLI options for a parameter model's fields: names, defaults and help come from the model.

    Choices and bounds are checked by the model (one message for every face), so
    the options take them as plain text and numbers.
    """
    params = []
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        annotation = info.annotation
        if get_origin(annotation) is Literal:
            annotation = str
        elif any(get_origin(arg) is Literal for arg in get_args(annotation)):  # Literal[...] | None
            annotation = str | None
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=info.default,
                                        annotation=Annotated[annotation, typer.Option(help=info.description)]))
    return params


def with_params(model: type[BaseModel], **fixed: str) -> Callable[[F], F]:
    """Give a command the options of `model` and call it with `params=model(...)`.

    `fixed` maps a model field to one of the command's own parameters (a positional
    argument such as the query): `@with_params(SearchParams, q="query")`.
    """

    def decorate(func: F) -> F:
        own = [p for p in inspect.signature(func, eval_str=True).parameters.values() if p.name != "params"]
        options = model_options(model, skip=tuple(fixed))

        @wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            fields = {name: kwargs.pop(name) for name in list(kwargs) if name in model.model_fields}
            fields.update({field: kwargs[arg] for field, arg in fixed.items()})
            return func(params=model(**fields), **kwargs)

        parameters = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own] + options
        wrapper.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
