"""Both engines side by side, each in its own process: on one request log, validation, quarantine and
aggregation (the loader's `prepare_file`, against an empty graph: no Neo4j, the bulk export's stand-in); or,
with `--detect`, detection's in-memory part (`detect_clusters`) on a Parquet detection input
(`linkage detect --save-inputs DIR`).

    python bench/engines.py --folder DATA [--engines duckdb,spark] [--spark-master local[2]] [--markdown OUT]
    python bench/engines.py --detect --folder INPUTS [...]

Per engine: wall time, peak memory of the process tree (the Python process and, for Spark, its JVM; sampled
every 0.2 s), and a digest of the results, so the table also says whether both engines gave the same answer
at this scale: for a log, rows read / loaded / quarantined and every aggregate table's row count and
order-independent sum of row hashes (lists in their order); for detection, every cluster's members, score
and verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def run_engine(folder: Path, engine: str, master: str, work: Path, detect: bool = False) -> dict[str, object]:
    """Run `--child` for one engine and sample its process tree's memory."""
    env = {**os.environ, "LINKAGE_ENGINE": engine, "LINKAGE_SPARK_MASTER": master,
           "LINKAGE_SPARK_WORK_DIR": str(work), "LINKAGE_SPARK_DRIVER_MEMORY": "10g"}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, "--child", "--folder", str(folder),
                              *(["--detect"] if detect else [])], env=env,
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(child.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"{engine}: exit {child.returncode}")
    result = json.loads(output.strip().splitlines()[-1])
    result.update(engine=engine, wall_seconds=round(time.perf_counter() - started, 1), peak_bytes=peak)
    return result


def child(folder: Path) -> None:
    """Prepare the folder's request files on LINKAGE_ENGINE and print one JSON line."""
    from contextlib import ExitStack

    from graph.load.bulk import OfflineGraph
    from graph.load.inputs import discover_inputs, inspect_file
    from graph.load.pipeline import LoadRun, duckdb_session, prepare_file
    from graph.settings import load_settings

    settings = load_settings()
    inputs = [input_file for input_file in discover_inputs(folder) if input_file.table == "requests"]
    result: dict[str, object] = {"files": [i.path.name for i in inputs], "read": 0, "loaded": 0, "quarantined": 0}
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="engines-q-") as quarantine:
        preparer, readable = None, []
        if settings.engine == "spark":
            from graph.engine.requests import spark_request_preparer

            preparer, handover = stack.enter_context(spark_request_preparer(settings))
            readable = [handover]
        con = stack.enter_context(duckdb_session([*(i.path for i in inputs), *readable]))
        graph = OfflineGraph(settings, con)
        run = LoadRun(graph, con, Path(quarantine), 10_000, None, preparer)  # type: ignore[arg-type]
        started = time.perf_counter()
        digests = {}
        for input_file in inputs:
            _, steps, summary = prepare_file(run, input_file, inspect_file(input_file, max_decompressed=1 << 40))
            for key in ("read", "loaded", "quarantined"):
                result[key] = int(result[key]) + getattr(summary, key)  # type: ignore[call-overload]
            for step in steps:
                count, digest = con.execute(
                    f"SELECT count(*), sum(hash(t)) FROM {step.table} t").fetchall()[0]
                digests[step.table] = [int(count), str(digest)]
        result["prepare_seconds"] = round(time.perf_counter() - started, 1)
        result["digests"] = digests
    print(json.dumps(result))


