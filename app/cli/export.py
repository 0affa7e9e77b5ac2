"""`linkage export clusters|graph|stix`: detection's clusters as files (each export is audited before it is
written)."""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from app.audit import audited_cli
from app.cli.common import err_console, load_settings_or_exit, open_database, reports_errors
from app.cli.stix import export_stix
from app.report import read_sample
from app.report.layout import write_graph
from app.report.sample import MAX_MEMBERS
from graph.errors import InputError
from graph.queries import get_query

export_app = typer.Typer(help="Write clusters to files: a member table, one cluster's graph for Gephi or "
                              "Cytoscape, or a STIX 2.1 bundle for sharing.", no_args_is_help=True)
EXPORT_COLUMNS = ("cluster_id", "account_id", "score", "verdict", "case_status")


class TableFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    JSONL = "jsonl"


class GraphFormat(StrEnum):
    GRAPHML = "graphml"
    GEXF = "gexf"


class VerdictChoice(StrEnum):
    SUSPICIOUS = "suspicious"
    REVIEW = "review"
    BENIGN = "benign"


class CaseStatusChoice(StrEnum):
    OPEN = "open"
    IN_REVIEW = "in_review"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


def table_format(out: Path, chosen: TableFormat | None) -> TableFormat:
    """The format asked for, else the one `out`'s suffix names (CSV on stdout).

    >>> table_format(Path("x.jsonl"), None), table_format(Path("-"), None)
    (<TableFormat.JSONL: 'jsonl'>, <TableFormat.CSV: 'csv'>)
    >>> table_format(Path("x.txt"), TableFormat.JSON)
    <TableFormat.JSON: 'json'>
    """
    if chosen is not None:
        return chosen
    if str(out) == "-":
        return TableFormat.CSV
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in TableFormat._value2member_map_:
        raise InputError("unknown export format (use .csv, .json or .jsonl, or --format)", path=str(out))
    return TableFormat(suffix)


def render_records(records: list[dict[str, Any]], fmt: TableFormat) -> str:
    """`records` as CSV, a JSON array or JSON lines."""
    if fmt is TableFormat.CSV:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return buffer.getvalue()
    if fmt is TableFormat.JSON:
        return json.dumps(records, indent=1) + "\n"
    return "".join(json.dumps(r) + "\n" for r in records)


def write_output(out: Path, content: str | bytes) -> None:
    """Write to `out`, or to stdout when it is '-' (results on stdout, messages on stderr)."""
    if str(out) == "-":
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
        else:
            sys.stdout.write(content)
            sys.stdout.flush()
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        out.write_bytes(content)
    else:
        out.write_text(content, encoding="utf-8")


@export_app.command("clusters")
@reports_errors
def export_clusters(
    out: Annotated[Path, typer.Option("--out", help="File to write (.csv, .json, .jsonl), or '-' for stdout.")],
    fmt: Annotated[TableFormat | None, typer.Option(
        "--format", help="Table format (default: from --out's suffix; csv on stdout).")] = None,
    verdict: Annotated[list[VerdictChoice] | None, typer.Option(
        "--verdict", help="Only clusters with this verdict (repeat for several).")] = None,
    case_status: Annotated[list[CaseStatusChoice] | None, typer.Option(
        "--case-status", help="Only clusters whose case has this status (repeat for several; no case = open).")]
    = None,
    min_score: Annotated[float | None, typer.Option(
        "--min-score", min=0.0, max=1.0, help="Only clusters scoring at least this.")] = None,
) -> None:
    """One row per member account of every live cluster that passes the filters: cluster_id, account_id,
    score, verdict, case_status."""
    chosen = table_format(out, fmt)
    settings = load_settings_or_exit()
    verdicts = [v.value for v in verdict] if verdict else None
    case_statuses = [s.value.upper() for s in case_status] if case_status else None
    params = {"verdicts": verdicts, "case_statuses": case_statuses, "min_score": min_score}
    with audited_cli(settings.audit_log, "cli.export.clusters", verdicts=",".join(verdicts or []),
                     case_statuses=",".join(case_statuses or []), min_score=min_score) as audit:
        with open_database(settings) as database:
            rows = database.run(get_query("export_cluster_members"), params,
                                timeout=database.settings.write_timeout_s)
        records = [{column: row[column] for column in EXPORT_COLUMNS} for row in rows]
        write_output(out, render_records(records, chosen))
        audit["rows"] = len(records)
    err_console.print(f"{len(records):,} member rows of {len({r['cluster_id'] for r in records}):,} clusters "
                      f"→ {'stdout' if str(out) == '-' else out}")


@export_app.command("graph")
@reports_errors
def export_graph(
    cluster_id: Annotated[str, typer.Argument(help="The cluster to export.")],
    out: Annotated[Path, typer.Option("--out", help="File to write, or '-' for stdout.")],
    fmt: Annotated[GraphFormat, typer.Option("--format", help="graphml (Cytoscape, yEd, Gephi) or gexf (Gephi).")]
    = GraphFormat.GRAPHML,
    members: Annotated[int, typer.Option(
        "--members", min=1, max=MAX_MEMBERS, help="Members in the sample (the most active first).")] = 500,
) -> None:
    """One cluster's sample as a graph file: the cluster, its most active members and the identifiers at least
    two accounts share (payment methods, IPs, networks, proxy networks, client fingerprints, templates), with
    kinds, labels and request counts as attributes."""
    settings = load_settings_or_exit()
    with audited_cli(settings.audit_log, "cli.export.graph", cluster_id=cluster_id, format=fmt.value) as audit:
        with open_database(settings) as database:
            sample = read_sample(database, cluster_id, members)
        write_output(out, write_graph(sample, fmt.value))
        audit.update({"nodes": len(sample.nodes), "edges": len(sample.edges)})
    err_console.print(f"{len(sample.nodes):,} nodes and {len(sample.edges):,} edges of {cluster_id} "
                      f"({fmt.value}) → {'stdout' if str(out) == '-' else out}")


export_app.command("stix")(export_stix)
