"""Input discovery: formats, compression, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import InputError
from graph.load.inputs import discover_inputs, file_sha256


def _touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_text("x\n")


def test_tables_in_load_order_and_labels_never_loaded(tmp_path: Path) -> None:
    _touch(tmp_path, "requests.parquet", "accounts.csv.gz", "labels.csv", "ip_intel.jsonl", "README.md")
    found = discover_inputs(tmp_path)
    assert [(f.table, f.format, f.compressed) for f in found] == [
        ("ip_intel", "jsonl", False),
        ("accounts", "csv", True),
        ("requests", "parquet", False),
    ]


def test_unknown_format_is_an_input_error(tmp_path: Path) -> None:
    _touch(tmp_path, "accounts.xlsx")
    with pytest.raises(InputError, match=r"accounts\.xlsx: unsupported format 'xlsx'"):
        discover_inputs(tmp_path)


def test_table_given_twice_is_an_input_error(tmp_path: Path) -> None:
    _touch(tmp_path, "accounts.csv", "accounts.parquet")
    with pytest.raises(InputError, match="given twice"):
        discover_inputs(tmp_path)


def test_missing_or_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such input directory"):
        discover_inputs(tmp_path / "absent")
    _touch(tmp_path, "labels.csv")
    with pytest.raises(InputError, match="no input tables"):
        discover_inputs(tmp_path)


def test_file_id_is_content_hash(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("same")
    (tmp_path / "b.csv").write_text("same")
    assert file_sha256(tmp_path / "a.csv") == file_sha256(tmp_path / "b.csv")
    assert len(file_sha256(tmp_path / "a.csv")) == 64
