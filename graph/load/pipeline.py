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
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from graph.db import Database
from graph.load import aggregate
from graph.load.batches import BatchWriter, ProgressSink, Step
from graph.load.inputs import InputFile, check_kept_columns, discover_inputs, inspect_file
from graph.load.quarantine import open_private_directory, write_quarantine
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
    mode: str = "transactional"  # or "bulk": the offline importer (graph/load/bulk.py)
    reason: str = ""  # why this mode (bulk.plan_load)
    stage_seconds: dict[str, float] = field(default_factory=dict)  # bulk: export, import, start + schema


@contextmanager
def duckdb_session(
    readable: Iterable[Path] = (), memory_limit: str = "4GB"
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A throwaway on-disk DuckDB (compressed, spills to disk) that keeps row order and UTC, sandboxed.

    The loader runs DuckDB with no more than it needs: it may read the `readable` files (and files in
    `readable` folders) and nothing else, write no file but its own database and spill folder, install or
    load no extension, and nobody can change that afterwards (`lock_configuration`). So even a statement
    an input file managed to inject could neither read nor write anything outside.
    """
    files, folders = [], []
    for path in readable:
        for variant in dict.fromkeys((path.absolute(), path.resolve())):
            if variant.is_dir():
                folders.append(str(variant).rstrip("/") + "/")
            else:
                files.append(str(variant))
    with tempfile.TemporaryDirectory(prefix="linkage-load-") as folder:
        con = duckdb.connect(str(Path(folder) / "load.duckdb"))
        try:
            # Values are bound: paths and sizes never become SQL text.
            con.execute("SET preserve_insertion_order = true")
            con.execute("SET TimeZone = 'UTC'")
            con.execute("SET memory_limit = $limit", {"limit": memory_limit})
            con.execute("SET temp_directory = $spill", {"spill": str(Path(folder) / "spill")})
            con.execute("SET autoinstall_known_extensions = false")
            con.execute("SET autoload_known_extensions = false")
            con.execute("SET allow_community_extensions = false")
            con.execute("SET allowed_paths = $files", {"files": files})
            con.execute("SET allowed_directories = $folders", {"folders": folders})
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
            yield con
        finally:
            con.close()


# Each table's canonical addresses in DuckDB, resolved to networks after the load (ip_intel: every IP).
RUN_ADDRESSES_SQL = {
    "accounts": "SELECT address AS raw FROM ip_lookup_accounts WHERE address IS NOT NULL",
    "requests": "SELECT address AS raw FROM ip_lookup_requests WHERE address IS NOT NULL",
}


@dataclass
class PreparedRequests:
    """A request file prepared by another engine: rows read, rows that reached the aggregates, its steps (their
    tables in DuckDB), warnings; the DuckDB table `stage_requests` holds at least its bad rows."""

    rows: int
    loaded: int
    steps: list[Step]
    warnings: list[str]


RequestPreparer = Callable[[duckdb.DuckDBPyConnection, Database, InputFile, str], PreparedRequests]


@dataclass(frozen=True)
class LoadRun:
    """What every step of one `load_directory` call shares."""

    database: Database
    con: duckdb.DuckDBPyConnection
    quarantine: Path
    batch_size: int
    progress: ProgressSink | None
    # Another engine's preparation of the request log (LINKAGE_ENGINE=spark: graph/engine/requests.py), which
    # leaves in `con` the tables `stage_file` and `prepare_steps` would have made; None: DuckDB's own.
    prepare_requests: RequestPreparer | None = None


@dataclass(frozen=True)
class LoadedInput:
    """An input file this run loaded, to be marked `LoadedFile` once everything else succeeded."""

    input: InputFile
    file_id: str
    summary: TableSummary


def prepare_steps(
    con: duckdb.DuckDBPyConnection, database: Database, staged: StagedTable, file_id: str
) -> list[Step]:
    """The aggregates (steps) a staged table is written as, in write order."""
    table = staged.input.table
    if table == "ip_intel":
        return aggregate.prepare_ip_intel(con, staged.name)
    if table == "accounts":
        return aggregate.prepare_accounts(con, staged.name)
    if table == "payment_methods":
        return aggregate.prepare_payment_methods(con, staged.name)
    return aggregate.prepare_requests(con, staged.name, database, file_id)


def loaded_rows(con: duckdb.DuckDBPyConnection, staged: StagedTable) -> int:
    """Rows that reached the aggregates, counted from the aggregates' input (not from the stage's flags)."""
    if staged.input.table == "requests":
        return int(con.execute("SELECT count(*) FROM req").fetchall()[0][0])
    if staged.input.table in ("accounts", "ip_intel"):
        step = "step_accounts" if staged.input.table == "accounts" else "step_networks"
        return int(con.execute(f"SELECT count(*) FROM {step}").fetchall()[0][0])
    return aggregate.count_valid(con, staged.name)


def is_loaded(database: Database, file_id: str) -> bool:
    """Whether a file with this content hash was fully loaded before (its `LoadedFile` exists)."""
    return bool(database.run(get_query("load_ledger_file"), {"file_id": file_id})[0]["loaded"])


def prepare_file(run: LoadRun, input_file: InputFile, file_id: str) -> tuple[StagedTable, list[Step], TableSummary]:
    """Stage and validate one file (in DuckDB, or the request log by `run.prepare_requests`), aggregate it into
    steps and quarantine its bad rows; check that every row read is either loaded or quarantined."""
    settings = run.database.settings
    if run.prepare_requests is not None and input_file.table == "requests":
        prepared = run.prepare_requests(run.con, run.database, input_file, file_id)
        staged = StagedTable(input_file, "stage_requests", prepared.rows, prepared.warnings)
        steps, loaded = prepared.steps, prepared.loaded
    else:
        staged = stage_file(
            run.con,
            input_file,
            kept=settings.kept_columns.get(input_file.table, []),
            hash_key=settings.hash_key.get_secret_value().encode(),
            bucket_minutes=settings.activity_bucket_minutes,
        )
        steps = prepare_steps(run.con, run.database, staged, file_id)
        loaded = loaded_rows(run.con, staged)
    quarantined = write_quarantine(run.con, staged.name, input_file, run.quarantine)
    if staged.rows != loaded + quarantined:  # nothing lost, nothing counted twice
        raise AssertionError(
            f"{input_file.path}: read {staged.rows} != loaded {loaded} + quarantined {quarantined}"
        )
    summary = TableSummary(
        input_file.table, input_file.path.name, "loaded", staged.rows, loaded, quarantined, warnings=staged.warnings
    )
    return staged, steps, summary


def load_file(run: LoadRun, input_file: InputFile, file_id: str) -> tuple[TableSummary, int]:
    """Prepare one file and write its steps in ledgered batches; return its summary and how many of its
    batches an earlier, interrupted load had already applied."""
    started = time.perf_counter()
    staged, steps, summary = prepare_file(run, input_file, file_id)
    summary.prepare_seconds = time.perf_counter() - started
    writer = BatchWriter(
        run.database, run.con, file_id=file_id, batch_size=run.batch_size, progress=run.progress,
        label=input_file.table,
    )
    if run.progress is not None:
        run.progress.start(input_file.table, sum(writer.step_rows(step) for step in steps))
    for step in steps:
        summary.written += writer.write_step(step)
    summary.write_seconds = time.perf_counter() - started - summary.prepare_seconds
    run.con.execute(f"DROP TABLE {staged.name}")
    summary.seconds = time.perf_counter() - started
    return summary, writer.skipped_batches


def resolve_loaded_ips(run: LoadRun, tables: list[str]) -> int:
    """Resolve IPs to networks after this run's files: every IP when ip_intel was loaded (networks changed),
    else the addresses the loaded files mention; return IPs linked."""
    every_ip = "ip_intel" in tables
    sources = [RUN_ADDRESSES_SQL[table] for table in tables if table in RUN_ADDRESSES_SQL]
    if not (every_ip or sources):
        return 0
    return resolve_ips(
        run.database,
        run.con,
        every_ip=every_ip,
        batch_size=run.batch_size,
        progress=run.progress,
        run_addresses_sql=" UNION ".join(sources) if sources else None,
    )


def mark_loaded(database: Database, loaded: list[LoadedInput]) -> None:
    """Record each file as `LoadedFile` (last, so a crash before this point is finished by a rerun)."""
    for item in loaded:
        database.run(
            get_query("load_ledger_mark_file"),
            {
                "file_id": item.file_id,
                "name": item.input.path.name,
                "table": item.input.table,
                "rows": item.summary.read,
                "loaded": item.summary.loaded,
                "quarantined": item.summary.quarantined,
            },
        )


def load_directory(
    database: Database,
    directory: Path,
    *,
    quarantine_dir: Path | None = None,
    batch_size: int | None = None,
    progress: ProgressSink | None = None,
    prepare_requests: RequestPreparer | None = None,
    readable: Sequence[Path] = (),
) -> LoadSummary:
    """Load every input table of `directory` into the graph; see the module docstring. `prepare_requests`
    prepares request logs on another engine, which hands its results over in the `readable` folders.

    Raises InputError (missing directory, unknown format, missing required column, unreadable file) before
    anything is written for that file, and DatabaseUnavailableError/DatabaseError from Neo4j.
    """
    started = time.perf_counter()
    check_kept_columns(database.settings.kept_columns)
    inputs = discover_inputs(directory)
    summary = LoadSummary([], quarantine_dir or directory / "quarantine")
    os.close(open_private_directory(summary.quarantine_dir))  # a planted symlink fails before any write
    loaded: list[LoadedInput] = []
    with duckdb_session([*(input_file.path for input_file in inputs), *readable]) as con:
        run = LoadRun(database, con, summary.quarantine_dir, batch_size or database.settings.load_batch_size,
                      progress, prepare_requests)
        for input_file in inputs:
            file_id = inspect_file(input_file, max_decompressed=database.settings.load_max_decompressed)
            if is_loaded(database, file_id):
                summary.tables.append(TableSummary(input_file.table, input_file.path.name, "skipped"))
                continue
            table_summary, resumed = load_file(run, input_file, file_id)
            summary.tables.append(table_summary)
            summary.resumed_batches += resumed
            loaded.append(LoadedInput(input_file, file_id, table_summary))
        resolve_started = time.perf_counter()
        summary.resolved_ips = resolve_loaded_ips(run, [item.input.table for item in loaded])
        summary.resolve_seconds = time.perf_counter() - resolve_started
    mark_loaded(database, loaded)
    summary.seconds = time.perf_counter() - started
    log.info("load of %s finished in %.1f s", directory, summary.seconds)
    return summary
