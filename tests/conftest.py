"""Session-wide real Neo4j, per-test reset, and the shared data fixtures.

Integration tests write and read the real database. Every fixture that puts data in the graph first says
what it needs (an empty graph, the fixture graph, a generated data set loaded and perhaps detected); the
session remembers what the graph holds, so consecutive tests that need the same data reuse it and a test
never depends on what an earlier one left behind — the order tests run in does not matter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest

from graph.db import Database, connect
from graph.detect.pipeline import run_detection
from graph.load import LoadSummary, load_directory
from graph.maintenance import apply_schema, delete_all_data
from graph.settings import Settings
from graph.synthetic import generate_dataset
from tests.api.graph_fixture import build_fixture_graph
from tests.cypher import read
from tests.neo4j_harness import provide_neo4j


@dataclass
class GraphContents:
    """What the session's graph holds: a data set's key, or None when unknown or changed since."""

    key: tuple[object, ...] | None = None


GRAPH = GraphContents()


def reset_database(db: Database) -> None:
    """Delete all data (schema stays) so a test starts from an empty graph."""
    delete_all_data(db)
    GRAPH.key = None


def forget_graph_contents() -> None:
    """Say that the graph no longer holds a known data set (a test changed it in place)."""
    GRAPH.key = None


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[Settings]:
    with provide_neo4j() as settings:
        yield settings


@pytest.fixture(scope="session")
def database(neo4j_settings: Settings) -> Iterator[Database]:
    with connect(neo4j_settings) as db:
        apply_schema(db)
        yield db


@pytest.fixture()
def clean_database(database: Database) -> Database:
    """An empty graph with the schema applied."""
    reset_database(database)
    return database


@pytest.fixture(scope="module")
def fixture_graph(database: Database, neo4j_settings: Settings) -> Database:
    """The hand-made fixture graph (tests/api/graph_fixture.py), written once per test module."""
    reset_database(database)
    build_fixture_graph(database, neo4j_settings)
    GRAPH.key = ("fixture graph",)
    return database


class GeneratedDataset(Protocol):
    def __call__(self, accounts: int, seed: int, scenario: str = "classic") -> Path: ...


@pytest.fixture(scope="session")
def generated_dataset(tmp_path_factory: pytest.TempPathFactory) -> GeneratedDataset:
    """A factory: the folder of a generated data set (tables and labels.csv), generated once per session."""
    folders: dict[tuple[int, int, str], Path] = {}

    def generated(accounts: int, seed: int, scenario: str = "classic") -> Path:
        # The classic world (three campaigns) unless asked: most tests' expectations were written for it;
        # "full" adds the legitimate lookalikes and the evasive campaign shapes.
        if (accounts, seed, scenario) not in folders:
            folder = tmp_path_factory.mktemp(f"generated-{scenario}-{accounts}-{seed}")
            generate_dataset(folder, accounts=accounts, seed=seed, scenario=scenario)
            folders[accounts, seed, scenario] = folder
        return folders[accounts, seed, scenario]

    return generated


@dataclass(frozen=True)
class LoadedDataset:
    """A generated data set loaded into the session's graph (and detected when asked)."""

    database: Database
    folder: Path           # the generated tables and labels.csv
    summary: LoadSummary   # what loading it reported


class LoadDataset(Protocol):
    def __call__(self, accounts: int, seed: int, *, detect: bool = False,
                 scenario: str = "classic") -> LoadedDataset: ...


@pytest.fixture(scope="session")
def loaded_dataset(database: Database, generated_dataset: GeneratedDataset) -> LoadDataset:
    """A factory: `loaded_dataset(accounts, seed, detect=False)` makes the graph hold exactly that data set
    (reset, load, detect) unless it already does, and returns it."""
    summaries: dict[tuple[object, ...], LoadSummary] = {}

    def load(accounts: int, seed: int, *, detect: bool = False, scenario: str = "classic") -> LoadedDataset:
        folder = generated_dataset(accounts, seed, scenario)
        key = ("generated", accounts, seed, detect, scenario)
        accounts_in_graph = read(database, "MATCH (a:Account) RETURN count(a) AS n")[0]["n"]
        if GRAPH.key != key or accounts_in_graph != accounts:
            reset_database(database)
            summaries[key] = load_directory(database, folder)
            if detect:
                run_detection(database)
            GRAPH.key = key
        return LoadedDataset(database, folder, summaries[key])

    return load


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The one Spark session of the test run (`local[1]`: its start-up costs seconds, so Spark tests are few).
    pyspark is part of the test install (`.[test,spark]`); without it this fails with the install command."""
    from graph.engine.spark import spark_session

    settings = Settings(_env_file=None, LINKAGE_SPARK_MASTER="local[1]", LINKAGE_SPARK_DRIVER_MEMORY="2g",
                        LINKAGE_SPARK_WORK_DIR=tmp_path_factory.mktemp("spark"))
    session = spark_session(settings, app_name="linkage-tests")
    yield session
    session.stop()
