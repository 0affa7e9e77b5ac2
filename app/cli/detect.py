"""`linkage detect`: find, score and explain clusters in the loaded graph and write them back."""

from __future__ import annotations

from rich.table import Table

from app.cli.common import console, load_settings_or_exit, open_database, reports_errors
from graph.detect.pipeline import DetectionSummary, run_detection


def print_detection(summary: DetectionSummary) -> None:
    """Stage timings, counts, and the strongest flagged clusters with their top evidence."""
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


@reports_errors
def detect() -> None:
    """Find coordinated clusters in the loaded graph, score and explain them, and write them back
    (Cluster nodes with evidence, MEMBER_OF links). Rerunning keeps ids and case status of clusters whose
    membership mostly persists."""
    settings = load_settings_or_exit()
    with open_database(settings) as database, console.status("detecting") as status:
        summary = run_detection(database, progress=lambda message: status.update(message))
    print_detection(summary)
