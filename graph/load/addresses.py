"""IP addresses and networks: parsing to a canonical form, and longest-prefix matching in DuckDB.

Addresses are canonical text (`ipaddress`'s form: dotted quad, compressed IPv6) plus their value as a
128-bit unsigned integer (`UHUGEINT`), so matching a million addresses against the ip_intel networks is
one vectorised equi-join per distinct prefix length, never per-address code:

    >>> parse_address(" 2001:DB8:0::1 ")
    ('2001:db8::1', 6, 42540766411282592856903984951653826561)
    >>> parse_network("10.1.2.3/8")
    ('10.0.0.0/8', 4, 8, 167772160)

IPv4 strings are validated and converted inside DuckDB (`ipv4_*_sql`); only the distinct strings that
are not plain IPv4 (IPv6, or garbage) go through Python's `ipaddress`.
"""

# DuckDB SQL here is composed from identifiers our code chooses; input values are quoted literals.

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

import duckdb
import pyarrow as pa

_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4_PATTERN = f"{_OCTET}\\.{_OCTET}\\.{_OCTET}\\.{_OCTET}"
_MASK64 = (1 << 64) - 1


def parse_address(text: str) -> tuple[str, int, int] | None:
    """(canonical text, version, integer value) of an IP address, or None when malformed."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return str(address), address.version, int(address)


def parse_network(text: str) -> tuple[str, int, int, int] | None:
    """(canonical CIDR, version, prefix length, network integer) of an IP or CIDR, or None when malformed.

    Host bits are cleared (`10.1.2.3/8` is `10.0.0.0/8`); a bare address is its own /32 or /128.
    """
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None
    return str(network), network.version, network.prefixlen, int(network.network_address)


def _split(values: list[int | None]) -> tuple[pa.Array, pa.Array]:
    """128-bit integers as (high, low) uint64 arrays: Arrow has no 128-bit unsigned integer type."""
    high = pa.array([None if v is None else v >> 64 for v in values], type=pa.uint64())
    low = pa.array([None if v is None else v & _MASK64 for v in values], type=pa.uint64())
    return high, low


def ipv4_value_sql(column: str) -> str:
    """DuckDB expression: the UHUGEINT value of a (valid) dotted-quad IPv4 string."""
    parts = [f"CAST(split_part({column}, '.', {i + 1}) AS UHUGEINT)" for i in range(4)]
    return f"({parts[0]} * 16777216 + {parts[1]} * 65536 + {parts[2]} * 256 + {parts[3]})"


def create_address_lookup(con: duckdb.DuckDBPyConnection, name: str, source_sql: str) -> None:
    """Create table `name`(raw, address, version, value) for the distinct raw strings of `source_sql`.

    `source_sql` is a query returning one VARCHAR column `raw`. Malformed strings get a NULL address. IPv4 is
    handled in SQL; the rest (IPv6 and garbage, normally few distinct values) by `parse_address`.
    """
    con.execute(f"""
        CREATE OR REPLACE TABLE {name} AS
        SELECT raw, raw AS address, 4 AS version, {ipv4_value_sql("raw")} AS value
        FROM (SELECT DISTINCT raw FROM ({source_sql}) WHERE raw IS NOT NULL)
        WHERE regexp_full_match(raw, '{IPV4_PATTERN}')
    """)
    others = [
        row[0]
        for row in con.execute(f"""
        SELECT DISTINCT raw FROM ({source_sql})
        WHERE raw IS NOT NULL AND NOT regexp_full_match(raw, '{IPV4_PATTERN}')
    """).fetchall()
    ]
    if not others:
        return
    parsed = [parse_address(raw) for raw in others]
    high, low = _split([p[2] if p else None for p in parsed])
    extra = pa.table(
        {
            "raw": pa.array(others, pa.string()),
            "address": pa.array([p[0] if p else None for p in parsed], pa.string()),
            "version": pa.array([p[1] if p else None for p in parsed], pa.int32()),
            "high": high,
            "low": low,
        }
    )
    con.register("_address_extra", extra)
    con.execute(f"""
        INSERT INTO {name}
        SELECT raw, address, version, (CAST(high AS UHUGEINT) << 64) + CAST(low AS UHUGEINT)
        FROM _address_extra
    """)
    con.unregister("_address_extra")


def create_network_table(con: duckdb.DuckDBPyConnection, name: str, networks: Iterable[str]) -> list[str]:
    """Create table `name`(raw, cidr, version, prefix, key) from network strings; return the malformed ones.

    `key` is the network's value shifted right by its host bits, so an address matches a network when its
    own value shifted the same way equals `key`.
    """
    raws = list(dict.fromkeys(networks))
    parsed = [parse_network(raw) for raw in raws]
    high, low = _split([p[3] if p else None for p in parsed])
    table = pa.table(
        {
            "raw": pa.array(raws, pa.string()),
            "cidr": pa.array([p[0] if p else None for p in parsed], pa.string()),
            "version": pa.array([p[1] if p else None for p in parsed], pa.int32()),
            "prefix": pa.array([p[2] if p else None for p in parsed], pa.int32()),
            "high": high,
            "low": low,
        }
    )
    con.register("_network_input", table)
    con.execute(f"""
        CREATE OR REPLACE TABLE {name} AS
        SELECT raw, cidr, version, prefix,
               CASE WHEN prefix = 0 THEN 0::UHUGEINT
                    ELSE ((CAST(high AS UHUGEINT) << 64) + CAST(low AS UHUGEINT))
                         >> CAST((CASE WHEN version = 4 THEN 32 ELSE 128 END) - prefix AS UHUGEINT)
               END AS key
        FROM _network_input
    """)
    con.unregister("_network_input")
    return [raw for raw, p in zip(raws, parsed, strict=True) if p is None]


def longest_prefix_match_sql(addresses: str, networks: str) -> str:
    """SQL: for each row of `addresses`(address, version, value), its most specific network's `cidr`.

    One equi-join per distinct (version, prefix length) present in `networks` (at most 33 + 129), so the
    cost is linear in addresses × distinct prefix lengths. Addresses without a match are left out.
    """
    return f"""
        WITH lengths AS (SELECT DISTINCT version, prefix FROM {networks} WHERE cidr IS NOT NULL),
        candidates AS (
            SELECT a.address, a.version, l.prefix,
                   CASE WHEN l.prefix = 0 THEN 0::UHUGEINT
                        ELSE a.value >> CAST((CASE WHEN a.version = 4 THEN 32 ELSE 128 END) - l.prefix
                                             AS UHUGEINT)
                   END AS key
            FROM {addresses} a JOIN lengths l ON l.version = a.version
        )
        SELECT c.address, arg_max(n.cidr, n.prefix) AS cidr
        FROM candidates c
        JOIN {networks} n ON n.version = c.version AND n.prefix = c.prefix AND n.key = c.key
        GROUP BY c.address
    """
