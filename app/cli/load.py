"""`linkage load DIR`: the provider's records into the graph, with progress bars and a summary table."""

from __future__ import annotations

import dataclasses
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from app.cli.bulk import LoadPlan, bulk_load, plan_load
from app.cli.common import (
    Engine,
    console,
    err_console,
    load_settings_or_exit,
    open_database,
    print_json,
    reports_errors,
)
from graph.load import LoadSummary, discover_inputs, load_directory
from graph.maintenance import apply_schema


class RowsPerSecondColumn(ProgressColumn):
    """Rows written per second for a task."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("–" if speed is None else f"{speed:,.0f} rows/s", style="progress.data.speed")


class RichProgressSink:
    """Draws one progress bar per table (and one for IP resolution) from the loader's reports."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, object] = {}

    def start(self, label: str, total: int) -> None:
        self.tasks[label] = self.progress.add_task(label, total=max(total, 1) if total else 0)

    def advance(self, label: str, rows: int) -> None:
        task = self.tasks.get(label)
        if task is not None:
            self.progress.advance(task, rows)  # type: ignore[arg-type]


def summary_json(summary: LoadSummary) -> dict[str, Any]:
    """The load's outcome as JSON-ready values: every file's counts, warnings and timings."""
    return {"tables": [dataclasses.asdict(row) for row in summary.tables],
            "quarantine_dir": str(summary.quarantine_dir), "resolved_ips": summary.resolved_ips,
            "resumed_batches": summary.resumed_batches, "seconds": round(summary.seconds, 3),
            "mode": summary.mode, "mode_reason": summary.reason,
            "stage_seconds": {stage: round(seconds, 3) for stage, seconds in summary.stage_seconds.items()},
            "read": sum(row.read for row in summary.tables), "loaded": sum(row.loaded for row in summary.tables),
            "quarantined": sum(row.quarantined for row in summary.tables)}


def print_summary(summary: LoadSummary) -> None:
    """The per-table summary: read = loaded + quarantined for every file read."""
    table = Table(
        "table",
        "file",
        "status",
        "read",
        "loaded",
        "quarantined",
        "written to Neo4j",
        "seconds",
        title="load summary",
    )
    for row in summary.tables:
        if row.status == "skipped":
            table.add_row(row.table, row.file, "skipped (already loaded)", "", "", "", "", "")
            continue
        table.add_row(
            row.table,
            row.file,
            row.status,
            f"{row.read:,}",
            f"{row.loaded:,}",
            f"{row.quarantined:,}",
            f"{row.written:,}",
            f"{row.seconds:.1f}",
        )
    console.print(table)
    for row in summary.tables:
        for warning in row.warnings:
            err_console.print(f"[yellow]warning:[/yellow] {escape(warning)}")  # names from files: no markup
    if any(row.quarantined for row in summary.tables):
        console.print(f"Quarantined rows: {escape(str(summary.quarantine_dir))}/<table>.csv "
                      "(file, line, field, reason)")
    if summary.resumed_batches:
        console.print(f"Resumed: {summary.resumed_batches:,} batches were already applied")
    console.print(f"IPs resolved to networks: {summary.resolved_ips:,}; total {summary.seconds:.1f} s "
                  f"({summary.mode}: {escape(summary.reason)})")


@reports_errors
def load(
    directory: Annotated[Path, typer.Argument(
        help="Folder with accounts, payment_methods, requests, ip_intel "
        "(.csv, .jsonl, .parquet; .csv.gz, .jsonl.gz).",
    )],
    quarantine: Annotated[Path | None, typer.Option(
        "--quarantine", help="Where bad rows go (default DIR/quarantine/)."
    )] = None,
    batch_size: Annotated[int | None, typer.Option(
        "--batch-size", min=1, help="Rows per transaction (default LINKAGE_LOAD_BATCH_SIZE)."
    )] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the summary as JSON on stdout (progress stays on stderr).")] = False,
    bulk: Annotated[bool | None, typer.Option(
        "--bulk/--transactional",
        help="First load into an empty local server: build it with `neo4j-admin database import` (stops and "
        "restarts the server; several times faster). Default: bulk when the graph is empty, the server is "
        "the one `linkage neo4j` manages and the inputs reach LINKAGE_LOAD_BULK_MIN_BYTES; otherwise, and "
        "always into a non-empty graph or a remote server, transactions (the reason is printed).",
        show_default=False)] = None,
    engine: Annotated[Engine | None, typer.Option(
        "--engine", help="Where the request log is validated and aggregated: duckdb (in this process) or spark "
        "(LINKAGE_SPARK_MASTER; needs the spark extra: docs/scale.md). Default LINKAGE_ENGINE.",
        show_default=False)] = None,
) -> None:
    """Load a folder of the provider's records into Neo4j: validated, aggregated, exactly once.

    Loading the same folder twice changes nothing; a second folder adds to the graph; an interrupted load
    finishes when rerun. Bad rows go to the quarantine folder with file, line, field and reason.
    """
    discover_inputs(directory)  # a missing folder or an unknown format fails before connecting
    settings = load_settings_or_exit()
    if engine is not None:
        settings = settings.model_copy(update={"engine": engine.value})
    if settings.engine == "spark" and bulk:
        raise typer.BadParameter("--bulk runs the embedded engine; use --engine duckdb", param_hint="--bulk")
    with open_database(settings) as database, ExitStack() as stack:
        apply_schema(database)
        prepare_requests, readable = None, []
        if settings.engine == "spark":
            from graph.engine.requests import spark_request_preparer

            prepare_requests, folder = stack.enter_context(spark_request_preparer(settings))
            readable = [folder]
        columns = (
            TextColumn("{task.description:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            RowsPerSecondColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        plan = (plan_load(database, directory, bulk=bulk) if prepare_requests is None else
                LoadPlan(False, "the request log is prepared on Spark (LINKAGE_ENGINE=spark)"))
        err_console.print(f"{'bulk' if plan.bulk else 'transactional'} load: {escape(plan.reason)}")
        # Progress on stderr: stdout carries only the result (the summary table, or --json).
        with Progress(*columns, console=err_console, transient=False) as progress:
            if plan.bulk:
                summary = bulk_load(database, directory, quarantine_dir=quarantine,
                                    progress=RichProgressSink(progress))
            else:
                summary = load_directory(
                    database,
                    directory,
                    quarantine_dir=quarantine,
                    batch_size=batch_size,
                    progress=RichProgressSink(progress),
                    prepare_requests=prepare_requests,
                    readable=readable,
                )
            summary.reason = plan.reason
    if as_json:
        print_json(summary_json(summary))
    else:
        print_summary(summary)
