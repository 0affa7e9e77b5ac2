"""IP canonicalisation and longest-prefix matching (IPv4 and IPv6) in DuckDB."""

from __future__ import annotations

import duckdb

from graph.load.addresses import (
    create_address_lookup,
    create_network_table,
    longest_prefix_match_sql,
    parse_address,
    parse_network,
)


def test_parse_address_and_network() -> None:
    assert parse_address("010.1.1.1") is None
    assert parse_address("::ffff:1.2.3.4") is not None
    assert parse_network("2001:db8::1/32") == ("2001:db8::/32", 6, 32, 0x20010DB8 << 96)
    assert parse_network("1.2.3.4") == ("1.2.3.4/32", 4, 32, 0x01020304)
    assert parse_network("1.2.3.0/33") is None


def test_lookup_canonicalises_and_flags_malformed() -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE src AS SELECT * FROM (VALUES ('1.2.3.4'), ('2001:DB8:0::1'), ('1.2.3'), "
        "('256.1.1.1'), (NULL)) t(raw)"
    )
    create_address_lookup(con, "lookup", "SELECT raw FROM src")
    rows = dict(con.execute("SELECT raw, address FROM lookup").fetchall())
    assert rows == {"1.2.3.4": "1.2.3.4", "2001:DB8:0::1": "2001:db8::1", "1.2.3": None, "256.1.1.1": None}
    value = con.execute("SELECT CAST(value AS VARCHAR) FROM lookup WHERE raw = '1.2.3.4'").fetchall()[0][0]
    assert int(value) == 0x01020304


def test_longest_prefix_match_prefers_most_specific() -> None:
    con = duckdb.connect()
    bad = create_network_table(
        con,
        "nets",
        [
            "0.0.0.0/0",
            "5.6.0.0/16",
            "5.6.7.0/24",
            "5.6.7.8",
            "2001:db8::/32",
            "2001:db8:1::/48",
            "not-a-net",
        ],
    )
    assert bad == ["not-a-net"]
    con.execute(
        "CREATE TABLE src AS SELECT * FROM (VALUES ('5.6.7.8'), ('5.6.7.9'), ('5.6.8.1'), ('9.9.9.9'), "
        "('2001:db8:1::5'), ('2001:db8:2::5'), ('2002::1')) t(raw)"
    )
    create_address_lookup(con, "addrs", "SELECT raw FROM src")
    matches = dict(con.execute(longest_prefix_match_sql("addrs", "nets")).fetchall())
    assert matches == {
        "5.6.7.8": "5.6.7.8/32",
        "5.6.7.9": "5.6.7.0/24",
        "5.6.8.1": "5.6.0.0/16",
        "9.9.9.9": "0.0.0.0/0",
        "2001:db8:1::5": "2001:db8:1::/48",
        "2001:db8:2::5": "2001:db8::/32",
    }
