"""Offline-import speed anchor (not a test): the loader's graph built with `neo4j-admin database import full`.

    .venv/bin/python bench/import_anchor.py --data .linkage/bench-data-100000-text --json /tmp/import-100k.json
    .venv/bin/python bench/import_anchor.py --data .linkage/bench-data-100000-text --transactional  # + compare

1. **Export (DuckDB).** Runs the transactional loader's own DuckDB code on the folder — `stage_file`, the
   pipeline's `prepare_steps`/`loaded_rows`, `write_quarantine`
   and `resolve_ips` — against `OfflineGraph`, a stand-in for the database that answers the loader's three
   graph reads as an *empty* graph would (no stored templates; networks and IPs are this run's) and drops
   its writes. The aggregate tables the loader would send to Neo4j (`step_*`, `ip_matches`) are then
   written as neo4j-admin CSV files (header files with `:ID(Label)`, `:START_ID`/`:END_ID`, typed
   properties such as `requests:long`, `first_seen:datetime`, `activity_buckets:long[]`).
2. **Import.** Stops this bench's own server if it runs, sets the initial password on a fresh home, then
   `neo4j-admin database import full neo4j --nodes=... --relationships=... --overwrite-destination` through
   `org.neo4j.server.startup.Neo4jAdminCommand`, under `/usr/bin/time -v` for the JVM's peak RSS.
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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, LiteralString

import duckdb

from graph.db import connect
from graph.devserver import (
    ADMIN,
    assemble_server,
    read_pid,
    render_conf,
    start_server,
    stop_server,
)
from graph.load.inputs import discover_inputs, file_sha256
from graph.load.pipeline import duckdb_session, loaded_rows, prepare_steps
from graph.load.quarantine import write_quarantine
from graph.load.resolve import resolve_ips
from graph.load.stage import KEEP_PREFIX, stage_file
from graph.maintenance import apply_schema, count_graph
from graph.queries import Query, inline_query
from graph.schema import NODE_LABELS, REL_TYPES
from graph.settings import Settings

IGNORED_FOR_COMPARISON = {"LoadBatch": "per-batch markers of the transactional ledger"}
NOT_COMPARED_PROPERTIES = {"loaded_at"}  # wall-clock time of the load


class OfflineGraph:
    """Stands in for `graph.db.Database` where the loader touches the graph: an *empty* graph.

    The loader reads the graph three times: stored templates (none in an empty graph), and — in IP
    resolution after every file — the graph's networks and IPs, which after this run are exactly the ones
    its own steps created. Writes are dropped: `resolve_ips` leaves its result in DuckDB (`ip_matches`).
    """

    def __init__(self, settings: Settings, con: duckdb.DuckDBPyConnection) -> None:
        self.settings = settings
        self.con = con

    def _dicts(self, sql: str) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def run(self, query: Query, params: Mapping[str, Any] | None = None, *,
            timeout: float | None = None) -> list[dict[str, Any]]:
        name = query.name
        if query.mode != "read":  # writes are dropped (see above)
            return []
        if name == "load_stored_templates":
            return []
        if name == "load_graph_networks":  # OPERATED_BY is one per network: min(px.name) is its proxy
            if not _exists(self.con, "step_networks"):
                return []
            return self._dicts("SELECT cidr, kind, asn, proxy_network, is_vpn, is_tor FROM step_networks")
        if name == "load_graph_ips":
            return self._dicts(f"SELECT address FROM ({_ip_addresses_sql(self.con)})")
        raise NotImplementedError(f"offline export: unexpected graph read {name}")

    def execute_write(self, work: Callable[..., Any], *, name: str = "write") -> None:
        return None


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
    ).fetchall()[0][0])


def _ip_addresses_sql(con: duckdb.DuckDBPyConnection) -> str:
    """Every IP node the loader creates: request-log IPs and signup IPs, with their version."""
    parts = []
    if _exists(con, "step_ips"):
        parts.append("SELECT address, version FROM step_ips")
    if _exists(con, "step_accounts"):
        parts.append("SELECT signup_ip AS address, signup_ip_version AS version FROM step_accounts "
                     "WHERE signup_ip IS NOT NULL")
    if not parts:
        return "SELECT NULL::VARCHAR AS address, NULL::INTEGER AS version WHERE false"
    return f"SELECT address, any_value(version) AS version FROM ({' UNION ALL '.join(parts)}) GROUP BY address"


def _dt(column: str) -> str:
    """DuckDB: epoch milliseconds as the ISO 8601 UTC text neo4j-admin parses (same instant and zone Z as
    the loader's `datetime({epochMillis: x})`)."""
    return f"strftime(epoch_ms({column}), '%Y-%m-%dT%H:%M:%S.%gZ')"


def _list(column: str) -> str:
    return f"array_to_string({column}, ';')"


_NEO4J_TYPES = {"BIGINT": "long", "INTEGER": "long", "HUGEINT": "long", "SMALLINT": "long",
                "DOUBLE": "double", "FLOAT": "double", "BOOLEAN": "boolean"}


def _kept(con: duckdb.DuckDBPyConnection, table: str, alias: str) -> list[tuple[str, str]]:
    """(header field, SQL) of a step's LINKAGE_KEEP_COLUMNS columns, as the loader's `SET x += row.extra`."""
    fields = []
    for name, kind, *_ in con.execute(f"DESCRIBE {table}").fetchall():
        if name.startswith(KEEP_PREFIX):
            neo4j_type = _NEO4J_TYPES.get(str(kind), "string")
            fields.append((f"{name[len(KEEP_PREFIX):]}:{neo4j_type}", f'{alias}."{name}"'))
    return fields


class CsvWriter:
    """Writes one header file and one data file per node label / relationship type."""

    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path) -> None:
        self.con = con
        self.folder = folder
        self.nodes: list[tuple[str, Path, Path]] = []
        self.relationships: list[tuple[str, Path, Path]] = []
        self.rows: dict[str, int] = {}
        self.multiline: list[Path] = []

    def write(self, kind: str, name: str, fields: list[tuple[str, str]], sql_from: str) -> None:
        header = self.folder / f"{kind}-{name}-header.csv"
        data = self.folder / f"{kind}-{name}.csv"
        header.write_text(",".join(field for field, _ in fields) + "\n")
        select = ", ".join(f"{expr} AS c{i}" for i, (_, expr) in enumerate(fields))
        written = self.con.execute(
            f"COPY (SELECT {select} {sql_from}) TO '{data}' (FORMAT csv, HEADER false, QUOTE '\"', ESCAPE '\"')"
        ).fetchall()
        self.rows[f"{kind}:{name}"] = int(written[0][0])
        (self.nodes if kind == "nodes" else self.relationships).append((name, header, data))


