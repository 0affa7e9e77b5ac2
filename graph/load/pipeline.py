"""`load_directory`: input files → DuckDB (validate, quarantine, aggregate) → Neo4j (ledgered batches).

For each input file, in load order (ip_intel, accounts, payment_methods, requests):

1. skip it when its content hash is a `LoadedFile` (loaded before: loading it again would double counts);
2. stage and validate it in DuckDB, write its bad rows to the quarantine folder;
3. aggregate and write its steps in ledgered batches (a resumed load skips applied batches).

Then resolve IPs to networks (longest-prefix match) and only then mark the files `LoadedFile`, so a crash
anywhere before the end is finished by a rerun.
"""

# DuckDB SQL here is composed from identifiers our code chooses; input values are quoted literals.

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from graph.db import Database
from graph.load import aggregate
from graph.load.batches import BatchWriter, ProgressSink, Step
from graph.load.inputs import InputFile, discover_inputs, file_sha256
from graph.load.quarantine import write_quarantine
from graph.load.resolve import resolve_ips
from graph.load.stage import StagedTable, stage_file
from graph.queries import get_query

log = logging.getLogger(__name__)


@dataclass
class TableSummary:
    """What happened to one input file. For a read file, `read == loaded + quarantined`."""

    table: str
    file: str
    status: str  # "loaded" or "skipped" (already loaded: its LoadedFile exists)
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    written: int = 0  # aggregated rows sent to Neo4j (batches already applied included)
    seconds: float = 0.0
    prepare_seconds: float = 0.0  # DuckDB: read, validate, quarantine, aggregate
    write_seconds: float = 0.0  # Neo4j: ledgered batches
    warnings: list[str] = field(default_factory=list)


@dataclass
class LoadSummary:
    """The outcome of `load_directory`."""

    tables: list[TableSummary]
    quarantine_dir: Path
    resolved_ips: int = 0
    resolve_seconds: float = 0.0
    seconds: float = 0.0
    resumed_batches: int = 0


@contextmanager
def duckdb_session(memory_limit: str = "4GB") -> Iterator[duckdb.DuckDBPyConnection]:
    """A throwaway on-disk DuckDB (compressed, spills to disk) that keeps row order and UTC."""
    with tempfile.TemporaryDirectory(prefix="linkage-load-") as folder:
        con = duckdb.connect(str(Path(folder) / "load.duckdb"))
        try:
            con.execute("SET preserve_insertion_order = true")
            con.execute("SET TimeZone = 'UTC'")
            con.execute(f"SET memory_limit = '{memory_limit}'")
            con.execute(f"SET temp_directory = '{folder}/spill'")
            yield con
        finally:
            con.close()


def _prepare_steps(
    con: duckdb.DuckDBPyConnection, database: Database, staged: StagedTable, file_id: str
) -> list[Step]:
    table = staged.input.table
    if table == "ip_intel":
        return aggregate.prepare_ip_intel(con, staged.name)
    if table == "accounts":
        return aggregate.prepare_accounts(con, staged.name)
    if table == "payment_methods":
        return aggregate.prepare_payment_methods(con, staged.name)
    return aggregate.prepare_requests(con, staged.name, database, file_id)


def _loaded_rows(con: duckdb.DuckDBPyConnection, staged: StagedTable) -> int:
    """Rows that reached the aggregates, counted from the aggregates' input (not from the stage's flags)."""
    if staged.input.table == "requests":
        return int(con.execute("SELECT count(*) FROM req").fetchall()[0][0])
    if staged.input.table in ("accounts", "ip_intel"):
        step = "step_accounts" if staged.input.table == "accounts" else "step_networks"
        return int(con.execute(f"SELECT count(*) FROM {step}").fetchall()[0][0])
    return aggregate.count_valid(con, staged.name)


