"""Session-wide real Neo4j and per-test reset. Integration tests write and read the real database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.db import Database, connect
from graph.maintenance import apply_schema, delete_all_data
from graph.settings import Settings
from tests.neo4j_harness import provide_neo4j


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[Settings]:
    with provide_neo4j() as settings:
        yield settings


@pytest.fixture(scope="session")
def database(neo4j_settings: Settings) -> Iterator[Database]:
    with connect(neo4j_settings) as db:
        apply_schema(db)
        yield db


def reset_database(db: Database) -> None:
    """Delete all data (schema stays) so a test starts from an empty graph."""
    delete_all_data(db)


@pytest.fixture()
def clean_database(database: Database) -> Database:
    """An empty graph with the schema applied."""
    reset_database(database)
    return database