def export_csv(con: duckdb.DuckDBPyConnection, folder: Path, requests_file_id: str | None) -> CsvWriter:
    """The loader's aggregates (left in DuckDB by its prepare steps and resolve) as neo4j-admin CSV."""
    out = CsvWriter(con, folder)
    has = {t: _exists(con, t) for t in (
        "step_networks", "step_accounts", "step_payment_methods", "step_ips", "step_account_activity",
        "step_templates", "step_models", "ip_matches")}
    times = [("first_seen:datetime", _dt("first_seen")), ("last_seen:datetime", _dt("last_seen"))]
    tokens = [("input_tokens:long", "input_tokens"), ("output_tokens:long", "output_tokens")]

    # -- nodes
    account_sources = [f"SELECT account_id FROM {t}" for t in
                       ("step_accounts", "step_payment_methods", "step_account_activity") if has[t]]
    if account_sources:
        acc = "step_accounts" if has["step_accounts"] else None
        act = "step_account_activity" if has["step_account_activity"] else None
        fields = [("account_id:ID(Account)", "ids.account_id")]
        joins = f"FROM (SELECT DISTINCT account_id FROM ({' UNION ALL '.join(account_sources)})) ids"
        if acc:
            fields += [("created_at:datetime", _dt("s.created_at")), ("email_hash:string", "s.email_hash"),
                       ("country:string", "s.country"), ("tier:string", "s.tier"),
                       ("status:string", "s.status"), *_kept(con, acc, "s")]
            joins += f" LEFT JOIN {acc} s USING (account_id)"
        if act:
            fields += [("requests:long", "t.requests"), ("input_tokens:long", "t.input_tokens"),
                       ("output_tokens:long", "t.output_tokens"), ("first_seen:datetime", _dt("t.first_seen")),
                       ("last_seen:datetime", _dt("t.last_seen")),
                       ("activity_buckets:long[]", _list("t.buckets")),
                       ("activity_counts:long[]", _list("t.counts"))]
            joins += f" LEFT JOIN {act} t USING (account_id)"
        out.write("nodes", "Account", fields, joins + " ORDER BY ids.account_id")
    if has["step_accounts"]:
        out.write("nodes", "EmailDomain", [("domain:ID(EmailDomain)", "email_domain")],
                  "FROM step_accounts WHERE email_domain IS NOT NULL GROUP BY email_domain")
        out.write("nodes", "Org", [("org_id:ID(Org)", "org_id")],
                  "FROM step_accounts WHERE org_id IS NOT NULL GROUP BY org_id")
    if has["step_payment_methods"]:
        kept = _kept(con, "step_payment_methods", "p")
        out.write("nodes", "PaymentMethod",
                  [("fingerprint:ID(PaymentMethod)", "fingerprint"), ("kind:string", "any_value(kind)"),
                   ("issuer_country:string", "any_value(issuer_country)"),
                   *[(f, f"any_value({e})") for f, e in kept]],
                  "FROM step_payment_methods p GROUP BY fingerprint")
    if has["step_ips"] or has["step_accounts"]:
        fields = [("address:ID(IP)", "a.address"), ("version:long", "a.version")]
        joins = f"FROM ({_ip_addresses_sql(con)}) a"
        if has["step_ips"]:
            fields += [("requests:long", "r.requests"), ("first_seen:datetime", _dt("r.first_seen")),
                       ("last_seen:datetime", _dt("r.last_seen"))]
            joins += " LEFT JOIN step_ips r USING (address)"
        if has["ip_matches"]:
            fields += [("kind:string", "m.kind"), ("asn:long", "m.asn"), ("proxy_network:string", "m.proxy_network"),
                       ("is_vpn:boolean", "m.is_vpn"), ("is_tor:boolean", "m.is_tor")]
            joins += " LEFT JOIN ip_matches m USING (address)"
        out.write("nodes", "IP", fields, joins)
    if has["step_networks"]:
        out.write("nodes", "Network",
                  [("cidr:ID(Network)", "n.cidr"), ("prefix_length:long", "n.prefix_length"),
                   ("kind:string", "n.kind"), ("asn:long", "n.asn"), ("asn_org:string", "n.asn_org"),
                   ("is_vpn:boolean", "n.is_vpn"), ("is_tor:boolean", "n.is_tor"),
                   *_kept(con, "step_networks", "n")],
                  "FROM step_networks n")
        # `SET asn.org = coalesce(row.asn_org, asn.org)` in cidr order: the last non-null org wins
        out.write("nodes", "ASN",
                  # the id column stays unstored (a Community import's ids are strings): `number` is the long
                  [(":ID(ASN)", "asn"), ("number:long", "asn"),
                   ("org:string", "arg_max(asn_org, cidr) FILTER (WHERE asn_org IS NOT NULL)")],
                  "FROM step_networks WHERE asn IS NOT NULL GROUP BY asn")
        out.write("nodes", "ProxyNetwork", [("name:ID(ProxyNetwork)", "proxy_network")],
                  "FROM step_networks WHERE proxy_network IS NOT NULL GROUP BY proxy_network")
    if has["step_templates"]:
        out.write("nodes", "PromptTemplate",
                  [("template_id:ID(PromptTemplate)", "template_id"), ("skeleton:string", "skeleton"),
                   ("band_keys:string[]", _list("band_keys")), ("requests:long", "requests"),
                   ("first_file_id:string", f"'{requests_file_id}'")],
                  "FROM step_templates")
        if con.execute("SELECT bool_or(skeleton LIKE '%' || chr(10) || '%' OR skeleton LIKE '%' || chr(13) "
                       "|| '%' OR contains(array_to_string(band_keys, ''), ';')) "
                       "FROM step_templates").fetchall()[0][0]:
            out.multiline.append(out.nodes[-1][2])
    if has["step_models"]:
        out.write("nodes", "Model", [("name:ID(Model)", "name"), ("requests:long", "requests"),
                                     ("first_seen:datetime", _dt("first_seen"))], "FROM step_models")
    if has["step_account_activity"]:
        for label, table, column in (("ApiKey", "step_used_key", "key_id"),
                                     ("ClientFingerprint", "step_used_client", "fingerprint")):
            out.write("nodes", label, [(f"{column}:ID({label})", column)], f"FROM {table} GROUP BY {column}")
        out.write("nodes", "Capability", [("name:ID(Capability)", "name")],
                  "FROM (SELECT name FROM step_used_capability UNION SELECT capability FROM step_template_targets)")
    out.write("nodes", "LoadedFile",
              [("file_id:ID(LoadedFile)", "file_id"), ("name:string", "name"), ("table:string", '"table"'),
               ("rows:long", "rows"), ("loaded:long", "loaded"), ("quarantined:long", "quarantined"),
               ("loaded_at:datetime", "loaded_at")],
              "FROM loaded_files")

    # -- relationships
    if has["step_accounts"]:
        for rel, column, label in (("HAS_EMAIL_DOMAIN", "email_domain", "EmailDomain"),
                                   ("BELONGS_TO", "org_id", "Org"), ("SIGNED_UP_FROM", "signup_ip", "IP")):
            out.write("relationships", rel, [(":START_ID(Account)", "account_id"), (f":END_ID({label})", column)],
                      f"FROM step_accounts WHERE {column} IS NOT NULL")
    if has["step_payment_methods"]:
        out.write("relationships", "PAID_WITH",
                  [(":START_ID(Account)", "account_id"), (":END_ID(PaymentMethod)", "fingerprint"),
                   ("added_at:datetime", _dt("added_at"))], "FROM step_payment_methods")
    if has["step_networks"]:
        out.write("relationships", "ANNOUNCED_BY", [(":START_ID(Network)", "cidr"), (":END_ID(ASN)", "asn")],
                  "FROM step_networks WHERE asn IS NOT NULL")
        out.write("relationships", "OPERATED_BY",
                  [(":START_ID(Network)", "cidr"), (":END_ID(ProxyNetwork)", "proxy_network")],
                  "FROM step_networks WHERE proxy_network IS NOT NULL")
    if has["ip_matches"]:
        out.write("relationships", "IN_NETWORK", [(":START_ID(IP)", "address"), (":END_ID(Network)", "cidr")],
                  "FROM ip_matches")
    if has["step_account_activity"]:
        for rel, table, key, label, with_tokens in (
            ("USED_IP", "step_used_ip", "address", "IP", True),
            ("USED_KEY", "step_used_key", "key_id", "ApiKey", False),
            ("USED_CLIENT", "step_used_client", "fingerprint", "ClientFingerprint", False),
            ("SENT_TEMPLATE", "step_sent_template", "template_id", "PromptTemplate", True),
            ("USED_CAPABILITY", "step_used_capability", "name", "Capability", False),
            ("USED_MODEL", "step_used_model", "name", "Model", True),
        ):
            out.write("relationships", rel,
                      [(":START_ID(Account)", "account_id"), (f":END_ID({label})", key),
                       ("requests:long", "requests"), *times, *(tokens if with_tokens else [])],
                      f"FROM {table}")
        out.write("relationships", "TARGETS",
                  [(":START_ID(PromptTemplate)", "template_id"), (":END_ID(Capability)", "capability"),
                   ("requests:long", "requests")], "FROM step_template_targets")
    return out


