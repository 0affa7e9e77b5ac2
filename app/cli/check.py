"""`linkage check`: automated linkage checks for pipelines (signup flows, nightly batches).

    linkage check --account acct-123 --fail-on block
    linkage check --input signups.jsonl --out verdicts.jsonl --fail-on review

Output is one JSON line per subject (risk, verdict, matched clusters, reasons). Exit codes: 0 nothing at
or above --fail-on, 1 something flagged, 2 an error (a malformed input line is named and nothing after
it is checked).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer

from app.audit import record_cli
from app.cli.common import load_settings_or_exit, open_database, reports_errors
from graph.check import CheckResult, CheckSignals, parse_signals, run_check
from graph.errors import InputError, NotFoundError


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


@reports_errors
def check(account: str | None = typer.Option(None, "--account", help="Check an account in the graph."),
          input_file: Annotated[Path | None, typer.Option(
              "--input", help="JSONL of signups ('-' for stdin): account_id or payment_fingerprint/ip/"
                              "email/client_fingerprint, optional ref.")] = None,
          out: Annotated[Path | None, typer.Option(
              "--out", help="Write JSONL verdicts here (default stdout).")] = None,
          fail_on: Annotated[FailOn, typer.Option(
              "--fail-on", help="Exit 1 when any verdict is at least this.")] = FailOn.BLOCK) -> None:
    """Risk, verdict (allow/review/block) and reasons for an account or a batch of signups."""
    if (account is None) == (input_file is None):
        raise InputError("give exactly one of --account or --input")
    settings = load_settings_or_exit()
    subjects = [CheckSignals(account_id=account)] if account is not None else list(
        _read_inputs(input_file))  # type: ignore[arg-type]
    flagged = 0
    with open_database(settings) as database, _output(out) as stream:
        for subject in subjects:
            try:
                result = run_check(database, subject)
            except NotFoundError as error:
                if account is not None:
                    raise
                # In a batch an unknown account is an answer, not a crash.
                stream.write(json.dumps({"ref": subject.ref, "account_id": subject.account_id,
                                         "error": {"code": error.code, "message": str(error)}}) + "\n")
                continue
            flagged += is_flagged(result, fail_on)
            stream.write(json.dumps(result.to_dict()) + "\n")
    record_cli(settings.audit_log, "cli.check", checked=len(subjects), flagged=flagged)
    if flagged:
        raise typer.Exit(1)
