"""Offline-import speed anchor (not a test): the loader's graph built with `neo4j-admin database import full`.

    .venv/bin/python bench/import_anchor.py --data .linkage/bench-data-100000-text --json /tmp/import-100k.json
    .venv/bin/python bench/import_anchor.py --data .linkage/bench-data-100000-text --transactional  # + compare

The export and import are the bulk loader's own (graph/load/bulk.py, graph.devserver.import_full;
`linkage load --bulk`); this bench
times them apart, on its own instance, and can compare the result with a transactional load.

1. **Export (DuckDB).** `export_directory`: the loader's DuckDB sequence on the folder against
   `OfflineGraph` (the empty graph), then the aggregates as neo4j-admin CSV files.
2. **Import.** Stops this bench's own server if it runs, then `graph.devserver.import_full` (`neo4j-admin
   database import full`); peak RSS is the largest child process's (the import JVM).
3. **Verify.** Starts the server (home `.linkage/import-neo4j`, Bolt 17950, HTTP 17951 by default), applies
   the schema (constraints are not created by a Community import), counts nodes per label and relationships
   per type and takes a property fingerprint per label/type (per property: how many entities have it,
   value types, numeric sum, lengths, min/max text).
4. With `--transactional`: resets that same server and runs `bench/load_bench.py` on the same folder
   (the transactional loader, in a subprocess so its peak RSS is its own), then compares counts and
   fingerprints with the imported graph. The ledger differs by design: the import writes the four
   `LoadedFile` nodes (so a later `linkage load` of the folder skips it), no per-batch `LoadBatch` markers.

The server is stopped at the end (`--keep-running` leaves it up). Results: stdout and `--json PATH`.
See bench/README-load.md for measured figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, LiteralString

from graph.db import connect
from graph.devserver import import_full, read_pid, start_server, stop_server
from graph.load.bulk import CsvWriter, export_directory
from graph.maintenance import apply_schema, count_graph
from graph.queries import inline_query
from graph.schema import NODE_LABELS, REL_TYPES
from graph.settings import Settings

IGNORED_FOR_COMPARISON = {"LoadBatch": "per-batch markers of the transactional ledger"}
NOT_COMPARED_PROPERTIES = {"loaded_at"}  # wall-clock time of the load


def run_export(folder: Path, out_dir: Path, settings: Settings) -> dict[str, Any]:
    """The bulk loader's export (graph/load/bulk.py): the loader's DuckDB sequence, then the CSV files."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    started = time.perf_counter()
    export = export_directory(settings, folder, out_dir, out_dir / "quarantine")
    tables = [{"table": t.table, "file": t.file, "read": t.read, "loaded": t.loaded, "quarantined": t.quarantined,
               "prepare_seconds": round(t.prepare_seconds, 1)} for t in export.tables]
    return {
        "tables": tables, "resolved_ips": export.resolved_ips, "resolve_seconds": round(export.resolve_seconds, 1),
        "csv_seconds": round(export.csv_seconds, 1), "seconds": round(time.perf_counter() - started, 1),
        "csv_rows": export.writer.rows, "csv_bytes": sum(p.stat().st_size for p in out_dir.glob("*.csv")),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "_writer": export.writer,
    }


def run_import(settings: Settings, writer: CsvWriter, *, threads: int) -> dict[str, Any]:
    if read_pid(settings) is not None:
        stop_server(settings)
    started = time.perf_counter()
    import_full(settings, nodes=writer.nodes, relationships=writer.relationships, multiline=writer.multiline,
                folder=writer.folder, threads=threads)
    seconds = time.perf_counter() - started
    summary = re.search(r"IMPORT DONE in (.+?)\. *\n(.*?)(?:\n\n|\Z)", (writer.folder / "import.stdout").read_text(),
                        re.S)
    return {"seconds": round(seconds, 1),
            # the largest child waited for so far: the import JVM (the set-initial-password one is smaller)
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
            "tool_summary": " ".join(summary.group(0).split()) if summary else None,
            "threads": threads, "max_off_heap_memory": settings.load_bulk_off_heap, "heap": settings.load_bulk_heap}


