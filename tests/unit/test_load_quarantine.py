"""Validation and quarantine on small hand-written files (DuckDB only, no Neo4j)."""

from __future__ import annotations

import csv
import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graph.errors import InputError
from graph.load import aggregate
from graph.load.inputs import InputFile, discover_inputs
from graph.load.pipeline import duckdb_session
from graph.load.quarantine import write_quarantine
from graph.load.stage import stage_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "load" / "bad"
HASH_KEY = b"unit-test-key"


@pytest.fixture()
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb_session([FIXTURES, tmp_path]) as connection:
        yield connection


def _input(table: str, path: Path | None = None) -> InputFile:
    return next(f for f in discover_inputs(path or FIXTURES) if f.table == table)


def _quarantine(
    con: duckdb.DuckDBPyConnection, table: str, tmp_path: Path, path: Path | None = None
) -> tuple[int, int, list[dict[str, str]]]:
    """Stage + finishing checks + quarantine of one fixture table: (read, good, quarantine rows)."""
    input_file = _input(table, path)
    staged = stage_file(con, input_file, kept=[], hash_key=HASH_KEY, bucket_minutes=10)
    if table == "accounts":
        aggregate.prepare_accounts(con, staged.name)
    elif table == "ip_intel":
        aggregate.prepare_ip_intel(con, staged.name)
    elif table == "payment_methods":
        aggregate.prepare_payment_methods(con, staged.name)
    else:
        aggregate.mark_bad_addresses(con, staged.name, "ip", "ip_lookup_requests")
    written = write_quarantine(con, staged.name, input_file, tmp_path)
    with (tmp_path / f"{table}.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert written == len(rows)
    return staged.rows, aggregate.count_valid(con, staged.name), rows


def _by_line(rows: list[dict[str, str]]) -> dict[int, tuple[str, str, str]]:
    return {int(r["line"]): (r["field"], r["reason"], r["value"]) for r in rows}


def test_accounts_bad_rows_are_quarantined_with_physical_lines(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    read, good, rows = _quarantine(con, "accounts", tmp_path)
    assert {r["file"] for r in rows} == {"accounts.csv"}
    bad = _by_line(rows)
    # acct_b's quoted value spans lines 3-4, so the rows after it are one line further down
    assert bad[5][:2] == ("created_at", "not an ISO 8601 timestamp")
    assert bad[6][:2] == ("account_id", "missing account_id")
    assert bad[7] == ("account_id", "duplicate account_id (first at line 2)", "acct_a")
    assert bad[8] == ("signup_ip", "malformed IP address", "300.1.2.3")
    assert bad[9][0] == "country"
    assert set(bad) == {5, 6, 7, 8, 9}
    assert read == 7 and good == 2 and read == good + len(rows)


def test_unknown_columns_warn_once_per_file(con: duckdb.DuckDBPyConnection) -> None:
    staged = stage_file(con, _input("accounts"), kept=[], hash_key=HASH_KEY, bucket_minutes=10)
    assert len(staged.warnings) == 1 and "favourite_colour" in staged.warnings[0]
    kept = stage_file(
        con, _input("accounts"), kept=["favourite_colour"], hash_key=HASH_KEY, bucket_minutes=10
    )
    assert kept.warnings == []
    columns = [row[0] for row in con.execute(f"DESCRIBE {kept.name}").fetchall()]
    assert "keep__favourite_colour" in columns


def test_email_is_stored_only_as_keyed_hash(con: duckdb.DuckDBPyConnection) -> None:
    import hashlib
    import hmac

    staged = stage_file(con, _input("accounts"), kept=[], hash_key=HASH_KEY, bucket_minutes=10)
    row = con.execute(
        f"SELECT email_hash, email_domain, country FROM {staged.name} WHERE _row = 0"
    ).fetchall()[0]
    expected = hmac.new(HASH_KEY, b"alice@example.com", hashlib.sha256).hexdigest()
    assert row == (expected, "example.com", "US")
    # The linkage check hashes a signup's raw email in Python; it must find the loaded account.
    from graph.check import hash_email

    assert hash_email("  Alice@Example.com ", HASH_KEY.decode()) == expected
    columns = [r[0] for r in con.execute(f"DESCRIBE {staged.name}").fetchall()]
    assert "email" not in columns


def test_payment_methods_pan_unknown_kind_bad_timestamp(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    read, good, rows = _quarantine(con, "payment_methods", tmp_path)
    bad = _by_line(rows)
    assert bad[4][0] == "fingerprint" and "card number" in bad[4][1]
    assert bad[4][2] == "<redacted>"  # a PAN never reaches the quarantine file either
    assert "4111" not in (tmp_path / "payment_methods.csv").read_text()
    assert bad[5][:2] == ("kind", "unknown payment kind (card, paypal, crypto, bank, invoice, other)")
    assert bad[6][:2] == ("added_at", "not an ISO 8601 timestamp")
    assert (read, good) == (5, 2)


def test_requests_bad_timestamp_account_ip_tokens(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    read, good, rows = _quarantine(con, "requests", tmp_path)
    bad = _by_line(rows)
    assert bad == {
        4: ("ts", "not an ISO 8601 timestamp", "31/12/2026"),
        5: ("account_id", "missing account_id", ""),
        6: ("ip", "malformed IP address", "5.6.7"),
        7: ("input_tokens", "negative token count", "-3"),
    }
    assert (read, good) == (7, 3)


def test_ip_intel_malformed_cidr_and_unknown_kind(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    read, good, rows = _quarantine(con, "ip_intel", tmp_path)
    bad = _by_line(rows)
    assert bad[5][0] == "network" and bad[5][2] == "10.0.0.0/33"
    assert bad[6][:2] == (
        "kind",
        "unknown ip kind (residential, mobile, datacenter, corporate, education, unknown)",
    )
    assert (read, good) == (5, 3)


def test_parquet_rows_and_gzip_csv_are_read_alike(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    parquet_dir, gz_dir = tmp_path / "parquet", tmp_path / "gz"
    parquet_dir.mkdir()
    gz_dir.mkdir()
    pq.write_table(
        pa.table(
            {
                "account_id": ["x", None, "y"],
                "fingerprint": ["pm_1", "pm_2", "pm_3"],
                "kind": ["card", "card", "cash"],
            }
        ),
        parquet_dir / "payment_methods.parquet",
    )
    with (
        (FIXTURES / "payment_methods.csv").open("rb") as source,
        gzip.open(gz_dir / "payment_methods.csv.gz", "wb") as target,
    ):
        shutil.copyfileobj(source, target)
    _, good, rows = _quarantine(con, "payment_methods", tmp_path / "q1", parquet_dir)
    assert good == 1
    assert _by_line(rows) == {
        2: ("account_id", "missing account_id", ""),
        3: ("kind", "unknown payment kind (card, paypal, crypto, bank, invoice, other)", "cash"),
    }
    _, good, rows = _quarantine(con, "payment_methods", tmp_path / "q2", gz_dir)
    assert good == 2 and sorted(_by_line(rows)) == [4, 5, 6]


def test_missing_required_column_names_file_and_column(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    (tmp_path / "requests.csv").write_text("account_id,ip\na,5.6.7.8\n")
    with pytest.raises(InputError) as error:
        stage_file(con, _input("requests", tmp_path), kept=[], hash_key=HASH_KEY, bucket_minutes=10)
    assert "requests.csv" in str(error.value) and "'ts'" in str(error.value)
