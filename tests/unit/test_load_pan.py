"""PAN detection: every separator between digits is ignored, and DuckDB (the loader) runs the same rule."""

from __future__ import annotations

import duckdb
import pytest

from graph.load.functions import register_functions
from graph.load.pan import looks_like_pan, looks_like_pan_sql, luhn_valid

VISA = "4111111111111111"

CASES = {
    VISA: True,  # Visa test number
    "4111-1111-1111-1111": True,
    "5500 0000 0000 0004": True,  # Mastercard test number
    "378282246310005": True,  # Amex, 15 digits
    # every separator between digits
    "4111.1111.1111.1111": True,
    "4111/1111/1111/1111": True,
    "4111_1111_1111_1111": True,
    "4111\u00a01111\u00a01111\u00a01111": True,  # no-break space
    "4111\u20031111\u20091111\u30001111": True,  # em, thin and ideographic spaces
    "4111\t1111\n1111\r1111": True,
    "4111\u200b1111\u200d1111\ufeff1111": True,  # zero-width characters
    "4111\u20131111\u20141111\u22121111": True,  # en dash, em dash, minus sign
    "4111*1111#1111~1111": True,
    "(4111) 1111-1111 1111.": True,
    "４１１１－１１１１－１１１１－１１１１": True,  # full-width digits and hyphens
    "4111ー1111ー1111ー1111": True,  # katakana long marks typed as dashes
    "٤١١١١١١١١١١١١١١١": True,  # Arabic-Indic digits
    " 4111 1111 1111 1111 ": True,
    # not card numbers
    "4111111111111112": False,  # fails Luhn
    "4111.1111.1111.1112": False,
    "411111111111": False,  # 12 digits
    "41111111111111111111": False,  # 20 digits
    "pm_5a55c13db8e4e881": False,
    "tok_4111111111111111": False,  # a token that contains digits is not a PAN
    "4111-1111-1111-1111-x": False,
    "": False,
}


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    register_functions(connection, hash_key=b"unit-test-key")
    return connection


@pytest.mark.parametrize(("value", "expected"), CASES.items())
def test_python_and_sql_agree(con: duckdb.DuckDBPyConnection, value: str, expected: bool) -> None:
    assert looks_like_pan(value) is expected
    sql = con.execute(f"SELECT {looks_like_pan_sql('v')} FROM (SELECT ? AS v)", [value]).fetchall()
    assert sql[0][0] is expected


def test_null_stays_null(con: duckdb.DuckDBPyConnection) -> None:
    assert con.execute(f"SELECT {looks_like_pan_sql('v')} FROM (SELECT NULL::VARCHAR AS v)").fetchall() == [(None,)]


def test_luhn() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
