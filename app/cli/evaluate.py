"""`linkage eval --labels labels.csv`: detection's quality against ground truth, beside the baseline."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from app.cli.common import console, load_settings_or_exit, open_database, reports_errors
from graph.detect.evaluate import Scores, baseline_flags, flags_from_members, read_labels, score_flags
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
        ours = score_flags("linkage", flags_from_members(read_cluster_members(database)), truth)
        flagged, seconds = baseline_flags(read_inputs(database))
    baseline = score_flags("baseline", flagged, truth, seconds)
    print_scores([ours, baseline])
    if out is not None:
        out.write_text(json.dumps([ours.__dict__, baseline.__dict__], indent=1) + "\n", encoding="utf-8")
