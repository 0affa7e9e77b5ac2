"""Loader benchmark (not a test): generate a synthetic data set, load it, report rows/s, memory and time.

    LINKAGE_NEO4J_HOME=.linkage/bench-neo4j NEO4J_URI=bolt://127.0.0.1:17900 LINKAGE_NEO4J_HTTP_PORT=17901 \\
        .venv/bin/linkage neo4j start
    NEO4J_URI=bolt://127.0.0.1:17900 LINKAGE_NEO4J_HOME=.linkage/bench-neo4j \\
        .venv/bin/python bench/load_bench.py --accounts 100000 --prompts text

The graph is reset first (the bench server is its own instance). Results go to stdout as a table and as
JSON (`--json PATH`). See bench/README-load.md for measured figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from graph.db import connect
from graph.devserver import read_pid
from graph.load import load_directory
from graph.maintenance import apply_schema, count_graph, delete_all_data
from graph.settings import Settings
from graph.synthetic import generate_dataset


def server_peak_rss_mib(settings: Settings) -> float | None:
    """The Neo4j server's peak resident memory (VmHWM), when it runs on this machine."""
    pid = read_pid(settings)
    if pid is None:
        return None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=None, help="default: 16 per account")
    parser.add_argument("--prompts", choices=("text", "template"), default="text")
    parser.add_argument("--data", type=Path, default=None, help="data folder (default .linkage/bench-data-N)")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    settings = Settings()
    folder = args.data or Path(f".linkage/bench-data-{args.accounts}-{args.prompts}")
    started = time.perf_counter()
    if not (folder / "requests.parquet").exists():
        generate_dataset(folder, accounts=args.accounts, seed=7, requests=args.requests, prompts=args.prompts)
    generated = time.perf_counter() - started
    sizes = {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}
    with connect(settings) as database:
        apply_schema(database)
        delete_all_data(database)
        started = time.perf_counter()
        summary = load_directory(database, folder, batch_size=args.batch_size)
        total = time.perf_counter() - started
        counts = count_graph(database)
    loader_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "accounts": args.accounts, "prompts": args.prompts, "generate_seconds": round(generated, 1),
        "file_bytes": sizes, "load_seconds": round(total, 1),
        "resolve_seconds": round(summary.resolve_seconds, 1),
        "resolved_ips": summary.resolved_ips, "loader_peak_rss_mib": round(loader_rss),
        "server_peak_rss_mib": server_peak_rss_mib(settings),
        "tables": [
            {"table": t.table, "read": t.read, "written": t.written, "seconds": round(t.seconds, 1),
             "prepare_seconds": round(t.prepare_seconds, 1), "write_seconds": round(t.write_seconds, 1),
             "input_rows_per_s": round(t.read / t.seconds) if t.seconds else None,
             "written_rows_per_s": round(t.written / t.write_seconds) if t.write_seconds else None}
            for t in summary.tables
        ],
        "nodes": sum(counts["nodes"].values()), "relationships": sum(counts["relationships"].values()),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
