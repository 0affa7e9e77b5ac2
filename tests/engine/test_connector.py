"""The Neo4j Connector for Apache Spark against the real server: account × IP aggregates written with it make
the graph the transactional loader makes from the same aggregates (labels, keys, USED_IP, property values and
types), a second write changes nothing, and reading through the connector gives the frames back."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from typing import Any

import pytest

from graph.db import Database
from graph.engine.connector import (
    connector_options,
    read_nodes,
    read_relationships,
    write_nodes,
    write_relationships,
)
from graph.errors import ConfigurationError
from graph.maintenance import delete_all_data
from graph.queries import get_query
from graph.settings import Settings
from tests.cypher import read


def at(minute: int, millis: int = 0) -> datetime:
    return datetime(2025, 3, 1, 12, minute, 0, millis * 1000, tzinfo=UTC)


# (account_id, address, requests, first_seen, last_seen, input_tokens, output_tokens): IP 10.0.0.1 is shared.
USED_IP = [
    ("acct-1", "10.0.0.1", 3, at(0, 125), at(5), 300, 30),
    ("acct-1", "2001:db8::7", 1, at(1), at(1), 100, 10),
    ("acct-2", "10.0.0.1", 5, at(2), at(9, 999), 500, 50),
    ("acct-3", "10.0.0.1", 2, at(3), at(4), 200, 20),
    ("acct-3", "192.0.2.9", 4, at(6), at(8), 400, 40),
]
VERSIONS = {"10.0.0.1": 4, "2001:db8::7": 6, "192.0.2.9": 4}
ACCOUNT = ("Account", {"account_id": "account_id"})
IP = ("IP", {"address": "address"})
REL_PROPERTIES = ["requests", "first_seen", "last_seen", "input_tokens", "output_tokens"]

NODES = """
MATCH (n)
RETURN labels(n) AS labels, properties(n) AS properties,
       [key IN keys(n) | [key, valueType(n[key])]] AS types
ORDER BY labels[0], coalesce(n.account_id, n.address)
"""
RELATIONSHIPS = """
MATCH (a)-[r]->(b)
RETURN labels(a) AS source, a.account_id AS account_id, type(r) AS type, labels(b) AS target, b.address AS address,
       properties(r) AS properties, [key IN keys(r) | [key, valueType(r[key])]] AS types
ORDER BY account_id, address
"""


def collected(frame: Any) -> list[Any]:
    """`frame.collect()`, sorted. pyspark leaves the socket it reads the rows from to the garbage collector,
    which closes it with a ResourceWarning (an error in this suite) as soon as the rows are read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        return sorted(frame.collect())


def epoch_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def ip_rows() -> list[dict[str, Any]]:
    """The per-IP aggregates of USED_IP (what load_ips takes), in Python."""
    ips: dict[str, dict[str, Any]] = {}
    for _, address, requests, first, last, _, _ in USED_IP:
        ip = ips.setdefault(address, {"address": address, "version": VERSIONS[address], "requests": 0,
                                      "first_seen": first, "last_seen": last})
        ip["requests"] += requests
        ip["first_seen"] = min(ip["first_seen"], first)
        ip["last_seen"] = max(ip["last_seen"], last)
    return sorted(ips.values(), key=lambda ip: ip["address"])


def graph_dump(database: Database) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every node and relationship with its properties and their Cypher types, in a fixed order."""
    nodes, relationships = read(database, NODES), read(database, RELATIONSHIPS)
    for record in (*nodes, *relationships):
        record["types"] = dict(record["types"])
    return nodes, relationships


def load_with_the_loader(database: Database) -> None:
    """The same aggregates through the transactional loader's own queries."""
    database.run(get_query("load_ips"), {"rows": [
        {**ip, "first_seen": epoch_ms(ip["first_seen"]), "last_seen": epoch_ms(ip["last_seen"])} for ip in ip_rows()]})
    database.run(get_query("load_used_ip"), {"rows": [
        {"account_id": account, "address": address, "requests": requests, "first_seen": epoch_ms(first),
         "last_seen": epoch_ms(last), "input_tokens": tokens_in, "output_tokens": tokens_out}
        for account, address, requests, first, last, tokens_in, tokens_out in USED_IP]})


def test_connector_options_name_the_server_and_database() -> None:
    settings = Settings(_env_file=None, NEO4J_URI="neo4j://db.example:7687", NEO4J_USER="spark",
                        NEO4J_PASSWORD="s3cret-password", NEO4J_DATABASE="fraud")
    assert connector_options(settings) == {
        "url": "neo4j://db.example:7687",
        "authentication.type": "basic",
        "authentication.basic.username": "spark",
        "authentication.basic.password": "s3cret-password",
        "database": "fraud",
    }


