"""`linkage detect`, `linkage export clusters|stix` and `linkage eval`: clusters, their files, their quality."""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path

import typer
from rich.table import Table

from app.audit import AuditLog
from app.cli.common import console, load_settings_or_exit, open_database, reports_errors
from graph.detect.evaluate import Scores, baseline_flags, flags_from_members, read_labels, score_flags
from graph.detect.inputs import read_inputs
from graph.detect.pipeline import run_detection
from graph.detect.stix import TLP, build_bundle
from graph.errors import InputError, NotFoundError
from graph.queries import get_query

export_app = typer.Typer(help="Write clusters to files: a member table, or a STIX 2.1 bundle for sharing.",
                         no_args_is_help=True)
EXPORT_COLUMNS = ("cluster_id", "account_id", "score", "verdict")


def audit_export(settings_audit_log: Path, operation: str, **facts: str | int) -> None:
    """Every export leaves an audit record (who, what, when; counts and our own ids, never values)."""
    AuditLog(settings_audit_log).record(operation=operation, actor="cli", key_id=None, role="admin",
                                        request_id=uuid.uuid4().hex, **facts)


@reports_errors
def detect() -> None:
    """Find coordinated clusters in the loaded graph, score and explain them, and write them back
    (Cluster nodes with evidence, MEMBER_OF links). Rerunning keeps ids and case status of clusters whose
    membership mostly persists."""
    settings = load_settings_or_exit()
    with open_database(settings) as database, console.status("detecting") as status:
        summary = run_detection(database, progress=lambda message: status.update(message))
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


def _member_rows(settings_database: object) -> list[dict[str, object]]:
    from graph.db import Database

    assert isinstance(settings_database, Database)
    return settings_database.run(get_query("detect_cluster_members"),
                                 timeout=settings_database.settings.write_timeout_s)


@export_app.command("clusters")
@reports_errors
def export_clusters(out: Path = typer.Option(..., "--out", help="File to write: .csv, or .json/.jsonl.")) \
        -> None:
    """One row per member account of every cluster: cluster_id, account_id, score, verdict."""
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".json", ".jsonl"):
        raise InputError("unknown export format (use .csv, .json or .jsonl)", path=str(out))
    settings = load_settings_or_exit()
    with open_database(settings) as database:
        rows = _member_rows(database)
    out.parent.mkdir(parents=True, exist_ok=True)
    records = [{column: row[column] for column in EXPORT_COLUMNS} for row in rows]
    if suffix == ".csv":
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(records)
    elif suffix == ".json":
        out.write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")
    else:
        out.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    audit_export(settings.audit_log, "cli.export.clusters", rows=len(records))
    console.print(f"{len(records):,} member rows of {len({r['cluster_id'] for r in records}):,} clusters "
                  f"→ {out}")


@export_app.command("stix")
@reports_errors
def export_stix(cluster_id: str = typer.Argument(..., help="The cluster to share."),
                out: Path = typer.Option(..., "--out", help="The bundle's JSON file."),
                tlp: str = typer.Option("amber", help=f"TLP marking: {', '.join(TLP)}.")) -> None:
    """A STIX 2.1 bundle of one cluster (campaign, proxy-network infrastructure, IP/network/ASN indicators,
    observed volumes, sightings; account ids and payment fingerprints only as SHA-256)."""
    if tlp not in TLP:
        raise InputError(f"unknown TLP {tlp!r} (use {', '.join(TLP)})", field="tlp")
    settings = load_settings_or_exit()
    with open_database(settings) as database:
        rows = database.run(get_query("detect_cluster_detail"), {"cluster_id": cluster_id})
    if not rows:
        raise NotFoundError(f"no cluster {cluster_id!r}")
    bundle = build_bundle(rows[0], tlp=tlp)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(bundle.serialize(pretty=True) + "\n", encoding="utf-8")
    audit_export(settings.audit_log, "cli.export.stix", cluster_id=cluster_id, objects=len(bundle.objects),
                 tlp=tlp)
    console.print(f"STIX bundle with {len(bundle.objects)} objects → {out}")


def _print_scores(results: list[Scores]) -> None:
    table = Table("method", "flagged", "precision", "recall", "F1", "FP rate", "seconds",
                  title="Evaluation: accounts in suspicious clusters vs labels")
    for result in results:
        table.add_row(result.name, f"{result.flagged:,}", f"{result.precision:.4f}", f"{result.recall:.4f}",
                      f"{result.f1:.4f}", f"{result.false_positive_rate:.4%}", f"{result.seconds:.1f}")
    console.print(table)
    for result in results:
        console.print(f"[bold]{result.name}[/bold]")
        console.print("  recall per campaign: "
                      + ", ".join(f"{c} {r:.3f}" for c, r in result.recall_by_campaign.items()))
        console.print("  false positives by population: "
                      + (", ".join(f"{p} {n:,}" for p, n in result.false_positives_by_population.items())
                         or "none"))


@reports_errors
def evaluate(labels: Path = typer.Option(..., "--labels", help="Ground truth: labels.csv."),
             out: Path | None = typer.Option(None, "--out", help="Also write the figures as JSON.")) -> None:
    """Precision, recall and F1 of the accounts in suspicious clusters against labels.csv, recall per
    campaign, false positives per legitimate population — beside the baseline (connected components over
    shared payment methods and IPs, as public fraud-ring examples do) computed in the same run."""
    truth = read_labels(labels)
    settings = load_settings_or_exit()
    with open_database(settings) as database:
        ours = score_flags("linkage", flags_from_members(_member_rows(database)), truth)
        flagged, seconds = baseline_flags(read_inputs(database))
    baseline = score_flags("baseline", flagged, truth, seconds)
    _print_scores([ours, baseline])
    if out is not None:
        out.write_text(json.dumps([ours.__dict__, baseline.__dict__], indent=1) + "\n", encoding="utf-8")
