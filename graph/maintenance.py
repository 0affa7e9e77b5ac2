"""Schema application, bulk deletion and counting: the housekeeping every command relies on."""

from __future__ import annotations

from typing import LiteralString

from graph.db import Database
from graph.schema import NODE_LABELS, REL_TYPES, schema_statements


def apply_schema(database: Database) -> int:
    """Create every constraint and index (IF NOT EXISTS) and wait for indexes to come online."""
    statements = schema_statements()
    for statement in statements:
        database.run_autocommit(statement, name="schema")
    database.run_autocommit("CALL db.awaitIndexes(300)", name="await indexes")
    return len(statements)


def delete_all_data(database: Database, batch_size: int = 10_000) -> int:
    """Delete every node and relationship in batches (one huge transaction would exhaust the heap).

    Relationships go first, in batches of their own: a batch of nodes detached together can carry millions of
    relationships (an account with a tweet-sized template per request), which no fixed node batch bounds."""
    before = database.read("MATCH (n) RETURN count(n) AS n", name="count nodes")[0]["n"]
    database.run_autocommit(
        "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF $batch ROWS",
        {"batch": batch_size}, name="delete relationships",
    )
    database.run_autocommit(
        "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $batch ROWS",
        {"batch": batch_size}, name="delete all",
    )
    return int(before)


def count_graph(database: Database) -> dict[str, dict[str, int]]:
    """Node counts per label and relationship counts per type (from Neo4j's count store: fast)."""
    nodes: dict[str, int] = {}
    for label in NODE_LABELS:
        query: LiteralString = "MATCH (n:" + label.name + ") RETURN count(n) AS n"  # type: ignore[assignment]
        nodes[label.name] = int(database.read(query, name="count label")[0]["n"])
    relationships: dict[str, int] = {}
    for rel in REL_TYPES:
        query = "MATCH ()-[r:" + rel.name + "]->() RETURN count(r) AS n"  # type: ignore[assignment]
        relationships[rel.name] = int(database.read(query, name="count type")[0]["n"])
    return {"nodes": nodes, "relationships": relationships}
