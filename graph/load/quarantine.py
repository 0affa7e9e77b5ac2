"""Writing bad rows to the quarantine folder: one CSV per table with file, line, field, reason, value.

Line numbers: CSV → the physical line in the file, header included (a quoted value spanning lines shifts
the rows after it); JSONL → the line; Parquet → the 1-based row number.

The files are written safely in a folder the input may have been prepared by someone else:

* the folder is created private (0700) and refused when it is a symbolic link;
* each file is first written to a new, randomly named file created exclusively (`O_EXCL | O_NOFOLLOW`,
  mode 0600) relative to the opened folder, then renamed over `<table>.csv`, so a planted symlink (at
  the final name or any temporary one) is replaced, never followed;
* a text cell that a spreadsheet would execute (first visible character `=`, `+`, `-` or `@`, or their
  full-width forms; or a tab or carriage return first) is written with a leading apostrophe, the
  convention spreadsheets read as "this is text". A plain signed number (`-5`) is left as it is.

    >>> neutralise_formulas(pa.array(["=HYPERLINK(1)", "-5", "-2+3+cmd|' /C calc'!A0", " @x", None])).to_pylist()
    ["'=HYPERLINK(1)", '-5', "'-2+3+cmd|' /C calc'!A0", "' @x", None]
"""

# DuckDB SQL here is composed from identifiers our code chooses; input values are quoted literals.

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from graph.errors import InputError
from graph.load.inputs import InputFile

QUARANTINE_COLUMNS = ("file", "line", "field", "reason", "value")
# Cells a spreadsheet would run as a formula (OWASP "CSV injection"), full-width forms included.
_FORMULA_START = r"^(?:[\t\r]|\s*[=+\-@\x{FF1D}\x{FF0B}\x{FF0D}\x{FF20}])"
# A plain signed number ("-3") is read as a number, never run: it stays as it is.
_PLAIN_NUMBER = r"^[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$"


def neutralise_formulas(values: pa.Array) -> pa.Array:
    """Text values with a leading apostrophe where a spreadsheet would otherwise run them as formulas."""
    values = values.cast(pa.string())
    risky = pc.and_(pc.fill_null(pc.match_substring_regex(values, _FORMULA_START), False),
                    pc.invert(pc.fill_null(pc.match_substring_regex(values, _PLAIN_NUMBER), False)))
    return pc.if_else(risky, pc.binary_join_element_wise("'", values, ""), values)


def open_private_directory(directory: Path) -> int:
    """Create `directory` (0700) if needed and open it without following a symbolic link; the descriptor
    anchors every write, so the folder cannot be swapped afterwards. Raises InputError for a symlink."""
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:  # e.g. a read-only input folder: name the way out
        raise InputError(f"cannot create the quarantine folder ({error.strerror}); choose another with "
                         "--quarantine PATH", path=str(directory)) from None
    try:
        return os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            raise InputError("the quarantine folder is a symbolic link or not a folder; refused",
                             path=str(directory)) from None
        raise


def write_private_file(directory: Path, name: str, table: pa.Table) -> None:
    """Write `table` as CSV to `directory/name` through a fresh temporary file and a rename (see the
    module docstring): mode 0600, never through a symlink."""
    folder = open_private_directory(directory)
    temporary = f".{name}.{secrets.token_hex(8)}.tmp"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                             0o600, dir_fd=folder)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                pacsv.write_csv(table, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary, dir_fd=folder)
            raise
    finally:
        os.close(folder)


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
            "file": neutralise_formulas(pa.array([input_file.path.name] * len(rows), pa.string())),
            "line": pa.array(lines, pa.int64()),
            "field": neutralise_formulas(bad["_bad_field"].combine_chunks()),
            "reason": neutralise_formulas(pa.array(reasons, pa.string())),
            "value": neutralise_formulas(bad["_bad_value"].combine_chunks()),
        }
    )
    write_private_file(directory, f"{input_file.table}.csv", table)
    return len(rows)