def load_directory(
    database: Database,
    directory: Path,
    *,
    quarantine_dir: Path | None = None,
    batch_size: int | None = None,
    progress: ProgressSink | None = None,
) -> LoadSummary:
    """Load every input table of `directory` into the graph; see the module docstring.

    Raises InputError (missing directory, unknown format, missing required column, unreadable file) before
    anything is written for that file, and DatabaseUnavailableError/DatabaseError from Neo4j.
    """
    started = time.perf_counter()
    settings = database.settings
    inputs = discover_inputs(directory)
    quarantine = quarantine_dir or directory / "quarantine"
    size = batch_size or settings.load_batch_size
    summary = LoadSummary([], quarantine)
    loaded_files: list[tuple[InputFile, str, TableSummary]] = []
    run_addresses: list[str] = []
    ip_intel_loaded = False
    with duckdb_session() as con:
        for input_file in inputs:
            file_started = time.perf_counter()
            file_id = file_sha256(input_file.path)
            already = database.run(get_query("load_ledger_file"), {"file_id": file_id})[0]["loaded"]
            if already:
                summary.tables.append(TableSummary(input_file.table, input_file.path.name, "skipped"))
                continue
            staged = stage_file(
                con,
                input_file,
                kept=settings.kept_columns.get(input_file.table, []),
                hash_key=settings.hash_key.get_secret_value().encode(),
                bucket_minutes=settings.activity_bucket_minutes,
            )
            steps = _prepare_steps(con, database, staged, file_id)
            quarantined = write_quarantine(con, staged.name, input_file, quarantine)
            loaded = _loaded_rows(con, staged)
            if staged.rows != loaded + quarantined:  # nothing lost, nothing counted twice
                raise AssertionError(
                    f"{input_file.path}: read {staged.rows} != loaded {loaded} + quarantined {quarantined}"
                )
            table_summary = TableSummary(
                input_file.table,
                input_file.path.name,
                "loaded",
                staged.rows,
                loaded,
                quarantined,
                warnings=staged.warnings,
            )
            table_summary.prepare_seconds = time.perf_counter() - file_started
            writer = BatchWriter(
                database, con, file_id=file_id, batch_size=size, progress=progress, label=input_file.table
            )
            if progress is not None:
                progress.start(input_file.table, sum(writer.step_rows(step) for step in steps))
            for step in steps:
                table_summary.written += writer.write_step(step)
            table_summary.write_seconds = time.perf_counter() - file_started - table_summary.prepare_seconds
            summary.resumed_batches += writer.skipped_batches
            if input_file.table == "ip_intel":
                ip_intel_loaded = True
            elif input_file.table == "accounts":
                run_addresses.append(
                    "SELECT address AS raw FROM ip_lookup_accounts WHERE address IS NOT NULL"
                )
            elif input_file.table == "requests":
                run_addresses.append(
                    "SELECT address AS raw FROM ip_lookup_requests WHERE address IS NOT NULL"
                )
            con.execute(f"DROP TABLE {staged.name}")
            table_summary.seconds = time.perf_counter() - file_started
            summary.tables.append(table_summary)
            loaded_files.append((input_file, file_id, table_summary))

        resolve_started = time.perf_counter()
        if ip_intel_loaded or run_addresses:
            summary.resolved_ips = resolve_ips(
                database,
                con,
                every_ip=ip_intel_loaded,
                batch_size=size,
                progress=progress,
                run_addresses_sql=" UNION ".join(run_addresses) if run_addresses else None,
            )
        summary.resolve_seconds = time.perf_counter() - resolve_started
    for input_file, file_id, table_summary in loaded_files:
        database.run(
            get_query("load_ledger_mark_file"),
            {
                "file_id": file_id,
                "name": input_file.path.name,
                "table": input_file.table,
                "rows": table_summary.read,
                "loaded": table_summary.loaded,
                "quarantined": table_summary.quarantined,
            },
        )
    summary.seconds = time.perf_counter() - started
    log.info("load of %s finished in %.1f s", directory, summary.seconds)
    return summary