# Per property of a label or type: an order-independent summary of every value (how many entities have it,
# value types, numeric sum, lengths, sums of integer lists and datetimes mod p, trues, min/max as text).
_FINGERPRINT: LiteralString = """
UNWIND keys(x) AS k
WITH k, x[k] AS v
WITH k, v, CASE WHEN v IS :: LIST<ANY>
                THEN toString(size(v)) + ':' + coalesce(toString(v[0]), '') + ':' + coalesce(toString(v[-1]), '')
                ELSE toString(v) END AS text
RETURN k AS key, count(*) AS present, collect(DISTINCT valueType(v)) AS types,
       sum(CASE WHEN v IS :: INTEGER OR v IS :: FLOAT THEN v ELSE 0 END) AS num_sum,
       sum(CASE WHEN v IS :: STRING OR v IS :: LIST<ANY> THEN size(v) ELSE 0 END) AS len_sum,
       sum(CASE WHEN v IS :: LIST<INTEGER NOT NULL> THEN reduce(s = 0, e IN v | s + e) % 1000000007
                WHEN v IS :: ZONED DATETIME THEN v.epochMillis % 1000000007 ELSE 0 END) AS mod_sum,
       sum(CASE WHEN v = true THEN 1 ELSE 0 END) AS trues,
       min(text) AS min_text, max(text) AS max_text
ORDER BY key
"""


def graph_fingerprint(database: Any, *, skip_labels: Iterable[str] = (),
                      skip_properties: Iterable[str] = ()) -> dict[str, dict[str, dict[str, object]]]:
    """Label or type → property → a summary of all its values, to compare two graphs built different ways
    (bulk and transactional loads). Summaries, not values: graphs differing only by values swapped between
    entities compare equal."""
    skipped, unwanted = set(skip_labels), set(skip_properties)
    result: dict[str, dict[str, dict[str, object]]] = {}
    patterns = [(label.name, "MATCH (x:" + label.name + ")") for label in NODE_LABELS if label.name not in skipped]
    patterns += [(rel.name, "MATCH ()-[x:" + rel.name + "]->()") for rel in REL_TYPES]
    for name, pattern in patterns:
        query: LiteralString = pattern + _FINGERPRINT  # names from graph/schema.py
        rows = database.run(inline_query(query, name="graph_fingerprint"), timeout=1800)
        result[name] = {row.pop("key"): {**row, "types": sorted(row["types"])}
                        for row in rows if row["key"] not in unwanted}
    return result


def fingerprint(database: Any) -> dict[str, dict[str, Any]]:
    return graph_fingerprint(database, skip_labels=IGNORED_FOR_COMPARISON,
                             skip_properties=NOT_COMPARED_PROPERTIES)


def verify(settings: Settings) -> dict[str, Any]:
    started = time.perf_counter()
    start_server(settings, echo=lambda _: None)
    start_seconds = time.perf_counter() - started
    with connect(settings) as database:
        started = time.perf_counter()
        apply_schema(database)
        schema_seconds = time.perf_counter() - started
        counts = count_graph(database)
        started = time.perf_counter()
        prints = fingerprint(database)
        fingerprint_seconds = time.perf_counter() - started
    return {"start_seconds": round(start_seconds, 1), "schema_seconds": round(schema_seconds, 1),
            "fingerprint_seconds": round(fingerprint_seconds, 1), "counts": counts, "fingerprint": prints}


