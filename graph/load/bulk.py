"""The loader's aggregates as `neo4j-admin database import` CSV files: the export half of a bulk first load.

The transactional loader (pipeline.py) writes at ~20k rows/s; Neo4j's offline importer writes the same
graph 5–8× faster, but only into a database it creates. `export_directory` runs the loader's own DuckDB
code on a folder — staging, validation, quarantine, aggregation and IP resolution (`stage_file`,
`prepare_steps`, `write_quarantine`, `resolve_ips`) — against `OfflineGraph`, which answers the loader's
three graph reads as the empty graph would and drops its writes. The aggregate tables the loader would have
sent to Neo4j become CSV files with the importer's headers (`account_id:ID(Account)`, `requests:long`,
`first_seen:datetime`, `activity_buckets:long[]`, ...), plus the `LoadedFile` ledger rows.

`linkage load --bulk` (app/cli/bulk.py) feeds them to the local server's importer
(`graph.devserver.import_full`). The graph is the transactional loader's — same labels, keys,
relationships, properties and ledger, without the per-batch `LoadBatch` markers that only serve a resumed
transactional load; tests/integration/test_load_bulk.py loads one folder both ways and compares every
property and `linkage detect`'s clusters.
"""

# DuckDB SQL here is composed from identifiers our code chooses and from paths of the private export
# folder (refused if they contain a quote); input values never become SQL text.

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from graph.errors import InputError
from graph.load.batches import ProgressSink
from graph.load.inputs import check_kept_columns, discover_inputs, inspect_file
from graph.load.pipeline import TableSummary, duckdb_session, loaded_rows, prepare_steps
from graph.load.quarantine import write_quarantine
from graph.load.resolve import resolve_ips
from graph.load.stage import KEEP_PREFIX, quote_identifier, stage_file
from graph.queries import Query
from graph.settings import Settings


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
        if query.mode != "read":  # writes are dropped (see above)
            return []
        if query.name == "load_stored_templates":
            return []
        if query.name == "load_graph_networks":  # OPERATED_BY is one per network: its proxy network
            if not table_exists(self.con, "step_networks"):
                return []
            return self._dicts("SELECT cidr, kind, asn, proxy_network, is_vpn, is_tor FROM step_networks")
        if query.name == "load_graph_ips":
            return self._dicts(f"SELECT address FROM ({ip_addresses_sql(self.con)})")
        raise NotImplementedError(f"offline export: unexpected graph read {query.name}")

    def execute_write(self, work: Callable[..., Any], *, name: str = "write") -> None:
        return None


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
    ).fetchall()[0][0])


def ip_addresses_sql(con: duckdb.DuckDBPyConnection) -> str:
    """Every IP node the loader creates: request-log IPs and signup IPs, with their version."""
    parts = []
    if table_exists(con, "step_ips"):
        parts.append("SELECT address, version FROM step_ips")
    if table_exists(con, "step_accounts"):
        parts.append("SELECT signup_ip AS address, signup_ip_version AS version FROM step_accounts "
                     "WHERE signup_ip IS NOT NULL")
    if not parts:
        return "SELECT NULL::VARCHAR AS address, NULL::INTEGER AS version WHERE false"
    return f"SELECT address, any_value(version) AS version FROM ({' UNION ALL '.join(parts)}) GROUP BY address"


def _dt(column: str) -> str:
    """Epoch milliseconds as the ISO 8601 UTC text neo4j-admin parses (the same instant and zone Z as the
    loader's `datetime({epochMillis: x})`)."""
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
            fields.append((f"{name[len(KEEP_PREFIX):]}:{neo4j_type}", f"{alias}.{quote_identifier(name)}"))
    return fields


class CsvWriter:
    """Writes one header file and one data file per node label / relationship type."""

    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path) -> None:
        if "'" in str(folder):
            raise InputError("a quote in the export folder's path; choose another LINKAGE_NEO4J_HOME",
                             path=str(folder))
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

    @property
    def entities(self) -> int:
        return sum(self.rows.values())


def export_csv(con: duckdb.DuckDBPyConnection, folder: Path, requests_file_id: str | None) -> CsvWriter:
    """The loader's aggregates (left in DuckDB by its prepare steps and resolve) as neo4j-admin CSV."""
    out = CsvWriter(con, folder)
    has = {t: table_exists(con, t) for t in (
        "step_networks", "step_accounts", "step_payment_methods", "step_ips", "step_account_activity",
        "step_templates", "step_models", "ip_matches")}
    times = [("first_seen:datetime", _dt("first_seen")), ("last_seen:datetime", _dt("last_seen"))]
    tokens = [("input_tokens:long", "input_tokens"), ("output_tokens:long", "output_tokens")]
    _export_nodes(con, out, has, requests_file_id)
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


