"""SQL functions the loader's DuckDB calls, implemented once in Python (vectorised over Arrow chunks).

The identity rule (`graph.identity`) and the card-number check (`graph.load.pan`) are the same code the
linkage check and the tests use, so DuckDB and Python can never disagree. The HMAC key lives only in the
closure of `linkage_email_hash`: it is never part of SQL text, so neither DuckDB's query log nor an
error message can show it.

    linkage_email_hash(text)      HMAC-SHA256 hex of the normalised address (NULL when nothing is left)
    linkage_email_domain(text)    the normalised domain of an address (NULL when not `local@domain`)
    linkage_domain(text)          a domain normalised by the same rule
    linkage_looks_like_pan(text)  true for 13–19 digits passing Luhn, whatever separates them
    linkage_kept_value(text)      a kept extra column's value: an address becomes its keyed hash

    >>> import duckdb
    >>> con = duckdb.connect()
    >>> register_functions(con, hash_key=b"k")
    >>> con.execute("SELECT linkage_email_domain(' A@Example.COM. '), linkage_looks_like_pan('4111.1111.1111.1111')"
    ...             ).fetchall()
    [('example.com', True)]
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import duckdb
import duckdb.func
import pyarrow as pa

from graph.identity import email_domain, email_hasher, looks_like_email, normalise_domain
from graph.load.pan import looks_like_pan

# Prefix of a kept column's value that was an email address (it is stored as its keyed hash).
EMAIL_HASH_PREFIX = "email-hmac-sha256:"


def _vectorised(function: Callable[[str], Any], result_type: pa.DataType) -> Callable[[pa.Array], pa.Array]:
    def apply(values: pa.Array) -> pa.Array:
        return pa.array([None if value is None else function(value) for value in values.to_pylist()],
                        result_type)

    return apply


def register_functions(con: duckdb.DuckDBPyConnection, *, hash_key: bytes) -> None:
    """(Re)register the loader's functions on `con`, `linkage_email_hash` under `hash_key`."""

    hash_email = email_hasher(hash_key)

    def kept_value(value: str) -> str:
        if looks_like_email(value):
            return EMAIL_HASH_PREFIX + (hash_email(value) or "")
        return value

    functions: dict[str, tuple[Callable[[str], Any], pa.DataType, Any]] = {
        "linkage_email_hash": (hash_email, pa.string(), duckdb.sqltypes.VARCHAR),
        "linkage_email_domain": (email_domain, pa.string(), duckdb.sqltypes.VARCHAR),
        "linkage_domain": (lambda value: normalise_domain(value) or None, pa.string(), duckdb.sqltypes.VARCHAR),
        "linkage_looks_like_pan": (looks_like_pan, pa.bool_(), duckdb.sqltypes.BOOLEAN),
        "linkage_kept_value": (kept_value, pa.string(), duckdb.sqltypes.VARCHAR),
    }
    for name, (function, arrow_type, sql_type) in functions.items():
        with contextlib.suppress(duckdb.InvalidInputException):  # not registered yet
            con.remove_function(name)
        con.create_function(name, _vectorised(function, arrow_type), [duckdb.sqltypes.VARCHAR], sql_type,
                            type=duckdb.func.ARROW, null_handling=duckdb.func.SPECIAL, side_effects=False)
