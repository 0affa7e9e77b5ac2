"""Growth, last change and retirement as detection's switch records them, read through `clusters`: 1,000
generated accounts detected twice; between the runs one member of the largest cluster is deleted and every
member of the smallest (which carries a case note, so it is kept once retired)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from app.api.main import create_app
from app.credentials import Role, create_key
from graph.db import Database
from graph.detect.pipeline import DetectionSummary, run_detection
from graph.settings import Settings
from tests.api.conftest import GraphQL, serve_app
from tests.conftest import LoadDataset, forget_graph_contents
from tests.cypher import read, write

QUERY = """query($f: ClusterFilter, $after: String) {
  clusters(filter: $f, orderBy: GROWTH_DESC, first: 100, after: $after) {
    edges { node { id size growth lastChangedAt retired } } pageInfo { hasNextPage endCursor } } }"""


@pytest.fixture(scope="module")
def runs(loaded_dataset: LoadDataset) -> Iterator[tuple[Database, DetectionSummary, DetectionSummary, str, str]]:
    database = loaded_dataset(1_000, 11, detect=False).database
    try:
        first = run_detection(database, alerts=False)
        largest = max(first.clusters, key=lambda c: (len(c.members), c.cluster_id))
        smallest = min(first.clusters, key=lambda c: (len(c.members), c.cluster_id))
        write(database, """
            MATCH (a:Account) WHERE a.account_id IN $gone DETACH DELETE a
            WITH count(*) AS deleted
            MATCH (c:Cluster {cluster_id: $kept})
            CREATE (:CaseNote {note_id: 'growth-test', text: 'worth keeping', author: 'test',
                               created_at: datetime()})-[:NOTE_ON]->(c)""",
              {"gone": [sorted(largest.members)[0], *smallest.members], "kept": smallest.cluster_id})
        second = run_detection(database, alerts=False)
        yield database, first, second, largest.cluster_id, smallest.cluster_id
    finally:
        forget_graph_contents()


@pytest.fixture(scope="module")
def runs_gql(runs: tuple[Database, DetectionSummary, DetectionSummary, str, str], neo4j_settings: Settings,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphQL]:
    keys = {role.value: create_key(runs[0], name=f"growth-{role.value}", role=role).token for role in Role}
    settings = neo4j_settings.model_copy(update={"audit_log": tmp_path_factory.mktemp("audit") / "a.jsonl"})
    with serve_app(create_app(settings)) as client:
        yield GraphQL(client, keys)


def listed(gql: GraphQL, filter: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = gql.data(QUERY, {"f": filter, "after": after})["clusters"]
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def test_growth_last_change_and_retirement_follow_the_runs(
        runs_gql: GraphQL, runs: tuple[Database, DetectionSummary, DetectionSummary, str, str]) -> None:
    database, first, second, largest, smallest = runs
    assert first.run is not None and second.run is not None
    switched = {row["id"]: row["t"].to_native() for row in read(
        database, "MATCH (r:DetectionRun) WHERE r.run_id IN $ids RETURN r.run_id AS id, r.switched_at AS t",
        {"ids": [first.run.run_id, second.run.run_id]})}
    found = [change for change in second.changes if change.found]
    growth = {c.cluster_id: c.size - (c.previous_size or 0) for c in found}
    changed = {c.cluster_id for c in found if c.change != "unchanged" or c.verdict != c.previous_verdict}
    assert changed, "deleting a member of the largest cluster changes at least one cluster"

    nodes = listed(runs_gql)
    assert {node["id"]: node["growth"] for node in nodes} == growth, "the size change from the run before"
    assert [node["id"] for node in nodes] == sorted(growth, key=lambda ident: (-growth[ident], ident))
    assert any(node["growth"] != 0 for node in nodes)
    for node in nodes:  # an unchanged cluster keeps the time of the run that last changed it
        run = second.run if node["id"] in changed else first.run
        assert datetime.fromisoformat(node["lastChangedAt"]) == switched[run.run_id], node
    between = switched[first.run.run_id] + (switched[second.run.run_id] - switched[first.run.run_id]) / 2
    assert {node["id"] for node in listed(runs_gql, {"changedAfter": between.isoformat()})} == changed
    assert {node["id"] for node in listed(runs_gql, {"changedBefore": between.isoformat()})} == \
        set(growth) - changed

    # The emptied cluster is retired: hidden, unless asked for; it shrank by its whole size, then.
    assert smallest not in {node["id"] for node in nodes}
    retired = [node for node in listed(runs_gql, {"includeRetired": True}) if node["retired"]]
    emptied = next(node for node in retired if node["id"] == smallest)
    before = next(len(c.members) for c in first.clusters if c.cluster_id == smallest)
    assert (emptied["size"], emptied["growth"]) == (0, -before)
    assert datetime.fromisoformat(emptied["lastChangedAt"]) == switched[second.run.run_id]
    if largest in growth:  # it kept its id: one member fewer (or it split, and the change says so)
        assert growth[largest] < 0 or largest in changed
