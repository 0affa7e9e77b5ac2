"""Reading one input file into DuckDB and validating every row in SQL (vectorised, no per-row Python).

`stage_file` creates the table `stage_<table>`: one row per input row, in file order, with typed columns
and, for a bad row, `_bad_field`/`_bad_reason`/`_bad_value` (the first problem found). `_row` is the
0-based row index in the file; `_nl` counts newlines inside quoted CSV values so that quarantine can report
physical line numbers. Later checks that need lookups (malformed IPs, duplicate keys) mark rows with
`mark_bad`.

Nothing read from a file becomes SQL text: the file's path and its JSONL keys are bound as parameters,
column names are quoted identifiers (`quote_identifier`), and emails, card-number checks and kept columns
go through Python functions registered on the connection (`graph.load.functions`). A column whose name
is not plain text (`is_plain_column_name`) is never loaded: rows carrying a value under it are
quarantined.
"""

# DuckDB SQL here is composed from identifiers our code chooses (input column names only ever as quoted
# identifiers); input values and paths are bound parameters.

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb

from graph.errors import InputError
from graph.load.functions import register_functions
from graph.load.inputs import InputFile
from graph.load.pan import looks_like_pan_sql
from graph.load.templates import mask_prompt_sql

log = logging.getLogger(__name__)

PAYMENT_KINDS = ("card", "paypal", "crypto", "bank", "invoice", "other")
IP_KINDS = ("residential", "mobile", "datacenter", "corporate", "education", "unknown")
REDACTED = "<redacted>"
KEEP_PREFIX = "keep__"


@dataclass(frozen=True)
class Check:
    """A row is bad for `reason` when the SQL condition `bad` is true; `value` is what quarantine shows."""

    field: str
    bad: str
    reason: str
    value: str | None = None


@dataclass
class StagedTable:
    """A validated input file in DuckDB."""

    input: InputFile
    name: str
    rows: int
    warnings: list[str] = field(default_factory=list)


# A plain column name: letters, digits, spaces and the punctuation spreadsheet headers carry; at most 128
# characters. Quotes, semicolons, brackets, backslashes and control characters are not plain.
_PLAIN_COLUMN_NAME = re.compile(r"[\w .()/#%&+:,'-]{1,128}")


def is_plain_column_name(name: str) -> bool:
    """True for a column name a real export would carry.

    >>> is_plain_column_name("Signup date (UTC)"), is_plain_column_name("x'}); COPY (SELECT 42) TO 'p.csv'; --")
    (True, False)
    """
    return _PLAIN_COLUMN_NAME.fullmatch(name) is not None


def source_sql(input_file: InputFile, columns: list[str] | None = None) -> tuple[str, dict[str, Any]]:
    """The DuckDB table function reading `input_file` (all CSV values as text; JSONL `columns` as text), and
    its parameters: the path (and the JSONL keys) are bound, never written into the SQL."""
    params: dict[str, Any] = {"path": str(input_file.path)}
    if input_file.format == "csv":
        return (
            "read_csv($path, header = true, all_varchar = true, delim = ',', quote = '\"', "
            "escape = '\"', compression = 'auto')",
            params,
        )
    if input_file.format == "jsonl":
        spec = ""
        if columns is not None:
            params["columns"] = dict.fromkeys(columns, "VARCHAR")
            spec = ", columns = $columns"
        return f"read_json($path, format = 'newline_delimited', compression = 'auto'{spec})", params
    return "read_parquet($path, file_row_number = true)", params


def read_columns(con: duckdb.DuckDBPyConnection, input_file: InputFile) -> list[str]:
    """The column names of an input file (raises InputError when DuckDB cannot read it)."""
    sql, params = source_sql(input_file)
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {sql}", params).fetchall()
    except duckdb.Error as error:
        raise InputError(
            f"cannot read {input_file.format}: {_first_line(error)}", path=str(input_file.path)
        ) from error
    columns = [row[0] for row in described if row[0] != "file_row_number"]
    if input_file.format == "jsonl" and columns == ["json"]:  # DuckDB found no common object shape
        raise InputError(
            "cannot find the keys of this JSONL file: every line must be a JSON object whose keys are "
            "non-empty names (a line holds an array, a plain value or an empty key)",
            path=str(input_file.path),
        )
    return columns


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def quote_identifier(name: str) -> str:
    """A column or table name as a DuckDB quoted identifier, whatever characters it holds.

    >>> quote_identifier('a"b')
    '"a""b"'
    """
    return '"' + name.replace('"', '""') + '"'