def child_detect(folder: Path) -> None:
    """Detect on the Parquet input with LINKAGE_ENGINE's link engine and print one JSON line."""
    import hashlib

    from graph.detect.config import DetectionConfig
    from graph.detect.links import EMBEDDED, LinkEngine
    from graph.detect.pipeline import detect_clusters
    from graph.detect.snapshot import read_inputs_parquet
    from graph.settings import load_settings

    settings = load_settings()
    started = time.perf_counter()
    engine: LinkEngine = EMBEDDED
    if settings.engine == "spark":
        from graph.engine.detect import SparkLinks
        from graph.engine.spark import spark_session

        engine = SparkLinks(spark_session(settings), folder)
    data = read_inputs_parquet(folder)
    timings: dict[str, float] = {"read": time.perf_counter() - started}
    clusters, candidates, links, glue = detect_clusters(data, DetectionConfig(), settings.activity_bucket_minutes,
                                                        timings=timings, engine=engine)
    digest = hashlib.sha256()
    for cluster in clusters:
        digest.update(repr((cluster.members, round(cluster.score, 9), cluster.verdict)).encode())
    print(json.dumps({"files": [str(folder)], "accounts": data.n_accounts, "candidates": candidates, "links": links,
                      "glue": glue, "clusters": len(clusters),
                      "suspicious": sum(c.verdict == "suspicious" for c in clusters),
                      "stage_seconds": {k: round(v, 1) for k, v in timings.items()},
                      "prepare_seconds": round(time.perf_counter() - started, 1),
                      "digests": digest.hexdigest()}))


def markdown_detect(results: list[dict[str, object]], folder: Path, master: str) -> str:
    lines = [f"Detection input `{folder}` ({results[0]['accounts']:,} accounts); Spark master `{master}`; "
             f"{os.cpu_count()} cores.", "",
             "| engine | detect (s) | stages (s) | process wall (s) | peak RSS, process tree (GiB) | candidates | "
             "links | clusters (suspicious) |", "|---|---:|---|---:|---:|---:|---:|---:|"]
    for r in results:
        stages = ", ".join(f"{k} {v}" for k, v in r["stage_seconds"].items())  # type: ignore[attr-defined]
        lines.append(f"| {r['engine']} | {r['prepare_seconds']} | {stages} | {r['wall_seconds']} | "
                     f"{int(r['peak_bytes']) / 2**30:.1f} | {r['candidates']:,} | {r['links']:,} | "
                     f"{r['clusters']:,} ({r['suspicious']:,}) |")
    if len(results) == 2:
        same = results[0]["digests"] == results[1]["digests"]
        lines += ["", f"Same clusters (members, scores, verdicts) on both engines: **{'yes' if same else 'NO'}**."]
    return "\n".join(lines) + "\n"


def markdown(results: list[dict[str, object]], folder: Path, master: str) -> str:
    lines = [f"Request log of `{folder}` ({', '.join(results[0]['files'])}); Spark master `{master}`; "  # type: ignore[arg-type]
             f"{os.cpu_count()} cores.", "",
             "| engine | prepare (s) | process wall (s) | peak RSS, process tree (GiB) | rows read | loaded | "
             "quarantined |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['engine']} | {r['prepare_seconds']} | {r['wall_seconds']} | "
                     f"{int(r['peak_bytes']) / 2**30:.1f} | {r['read']:,} | {r['loaded']:,} | {r['quarantined']:,} |")
    if len(results) == 2:
        same = results[0]["digests"] == results[1]["digests"]
        tables = len(results[0]["digests"])  # type: ignore[arg-type]
        lines += ["", f"Aggregates identical on both engines (row counts and row-hash sums of {tables} tables): "
                      f"**{'yes' if same else 'NO'}**."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--spark-master", default=f"local[{os.cpu_count() or 2}]")
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--detect", action="store_true", help="FOLDER is a detection input (--save-inputs)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        (child_detect if args.detect else child)(args.folder)
        return
    with tempfile.TemporaryDirectory(prefix="engines-") as work:
        results = [run_engine(args.folder, engine, args.spark_master, Path(work), args.detect)
                   for engine in args.engines.split(",")]
    text = (markdown_detect if args.detect else markdown)(results, args.folder, args.spark_master)
    print(text)
    if args.markdown:
        args.markdown.write_text(text)


if __name__ == "__main__":
    main()
