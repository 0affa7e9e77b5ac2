"""The campaign benchmark (not a test): generate → bulk first load (with the importer's own share of it) →
transactional load → detect → eval → API, at one size, in one run, with one Markdown table.

    .venv/bin/python bench/campaign.py --accounts 1000000 --markdown /tmp/campaign-1m.md --json /tmp/campaign-1m.json
    make bench ACCOUNTS=20000          # the same, smaller

Every stage runs as the command a user would type (`linkage generate|load|detect|eval`,
`bench/api_bench.py`) in its own process, on a Neo4j instance of its own (home `.linkage/campaign-neo4j`,
Bolt 17960, HTTP 17961 by default), so its figures are the product's: wall seconds, the process's peak RSS
(`wait4`'s rusage of that child) and the server's peak RSS (VmHWM) after each stage. The data folder is
generated once (`.linkage/campaign-data-N-text`, seed 7, text prompts) and reused.

1. **Bulk first load**: fresh instance, `linkage load DATA --bulk --json`. Its stages are the export (the
   loader's DuckDB work, prompt masking and template grouping included), `neo4j-admin database import`, and
   the restart with the schema. The importer's time is export + import: what the offline importer alone
   takes for this graph, measured inside the same run.
2. **Transactional load** (unless `--skip-transactional`): a second fresh instance, `linkage load DATA
   --transactional --json`; rows/s per table from its summary. It leaves the same graph as step 1 (the
   bulk test proves it on a small world), on which the rest runs.
3. **Detect**: `linkage detect --json` (stage seconds from its summary).
4. **Eval**: `linkage eval --labels DATA/labels.csv --out ...`: precision and recall of suspicious clusters.
5. **API**: `bench/api_bench.py --requests 300 --concurrency 8` on the loaded graph (ids sampled from it).

Progress of each stage goes to stderr as the command draws it. Nothing here is timed in a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LINKAGE = [str(Path(sys.executable).parent / "linkage")]  # the installed command, as a user runs it
TARGETS = {  # issue 14's targets, shown beside the figures
    "bulk_vs_importer": 1.3, "tx_relationship_rows_s": 50_000, "tx_account_rows_s": 20_000,
    "templates_s": 300, "detect_s": 60, "detect_peak_gib": 4.0, "check_p99_ms": 20, "cluster_p99_ms": 50,
    "clusters_p99_ms": 50, "check_rps": 250,
}


@dataclass
class Stage:
    name: str
    seconds: float
    peak_mib: float
    server_peak_mib: float | None
    output: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


class Campaign:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.home = args.home.resolve()
        self.env = {**os.environ, "NEO4J_URI": f"bolt://127.0.0.1:{args.bolt_port}",
                    "NEO4J_PASSWORD": args.password, "LINKAGE_NEO4J_HOME": str(self.home),
                    "LINKAGE_NEO4J_HTTP_PORT": str(args.http_port), "LINKAGE_NEO4J_HEAP": args.heap,
                    "LINKAGE_NEO4J_PAGECACHE": args.pagecache, "PYTHONPATH": str(ROOT),
                    "LINKAGE_AUDIT_LOG": str(self.home.parent / "campaign-audit.jsonl")}
        self.stages: list[Stage] = []

    def run(self, name: str, command: list[str], *, json_out: bool = False) -> Stage:
        """Run one stage's command; stdout is kept (JSON when `json_out`), stderr passes through."""
        print(f"== {name}: {Path(command[0]).name} {' '.join(command[1:])}", file=sys.stderr)
        with tempfile.TemporaryFile(mode="w+") as stdout:
            started = time.perf_counter()
            process = subprocess.Popen(command, stdout=stdout, env=self.env, cwd=ROOT)
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            stdout.seek(0)
            text = stdout.read()
        if process.returncode != 0:
            raise SystemExit(f"{name} failed (exit {process.returncode}):\n{text[-3000:]}")
        output: Any = text
        if json_out:
            output = json.loads(text[text.index("{"):])
        stage = Stage(name, seconds, usage.ru_maxrss / 1024, self.server_peak_mib(), output)
        self.stages.append(stage)
        print(f"   {name}: {seconds:.1f} s, peak {stage.peak_mib:,.0f} MiB", file=sys.stderr)
        return stage

    def server_peak_mib(self) -> float | None:
        try:
            pid = int((self.home / "run" / "neo4j.pid").read_text().strip())
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except (FileNotFoundError, ValueError, ProcessLookupError):
            return None
        return None

    def fresh_instance(self) -> None:
        """Stop the instance and delete its databases, then start it empty (a fresh server's memory, too)."""
        subprocess.run([*LINKAGE, "neo4j", "stop"], env=self.env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        for sub in ("data", "logs"):
            shutil.rmtree(self.home / sub, ignore_errors=True)
        subprocess.run([*LINKAGE, "neo4j", "start"], env=self.env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        subprocess.run([*LINKAGE, "neo4j", "stop"], env=self.env, cwd=ROOT, check=False, stdout=subprocess.DEVNULL)


def data_facts(folder: Path) -> dict[str, Any]:
    import duckdb

    requests = next(folder.glob("requests.*"))
    reader = "read_parquet" if requests.suffix == ".parquet" else "read_csv_auto"
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        rows, distinct = con.execute(
            f"SELECT count(*), count(DISTINCT prompt) FROM {reader}(?)", [str(requests)]).fetchall()[0]
    return {"requests": int(rows), "distinct_prompts": int(distinct),
            "bytes": {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--scenario", default="classic")
    parser.add_argument("--data", type=Path, default=None, help="default .linkage/campaign-data-N-text")
    parser.add_argument("--home", type=Path, default=ROOT / ".linkage" / "campaign-neo4j")
    parser.add_argument("--bolt-port", type=int, default=17960)
    parser.add_argument("--http-port", type=int, default=17961)
    parser.add_argument("--password", default="campaign-bench-password")
    parser.add_argument("--heap", default="4g")
    parser.add_argument("--pagecache", default="6g")
    parser.add_argument("--skip-transactional", action="store_true", help="bulk load only (saves ~20 min at 1M)")
    parser.add_argument("--api-requests", type=int, default=300)
    parser.add_argument("--markdown", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    data = (args.data or ROOT / ".linkage" / f"campaign-data-{args.accounts}-text").resolve()
    bench = Campaign(args)
    figures: dict[str, Any] = {"accounts": args.accounts, "scenario": args.scenario, "data": str(data),
                               "machine": machine()}
    if not (data / "labels.csv").exists():
        bench.run("generate", [*LINKAGE, "generate", "--out", str(data), "--accounts", str(args.accounts),
                               "--seed", "7", "--prompts", "text", "--scenario", args.scenario])
    figures["data_facts"] = data_facts(data)
    try:
        bench.fresh_instance()
        bulk = bench.run("bulk load", [*LINKAGE, "load", str(data), "--bulk", "--json",
                                       "--quarantine", str(bench.home.parent / "campaign-quarantine")],
                         json_out=True)
        if not args.skip_transactional:
            bench.fresh_instance()
            bench.run("transactional load", [*LINKAGE, "load", str(data), "--transactional", "--json",
                                             "--quarantine", str(bench.home.parent / "campaign-quarantine")],
                      json_out=True)
        bench.run("detect", [*LINKAGE, "detect", "--json", "--no-alerts"], json_out=True)
        evaluation = bench.home.parent / "campaign-eval.json"
        stage = bench.run("eval", [*LINKAGE, "eval", "--labels", str(data / "labels.csv"), "--out", str(evaluation)])
        stage.output = json.loads(evaluation.read_text())
        bench.run("api", [sys.executable, str(ROOT / "bench" / "api_bench.py"), "--requests",
                          str(args.api_requests), "--concurrency", "8"], json_out=True)
    finally:
        bench.stop()
    figures["stages"] = [stage.__dict__ for stage in bench.stages]
    table = markdown(figures, bench.stages, bulk)
    print(table)
    if args.markdown:
        args.markdown.write_text(table)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str))


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, {platform.system()} {platform.machine()}, Python " \
           f"{platform.python_version()}"


def markdown(figures: dict[str, Any], stages: list[Stage], bulk: Stage) -> str:
    by_name = {stage.name: stage for stage in stages}
    facts = figures["data_facts"]
    lines = [f"**{figures['accounts']:,} accounts / {facts['requests']:,} requests "
             f"({facts['distinct_prompts']:,} distinct prompts), scenario {figures['scenario']}**; "
             f"{figures['machine']}.", "",
             "| stage | measured | target | met |", "|---|---|---|---|"]

    def row(stage: str, measured: str, target: str = "", met: bool | None = None) -> None:
        lines.append(f"| {stage} | {measured} | {target} | {'' if met is None else 'yes' if met else 'no'} |")

    out = bulk.output
    stage_s = out["stage_seconds"]
    importer = stage_s["export"] + stage_s["import"]
    tables = {t["table"]: t for t in out["tables"]}
    row("bulk first load (`linkage load --bulk`)",
        f"{bulk.seconds:,.0f} s: export {stage_s['export']:,.0f} s + import {stage_s['import']:,.0f} s + "
        f"restart and schema {stage_s['start_schema']:,.0f} s; loader peak {bulk.peak_mib / 1024:.1f} GiB")
    ratio = bulk.seconds / importer
    row("… against the importer (export + import, same run)", f"{ratio:.2f}× ({importer:,.0f} s)",
        f"≤ {TARGETS['bulk_vs_importer']}×", ratio <= TARGETS["bulk_vs_importer"])
    requests_prepare = tables.get("requests", {}).get("prepare_seconds", 0.0)
    row("request log prepared (masking + template grouping, in the export)", f"{requests_prepare:,.0f} s",
        f"≤ {TARGETS['templates_s']} s", requests_prepare <= TARGETS["templates_s"])
    if "transactional load" in by_name:
        tx = by_name["transactional load"]
        rates = {t["table"]: t["written"] / t["write_seconds"] if t.get("write_seconds") else 0.0
                 for t in tx.output["tables"]}
        row("transactional first load", f"{tx.seconds:,.0f} s ({tx.seconds / bulk.seconds:.1f}× bulk); "
            f"loader peak {tx.peak_mib / 1024:.1f} GiB, server {(tx.server_peak_mib or 0) / 1024:.1f} GiB")
        row("… requests' rows written/s", f"{rates.get('requests', 0):,.0f}",
            f"≥ {TARGETS['tx_relationship_rows_s']:,}", rates.get("requests", 0) >= TARGETS["tx_relationship_rows_s"])
        row("… accounts' rows written/s", f"{rates.get('accounts', 0):,.0f}",
            f"≥ {TARGETS['tx_account_rows_s']:,}", rates.get("accounts", 0) >= TARGETS["tx_account_rows_s"])
    detect = by_name["detect"]
    read = detect.output["stage_seconds"].get("read", 0.0)
    row("`linkage detect`", f"{detect.seconds:,.0f} s (read {read:,.0f} s); peak {detect.peak_mib / 1024:.1f} GiB; "
        f"{detect.output['clusters']:,} clusters, {detect.output['verdicts'].get('suspicious', 0):,} suspicious",
        f"≤ {TARGETS['detect_s']} s, ≤ {TARGETS['detect_peak_gib']} GiB",
        detect.seconds <= TARGETS["detect_s"] and detect.peak_mib / 1024 <= TARGETS["detect_peak_gib"])
    ours = next(m for m in by_name["eval"].output["methods"] if m["name"] == "linkage")
    row("`linkage eval`", f"P {ours['precision']:.4f}, R {ours['recall']:.4f} ({by_name['eval'].seconds:,.0f} s)")
    api = by_name["api"].output["results"]
    for op, target in (("check", "check_p99_ms"), ("clusters", "clusters_p99_ms"), ("cluster", "cluster_p99_ms")):
        figures_op = api[op]
        rps = figures_op.get("rps_at_8", 0.0)
        met = figures_op["p99_ms"] <= TARGETS[target] and (op != "check" or rps >= TARGETS["check_rps"])
        goal = f"p99 ≤ {TARGETS[target]} ms" + (f", ≥ {TARGETS['check_rps']}/s" if op == "check" else "")
        row(f"API `{op}`", f"p50 {figures_op['p50_ms']} ms, p99 {figures_op['p99_ms']} ms, {rps}/s at 8", goal, met)
    servers = ", ".join(f"{s.name} {s.server_peak_mib / 1024:.1f} GiB" for s in stages if s.server_peak_mib)
    lines += ["", f"Neo4j server peak RSS after each stage: {servers}."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