def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(_sql_string(v) for v in values) + ")"


def _timestamp_checks(column: str, *, required: bool) -> list[Check]:
    checks = []
    if required:
        checks.append(Check(column, f"{column} IS NULL", f"missing {column}"))
    checks.append(
        Check(
            column,
            f"{column} IS NOT NULL AND (TRY_CAST({column} AS TIMESTAMPTZ) IS NULL "
            f"OR NOT isfinite(TRY_CAST({column} AS TIMESTAMPTZ)))",
            "not an ISO 8601 timestamp",
        )
    )
    return checks


def _epoch_ms(column: str) -> str:
    return f"epoch_ms(TRY_CAST({column} AS TIMESTAMPTZ))"


def _country_check(column: str) -> Check:
    return Check(
        column,
        f"{column} IS NOT NULL AND NOT regexp_full_match(upper({column}), '[A-Z]{{2}}')",
        "not an ISO 3166 alpha-2 country code",
    )


def _missing(column: str) -> Check:
    return Check(column, f"{column} IS NULL", f"missing {column}")


Plan = tuple[dict[str, str], list[Check]]  # output column -> SQL expression, and the row checks


def _plan(table: str, *, bucket_minutes: int) -> Plan:
    """(output columns, checks) of a table, over normalised VARCHAR columns of the same names."""
    if table == "accounts":
        return _plan_accounts()
    if table == "payment_methods":
        return _plan_payment_methods()
    if table == "ip_intel":
        return _plan_ip_intel()
    if table == "requests":
        return _plan_requests(bucket_minutes)
    raise ValueError(f"unknown table {table!r}")


def _plan_accounts() -> Plan:
    """Accounts: the email only as its keyed hash and domain (the identity rule of `graph.identity`, run
    in Python), a creation time and a country code."""
    columns = {
        "account_id": "account_id",
        "created_at": _epoch_ms("created_at"),
        "email_hash": "linkage_email_hash(email)",
        "email_domain": "coalesce(linkage_email_domain(email), linkage_domain(email_domain))",
        "country": "upper(country)",
        "org_id": "org_id",
        "tier": "tier",
        "status": "status",
        "signup_ip": "signup_ip",
    }
    checks = [
        _missing("account_id"),
        *_timestamp_checks("created_at", required=True),
        _country_check("country"),
    ]
    return columns, checks


def _plan_payment_methods() -> Plan:
    """Payment methods: fingerprints only (a value that looks like a card number is refused), known kinds."""
    columns = {
        "account_id": "account_id",
        "fingerprint": "fingerprint",
        "kind": "lower(kind)",
        "issuer_country": "upper(issuer_country)",
        "added_at": _epoch_ms("added_at"),
    }
    checks = [
        _missing("account_id"),
        _missing("fingerprint"),
        Check(
            "fingerprint",
            looks_like_pan_sql("fingerprint"),
            "looks like a card number (13-19 digits passing Luhn); never stored",
            f"'{REDACTED}'",
        ),
        Check(
            "kind",
            f"kind IS NOT NULL AND lower(kind) NOT IN {_in_list(PAYMENT_KINDS)}",
            "unknown payment kind (card, paypal, crypto, bank, invoice, other)",
        ),
        _country_check("issuer_country"),
        *_timestamp_checks("added_at", required=False),
    ]
    return columns, checks


def _plan_ip_intel() -> Plan:
    """Threat intelligence per network: kind, AS number, proxy service, VPN and Tor flags."""
    asn = "TRY_CAST(regexp_replace(asn, '^(?i)AS', '') AS BIGINT)"
    columns = {
        "network": "network",
        "asn": asn,
        "asn_org": "asn_org",
        "kind": "lower(kind)",
        "proxy_network": "proxy_network",
        "is_vpn": "coalesce(TRY_CAST(is_vpn AS BOOLEAN), false)",
        "is_tor": "coalesce(TRY_CAST(is_tor AS BOOLEAN), false)",
    }
    checks = [
        _missing("network"),
        Check(
            "kind",
            f"kind IS NOT NULL AND lower(kind) NOT IN {_in_list(IP_KINDS)}",
            "unknown ip kind (residential, mobile, datacenter, corporate, education, unknown)",
        ),
        Check("asn", f"asn IS NOT NULL AND {asn} IS NULL", "not an AS number"),
        Check("is_vpn", "is_vpn IS NOT NULL AND TRY_CAST(is_vpn AS BOOLEAN) IS NULL", "not a boolean"),
        Check("is_tor", "is_tor IS NOT NULL AND TRY_CAST(is_tor AS BOOLEAN) IS NULL", "not a boolean"),
    ]
    return columns, checks


