"""Per-table finishing checks and the aggregates written to Neo4j, all in DuckDB SQL.

Each `prepare_*` function takes a staged (validated) table, applies the checks that need lookups
(malformed IPs and networks, duplicate keys), and creates one DuckDB table per *step* (the rows one
Cypher query writes), returning the steps in write order. The request log becomes one row per
(account, identifier) — never one per request.
"""

# DuckDB SQL here is composed from identifiers our code chooses; input values are quoted literals.

from __future__ import annotations

import duckdb

from graph.db import Database
from graph.load.activity import merge_stored_activity
from graph.load.addresses import create_address_lookup, create_network_table
from graph.load.batches import Step
from graph.load.fingerprints import StoredTemplate, assign_template_ids, create_template_tables
from graph.load.stage import KEEP_PREFIX, mark_bad, mark_duplicates, quote_identifier
from graph.queries import get_query

VALID = "_bad_field IS NULL"


def _kept_columns(con: duckdb.DuckDBPyConnection, stage: str, alias: str = "s") -> str:
    names = [row[0] for row in con.execute(f"DESCRIBE {stage}").fetchall() if row[0].startswith(KEEP_PREFIX)]
    return "".join(f", {alias}.{quote_identifier(name)}" for name in names)


def _create(con: duckdb.DuckDBPyConnection, table: str, sql: str) -> str:
    con.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}")
    return table


