"""PAN detection: Python and the DuckDB expression agree."""

from __future__ import annotations

import duckdb
import pytest

from graph.load.pan import looks_like_pan, looks_like_pan_sql, luhn_valid

CASES = {
    "4111111111111111": True,  # Visa test number
    "4111-1111-1111-1111": True,
    "5500 0000 0000 0004": True,  # Mastercard test number
    "378282246310005": True,  # Amex, 15 digits
    "4111111111111112": False,  # fails Luhn
    "411111111111": False,  # 12 digits
    "41111111111111111111": False,  # 20 digits
    "pm_5a55c13db8e4e881": False,
    "tok_4111111111111111": False,  # a token that contains digits is not a PAN
    "": False,
}


@pytest.mark.parametrize(("value", "expected"), CASES.items())
def test_python_and_sql_agree(value: str, expected: bool) -> None:
    assert looks_like_pan(value) is expected
    sql = (
        duckdb.connect().execute(f"SELECT {looks_like_pan_sql('v')} FROM (SELECT ? AS v)", [value]).fetchall()
    )
    assert bool(sql[0][0]) is expected


def test_luhn() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
