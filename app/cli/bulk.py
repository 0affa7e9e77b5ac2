"""`linkage load --bulk`: the first load into the empty local server, through `neo4j-admin database import`.

1. **Plan** (`plan_load`): bulk only for the local server `linkage neo4j` manages, into a graph that holds
   nothing at all (not even API keys), and — unless `--bulk` asks — for inputs of at least
   LINKAGE_LOAD_BULK_MIN_BYTES. Anything else loads with transactions, and the plan says why.
2. **Export** (graph/load/bulk.py): the loader's DuckDB work, then the importer's CSV files in a private
   folder under the server's home; bad rows go to the quarantine folder as usual.
3. **Import**: the graph is checked empty once more, the server stopped, the importer builds the database
   (`graph.devserver.import_full`), the server starts, the schema is applied, the files are deleted.

A crash before the import leaves the graph as it was (empty); a failed import leaves the files and the
tool's output in the folder it names, the server running and the database empty, to load again.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from graph.db import Database, connect
from graph.devserver import import_full, read_pid, start_server, stop_server
from graph.errors import LocalServerError
from graph.load import LoadSummary, ProgressSink, discover_inputs
from graph.load.bulk import export_directory, progress_stage
from graph.load.quarantine import open_private_directory
from graph.maintenance import apply_schema
from graph.queries import get_query


@dataclass(frozen=True)
class LoadPlan:
    """How a folder will be loaded, and why."""

    bulk: bool
    reason: str


def graph_nodes(database: Database) -> int:
    return int(database.run(get_query("db_count_nodes"))[0]["n"])


def plan_load(database: Database, directory: Path, *, bulk: bool | None = None) -> LoadPlan:
    """Bulk (offline import) or transactional: `bulk=True` asks for bulk, `False` refuses it, `None`
    chooses by input size. Bulk needs the local managed server and an empty graph; otherwise the plan is
    transactional and its reason says what stood in the way."""
    settings = database.settings
    if bulk is False:
        return LoadPlan(False, "transactional load asked for")
    if not settings.is_local_server:
        return LoadPlan(False, f"NEO4J_URI {settings.neo4j_uri} is not on this machine: the offline importer "
                               "needs the server's own files")
    if read_pid(settings) is None:
        return LoadPlan(False, f"the server at {settings.neo4j_uri} is not the instance managed in "
                               f"{settings.neo4j_home} (`linkage neo4j start`)")
    nodes = graph_nodes(database)
    if nodes:
        return LoadPlan(False, f"the graph already holds {nodes:,} node{'s' if nodes != 1 else ''}: the offline "
                               "importer only builds a new database, so later folders are added with "
                               "transactions")
    size = sum(item.path.stat().st_size for item in discover_inputs(directory))
    if bulk is None and size < settings.load_bulk_min_bytes:
        return LoadPlan(False, f"inputs are {size / 1e6:.1f} MB, under LINKAGE_LOAD_BULK_MIN_BYTES "
                               f"({settings.load_bulk_min_bytes / 1e6:.0f} MB): transactions are quicker "
                               "than stopping and restarting the server")
    return LoadPlan(True, f"first load into the empty local server ({size / 1e6:.1f} MB of input): "
                          "neo4j-admin database import")


def bulk_load(database: Database, directory: Path, *, quarantine_dir: Path | None = None,
              progress: ProgressSink | None = None, threads: int | None = None) -> LoadSummary:
    """Load `directory` into the empty local managed server with the offline importer (module docstring).
    The caller has a `plan_load(...).bulk` plan. The server is stopped for the import and running again
    when this returns."""
    settings = database.settings
    started = time.perf_counter()
    summary = LoadSummary([], quarantine_dir or directory / "quarantine", mode="bulk")
    os.close(open_private_directory(summary.quarantine_dir))  # a planted symlink fails before any write
    import_root = settings.neo4j_home.resolve() / "import"
    import_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bulk-", dir=import_root))  # private (0700)
    export = export_directory(settings, directory, folder, summary.quarantine_dir, progress)
    summary.tables, summary.resolved_ips = export.tables, export.resolved_ips
    summary.resolve_seconds = export.resolve_seconds
    summary.stage_seconds["export"] = time.perf_counter() - started
    nodes = graph_nodes(database)
    if nodes:  # written to since the plan: the import would overwrite it
        raise LocalServerError(f"the graph received {nodes:,} nodes while the folder was prepared; nothing was "
                               f"imported (load again: the transactional path will be used; files in {folder})")
    done = progress_stage(progress, "neo4j-admin import")
    stage_started = time.perf_counter()
    stop_server(settings)
    writer = export.writer
    try:
        import_full(settings, nodes=writer.nodes, relationships=writer.relationships, multiline=writer.multiline,
                    folder=folder, threads=threads)
    except BaseException:
        with suppress(LocalServerError):  # the server runs again (its database empty); the import's error counts
            start_server(settings, echo=lambda _: None)
        raise
    summary.stage_seconds["import"] = time.perf_counter() - stage_started  # the server's stop included
    done()
    done = progress_stage(progress, "start + schema")
    stage_started = time.perf_counter()
    start_server(settings, echo=lambda _: None)
    with connect(settings) as fresh:  # new connections: the old ones died with the server
        apply_schema(fresh)
    summary.stage_seconds["start_schema"] = time.perf_counter() - stage_started
    done()
    shutil.rmtree(folder, ignore_errors=True)
    summary.seconds = time.perf_counter() - started
    return summary