def run_export(folder: Path, out_dir: Path, settings: Settings) -> dict[str, Any]:
    """The loader's DuckDB sequence (pipeline.load_directory without Neo4j), then the CSV files."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    quarantine = out_dir / "quarantine"
    started = time.perf_counter()
    tables: list[dict[str, Any]] = []
    requests_file_id = None
    inputs = discover_inputs(folder)
    # The export writes its CSV files from DuckDB: the sandbox lets it write into out_dir only.
    with duckdb_session([*(input_file.path for input_file in inputs), out_dir]) as con:
        graph = OfflineGraph(settings, con)
        for input_file in inputs:
            file_started = time.perf_counter()
            file_id = file_sha256(input_file.path)
            staged = stage_file(con, input_file, kept=settings.kept_columns.get(input_file.table, []),
                                hash_key=settings.hash_key.get_secret_value().encode(),
                                bucket_minutes=settings.activity_bucket_minutes)
            prepare_steps(con, graph, staged, file_id)  # type: ignore[arg-type]
            quarantined = write_quarantine(con, staged.name, input_file, quarantine)
            loaded = loaded_rows(con, staged)
            if staged.rows != loaded + quarantined:
                raise AssertionError(f"{input_file.path}: read {staged.rows} != {loaded} + {quarantined}")
            con.execute(f"DROP TABLE {staged.name}")
            if input_file.table == "requests":
                requests_file_id = file_id
            tables.append({"table": input_file.table, "file": input_file.path.name, "file_id": file_id,
                           "read": staged.rows, "loaded": loaded, "quarantined": quarantined,
                           "prepare_seconds": round(time.perf_counter() - file_started, 1)})
        resolve_started = time.perf_counter()
        # every_ip: this run loaded ip_intel, as load_directory does; the big batch only limits to_pylist calls
        resolved = resolve_ips(graph, con, every_ip=True, batch_size=1_000_000,  # type: ignore[arg-type]
                               run_addresses_sql=None) if any(t["table"] == "ip_intel" for t in tables) else 0
        resolve_seconds = time.perf_counter() - resolve_started
        con.execute("""CREATE TABLE loaded_files (file_id VARCHAR, name VARCHAR, "table" VARCHAR, rows BIGINT,
                       loaded BIGINT, quarantined BIGINT, loaded_at VARCHAR)""")
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        for t in tables:
            con.execute("INSERT INTO loaded_files VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [t["file_id"], t["file"], t["table"], t["read"], t["loaded"], t["quarantined"], now])
        csv_started = time.perf_counter()
        writer = export_csv(con, out_dir, requests_file_id)
        csv_seconds = time.perf_counter() - csv_started
    return {
        "tables": tables, "resolved_ips": resolved, "resolve_seconds": round(resolve_seconds, 1),
        "csv_seconds": round(csv_seconds, 1), "seconds": round(time.perf_counter() - started, 1),
        "csv_rows": writer.rows, "csv_bytes": sum(p.stat().st_size for p in out_dir.glob("*.csv")),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "_writer": writer,
    }


def _admin(settings: Settings, dist: Path, args: list[str], *, timed: bool = False,
           extra_env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    home = settings.neo4j_home.resolve()
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf"), **(extra_env or {})}
    java = shutil.which("java") or "java"
    command = [java, "-cp", str(dist / "lib" / "*"), ADMIN, *args]
    if timed:
        command = ["/usr/bin/time", "-v", *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=home, check=False)


def run_import(settings: Settings, writer: CsvWriter, *, threads: int, off_heap: str,
               import_heap: str) -> dict[str, Any]:
    dist = assemble_server(settings)
    render_conf(settings, dist)
    if read_pid(settings) is not None:
        stop_server(settings)
    home = settings.neo4j_home.resolve()
    if not (home / "data" / "dbms").exists():
        result = _admin(settings, dist, ["dbms", "set-initial-password",
                                         settings.neo4j_password.get_secret_value()])
        if result.returncode != 0:
            raise SystemExit(f"set-initial-password failed: {result.stderr[-800:]}")
    args = ["database", "import", "full", "neo4j", "--overwrite-destination=true", f"--threads={threads}",
            f"--max-off-heap-memory={off_heap}", "--array-delimiter=;",
            f"--report-file={writer.folder / 'import.report'}"]
    if writer.multiline:
        args += ["--multiline-fields-format=v2", f"--multiline-fields={','.join(map(str, writer.multiline))}"]
    for name, header, data in writer.nodes:
        if data.stat().st_size:
            args.append(f"--nodes={name}={header},{data}")
    for name, header, data in writer.relationships:
        if data.stat().st_size:
            args.append(f"--relationships={name}={header},{data}")
    started = time.perf_counter()
    result = _admin(settings, dist, args, timed=True, extra_env={"HEAP_SIZE": import_heap})
    seconds = time.perf_counter() - started
    (writer.folder / "import.stdout").write_text(result.stdout)
    (writer.folder / "import.stderr").write_text(result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"neo4j-admin import failed (exit {result.returncode}); see {writer.folder}:\n"
                         f"{(result.stdout + result.stderr)[-3000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    summary = re.search(r"IMPORT DONE in (.+?)\. *\n(.*?)(?:\n\n|\Z)", result.stdout, re.S)
    return {"seconds": round(seconds, 1), "peak_rss_mib": round(int(peak.group(1)) / 1024) if peak else None,
            "tool_summary": " ".join(summary.group(0).split()) if summary else None,
            "threads": threads, "max_off_heap_memory": off_heap, "heap": import_heap}


FINGERPRINT: LiteralString = """
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


