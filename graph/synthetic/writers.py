"""Table writers for the three on-disk formats of the input contract."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from graph.synthetic.jsonl import encode_jsonl

FORMATS = ("csv", "jsonl", "parquet")


class TableWriter(Protocol):
    """Something that appends Arrow tables to one file."""

    path: Path

    def write(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...


def table_path(out_dir: Path, name: str, fmt: str, compress: bool) -> Path:
    """File name of table `name` in format `fmt` (`.gz` when compressed text)."""
    suffix = f".{fmt}" + (".gz" if compress and fmt != "parquet" else "")
    return out_dir / f"{name}{suffix}"


class _ParquetWriter:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = path
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self) -> None:
        self._writer.close()


class _TextWriter:
    def __init__(self, path: Path, schema: pa.Schema, fmt: str, compress: bool) -> None:
        self.path = path
        # Arrow's gzip stream writes no timestamp in the header, so output bytes depend on content only.
        raw = pa.OSFile(str(path), "wb")
        self._stream = pa.CompressedOutputStream(raw, "gzip") if compress else raw
        self._csv = pacsv.CSVWriter(self._stream, schema) if fmt == "csv" else None

    def write(self, table: pa.Table) -> None:
        if self._csv is not None:
            self._csv.write_table(table)
        else:
            self._stream.write(encode_jsonl(table))

    def close(self) -> None:
        if self._csv is not None:
            self._csv.close()
        self._stream.close()


def open_table_writer(out_dir: Path, name: str, fmt: str, schema: pa.Schema, compress: bool) -> TableWriter:
    """A writer for table `name` (replaces an existing file)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    path = table_path(out_dir, name, fmt, compress)
    if fmt == "parquet":
        return _ParquetWriter(path, schema)
    return _TextWriter(path, schema, fmt, compress)


def write_whole_table(out_dir: Path, name: str, fmt: str, table: pa.Table) -> Path:
    """Write a small table in one go (uncompressed text or Parquet)."""
    writer = open_table_writer(out_dir, name, fmt, table.schema, compress=False)
    writer.write(table)
    writer.close()
    return writer.path