def _plan_requests(bucket_minutes: int) -> Plan:
    """The request log: a time and its activity bucket, the prompt masked to its template, token counts."""
    ts = _epoch_ms("ts")
    columns = {
        "account_id": "account_id",
        "ts": ts,
        "bucket": f"CAST(floor({ts} / {60_000 * bucket_minutes}.0) AS BIGINT)",
        "ip": "ip",
        "api_key_id": "api_key_id",
        "client_fingerprint": "client_fingerprint",
        "model": "model",
        "capability": "capability",
        "masked": f"CASE WHEN prompt IS NOT NULL THEN {mask_prompt_sql('prompt')} END",
        "prompt_template": "prompt_template",
        "input_tokens": f"coalesce({_integer('input_tokens')}, 0)",
        "output_tokens": f"coalesce({_integer('output_tokens')}, 0)",
    }
    checks = [_missing("account_id"), *_timestamp_checks("ts", required=True)]
    for tokens in ("input_tokens", "output_tokens"):
        checks.append(Check(tokens, f"{tokens} IS NOT NULL AND {_integer(tokens)} IS NULL", "not an integer"))
        checks.append(Check(tokens, f"{_integer(tokens)} < 0", "negative token count"))
    return columns, checks


def _integer(column: str) -> str:
    """A whole number written in decimal digits (an optional sign, at most 18 digits), else NULL. Stricter than
    a cast, on purpose: engines disagree on '12.5', '1e3' or '0x10' (rounded, parsed or refused), and a token
    count written that way is not one."""
    return f"CASE WHEN regexp_full_match({column}, '[+-]?[0-9]{{1,18}}') THEN CAST({column} AS BIGINT) END"


def _names(columns: list[str]) -> str:
    """Column names for a message: each as a Python literal, so control characters and quotes show."""
    return ", ".join(repr(c[:128] + "…" if len(c) > 128 else c) for c in columns)


def column_warnings(input_file: InputFile, present: list[str], kept: list[str]) -> list[str]:
    """Raise InputError for a missing required column; warn about ignored columns, absent kept ones and
    names that are not plain text."""
    spec = input_file.spec
    for column in spec.required:
        if column not in present:
            raise InputError(
                f"missing required column {column!r} in table {spec.name}", path=str(input_file.path), field=column
            )
    kept_here = [c for c in kept if c in present] if spec.keeps_extra else []
    warnings: list[str] = []
    unknown = [c for c in present if c not in spec.known and c not in kept_here]
    if unknown:
        warnings.append(
            f"{input_file.path.name}: ignored unknown columns {_names(unknown)} "
            "(list them in LINKAGE_KEEP_COLUMNS as table.column to keep them)"
        )
    unplain = [c for c in present if not is_plain_column_name(c)]
    if unplain:
        warnings.append(
            f"{input_file.path.name}: column names that are not plain text: {_names(unplain)}; rows with a "
            "value under them are quarantined"
        )
    missing_kept = [c for c in kept if c not in present] if spec.keeps_extra else []
    if missing_kept:
        warnings.append(
            f"{input_file.path.name}: LINKAGE_KEEP_COLUMNS names absent columns {_names(missing_kept)}"
        )
    for warning in warnings:
        log.warning("%s", warning)
    return warnings


@dataclass(frozen=True)
class Source:
    """What the stage statement reads: a table (or bound table function), and its row-index column."""

    sql: str
    params: dict[str, Any]
    row: str
    raw_table: str | None = None  # a copy to drop once staged