def fingerprint(database: Any) -> dict[str, dict[str, Any]]:
    """Per label / relationship type, per property: an order-independent summary of every value."""
    result: dict[str, dict[str, Any]] = {}
    for label in NODE_LABELS:
        if label.name in IGNORED_FOR_COMPARISON:
            continue
        query: LiteralString = "MATCH (x:" + label.name + ")" + FINGERPRINT  # type: ignore[assignment]
        rows = database.run(inline_query(query, name="fingerprint"), timeout=1800)
        result[label.name] = {r.pop("key"): r for r in rows if r["key"] not in NOT_COMPARED_PROPERTIES}
    for rel in REL_TYPES:
        query = "MATCH ()-[x:" + rel.name + "]->()" + FINGERPRINT  # type: ignore[assignment]
        rows = database.run(inline_query(query, name="fingerprint"), timeout=1800)
        result[rel.name] = {r.pop("key"): r for r in rows}
    for props in result.values():
        for summary in props.values():
            summary["types"] = sorted(summary["types"])
    return result


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
                        neo4j_http_port=args.http_port, neo4j_heap=args.heap, neo4j_pagecache=args.pagecache)
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
    result["import"] = run_import(settings, writer, threads=args.threads, off_heap=args.max_off_heap_memory,
                                  import_heap=args.import_heap)
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
