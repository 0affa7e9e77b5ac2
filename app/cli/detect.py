"""`linkage detect`: find, score and explain clusters in the loaded graph and write them back as a new
detection run, then say what changed since the run before (a table, or `--json` on stdout)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from app.audit import audited_cli
from app.cli.common import Engine, console, err_console, load_settings_or_exit, open_database, reports_errors
from graph.detect.changes import ClusterChange
from graph.detect.inputs import Window
from graph.detect.links import EMBEDDED, LinkEngine
from graph.detect.pipeline import DetectionSummary, run_detection
from graph.detect.snapshot import read_inputs_parquet, write_inputs
from graph.errors import InputError

_RELATIVE = re.compile(r"^(?P<amount>\d+)(?P<unit>[hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
EXAMPLES_PER_KIND = 5


def parse_time(value: str | None, option: str, now: datetime | None = None) -> datetime | None:
    """An ISO 8601 date or time (UTC unless it says otherwise), or a span back from now such as 30d,
    12h or 2w.

    >>> parse_time("2025-03-01", "--since")
    datetime.datetime(2025, 3, 1, 0, 0, tzinfo=datetime.timezone.utc)
    >>> parse_time("7d", "--since", now=datetime(2025, 3, 8, tzinfo=UTC)).isoformat()
    '2025-03-01T00:00:00+00:00'
    """
    if value is None:
        return None
    relative = _RELATIVE.match(value.strip())
    if relative:
        span = timedelta(**{_UNITS[relative["unit"]]: int(relative["amount"])})
        return (now or datetime.now(UTC)) - span
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{value!r} is neither an ISO 8601 time (2025-03-01, 2025-03-01T12:00) nor a span "
                         "such as 30d, 12h or 2w", field=option) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def change_line(change: ClusterChange) -> str:
    """One change as the summary table shows it.

    >>> change_line(ClusterChange("cl_b", "merged", True, 12, 8, verdict="suspicious", related=["cl_c"]))
    'cl_b 8→12 suspicious, merged with cl_c'
    >>> change_line(ClusterChange("cl_o", "retired", False, 0, 4))
    'cl_o 4→0'
    """
    sizes = f"{change.previous_size:,}→{change.size:,}" if change.previous_size else f"{change.size:,}"
    verdict = f" {change.verdict}" if change.verdict else ""
    related = ", ".join(change.related[:3]) + (" …" if len(change.related) > 3 else "")
    detail = ""
    if change.related:
        detail = {"merged": f", merged with {related}", "split": f", split from {related}",
                  "new": f", grew out of {related}", "retired": f", members went to {related}"}.get(change.change, "")
    return f"{change.cluster_id} {sizes}{verdict}{detail}"


def summary_json(summary: DetectionSummary) -> dict[str, Any]:
    """The run, its counts and every change except `unchanged`, as JSON-ready values."""
    run = summary.run
    return {
        "run": None if run is None else {
            "run_id": run.run_id, "previous_run_id": run.previous_run_id,
            "started_at": run.started_at.isoformat(), "settings_digest": run.settings_digest,
            "window": {"since": run.window.since.isoformat() if run.window.since else None,
                       "until": run.window.until.isoformat() if run.window.until else None},
            "loaded_since_previous_run": run.loaded, "abandoned_runs": run.abandoned,
        },
        "accounts": summary.accounts, "clusters": len(summary.clusters),
        "members": sum(len(c.members) for c in summary.clusters),
        "verdicts": summary.count_by_verdict(), "changes": summary.count_changes(),
        "changed_clusters": [c.as_dict() for c in summary.changes if c.change != "unchanged"],
        "stage_seconds": {k: round(v, 3) for k, v in summary.stage_seconds.items()},
        "cleaned": summary.cleaned, "alerts": summary.alerts,
    }


def print_detection(summary: DetectionSummary) -> None:
    """Stage timings, counts, the strongest flagged clusters, and the changes since the run before."""
    table = Table("stage", "seconds", title="Detection")
    for stage, seconds in summary.stage_seconds.items():
        table.add_row(stage, f"{seconds:.1f}")
    console.print(table)
    counts = summary.count_by_verdict()
    console.print(f"{summary.accounts:,} accounts, {summary.candidate_pairs:,} candidate pairs, "
                  f"{summary.links:,} links, {summary.glue_edges:,} glue edges")
    console.print(f"{len(summary.clusters):,} clusters: {counts['suspicious']:,} suspicious, "
                  f"{counts['review']:,} review, {counts['benign']:,} benign")
    for cluster in sorted(summary.clusters, key=lambda c: (-c.score, c.cluster_id))[:5]:
        if cluster.verdict == "benign":
            break
        top = "; ".join(e["summary"] for e in cluster.evidence[:2])
        console.print(f"  {cluster.cluster_id} {cluster.verdict} score {cluster.score:.2f} "
                      f"size {len(cluster.members):,}: {top}")
    run = summary.run
    if run is None:
        return
    loaded = run.loaded
    console.print(f"run {run.run_id}, settings {run.settings_digest[:12]}, "
                  f"{loaded['files']:,} files ({loaded['loaded']:,} rows) loaded since "
                  f"{run.previous_run_id or 'the start'}")
    changes = Table("change", "clusters", "examples (size before→after)",
                    title=f"Changes since {run.previous_run_id or 'nothing (first run)'}")
    ranked = sorted(summary.changes, key=lambda c: (-(c.size or c.previous_size or 0), c.cluster_id))
    for kind, count in summary.count_changes().items():
        examples = [c for c in ranked if c.change == kind and (c.found or kind == "retired")]
        changes.add_row(kind, f"{count:,}", "; ".join(change_line(c) for c in examples[:EXAMPLES_PER_KIND]))
    console.print(changes)


@reports_errors
def detect(
    since: Annotated[str | None, typer.Option(
        "--since", help="Only activity from this time on: ISO 8601 (2025-03-01, 2025-03-01T12:00, UTC unless "
                        "given) or a span back from now (30d, 12h, 2w).")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="Only activity before this time (same forms as --since).")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the run and its changes as JSON on stdout (progress stays on stderr).")] = False,
    batch_size: Annotated[int | None, typer.Option(
        "--batch-size", min=1, help="Rows per write transaction (default LINKAGE_DETECT_BATCH_SIZE).")] = None,
    alerts: Annotated[bool, typer.Option(
        "--alerts/--no-alerts", help="Call the alert webhook, when LINKAGE_ALERT_WEBHOOK_URL is set.")] = True,
    engine: Annotated[Engine | None, typer.Option(
        "--engine", help="Where candidate pairs are made and scored and clusters formed: duckdb (numpy in this "
        "process) or spark (LINKAGE_SPARK_MASTER). Same clusters either way. Default LINKAGE_ENGINE.",
        show_default=False)] = None,
    inputs: Annotated[Path | None, typer.Option(
        "--inputs", help="Detect from a Parquet folder written by --save-inputs instead of reading the graph "
        "(the clusters are still written to the graph).", file_okay=False)] = None,
    save_inputs: Annotated[Path | None, typer.Option(
        "--save-inputs", help="Also write what detection read (accounts, activity, every kind's edges) as "
        "Parquet to this folder, for --inputs and for a Spark cluster.", file_okay=False)] = None,
) -> None:
    """Find coordinated clusters in the loaded graph, score and explain them, and write them as a new
    detection run (Cluster nodes with evidence, MEMBER_OF links, a DetectionRun with its counts).

    The run before stays in force until the new one is complete and switches in, in one transaction; an
    interrupted run changes nothing (the next one cleans up after it). Rerunning keeps ids and case status
    of clusters whose membership mostly persists. Ends with what changed: new, grown, shrunk, merged, split
    and retired clusters.
    """
    try:
        window = Window(parse_time(since, "--since"), parse_time(until, "--until"))
    except ValueError as error:
        raise InputError(str(error), field="--since") from None
    if inputs is not None and (since or until):
        raise InputError("--inputs holds what an earlier run read (its window included): no --since/--until",
                         field="--inputs")
    settings = load_settings_or_exit()
    if engine is not None:
        settings = settings.model_copy(update={"engine": engine.value})
    with audited_cli(settings.audit_log, "cli.detect",
                     since=window.since.isoformat() if window.since else None,
                     until=window.until.isoformat() if window.until else None) as audit, \
            open_database(settings) as database, err_console.status("detecting") as status:
        # A spinner on a terminal; one line per step in a log or a pipe.
        report = status.update if err_console.is_terminal else err_console.print
        links: LinkEngine = EMBEDDED
        if settings.engine == "spark":
            from graph.engine.detect import SparkLinks
            from graph.engine.spark import spark_session

            links = SparkLinks(spark_session(settings), inputs)
        summary = run_detection(
            database, progress=report, window=window, batch_size=batch_size, alerts=alerts, engine=links,
            read=(lambda: read_inputs_parquet(inputs)) if inputs is not None else None,
            save_inputs=(lambda data: write_inputs(data, save_inputs)) if save_inputs is not None else None)
        audit.update({"run_id": summary.run.run_id if summary.run else None, "clusters": len(summary.clusters)})
    if as_json:
        typer.echo(json.dumps(summary_json(summary), indent=1, default=str))
    else:
        print_detection(summary)

