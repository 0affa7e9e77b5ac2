"""Reading one input file into DuckDB and validating every row in SQL (vectorised, no per-row Python).

`stage_file` creates the table `stage_<table>`: one row per input row, in file order, with typed columns
and, for a bad row, `_bad_field`/`_bad_reason`/`_bad_value` (the first problem found). `_row` is the
0-based row index in the file; `_nl` counts newlines inside quoted CSV values so that quarantine can report
physical line numbers. Later checks that need lookups (malformed IPs, duplicate keys) mark rows with
`mark_bad`.
"""

# DuckDB SQL here is composed from identifiers our code chooses; input values are quoted literals.

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

import duckdb

from graph.errors import InputError
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


def source_sql(input_file: InputFile, columns: dict[str, str] | None = None) -> str:
    """The DuckDB table function reading `input_file` (all CSV values as text; JSONL `columns` typed)."""
    path = "'" + str(input_file.path).replace("'", "''") + "'"
    if input_file.format == "csv":
        return (
            f"read_csv({path}, header = true, all_varchar = true, delim = ',', quote = '\"', "
            "escape = '\"', compression = 'auto')"
        )
    if input_file.format == "jsonl":
        spec = ""
        if columns is not None:
            struct = ", ".join(f"'{name}': 'VARCHAR'" for name in columns)
            spec = f", columns = {{{struct}}}"
        return f"read_json({path}, format = 'newline_delimited', compression = 'auto'{spec})"
    return f"read_parquet({path}, file_row_number = true)"


def read_columns(con: duckdb.DuckDBPyConnection, input_file: InputFile) -> list[str]:
    """The column names of an input file (raises InputError when DuckDB cannot read it)."""
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source_sql(input_file)}").fetchall()
    except duckdb.Error as error:
        raise InputError(
            f"cannot read {input_file.format}: {_first_line(error)}", path=str(input_file.path)
        ) from error
    return [row[0] for row in described if row[0] != "file_row_number"]


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _quote(name: str) -> str:
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


