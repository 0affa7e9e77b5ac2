"""Detection benchmark (not a test): detection time per stage on the graph that is loaded, peak memory,
quality against labels.csv, and the baseline's time and quality on the same graph.

    NEO4J_URI=bolt://127.0.0.1:17900 .venv/bin/python bench/detect_bench.py --labels DATA/labels.csv
    NEO4J_URI=bolt://127.0.0.1:17900 .venv/bin/python bench/detect_bench.py --read-only   # the graph read alone

Load the data first (bench/load_bench.py or `linkage load`). Figures go to stdout and, with --json, to a
file; bench/README-detect.md has the measured tables.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from graph.db import connect
from graph.detect.evaluate import baseline_flags, flags_from_members, read_labels, score_flags
from graph.detect.inputs import read_inputs
from graph.detect.persist import read_cluster_members
from graph.detect.pipeline import run_detection
from graph.settings import Settings


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=Path, default=None, help="labels.csv (required unless --read-only)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--read-only", action="store_true",
                        help="time only detection's graph read (accounts, activity entries, relationships per kind)")
    args = parser.parse_args()
    if args.read_only:
        report(read_only(Settings()), args.json)
        return
    if args.labels is None:
        parser.error("--labels is required unless --read-only")
    labels = read_labels(args.labels)
    settings = Settings()
    with connect(settings) as database:
        started = time.perf_counter()
        summary = run_detection(database)
        total = time.perf_counter() - started
        rows = read_cluster_members(database)
        ours = score_flags("linkage", flags_from_members(rows), labels, total)
        started = time.perf_counter()
        data = read_inputs(database)
        read_seconds = time.perf_counter() - started
        flagged, baseline_seconds = baseline_flags(data)
    baseline = score_flags("baseline", flagged, labels, read_seconds + baseline_seconds)
    result = {
        "accounts": summary.accounts, "clusters": len(summary.clusters),
        "verdicts": summary.count_by_verdict(), "candidate_pairs": summary.candidate_pairs,
        "links": summary.links, "glue_edges": summary.glue_edges,
        "stage_seconds": {k: round(v, 1) for k, v in summary.stage_seconds.items()},
        "total_seconds": round(total, 1), "peak_rss_mib": round(peak_rss_mib()),
        "baseline_seconds": {"read": round(read_seconds, 1), "components": round(baseline_seconds, 2)},
        "ours": ours.__dict__, "baseline": baseline.__dict__,
    }
    report(result, args.json)


def read_only(settings: Settings) -> dict[str, object]:
    """Detection's graph read alone: seconds, rows (accounts + activity entries + relationships) per second."""
    with connect(settings) as database:
        started = time.perf_counter()
        data = read_inputs(database)
        seconds = time.perf_counter() - started
    relationships = {kind: int(incidence.account.size) for kind, incidence in data.incidences.items()}
    rows = data.n_accounts + int(data.activity_bucket.size) + sum(relationships.values())
    return {"accounts": data.n_accounts, "activity_entries": int(data.activity_bucket.size),
            "relationships": relationships, "rows": rows, "read_seconds": round(seconds, 1),
            "rows_per_s": round(rows / seconds), "peak_rss_mib": round(peak_rss_mib())}


def report(result: dict[str, object], path: Path | None) -> None:
    print(json.dumps(result, indent=1, default=str))
    if path:
        path.write_text(json.dumps(result, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
