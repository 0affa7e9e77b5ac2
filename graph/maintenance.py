"""Schema application, bulk deletion and counting: the housekeeping every command relies on.

The constraint and index statements are generated from `graph/schema.py` (its single source); everything
else runs the `queries/db_*.cypher` files.
"""

from __future__ import annotations

from graph.db import Database
from graph.queries import get_query, inline_query
from graph.schema import NODE_LABELS, REL_TYPES, schema_statements


def apply_schema(database: Database) -> int:
    """Create every constraint and index (IF NOT EXISTS) and wait for indexes to come online."""
    statements = schema_statements()
    for statement in statements:
        database.run(inline_query(statement, mode="autocommit", name="schema"))
    database.run(get_query("db_await_indexes"))
    return len(statements)


def delete_all_data(database: Database, batch_size: int = 5_000) -> int:
    """Delete every node and relationship in batches; return how many nodes there were. Relationships go
    first, in batches of their own, so no node batch carries a hub's relationships: every transaction stays
    within the server's per-transaction memory limit (`db.memory.transaction.max`)."""
    before = database.run(get_query("db_count_nodes"))[0]["n"]
    database.run(get_query("db_delete_relationships"), {"batch": batch_size})
    database.run(get_query("db_delete_all"), {"batch": batch_size})
    return int(before)


def count_graph(database: Database) -> dict[str, dict[str, int]]:
    """Node counts per label and relationship counts per type, in the schema's order."""
    row = database.run(get_query("db_count_graph"))[0]
    return {
        "nodes": {label.name: int(row["nodes"][label.name]) for label in NODE_LABELS},
        "relationships": {rel.name: int(row["relationships"][rel.name]) for rel in REL_TYPES},
    }