def count_valid(con: duckdb.DuckDBPyConnection, stage: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {stage} WHERE {VALID}").fetchall()[0][0])


def mark_bad_addresses(con: duckdb.DuckDBPyConnection, stage: str, column: str, lookup: str) -> int:
    """Build `lookup` for the stage's `column` and mark rows whose address is malformed."""
    create_address_lookup(con, lookup, f"SELECT {column} AS raw FROM {stage}")
    return mark_bad(
        con,
        stage,
        field=column,
        reason="malformed IP address",
        condition=f"l.raw = {stage}.{column} AND l.address IS NULL",
        value=f"{stage}.{column}",
        source=f"FROM {lookup} l",
    )


def prepare_ip_intel(con: duckdb.DuckDBPyConnection, stage: str) -> list[Step]:
    """Networks: malformed CIDRs and duplicate networks (after canonicalisation) are quarantined."""
    raws = [
        row[0]
        for row in con.execute(f"SELECT DISTINCT network FROM {stage} WHERE network IS NOT NULL").fetchall()
    ]
    create_network_table(con, "intel_networks", raws)
    mark_bad(
        con,
        stage,
        field="network",
        reason="malformed IP network (neither an address nor a CIDR)",
        condition=f"n.raw = {stage}.network AND n.cidr IS NULL",
        value=f"{stage}.network",
        source="FROM intel_networks n",
    )
    con.execute(f"ALTER TABLE {stage} ADD COLUMN cidr VARCHAR")
    con.execute(f"UPDATE {stage} SET cidr = n.cidr FROM intel_networks n WHERE n.raw = {stage}.network")
    mark_duplicates(con, stage, "cidr", field="network")
    table = _create(
        con,
        "step_networks",
        f"""
        SELECT n.cidr, n.prefix AS prefix_length, s.kind, s.asn, s.asn_org, s.proxy_network, s.is_vpn,
               s.is_tor{_kept_columns(con, stage)}
        FROM {stage} s JOIN intel_networks n ON n.raw = s.network WHERE s.{VALID}
    """,
    )
    return [Step("networks", table, "cidr", "load_networks", with_extra=True)]


def prepare_accounts(con: duckdb.DuckDBPyConnection, stage: str) -> list[Step]:
    """Accounts: malformed signup IPs and repeated account ids (first one kept) are quarantined."""
    mark_bad_addresses(con, stage, "signup_ip", "ip_lookup_accounts")
    mark_duplicates(con, stage, "account_id")
    table = _create(
        con,
        "step_accounts",
        f"""
        SELECT s.account_id, s.created_at, s.email_hash, s.email_domain, s.country, s.org_id, s.tier,
               s.status,
               l.address AS signup_ip, l.version AS signup_ip_version{_kept_columns(con, stage)}
        FROM {stage} s LEFT JOIN ip_lookup_accounts l ON l.raw = s.signup_ip WHERE s.{VALID}
    """,
    )
    return [Step("accounts", table, "account_id", "load_accounts", with_extra=True)]


def prepare_payment_methods(con: duckdb.DuckDBPyConnection, stage: str) -> list[Step]:
    """One row per (account, fingerprint): earliest added_at; the method's kind/country from its first row."""
    kept = _kept_columns(con, stage, "f")
    table = _create(
        con,
        "step_payment_methods",
        f"""
        WITH firsts AS (
            SELECT fingerprint, kind, issuer_country{_kept_columns(con, stage, stage)}
            FROM {stage}
            WHERE {VALID}
            QUALIFY row_number() OVER (PARTITION BY fingerprint ORDER BY _row) = 1
        ),
        links AS (
            SELECT account_id, fingerprint, min(added_at) AS added_at
            FROM {stage} WHERE {VALID} GROUP BY account_id, fingerprint
        )
        SELECT l.account_id, l.fingerprint, f.kind, f.issuer_country, l.added_at{kept}
        FROM links l JOIN firsts f USING (fingerprint)
    """,
    )
    return [
        Step("payment_methods", table, "fingerprint, account_id", "load_payment_methods", with_extra=True)
    ]


def prepare_requests(
    con: duckdb.DuckDBPyConnection, stage: str, database: Database, file_id: str
) -> list[Step]:
    """The request log: bad IPs quarantined, prompts fingerprinted, then one aggregate per step.

    `ip` is optional (a log without addresses, or rows without one): such rows keep a NULL address and add
    activity, templates and the rest, but no IP.
    """
    mark_bad_addresses(con, stage, "ip", "ip_lookup_requests")
    fingerprint_prompts(con, stage, database, file_id)
    create_request_table(con, stage)
    return create_request_aggregates(con, file_id)


# The request aggregates' time range and token sums (SQL select items over `req`).
_TIMES = "min(ts) AS first_seen, max(ts) AS last_seen"
_TOKENS = "CAST(sum(input_tokens) AS BIGINT) AS input_tokens, CAST(sum(output_tokens) AS BIGINT) AS output_tokens"


def stored_templates(database: Database) -> list[StoredTemplate]:
    """The templates earlier loads stored, which a new file's near-duplicate prompts fold into."""
    return [
        StoredTemplate(row["template_id"], row["skeleton"] or "", tuple(row["band_keys"] or ()), row["first_file_id"])
        for row in database.run(get_query("load_stored_templates"))
    ]


def fingerprint_prompts(con: duckdb.DuckDBPyConnection, stage: str, database: Database, file_id: str) -> None:
    """Give each masked prompt a template id (near-duplicates and earlier loads' templates folded in):
    DuckDB tables `template_map` (masked → id) and `template_info` (id → skeleton, band keys)."""
    masked_counts = dict(
        con.execute(
            f"SELECT masked, count(*) FROM {stage} WHERE {VALID} AND masked IS NOT NULL GROUP BY masked"
        ).fetchall()
    )
    stored = stored_templates(database) if masked_counts else []
    mapping, info = assign_template_ids(masked_counts, stored, file_id=file_id)
    create_template_tables(con, mapping, info)


# The request log's own SQL, written once for both engines (DuckDB runs it as is; `graph.engine.sql.to_dialect`
# transpiles it for Spark). It reads the staged rows as `{stage}`, the address lookup `ip_lookup_requests`
# and the template tables, and the valid requests as `req`.
def request_table_sql(stage: str) -> str:
    """SELECT of the file's valid requests with canonical addresses and template ids (the `req` table)."""
    return f"""
        SELECT s.account_id, s.ts, s.bucket, l.address, l.version, s.api_key_id, s.client_fingerprint,
               s.model,
               s.capability, coalesce(m.template_id, s.prompt_template) AS template_id, s.input_tokens,
               s.output_tokens
        FROM {stage} s
        LEFT JOIN ip_lookup_requests l ON l.raw = s.ip
        LEFT JOIN template_map m ON m.masked = s.masked
        WHERE s.{VALID}
    """


def create_request_table(con: duckdb.DuckDBPyConnection, stage: str) -> None:
    """DuckDB table `req`: the file's valid requests with canonical addresses and template ids."""
    _create(con, "req", request_table_sql(stage))


# One relationship per (account, identifier) of the log: (step, column, key, with token sums).
REQUEST_RELATIONSHIPS = (
    ("used_ip", "address", "address", True),
    ("used_key", "api_key_id", "key_id", False),
    ("used_client", "client_fingerprint", "fingerprint", False),
    ("sent_template", "template_id", "template_id", True),
    ("used_capability", "capability", "name", False),
    ("used_model", "model", "name", True),
)


def request_aggregates() -> dict[str, str]:
    """Each request aggregate's table name and its SELECT over `req` (and `template_info`), in write order."""
    aggregates = {
        "step_templates": """
            SELECT r.template_id, any_value(i.skeleton) AS skeleton, any_value(i.band_keys) AS band_keys,
                   count(*) AS requests
            FROM req r LEFT JOIN template_info i USING (template_id)
            WHERE r.template_id IS NOT NULL GROUP BY r.template_id
        """,
        "step_template_targets": """
            SELECT template_id, capability, count(*) AS requests FROM req
            WHERE template_id IS NOT NULL AND capability IS NOT NULL GROUP BY template_id, capability
        """,
        "step_models": """
            SELECT model AS name, count(*) AS requests, min(ts) AS first_seen FROM req
            WHERE model IS NOT NULL GROUP BY model
        """,
        "step_ips": f"""
            SELECT address, any_value(version) AS version, count(*) AS requests, {_TIMES}
            FROM req WHERE address IS NOT NULL GROUP BY address
        """,
        "step_account_activity": f"""
            WITH per_bucket AS (SELECT account_id, bucket, count(*) AS n FROM req GROUP BY account_id, bucket),
            lists AS (
                SELECT account_id, list(bucket ORDER BY bucket) AS buckets, list(n ORDER BY bucket) AS counts
                FROM per_bucket GROUP BY account_id
            ),
            totals AS (
                SELECT account_id, count(*) AS requests, {_TOKENS}, {_TIMES} FROM req GROUP BY account_id
            )
            SELECT * FROM totals JOIN lists USING (account_id)
        """,
    }
    for name, column, key, with_tokens in REQUEST_RELATIONSHIPS:
        aggregates[f"step_{name}"] = f"""
            SELECT account_id, {column} AS {key}, count(*) AS requests,
                   {_TIMES}{", " + _TOKENS if with_tokens else ""}
            FROM req WHERE {column} IS NOT NULL GROUP BY account_id, {column}
        """
    return aggregates


def request_steps(file_id: str) -> list[Step]:
    """The steps the request log is written as (tables named as in `request_aggregates`), in write order."""
    steps = [
        Step("templates", "step_templates", "template_id", "load_templates", params={"file_id": file_id}),
        Step("template_targets", "step_template_targets", "template_id, capability", "load_template_targets"),
        Step("models", "step_models", "name", "load_models"),
        Step("ips", "step_ips", "address", "load_ips"),
        Step("account_activity", "step_account_activity", "account_id", "load_account_activity",
             prepare=merge_stored_activity),
    ]
    steps += [Step(name, f"step_{name}", f"account_id, {key}", f"load_{name}")
              for name, _column, key, _tokens in REQUEST_RELATIONSHIPS]
    return steps


def create_request_aggregates(con: duckdb.DuckDBPyConnection, file_id: str) -> list[Step]:
    """Create every request aggregate table in DuckDB; return the steps that write them."""
    for table, sql in request_aggregates().items():
        _create(con, table, sql)
    return request_steps(file_id)
