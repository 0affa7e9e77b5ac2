"""What every CLI command shares: the console, settings, and one way of reporting errors."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from graph.db import Database, connect
from graph.errors import LinkageError
from graph.settings import Settings

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

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
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