def transactional(settings: Settings, folder: Path, out_dir: Path) -> dict[str, Any]:
    """Restart (fresh peak RSS), then bench/load_bench.py (schema, reset, load) against the same server."""
    stop_server(settings)
    start_server(settings, echo=lambda _: None)
    env = {**os.environ, "NEO4J_URI": settings.neo4j_uri, "LINKAGE_NEO4J_HOME": str(settings.neo4j_home),
           "LINKAGE_NEO4J_HTTP_PORT": str(settings.neo4j_http_port), "LINKAGE_NEO4J_HEAP": settings.neo4j_heap,
           "LINKAGE_NEO4J_PAGECACHE": settings.neo4j_pagecache}
    report = out_dir / "transactional.json"
    bench = Path(__file__).resolve().parent / "load_bench.py"
    subprocess.run([sys.executable, str(bench), "--data", str(folder), "--json", str(report)],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    loaded = json.loads(report.read_text())
    with connect(settings) as database:
        loaded["counts"] = count_graph(database)
        loaded["fingerprint"] = fingerprint(database)
    return loaded


def compare(imported: dict[str, Any], loaded: dict[str, Any]) -> list[str]:
    """Differences between the two graphs' counts and fingerprints (empty when equivalent)."""
    problems = []
    for kind in ("nodes", "relationships"):
        for name, count in loaded["counts"][kind].items():
            if name in IGNORED_FOR_COMPARISON:
                continue
            if imported["counts"][kind].get(name) != count:
                problems.append(f"{name}: transactional {count}, import {imported['counts'][kind].get(name)}")
    for name, props in loaded["fingerprint"].items():
        mine = imported["fingerprint"].get(name, {})
        for key in sorted(set(props) | set(mine)):
            if props.get(key) != mine.get(key):
                problems.append(f"{name}.{key}: transactional {props.get(key)} != import {mine.get(key)}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="input folder (made by generate_dataset)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--home", type=Path, default=Path(".linkage/import-neo4j"))
    parser.add_argument("--bolt-port", type=int, default=17950)
    parser.add_argument("--http-port", type=int, default=17951)
    parser.add_argument("--heap", default="4g", help="the verifying server's heap")
    parser.add_argument("--pagecache", default="4g", help="the verifying server's page cache")
    parser.add_argument("--import-heap", default="2g", help="neo4j-admin import's JVM heap (HEAP_SIZE)")
    parser.add_argument("--max-off-heap-memory", default="3g")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--csv-dir", type=Path, default=None, help="default: HOME/import/<data folder name>")
    parser.add_argument("--no-verify", action="store_true", help="import only; do not start the server")
    parser.add_argument("--transactional", action="store_true",
                        help="then reset the same server, run bench/load_bench.py, compare the graphs")
    parser.add_argument("--keep-running", action="store_true")
    args = parser.parse_args()
    if not (args.data / "requests.parquet").exists() and not any(args.data.glob("requests.*")):
        raise SystemExit(f"{args.data}: no requests table (generate one with graph.synthetic.generate_dataset)")
    settings = Settings(neo4j_home=args.home, neo4j_uri=f"bolt://127.0.0.1:{args.bolt_port}",
                        neo4j_http_port=args.http_port, neo4j_heap=args.heap, neo4j_pagecache=args.pagecache,
                        load_bulk_heap=args.import_heap, load_bulk_off_heap=args.max_off_heap_memory)
    out_dir = (args.csv_dir or args.home / "import" / args.data.resolve().name).resolve()
    result: dict[str, Any] = {
        "data": str(args.data), "file_bytes": {p.name: p.stat().st_size for p in sorted(args.data.iterdir())
                                               if p.is_file()},
        "csv_dir": str(out_dir),
    }
    export = run_export(args.data, out_dir, settings)
    writer = export.pop("_writer")
    result["export"] = export
    print(f"export: {export['seconds']} s, {export['csv_bytes'] / 1e6:.0f} MB of CSV", file=sys.stderr)
    result["import"] = run_import(settings, writer, threads=args.threads)
    print(f"import: {result['import']['seconds']} s", file=sys.stderr)
    nodes = sum(v for k, v in export["csv_rows"].items() if k.startswith("nodes:"))
    rels = sum(v for k, v in export["csv_rows"].items() if k.startswith("relationships:"))
    result.update({
        "nodes": nodes, "relationships": rels,
        "import_rows_per_s": round((nodes + rels) / result["import"]["seconds"]),
        "export_plus_import_seconds": round(export["seconds"] + result["import"]["seconds"], 1),
    })
    result["rows_per_s_end_to_end"] = round((nodes + rels) / result["export_plus_import_seconds"])
    try:
        if not args.no_verify:
            result["verify"] = verify(settings)
            counted = result["verify"]["counts"]
            result["verify"]["nodes"] = sum(counted["nodes"].values())
            result["verify"]["relationships"] = sum(counted["relationships"].values())
            print(f"verified: {result['verify']['nodes']} nodes, {result['verify']['relationships']} "
                  "relationships", file=sys.stderr)
        if args.transactional:
            loaded = transactional(settings, args.data, out_dir)
            result["transactional"] = loaded
            result["differences"] = compare(result["verify"], loaded)
            print(f"transactional: {loaded['load_seconds']} s; {len(result['differences'])} differences",
                  file=sys.stderr)
    finally:
        if not args.keep_running:
            stop_server(settings)
    print(json.dumps({k: v for k, v in result.items() if k not in ("verify", "transactional")}, indent=2))
    for problem in result.get("differences", []):
        print("DIFF", problem)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
