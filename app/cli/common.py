"""What every CLI command shares: the console, settings, and one way of reporting errors."""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from graph.db import Database, connect
from graph.errors import LinkageError
from graph.settings import Settings


class Engine(StrEnum):
    """LINKAGE_ENGINE's values, for the commands' --engine option."""

    duckdb = "duckdb"
    spark = "spark"


class CliConsole(Console):
    """A rich console that, when not writing to a terminal (a pipe, a log file, CI), never wraps a line:
    an error message or a path is one line a script or a reader can take whole."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if not self.is_terminal:
            kwargs.setdefault("soft_wrap", True)
        super().print(*objects, **kwargs)


# Results on stdout, progress, messages and logs on stderr.
console = CliConsole(highlight=False)
err_console = CliConsole(stderr=True, highlight=False)

P = ParamSpec("P")
R = TypeVar("R")


def load_settings_or_exit() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        err_console.print(f"[red]error:[/red] invalid setting {where}: {first['msg']}")
        raise typer.Exit(2) from error


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn linkage errors into one line on stderr and the error's exit code (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except LinkageError as error:
            # The message may quote file names, columns or values: printed as text, never as markup.
            err_console.print(f"[red]error:[/red] {escape(str(error))}", markup=True)
            raise typer.Exit(error.exit_code) from error

    return wrapper


@contextmanager
def open_database(settings: Settings) -> Iterator[Database]:
    """The command's one driver; a clear error when Neo4j does not answer."""
    with connect(settings) as database:
        yield database


def configure_logging(verbose: bool) -> None:
    """Logs go to stderr: warnings, or debug details with -v (before or after the subcommand)."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if verbose:
        logging.getLogger().setLevel(logging.DEBUG)


VERBOSE_HELP = "Log debug details to stderr."


def accepts_verbose(command: Callable[..., R]) -> Callable[..., R]:
    """`command` with a `-v/--verbose` option of its own, so `linkage load -v DIR` works as `linkage -v load
    DIR` does (typer reads the signature this sets)."""
    signature = inspect.signature(command, eval_str=True)  # typer reads evaluated annotations
    if "verbose" in signature.parameters:
        return command

    @functools.wraps(command)
    def wrapper(*args: Any, verbose: bool = False, **kwargs: Any) -> R:
        if verbose:
            configure_logging(True)
        return command(*args, **kwargs)

    option = Annotated[bool, typer.Option("--verbose", "-v", help=VERBOSE_HELP)]
    wrapper.__signature__ = signature.replace(parameters=[  # type: ignore[attr-defined]
        *signature.parameters.values(),
        inspect.Parameter("verbose", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=option)])
    wrapper.__annotations__ = {**getattr(command, "__annotations__", {}), "verbose": option}
    return wrapper


def add_verbose_everywhere(app: typer.Typer) -> None:
    """Give every command of `app` and of its command groups the `-v/--verbose` option."""
    for info in app.registered_commands:
        if info.callback is not None:
            info.callback = accepts_verbose(info.callback)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            add_verbose_everywhere(group.typer_instance)


def print_json(value: Any) -> None:
    """A command's result as JSON on stdout (plain text: rich would wrap or colour it)."""
    typer.echo(json.dumps(value, indent=1, default=str))
