"""`linkage check`: automated linkage checks for pipelines (signup flows, nightly batches).

    linkage check --account acct-123 --fail-on block
    linkage check --input signups.jsonl --out verdicts.jsonl --fail-on review

Output is one JSON line per subject (risk, verdict, matched clusters, reasons). The exit code is a
contract a pipeline can rely on (also in `--help`): 0 every subject answered and none at
or above --fail-on; 1 every subject answered and at least one flagged; 2 an error — an unknown account
(in a batch too, after every other subject was answered: a subject without an answer must not pass),
bad input (a malformed line is named and nothing is checked), bad settings, Neo4j unreachable or
failing, interrupted (Ctrl-C, SIGTERM), or anything unexpected. A crash never exits 1, so it is never
read as "flagged".
"""

from __future__ import annotations

import functools
import json
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import Annotated, ParamSpec, TextIO, TypeVar

import typer
from rich.markup import escape

from app.audit import record_cli
from app.cli.common import err_console, load_settings_or_exit, open_database
from graph.check import CheckResult, CheckSignals, parse_signals, run_check
from graph.errors import InputError, LinkageError, NotFoundError

P = ParamSpec("P")
R = TypeVar("R")

EXIT_CLEAN, EXIT_FLAGGED, EXIT_ERROR = 0, 1, 2


class FailOn(StrEnum):
    REVIEW = "review"
    BLOCK = "block"
    NEVER = "never"


def is_flagged(result: CheckResult, fail_on: FailOn) -> bool:
    if fail_on is FailOn.NEVER:
        return False
    if fail_on is FailOn.REVIEW:
        return result.verdict in ("review", "block")
    return result.verdict == "block"


@contextmanager
def _output(out: Path | None) -> Iterator[TextIO]:
    if out is None:
        yield sys.stdout
        return
    with out.open("w", encoding="utf-8") as handle:
        yield handle


def _read_inputs(path: Path) -> Iterator[CheckSignals]:
    """Every line parsed before any check runs, so a malformed line fails the batch up front."""
    source = "-" if str(path) == "-" else str(path)
    try:
        lines = sys.stdin.readlines() if source == "-" else path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", path=source) from None
    parsed = [parse_signals(line, path=source, line_number=number)
              for number, line in enumerate(lines, start=1) if line.strip()]
    yield from parsed


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def exit_code_contract(command: Callable[P, R]) -> Callable[P, R]:
    """Every way `command` can fail becomes one line on stderr and exit code 2 (SIGTERM included)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        previous = signal.signal(signal.SIGTERM, _interrupted)
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except LinkageError as error:
            message = str(error)
        except KeyboardInterrupt:
            message = "interrupted; not every subject was checked"
        except Exception as error:  # a crash must not look like "flagged" (1) to a pipeline
            message = f"unexpected {type(error).__name__}: {error}"
        finally:
            signal.signal(signal.SIGTERM, previous)
        err_console.print(f"[red]error:[/red] {escape(message)}")
        raise typer.Exit(EXIT_ERROR)

    return wrapper


@exit_code_contract
def check(account: str | None = typer.Option(None, "--account", help="Check an account in the graph."),
          input_file: Annotated[Path | None, typer.Option(
              "--input", help="JSONL of signups ('-' for stdin): account_id or payment_fingerprint/ip/"
                              "email/client_fingerprint, optional ref.")] = None,
          out: Annotated[Path | None, typer.Option(
              "--out", help="Write JSONL verdicts here (default stdout).")] = None,
          fail_on: Annotated[FailOn, typer.Option(
              "--fail-on", help="Exit 1 when any verdict is at least this.")] = FailOn.BLOCK) -> None:
    """Risk, verdict (allow/review/block) and reasons for an account or a batch of signups.

    Exit codes, a contract for pipelines:

    0 = every subject answered, none at or above --fail-on.

    1 = every subject answered, at least one at or above --fail-on (flagged).

    2 = error: unknown account (in a batch too), bad input or settings, Neo4j down, interrupted, or a crash.
    """
    if (account is None) == (input_file is None):
        raise InputError("give exactly one of --account or --input")
    settings = load_settings_or_exit()
    subjects = [CheckSignals(account_id=account)] if account is not None else list(
        _read_inputs(input_file))  # type: ignore[arg-type]
    flagged = unanswered = 0
    with open_database(settings) as database, _output(out) as stream:
        for subject in subjects:
            try:
                result = run_check(database, subject)
            except NotFoundError as error:
                if account is not None:
                    raise
                # In a batch the other subjects still get their answers; the exit code says one is missing.
                unanswered += 1
                stream.write(json.dumps({"ref": subject.ref, "account_id": subject.account_id,
                                         "error": {"code": error.code, "message": str(error)}}) + "\n")
                continue
            flagged += is_flagged(result, fail_on)
            stream.write(json.dumps(result.to_dict()) + "\n")
    record_cli(settings.audit_log, "cli.check", checked=len(subjects), flagged=flagged, unanswered=unanswered)
    if unanswered:
        raise NotFoundError(f"{unanswered} of {len(subjects)} subjects name no account in the graph "
                            "(their lines carry error NOT_FOUND)")
    if flagged:
        raise typer.Exit(EXIT_FLAGGED)