def _hmac_sql(key: bytes, message_sql: str) -> str:
    """DuckDB expression: HMAC-SHA256(key, message) as lowercase hex (RFC 2104 from two sha256 calls)."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = bytes(b ^ 0x36 for b in key).hex()
    outer = bytes(b ^ 0x5C for b in key).hex()
    return f"lower(sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode({message_sql})))))"


Plan = tuple[dict[str, str], list[Check]]  # output column -> SQL expression, and the row checks


def _plan(table: str, *, hash_key: bytes, bucket_minutes: int) -> Plan:
    """(output columns, checks) of a table, over normalised VARCHAR columns of the same names."""
    if table == "accounts":
        return _plan_accounts(hash_key)
    if table == "payment_methods":
        return _plan_payment_methods()
    if table == "ip_intel":
        return _plan_ip_intel()
    if table == "requests":
        return _plan_requests(bucket_minutes)
    raise ValueError(f"unknown table {table!r}")


def _plan_accounts(hash_key: bytes) -> Plan:
    """Accounts: the email only as its keyed hash and domain; a creation time and a country code."""
    email = "regexp_replace(lower(email), '^\\s+|\\s+$', '', 'g')"
    columns = {
        "account_id": "account_id",
        "created_at": _epoch_ms("created_at"),
        "email_hash": f"CASE WHEN email IS NOT NULL THEN {_hmac_sql(hash_key, email)} END",
        "email_domain": "lower(coalesce(CASE WHEN email LIKE '%_@_%' "
        "THEN split_part(email, '@', -1) END, "
        "email_domain))",
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
        "input_tokens": "coalesce(TRY_CAST(input_tokens AS BIGINT), 0)",
        "output_tokens": "coalesce(TRY_CAST(output_tokens AS BIGINT), 0)",
    }
    checks = [_missing("account_id"), *_timestamp_checks("ts", required=True)]
    for tokens in ("input_tokens", "output_tokens"):
        checks.append(
            Check(
                tokens, f"{tokens} IS NOT NULL AND TRY_CAST({tokens} AS BIGINT) IS NULL", "not an integer"
            )
        )
        checks.append(Check(tokens, f"TRY_CAST({tokens} AS BIGINT) < 0", "negative token count"))
    return columns, checks


def column_warnings(input_file: InputFile, present: list[str], kept: list[str]) -> list[str]:
    """Raise InputError for a missing required column; warn about ignored columns and absent kept ones."""
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
            f"{input_file.path.name}: ignored unknown columns {', '.join(unknown)} "
            "(list them in LINKAGE_KEEP_COLUMNS as table.column to keep them)"
        )
    missing_kept = [c for c in kept if c not in present] if spec.keeps_extra else []
    if missing_kept:
        warnings.append(
            f"{input_file.path.name}: LINKAGE_KEEP_COLUMNS names absent columns {', '.join(missing_kept)}"
        )
    for warning in warnings:
        log.warning("%s", warning)
    return warnings


def raw_source(con: duckdb.DuckDBPyConnection, input_file: InputFile, present: list[str]) -> tuple[str, str]:
    """(table or table function to read, its row-index column). Parquet is read in place; CSV and JSONL are
    first copied into `raw_<table>`, whose rowid is then the row index (the scan keeps the file's order)."""
    if input_file.format == "parquet":
        return source_sql(input_file), "file_row_number"
    raw = f"raw_{input_file.spec.name}"
    # CSV values are read as text, JSONL values as text too (typed later).
    columns = {c: "VARCHAR" for c in present} if input_file.format == "jsonl" else None
    try:
        con.execute(f"CREATE OR REPLACE TABLE {raw} AS SELECT * FROM {source_sql(input_file, columns)}")
    except duckdb.Error as error:
        message = f"cannot read {input_file.format}: {_first_line(error)}"
        raise InputError(message, path=str(input_file.path)) from error
    return raw, "rowid"


def normalised_columns(input_file: InputFile, present: list[str], kept_here: list[str]) -> list[str]:
    """Every contract column as trimmed VARCHAR (NULL when empty or absent; prompts untrimmed), then the
    kept extra columns under the `keep__` prefix."""
    spec = input_file.spec
    normalised = []
    for column in (*spec.required, *spec.optional):
        if column == "prompt":
            expr = "NULLIF(CAST(prompt AS VARCHAR), '')" if "prompt" in present else "NULL::VARCHAR"
        elif column in present:
            expr = f"NULLIF(trim(CAST({_quote(column)} AS VARCHAR)), '')"
        else:
            expr = "NULL::VARCHAR"
        normalised.append(f"{expr} AS {column}")
    normalised += [f"CAST({_quote(c)} AS VARCHAR) AS {_quote(KEEP_PREFIX + c)}" for c in kept_here]
    return normalised


def newline_count_sql(input_file: InputFile, present: list[str]) -> str:
    """SQL counting the newlines inside a CSV row's quoted values (0 for other formats), so quarantine can
    report physical line numbers."""
    if input_file.format != "csv":
        return "0"
    return " + ".join(
        f"coalesce(length(CAST({_quote(c)} AS VARCHAR)) - length(replace(CAST({_quote(c)} AS VARCHAR), "
        f"chr(10), '')), 0)"
        for c in present
    )


def stage_sql(name: str, source: str, row: str, newlines: str, normalised: list[str], plan: Plan,
              kept_here: list[str]) -> str:
    """The statement creating stage table `name`: typed output columns and the first failed check's field,
    reason and value per row."""
    columns_sql, checks = plan
    outputs = [f"{expr} AS {column}" for column, expr in columns_sql.items()]
    outputs += [_quote(KEEP_PREFIX + c) for c in kept_here]
    field_case = " ".join(f"WHEN {c.bad} THEN {_sql_string(c.field)}" for c in checks)
    reason_case = " ".join(f"WHEN {c.bad} THEN {_sql_string(c.reason)}" for c in checks)
    value_case = " ".join(f"WHEN {c.bad} THEN {c.value or f'CAST({c.field} AS VARCHAR)'}" for c in checks)
    return f"""
        CREATE OR REPLACE TABLE {name} AS
        SELECT _row, _nl, {", ".join(outputs)},
               CASE {field_case} END AS _bad_field,
               CASE {reason_case} END AS _bad_reason,
               CASE {value_case} END AS _bad_value,
               CAST(NULL AS BIGINT) AS _bad_ref_row
        FROM (SELECT CAST({row} AS BIGINT) AS _row, CAST({newlines} AS INTEGER) AS _nl,
                     {", ".join(normalised)}
              FROM {source})
    """


def stage_file(
    con: duckdb.DuckDBPyConnection,
    input_file: InputFile,
    *,
    kept: list[str],
    hash_key: bytes,
    bucket_minutes: int,
) -> StagedTable:
    """Read and validate `input_file` into `stage_<table>`; raise InputError for a missing column."""
    spec = input_file.spec
    present = read_columns(con, input_file)
    warnings = column_warnings(input_file, present, kept)
    kept_here = [c for c in kept if c in present] if spec.keeps_extra else []
    source, row = raw_source(con, input_file, present)
    name = f"stage_{spec.name}"
    sql = stage_sql(
        name, source, row, newline_count_sql(input_file, present), normalised_columns(input_file, present, kept_here),
        _plan(spec.name, hash_key=hash_key, bucket_minutes=bucket_minutes), kept_here,
    )
    try:
        con.execute(sql)
    except duckdb.Error as error:
        message = f"cannot read {input_file.format}: {_first_line(error)}"
        raise InputError(message, path=str(input_file.path)) from error
    if row == "rowid":  # a raw copy was made
        con.execute(f"DROP TABLE {source}")
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