def test_connector_writes_the_loaders_graph_idempotently_and_reads_it_back(
        spark: Any, clean_database: Database, neo4j_settings: Settings) -> None:
    from pyspark.sql import functions as F

    used_ip = spark.createDataFrame(
        USED_IP, "account_id string, address string, requests long, first_seen timestamp, last_seen timestamp, "
                 "input_tokens long, output_tokens long")
    versions = spark.createDataFrame(list(VERSIONS.items()), "address string, version long")
    accounts = used_ip.select("account_id").distinct()
    ips = (used_ip.groupBy("address")
           .agg(F.sum("requests").alias("requests"), F.min("first_seen").alias("first_seen"),
                F.max("last_seen").alias("last_seen"))
           .join(versions, "address"))

    # What the transactional loader makes of the same aggregates: the graph shape to reproduce.
    load_with_the_loader(clean_database)
    loader_nodes, loader_relationships = graph_dump(clean_database)
    delete_all_data(clean_database)

    def write_all() -> None:
        write_nodes(accounts, neo4j_settings, "Account", ["account_id"])
        write_nodes(ips, neo4j_settings, "IP", ["address"])
        write_relationships(used_ip, neo4j_settings, "USED_IP", source=ACCOUNT, target=IP,
                            properties=REL_PROPERTIES)

    write_all()
    nodes, relationships = graph_dump(clean_database)
    datetime_type = "ZONED DATETIME NOT NULL"
    assert nodes == [
        *({"labels": ["Account"], "properties": {"account_id": account},
           "types": {"account_id": "STRING NOT NULL"}} for account in ("acct-1", "acct-2", "acct-3")),
        *({"labels": ["IP"], "properties": ip,
           "types": {key: {"address": "STRING NOT NULL", "first_seen": datetime_type, "last_seen": datetime_type}
                     .get(key, "INTEGER NOT NULL") for key in ip}} for ip in ip_rows()),
    ]
    assert [(r["account_id"], r["address"], r["properties"]) for r in relationships] == [
        (account, address, {"requests": requests, "first_seen": first, "last_seen": last,
                            "input_tokens": tokens_in, "output_tokens": tokens_out})
        for account, address, requests, first, last, tokens_in, tokens_out in USED_IP]
    assert {(tuple(r["source"]), r["type"], tuple(r["target"])) for r in relationships} == {
        (("Account",), "USED_IP", ("IP",))}
    # Same labels, keys, relationship type, property names, values and Cypher types (DateTime at UTC, not
    # LocalDateTime) as the loader's queries write.
    assert (nodes, relationships) == (loader_nodes, loader_relationships)
    assert read(clean_database, "MATCH ()-[r:USED_IP]->() RETURN DISTINCT r.first_seen.timezone AS zone") == [
        {"zone": "Z"}]

    write_all()  # MERGE on the node keys and on the relationship between the two nodes: nothing is added
    assert graph_dump(clean_database) == (nodes, relationships)
    assert read(clean_database, "MATCH (n) RETURN count(n) AS nodes") == [{"nodes": 6}]
    assert read(clean_database, "MATCH ()-[r]->() RETURN count(r) AS relationships") == [{"relationships": 5}]

    # Read back through the connector: the same frames.
    assert collected(read_nodes(spark, neo4j_settings, "Account")) == collected(accounts)
    read_ips = read_nodes(spark, neo4j_settings, "IP")
    assert collected(read_ips.select(*ips.columns)) == collected(ips)
    assert dict(read_ips.dtypes)["first_seen"] == "timestamp"
    read_used_ip = read_relationships(spark, neo4j_settings, "USED_IP", source=ACCOUNT, target=IP)
    assert collected(read_used_ip.select(*used_ip.columns)) == collected(used_ip)
    # A filter on a timestamp column finds its rows (pushed down, the connector would compare the stored
    # DateTime with a LocalDateTime and find none).
    assert [row.address for row in collected(read_ips.where(F.col("last_seen") > at(8)))] == ["10.0.0.1"]


def test_writes_refuse_what_the_schema_does_not_declare(spark: Any) -> None:
    neo4j_settings = Settings(_env_file=None)  # refused before any connection
    frame = spark.createDataFrame([("acct-1", "10.0.0.1")], "account_id string, address string")
    with pytest.raises(ConfigurationError, match="key account_id"):
        write_nodes(frame, neo4j_settings, "Account", ["address"])
    with pytest.raises(ConfigurationError, match="not a node label"):
        write_nodes(frame, neo4j_settings, "Acount", ["account_id"])
    with pytest.raises(ConfigurationError, match="target of this relationship type is IP"):
        write_relationships(frame, neo4j_settings, "USED_IP", source=ACCOUNT,
                            target=("Account", {"address": "account_id"}), properties=[])
    with pytest.raises(ConfigurationError, match="not a plain identifier"):
        write_relationships(frame, neo4j_settings, "USED_IP", source=ACCOUNT, target=IP,
                            properties={"address": "a:b"})
