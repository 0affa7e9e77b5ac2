"""Writing bad rows to the quarantine folder: one CSV per table with file, line, field, reason, value.

Line numbers: CSV → the physical line in the file, header included (a quoted value spanning lines shifts
the rows after it); JSONL → the line; Parquet → the 1-based row number.
"""

# DuckDB SQL here is composed from identifiers our code chooses; input values are quoted literals.

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from graph.load.inputs import InputFile

QUARANTINE_COLUMNS = ("file", "line", "field", "reason", "value")


def physical_lines(
    con: duckdb.DuckDBPyConnection, stage: str, input_file: InputFile, rows: np.ndarray
) -> np.ndarray:
    """The line numbers (see module doc) of 0-based row indices `rows` of a staged file."""
    rows = rows.astype(np.int64)
    if input_file.format != "csv":
        return rows + 1
    multi = con.execute(f"SELECT _row, _nl FROM {stage} WHERE _nl > 0 ORDER BY _row").fetchnumpy()
    starts = np.asarray(multi["_row"], dtype=np.int64)
    extra = np.concatenate(([0], np.cumsum(np.asarray(multi["_nl"], dtype=np.int64))))
    # newlines inside values of the rows *before* each row push it down
    return rows + 2 + extra[np.searchsorted(starts, rows, side="left")]


def write_quarantine(
    con: duckdb.DuckDBPyConnection, stage: str, input_file: InputFile, directory: Path
) -> int:
    """Write the bad rows of `stage` to `directory/<table>.csv` (header only if none); return how many."""
    bad = con.sql(f"""
        SELECT _row, _bad_ref_row, _bad_field, _bad_reason, _bad_value
        FROM {stage} WHERE _bad_field IS NOT NULL ORDER BY _row
    """).to_arrow_table()
    rows = np.asarray(bad["_row"].to_numpy(zero_copy_only=False), dtype=np.int64)
    lines = physical_lines(con, stage, input_file, rows)
    reasons = bad["_bad_reason"].to_pylist()
    refs = bad["_bad_ref_row"].to_pylist()
    if any(ref is not None for ref in refs):
        ref_rows = np.array([ref if ref is not None else 0 for ref in refs], dtype=np.int64)
        ref_lines = physical_lines(con, stage, input_file, ref_rows)
        reasons = [
            reason.replace("{line}", str(ref_line)) if ref is not None else reason
            for reason, ref, ref_line in zip(reasons, refs, ref_lines.tolist(), strict=True)
        ]
    table = pa.table(
        {
            "file": pa.array([input_file.path.name] * len(rows), pa.string()),
            "line": pa.array(lines, pa.int64()),
            "field": bad["_bad_field"],
            "reason": pa.array(reasons, pa.string()),
            "value": bad["_bad_value"],
        }
    )
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{input_file.table}.csv"
    temporary = target.with_suffix(".csv.tmp")
    pacsv.write_csv(table, temporary)
    temporary.replace(target)
    return len(rows)