def raw_source(con: duckdb.DuckDBPyConnection, input_file: InputFile, present: list[str]) -> Source:
    """What to stage from. Parquet is read in place; CSV and JSONL are first copied into `raw_<table>`,
    whose rowid is then the row index (the scan keeps the file's order)."""
    if input_file.format == "parquet":
        sql, params = source_sql(input_file)
        return Source(sql, params, "file_row_number")
    raw = f"raw_{input_file.spec.name}"
    # CSV values are read as text, JSONL values as text too (typed later).
    sql, params = source_sql(input_file, present if input_file.format == "jsonl" else None)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {raw} AS SELECT * FROM {sql}", params)
    except duckdb.Error as error:
        message = f"cannot read {input_file.format}: {_first_line(error)}"
        raise InputError(message, path=str(input_file.path)) from error
    return Source(raw, {}, "rowid", raw)


def _unplain_alias(index: int) -> str:
    return f"_unplain_{index}"


def normalised_columns(input_file: InputFile, present: list[str], kept_here: list[str]) -> list[str]:
    """Every contract column as trimmed VARCHAR (NULL when empty or absent; prompts untrimmed), then the
    kept extra columns under the `keep__` prefix (an email address among their values becomes its keyed
    hash), then the columns whose names are not plain text (only to quarantine the rows using them)."""
    spec = input_file.spec
    normalised = []
    for column in (*spec.required, *spec.optional):
        if column == "prompt":
            expr = "NULLIF(CAST(prompt AS VARCHAR), '')" if "prompt" in present else "NULL::VARCHAR"
        elif column in present:
            expr = f"NULLIF(trim(CAST({quote_identifier(column)} AS VARCHAR)), '')"
        else:
            expr = "NULL::VARCHAR"
        normalised.append(f"{expr} AS {column}")
    normalised += [
        f"linkage_kept_value(CAST({quote_identifier(c)} AS VARCHAR)) AS {quote_identifier(KEEP_PREFIX + c)}"
        for c in kept_here
    ]
    unplain = [c for c in present if not is_plain_column_name(c)]
    normalised += [f"CAST({quote_identifier(c)} AS VARCHAR) AS {_unplain_alias(i)}" for i, c in enumerate(unplain)]
    return normalised


def guard_checks(present: list[str], kept_here: list[str]) -> tuple[list[Check], list[Check]]:
    """(checks before the table's own, checks after them): a value under a column name that is not plain
    text refuses the row first; a kept column's value that looks like a card number refuses it last."""
    unplain = [c for c in present if not is_plain_column_name(c)]
    first = [
        Check(
            c[:128] + "…" if len(c) > 128 else c,
            f"{_unplain_alias(i)} IS NOT NULL",
            "the column name is not plain text (letters, digits, spaces and _ - . ( ) / # % & + : , ' only; at "
            "most 128 characters); the row is refused",
            _unplain_alias(i),
        )
        for i, c in enumerate(unplain)
    ]
    last = [
        Check(
            c,
            looks_like_pan_sql(quote_identifier(KEEP_PREFIX + c)),
            "looks like a card number (13-19 digits passing Luhn); never stored",
            f"'{REDACTED}'",
        )
        for c in kept_here
    ]
    return first, last


def newline_count_sql(input_file: InputFile, present: list[str]) -> str:
    """SQL counting the newlines inside a CSV row's quoted values (0 for other formats), so quarantine can
    report physical line numbers."""
    if input_file.format != "csv":
        return "0"
    texts = [f"CAST({quote_identifier(c)} AS VARCHAR)" for c in present]
    return " + ".join(f"coalesce(length({text}) - length(replace({text}, chr(10), '')), 0)" for text in texts)


def stage_select_sql(source: str, row: str, newlines: str, normalised: list[str], plan: Plan,
                     kept_here: list[str]) -> str:
    """The SELECT of a stage table: typed output columns and the first failed check's field, reason and value
    per row (DuckDB's dialect; `graph.engine.sql.to_dialect` runs it on Spark too)."""
    columns_sql, checks = plan
    outputs = [f"{expr} AS {column}" for column, expr in columns_sql.items()]
    outputs += [quote_identifier(KEEP_PREFIX + c) for c in kept_here]
    field_case = " ".join(f"WHEN {c.bad} THEN {_sql_string(c.field)}" for c in checks)
    reason_case = " ".join(f"WHEN {c.bad} THEN {_sql_string(c.reason)}" for c in checks)
    value_case = " ".join(f"WHEN {c.bad} THEN {c.value or f'CAST({c.field} AS VARCHAR)'}" for c in checks)
    return f"""
        SELECT _row, _nl, {", ".join(outputs)},
               CASE {field_case} END AS _bad_field,
               CASE {reason_case} END AS _bad_reason,
               CASE {value_case} END AS _bad_value,
               CAST(NULL AS BIGINT) AS _bad_ref_row
        FROM (SELECT CAST({row} AS BIGINT) AS _row, CAST({newlines} AS INTEGER) AS _nl,
                     {", ".join(normalised)}
              FROM {source})
    """


