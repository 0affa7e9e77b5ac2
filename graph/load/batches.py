"""Exactly-once batch writes: deterministic batches, each committed together with its `LoadBatch` marker.

A *step* is one aggregate of one input file (e.g. the file's per-(account, IP) rows) materialised in DuckDB
in key order. `BatchWriter.write_step` cuts it into fixed-size batches; batch k of step s of file f has the
id `f:s:k`. Each batch runs in one managed transaction that first checks the marker, then writes the rows
(`UNWIND $rows`), then creates the marker — so a batch is applied with its marker or not at all, and a
transaction retried by the driver (or a rerun after a crash) never applies it twice.
"""

# DuckDB SQL here is composed from identifiers our code chooses; input values are quoted literals.

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb
import neo4j
import pyarrow as pa

from graph.db import Database
from graph.load.stage import KEEP_PREFIX
from graph.queries import get_query

Rows = list[dict[str, Any]]
Prepare = Callable[[neo4j.ManagedTransaction, Rows], Rows]


class ProgressSink(Protocol):
    """Where the loader reports progress (the CLI draws rich progress bars from it)."""

    def start(self, label: str, total: int) -> None: ...

    def advance(self, label: str, rows: int) -> None: ...


@dataclass(frozen=True)
class Step:
    """One aggregate to write: DuckDB table `table` (ordered by `order_by`), written by query `query`."""

    name: str
    table: str
    order_by: str
    query: str
    params: dict[str, Any] | None = None
    prepare: Prepare | None = None  # runs inside the batch's transaction before the write
    with_extra: bool = False  # rows carry an `extra` map of LINKAGE_KEEP_COLUMNS values


def iter_exact_batches(reader: pa.RecordBatchReader, size: int) -> Iterator[pa.Table]:
    """Re-chunk a stream of record batches into tables of exactly `size` rows (the last may be shorter)."""
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in reader:
        while batch.num_rows:
            take = min(size - count, batch.num_rows)
            pending.append(batch.slice(0, take))
            count += take
            batch = batch.slice(take)
            if count == size:
                yield pa.Table.from_batches(pending)
                pending, count = [], 0
    if count:
        yield pa.Table.from_batches(pending)


def table_to_rows(table: pa.Table, *, with_extra: bool = False) -> Rows:
    """Arrow rows as dicts for the driver; with `with_extra`, `keep__*` columns become an `extra` map."""
    rows = table.to_pylist()
    if with_extra:
        kept = [name for name in table.column_names if name.startswith(KEEP_PREFIX)]
        for row in rows:
            row["extra"] = {name[len(KEEP_PREFIX) :]: row.pop(name) for name in kept}
    return rows


class BatchWriter:
    """Writes a file's steps in ledgered batches; `batch_size` is fixed per file (reused on resume)."""

    def __init__(
        self,
        database: Database,
        con: duckdb.DuckDBPyConnection,
        *,
        file_id: str,
        batch_size: int,
        progress: ProgressSink | None = None,
        label: str = "",
    ) -> None:
        self.database = database
        self.con = con
        self.file_id = file_id
        self.progress = progress
        self.label = label
        recorded = database.run(get_query("load_ledger_batches"), {"prefix": f"{file_id}:"})
        self.applied = {row["batch_id"] for row in recorded}
        sizes = {row["batch_size"] for row in recorded if row["batch_size"]}
        # A resumed file keeps the batch size of its first attempt, so batch boundaries (and ids) agree.
        self.batch_size = int(next(iter(sizes))) if sizes else batch_size
        self.skipped_batches = 0
        self.written_batches = 0

    def step_rows(self, step: Step) -> int:
        return int(self.con.execute(f"SELECT count(*) FROM {step.table}").fetchall()[0][0])

    def write_step(self, step: Step) -> int:
        """Write every not-yet-applied batch of `step`; return the step's row count."""
        query = get_query(step.query)
        applied_query = get_query("load_ledger_batch_applied").text
        mark_query = get_query("load_ledger_mark_batch").text
        timeout = self.database.settings.write_timeout_s
        reader = self.con.sql(f"SELECT * FROM {step.table} ORDER BY {step.order_by}").to_arrow_reader(
            self.batch_size
        )
        total = 0
        for index, table in enumerate(iter_exact_batches(reader, self.batch_size)):
            batch_id = f"{self.file_id}:{step.name}:{index:06d}"
            total += table.num_rows
            if batch_id in self.applied:
                self.skipped_batches += 1
                self._advance(table.num_rows)
                continue
            rows = table_to_rows(table, with_extra=step.with_extra)
            marker = {
                "batch_id": batch_id,
                "file_id": self.file_id,
                "step": step.name,
                "index": index,
                "rows": table.num_rows,
                "batch_size": self.batch_size,
            }

            @neo4j.unit_of_work(timeout=timeout)
            def work(
                tx: neo4j.ManagedTransaction, rows: Rows = rows, marker: dict[str, Any] = marker
            ) -> bool:
                if tx.run(applied_query, {"batch_id": marker["batch_id"]}).single(strict=True)["applied"]:
                    return False
                batch_rows = step.prepare(tx, rows) if step.prepare else rows
                tx.run(query.text, {"rows": batch_rows, **(step.params or {})}).consume()
                tx.run(mark_query, marker).consume()
                return True

            if self.database.execute_write(work, name=step.query):
                self.written_batches += 1
            else:
                self.skipped_batches += 1
            self.applied.add(batch_id)
            self._advance(table.num_rows)
        return total

    def _advance(self, rows: int) -> None:
        if self.progress is not None:
            self.progress.advance(self.label, rows)
