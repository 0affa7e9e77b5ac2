"""`linkage export clusters|stix`: detection's clusters as files (each export is audited before it is written)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import typer

from app.audit import audited_cli
from app.cli.common import console, load_settings_or_exit, open_database, reports_errors
from app.cli.stix import export_stix
from graph.detect.persist import read_cluster_members
from graph.errors import InputError

export_app = typer.Typer(help="Write clusters to files: a member table, or a STIX 2.1 bundle for sharing.",
                         no_args_is_help=True)
EXPORT_COLUMNS = ("cluster_id", "account_id", "score", "verdict")
FORMATS = (".csv", ".json", ".jsonl")


def write_records(out: Path, records: list[dict[str, Any]]) -> None:
    """`records` as CSV, a JSON array or JSON lines, by `out`'s suffix."""
    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(records)
    elif suffix == ".json":
        out.write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")
    else:
        out.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


@export_app.command("clusters")
@reports_errors
def export_clusters(out: Path = typer.Option(..., "--out", help="File to write: .csv, or .json/.jsonl.")) \
        -> None:
    """One row per member account of every cluster: cluster_id, account_id, score, verdict."""
    if out.suffix.lower() not in FORMATS:
        raise InputError("unknown export format (use .csv, .json or .jsonl)", path=str(out))
    settings = load_settings_or_exit()
    with audited_cli(settings.audit_log, "cli.export.clusters") as audit:
        with open_database(settings) as database:
            rows = read_cluster_members(database)
        records = [{column: row[column] for column in EXPORT_COLUMNS} for row in rows]
        write_records(out, records)
        audit["rows"] = len(records)
    console.print(f"{len(records):,} member rows of {len({r['cluster_id'] for r in records}):,} clusters "
                  f"→ {out}")


export_app.command("stix")(export_stix)
