"""Schema on the real server: applying twice changes nothing and matches graph/schema.py."""

from __future__ import annotations

from graph.db import Database
from graph.maintenance import apply_schema, count_graph, delete_all_data
from graph.schema import NODE_LABELS, PROPERTY_INDEXES
from tests.cypher import read, write


def _constraints(db: Database) -> set[tuple[str, str, str]]:
    rows = read(db, "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties "
                   "RETURN name, type, labelsOrTypes, properties")
    return {(row["name"], row["labelsOrTypes"][0], row["properties"][0]) for row in rows
            if row["type"] == "UNIQUENESS"}


def _indexes(db: Database) -> set[str]:
    return {row["name"] for row in read(db, "SHOW INDEXES YIELD name RETURN name")}


def test_apply_schema_twice_changes_nothing_and_matches_module(clean_database: Database) -> None:
    apply_schema(clean_database)
    first = (_constraints(clean_database), _indexes(clean_database))
    apply_schema(clean_database)
    second = (_constraints(clean_database), _indexes(clean_database))
    assert first == second
    expected = {(label.constraint_name, label.name, label.key) for label in NODE_LABELS}
    assert first[0] == expected
    assert {index.index_name for index in PROPERTY_INDEXES} <= first[1]


def test_uniqueness_is_enforced(clean_database: Database) -> None:
    import pytest

    from graph.errors import DatabaseError

    write(clean_database, "CREATE (:Account {account_id: 'a1'})")
    with pytest.raises(DatabaseError, match="ConstraintValidationFailed"):
        write(clean_database, "CREATE (:Account {account_id: 'a1'})")


def test_reset_deletes_in_batches_and_keeps_schema(clean_database: Database) -> None:
    write(
        clean_database,
        "UNWIND range(1, 25000) AS i CREATE (a:Account {account_id: 'a' + i})-[:USED_IP]->"
        "(:IP {address: '10.0.' + (i / 250) + '.' + (i % 250)})"
    )
    counts = count_graph(clean_database)
    assert counts["nodes"]["Account"] == 25000 and counts["relationships"]["USED_IP"] == 25000
    deleted = delete_all_data(clean_database, batch_size=4000)
    assert deleted == 50000
    after = count_graph(clean_database)
    assert sum(after["nodes"].values()) == 0 and sum(after["relationships"].values()) == 0
    assert len(_constraints(clean_database)) == len(NODE_LABELS)