def stage_sql(name: str, source: str, row: str, newlines: str, normalised: list[str], plan: Plan,
              kept_here: list[str]) -> str:
    """The statement creating stage table `name` (see `stage_select_sql`)."""
    return f"CREATE OR REPLACE TABLE {name} AS {stage_select_sql(source, row, newlines, normalised, plan, kept_here)}"


def stage_file(
    con: duckdb.DuckDBPyConnection,
    input_file: InputFile,
    *,
    kept: list[str],
    hash_key: bytes,
    bucket_minutes: int,
) -> StagedTable:
    """Read and validate `input_file` into `stage_<table>`; raise InputError for a missing column.

    `hash_key` (LINKAGE_HASH_KEY) keys the email hashes; it stays in Python (`graph.load.functions`).
    """
    register_functions(con, hash_key=hash_key)
    spec = input_file.spec
    present = read_columns(con, input_file)
    warnings = column_warnings(input_file, present, kept)
    kept_here = [c for c in kept if c in present] if spec.keeps_extra else []
    source = raw_source(con, input_file, present)
    columns, checks = _plan(spec.name, bucket_minutes=bucket_minutes)
    first, last = guard_checks(present, kept_here)
    name = f"stage_{spec.name}"
    sql = stage_sql(
        name, source.sql, source.row, newline_count_sql(input_file, present),
        normalised_columns(input_file, present, kept_here), (columns, [*first, *checks, *last]), kept_here,
    )
    try:
        con.execute(sql, source.params or None)
    except duckdb.Error as error:
        message = f"cannot read {input_file.format}: {_first_line(error)}"
        raise InputError(message, path=str(input_file.path)) from error
    if source.raw_table is not None:
        con.execute(f"DROP TABLE {source.raw_table}")
    rows = int(con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0])
    return StagedTable(input_file, name, rows, warnings)


def mark_bad(
    con: duckdb.DuckDBPyConnection,
    stage: str,
    *,
    field: str,
    reason: str,
    condition: str,
    value: str,
    ref_row: str = "NULL",
    source: str = "",
) -> int:
    """Mark still-good rows matching `condition` as bad; returns how many were marked.

    `source` is an optional `FROM ...` clause joined to the stage table (its columns usable in `condition`,
    `value` and `ref_row`).
    """
    before = _bad_count(con, stage)
    con.execute(f"""
        UPDATE {stage} SET _bad_field = {_sql_string(field)}, _bad_reason = {_sql_string(reason)},
                           _bad_value = {value}, _bad_ref_row = {ref_row}
        {source}
        WHERE {stage}._bad_field IS NULL AND ({condition})
    """)
    return _bad_count(con, stage) - before


def _bad_count(con: duckdb.DuckDBPyConnection, stage: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {stage} WHERE _bad_field IS NOT NULL").fetchall()[0][0])


def mark_duplicates(con: duckdb.DuckDBPyConnection, stage: str, key: str, *, field: str | None = None) -> int:
    """Keep the first good row of each `key`; mark later ones bad, referring to the first's row."""
    return mark_bad(
        con,
        stage,
        field=field or key,
        reason=f"duplicate {field or key} (first at line {{line}})",
        condition=f"{stage}._row = d.r AND d.r <> d.first_row",
        value=f"CAST({stage}.{key} AS VARCHAR)",
        ref_row="d.first_row",
        source=f"FROM (SELECT _row AS r, min(_row) OVER (PARTITION BY {key}) AS first_row FROM {stage} "
        f"WHERE _bad_field IS NULL AND {key} IS NOT NULL) d",
    )
