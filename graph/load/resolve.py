"""Resolving IP nodes to their ip_intel network by longest-prefix match (in DuckDB, not per-IP Cypher).

After a load, the IPs to resolve are either every IP in the graph (when an ip_intel file was loaded:
networks changed, so every match may change) or only the addresses this load's files mention. The
networks always come from the graph, so a later load's IPs resolve against earlier loads' intelligence.
The write (`load_resolve_ips`) is idempotent, so it needs no ledger: a rerun after a crash redoes it.
"""

# DuckDB SQL here is composed from identifiers our code chooses; input values are quoted literals.

from __future__ import annotations

import duckdb
import pyarrow as pa

from graph.db import Database
from graph.load.addresses import create_address_lookup, create_network_table, longest_prefix_match_sql
from graph.load.batches import ProgressSink, iter_exact_batches
from graph.queries import get_query

NETWORK_SCHEMA = pa.schema(
    [
        ("cidr", pa.string()),
        ("kind", pa.string()),
        ("asn", pa.int64()),
        ("proxy_network", pa.string()),
        ("is_vpn", pa.bool_()),
        ("is_tor", pa.bool_()),
    ]
)


def resolve_ips(
    database: Database,
    con: duckdb.DuckDBPyConnection,
    *,
    every_ip: bool,
    batch_size: int,
    run_addresses_sql: str | None,
    progress: ProgressSink | None = None,
) -> int:
    """Link IPs to their most specific Network and copy its kind/asn/proxy/VPN/Tor; return IPs linked.

    `run_addresses_sql` is a query returning column `raw` with this run's canonical addresses (used when
    `every_ip` is false).
    """
    if not copy_graph_networks(database, con):
        return 0
    source = address_source(database, con, every_ip=every_ip, run_addresses_sql=run_addresses_sql)
    if source is None:
        return 0
    total = match_networks(con, source)
    if progress is not None:
        progress.start("ip resolution", total)
    query = get_query("load_resolve_ips")
    reader = con.sql("SELECT * FROM ip_matches ORDER BY address").to_arrow_reader(batch_size)
    for table in iter_exact_batches(reader, batch_size):
        database.run(query, {"rows": table.to_pylist()})
        if progress is not None:
            progress.advance("ip resolution", table.num_rows)
    return total


def copy_graph_networks(database: Database, con: duckdb.DuckDBPyConnection) -> bool:
    """The graph's networks into DuckDB (`graph_networks` for matching, `network_props` for their
    intelligence); False when the graph has none."""
    networks = database.run(get_query("load_graph_networks"))
    if not networks:
        return False
    create_network_table(con, "graph_networks", (row["cidr"] for row in networks))
    con.register("_network_props", pa.Table.from_pylist(networks, schema=NETWORK_SCHEMA))
    con.execute("CREATE OR REPLACE TABLE network_props AS SELECT * FROM _network_props")
    con.unregister("_network_props")
    return True


def address_source(
    database: Database, con: duckdb.DuckDBPyConnection, *, every_ip: bool, run_addresses_sql: str | None
) -> str | None:
    """SQL returning column `raw`: every IP in the graph (copied into `graph_ip_raw`), or this run's
    addresses, or None when there is nothing to resolve."""
    if every_ip:
        addresses = database.run(get_query("load_graph_ips"), timeout=database.settings.write_timeout_s)
        con.register(
            "_graph_ips", pa.table({"raw": pa.array([r["address"] for r in addresses], pa.string())})
        )
        con.execute("CREATE OR REPLACE TABLE graph_ip_raw AS SELECT * FROM _graph_ips")
        con.unregister("_graph_ips")
        return "SELECT raw FROM graph_ip_raw"
    return run_addresses_sql


def match_networks(con: duckdb.DuckDBPyConnection, source: str) -> int:
    """DuckDB table `ip_matches`: each address of `source` with its longest-prefix network and that
    network's intelligence; return how many addresses matched."""
    create_address_lookup(con, "resolve_addresses", source)
    con.execute(f"""
        CREATE OR REPLACE TABLE ip_matches AS
        SELECT m.address, m.cidr, p.kind, p.asn, p.proxy_network, p.is_vpn, p.is_tor
        FROM ({
        longest_prefix_match_sql(
            "(SELECT DISTINCT address, version, value FROM resolve_addresses WHERE address IS NOT NULL)",
            "graph_networks",
        )
    }) m
        JOIN network_props p ON p.cidr = m.cidr  -- graph cidrs are canonical already
    """)
    return int(con.execute("SELECT count(*) FROM ip_matches").fetchall()[0][0])