def _export_nodes(con: duckdb.DuckDBPyConnection, out: CsvWriter, has: dict[str, bool],
                  requests_file_id: str | None) -> None:
    account_sources = [f"SELECT account_id FROM {t}" for t in
                       ("step_accounts", "step_payment_methods", "step_account_activity") if has[t]]
    if account_sources:
        fields = [("account_id:ID(Account)", "ids.account_id")]
        joins = f"FROM (SELECT DISTINCT account_id FROM ({' UNION ALL '.join(account_sources)})) ids"
        if has["step_accounts"]:
            fields += [("created_at:datetime", _dt("s.created_at")), ("email_hash:string", "s.email_hash"),
                       ("country:string", "s.country"), ("tier:string", "s.tier"),
                       ("status:string", "s.status"), *_kept(con, "step_accounts", "s")]
            joins += " LEFT JOIN step_accounts s USING (account_id)"
        if has["step_account_activity"]:
            fields += [("requests:long", "t.requests"), ("input_tokens:long", "t.input_tokens"),
                       ("output_tokens:long", "t.output_tokens"), ("first_seen:datetime", _dt("t.first_seen")),
                       ("last_seen:datetime", _dt("t.last_seen")),
                       ("activity_buckets:long[]", _list("t.buckets")),
                       ("activity_counts:long[]", _list("t.counts"))]
            joins += " LEFT JOIN step_account_activity t USING (account_id)"
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
        joins = f"FROM ({ip_addresses_sql(con)}) a"
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
                  # the id column stays unstored (an import's ids are strings): `number` is the long
                  [(":ID(ASN)", "asn"), ("number:long", "asn"),
                   ("org:string", "arg_max(asn_org, cidr) FILTER (WHERE asn_org IS NOT NULL)")],
                  "FROM step_networks WHERE asn IS NOT NULL GROUP BY asn")
        out.write("nodes", "ProxyNetwork", [("name:ID(ProxyNetwork)", "proxy_network")],
                  "FROM step_networks WHERE proxy_network IS NOT NULL GROUP BY proxy_network")
    if has["step_templates"]:
        out.write("nodes", "PromptTemplate",
                  [("template_id:ID(PromptTemplate)", "template_id"), ("skeleton:string", "skeleton"),
                   ("band_keys:string[]", _list("band_keys")), ("requests:long", "requests"),
                   # a file id is a SHA-256 in hex (file_sha256): nothing to quote
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


@dataclass
class Export:
    """What `export_directory` did: per-file summaries, IPs resolved, the CSV files."""

    tables: list[TableSummary]
    resolved_ips: int
    resolve_seconds: float
    csv_seconds: float
    writer: CsvWriter


def progress_stage(progress: ProgressSink | None, label: str) -> Callable[[], None]:
    """One progress line for a stage without row counts; call the result when the stage is done."""
    if progress is None:
        return lambda: None
    progress.start(label, 1)
    return lambda: progress.advance(label, 1)


def export_directory(settings: Settings, directory: Path, out_dir: Path, quarantine_dir: Path,
                     progress: ProgressSink | None = None) -> Export:
    """The loader's DuckDB sequence on `directory` (as `load_directory` runs it, without Neo4j), then the
    aggregates as neo4j-admin CSV files in `out_dir`; bad rows go to `quarantine_dir`."""
    check_kept_columns(settings.kept_columns)
    inputs = discover_inputs(directory)
    tables: list[TableSummary] = []
    requests_file_id = None
    file_ids: list[str] = []
    with duckdb_session([*(input_file.path for input_file in inputs), out_dir]) as con:
        graph = OfflineGraph(settings, con)
        for input_file in inputs:
            done = progress_stage(progress, f"{input_file.table} (prepare)")
            started = time.perf_counter()
            file_id = inspect_file(input_file, max_decompressed=settings.load_max_decompressed)
            staged = stage_file(con, input_file, kept=settings.kept_columns.get(input_file.table, []),
                                hash_key=settings.hash_key.get_secret_value().encode(),
                                bucket_minutes=settings.activity_bucket_minutes)
            steps = prepare_steps(con, graph, staged, file_id)  # type: ignore[arg-type]
            quarantined = write_quarantine(con, staged.name, input_file, quarantine_dir)
            loaded = loaded_rows(con, staged)
            if staged.rows != loaded + quarantined:  # nothing lost, nothing counted twice
                raise AssertionError(f"{input_file.path}: read {staged.rows} != loaded {loaded} + "
                                     f"quarantined {quarantined}")
            written = sum(int(con.execute(f"SELECT count(*) FROM {step.table}").fetchall()[0][0])
                          for step in steps)
            con.execute(f"DROP TABLE {staged.name}")
            if input_file.table == "requests":
                requests_file_id = file_id
            seconds = time.perf_counter() - started
            tables.append(TableSummary(input_file.table, input_file.path.name, "loaded", staged.rows, loaded,
                                       quarantined, written=written, seconds=seconds, prepare_seconds=seconds,
                                       warnings=staged.warnings))
            file_ids.append(file_id)
            done()
        done = progress_stage(progress, "IP resolution")
        started = time.perf_counter()
        # every_ip: networks come only from this folder's ip_intel (the graph is empty), as load_directory
        resolved = resolve_ips(graph, con, every_ip=True, batch_size=1_000_000,  # type: ignore[arg-type]
                               run_addresses_sql=None) if any(t.table == "ip_intel" for t in tables) else 0
        resolve_seconds = time.perf_counter() - started
        done()
        con.execute("""CREATE TABLE loaded_files (file_id VARCHAR, name VARCHAR, "table" VARCHAR, rows BIGINT,
                       loaded BIGINT, quarantined BIGINT, loaded_at VARCHAR)""")
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        for file_id, summary in zip(file_ids, tables, strict=True):
            con.execute("INSERT INTO loaded_files VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [file_id, summary.file, summary.table, summary.read, summary.loaded,
                         summary.quarantined, now])
        done = progress_stage(progress, "export CSV")
        started = time.perf_counter()
        writer = export_csv(con, out_dir, requests_file_id)
        csv_seconds = time.perf_counter() - started
        done()
    return Export(tables, resolved, resolve_seconds, csv_seconds, writer)
