"""Schema application, bulk deletion and counting: the housekeeping every command relies on.

The constraint and index statements are generated from `graph/schema.py` (its single source); everything
else runs the `queries/db_*.cypher` files.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import LiteralString

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


# Per property of a label or type: an order-independent summary of every value (how many entities have it,
# value types, numeric sum, lengths, sums of integer lists and datetimes mod p, trues, min/max as text).
_FINGERPRINT: LiteralString = """
UNWIND keys(x) AS k
WITH k, x[k] AS v
WITH k, v, CASE WHEN v IS :: LIST<ANY>
                THEN toString(size(v)) + ':' + coalesce(toString(v[0]), '') + ':' + coalesce(toString(v[-1]), '')
                ELSE toString(v) END AS text
RETURN k AS key, count(*) AS present, collect(DISTINCT valueType(v)) AS types,
       sum(CASE WHEN v IS :: INTEGER OR v IS :: FLOAT THEN v ELSE 0 END) AS num_sum,
       sum(CASE WHEN v IS :: STRING OR v IS :: LIST<ANY> THEN size(v) ELSE 0 END) AS len_sum,
       sum(CASE WHEN v IS :: LIST<INTEGER NOT NULL> THEN reduce(s = 0, e IN v | s + e) % 1000000007
                WHEN v IS :: ZONED DATETIME THEN v.epochMillis % 1000000007 ELSE 0 END) AS mod_sum,
       sum(CASE WHEN v = true THEN 1 ELSE 0 END) AS trues,
       min(text) AS min_text, max(text) AS max_text
ORDER BY key
"""


def graph_fingerprint(database: Database, *, skip_labels: Iterable[str] = (),
                      skip_properties: Iterable[str] = ()) -> dict[str, dict[str, dict[str, object]]]:
    """Label or type → property → a summary of all its values, to compare two graphs built different ways
    (bulk and transactional loads). Summaries, not values: graphs differing only by values swapped between
    entities compare equal."""
    skipped, unwanted = set(skip_labels), set(skip_properties)
    result: dict[str, dict[str, dict[str, object]]] = {}
    patterns = [(label.name, "MATCH (x:" + label.name + ")") for label in NODE_LABELS if label.name not in skipped]
    patterns += [(rel.name, "MATCH ()-[x:" + rel.name + "]->()") for rel in REL_TYPES]
    for name, pattern in patterns:
        query: LiteralString = pattern + _FINGERPRINT  # names from graph/schema.py
        rows = database.run(inline_query(query, name="graph_fingerprint"), timeout=1800)
        result[name] = {row.pop("key"): {**row, "types": sorted(row["types"])}
                        for row in rows if row["key"] not in unwanted}
    return result
