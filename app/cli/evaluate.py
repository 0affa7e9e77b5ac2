"""`linkage eval --labels labels.csv`: detection's quality against ground truth, beside the baseline."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from app.cli.common import console, load_settings_or_exit, open_database, reports_errors
from graph.detect.evaluate import (
    Calibration,
    Scores,
    baseline_flags,
    calibrate,
    flags_from_members,
    read_labels,
    score_flags,
)
from graph.detect.inputs import read_inputs
from graph.detect.persist import read_cluster_members


def print_scores(results: list[Scores]) -> None:
    """A table of precision, recall, F1 and false-positive rate per method, then recall per campaign and
    false positives per legitimate population."""
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
                      + (", ".join(f"{p} {n:,} of {result.population_sizes.get(p, 0):,}"
                                   for p, n in result.false_positives_by_population.items()) or "none"))


def print_calibration(calibration: Calibration) -> None:
    """Precision by score band, and what a verdict threshold at each score would give: the table a provider
    re-checks the meaning of `suspicious` with on its own labelled incidents."""
    table = Table("score band", "clusters", "accounts", "campaign accounts", "precision",
                  title="Calibration: accounts by their cluster's score")
    for band in calibration.bands:
        precision = "—" if band.accounts == 0 else f"{band.precision:.4f}"
        table.add_row(f"[{band.low:.2f}, {band.high:.2f})", f"{band.clusters:,}", f"{band.accounts:,}",
                      f"{band.campaign_accounts:,}", precision)
    console.print(table)
    table = Table("flag from score", "accounts", "precision", "recall", title="If the verdict threshold were")
    for row in calibration.from_threshold:
        table.add_row(f"≥ {row['threshold']:.1f}", f"{int(row['accounts']):,}",
                      "—" if row["accounts"] == 0 else f"{row['precision']:.4f}", f"{row['recall']:.4f}")
    console.print(table)
    console.print(f"accounts in no cluster: {calibration.unclustered_accounts:,} "
                  f"({calibration.unclustered_campaign_accounts:,} of them campaign accounts)")


@reports_errors
def evaluate(labels: Path = typer.Option(..., "--labels", help="Ground truth: labels.csv."),
             out: Path | None = typer.Option(None, "--out", help="Also write the figures as JSON.")) -> None:
    """Precision, recall and F1 of the accounts in suspicious clusters against labels.csv, recall per
    campaign, false positives per legitimate population — beside the baseline (connected components over
    shared payment methods and IPs, as public fraud-ring examples do) computed in the same run — and the
    calibration: precision by score band and from each possible verdict threshold up."""
    truth = read_labels(labels)
    settings = load_settings_or_exit()
    with open_database(settings) as database:
        members = read_cluster_members(database)
        ours = score_flags("linkage", flags_from_members(members), truth)
        flagged, seconds = baseline_flags(read_inputs(database))
    baseline = score_flags("baseline", flagged, truth, seconds)
    calibration = calibrate(members, truth)
    print_scores([ours, baseline])
    print_calibration(calibration)
    if out is not None:
        figures = {"methods": [ours.__dict__, baseline.__dict__], "calibration": {
            "bands": [band.__dict__ | {"precision": band.precision} for band in calibration.bands],
            "from_threshold": calibration.from_threshold,
            "unclustered_accounts": calibration.unclustered_accounts,
            "unclustered_campaign_accounts": calibration.unclustered_campaign_accounts}}
        out.write_text(json.dumps(figures, indent=1, default=str) + "\n", encoding="utf-8")
