"""The API's view of detection runs on generated data: `detectionRuns`, `clusterChanges(since:)`, a cluster's
size/score history and its timeline between two times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from app.api.main import create_app
from app.credentials import Role, create_key
from graph.db import Database
from graph.detect.pipeline import DetectionSummary, run_detection
from graph.settings import Settings
from tests.api.conftest import GraphQL, error_codes, serve_app
from tests.conftest import LoadDataset, forget_graph_contents
from tests.cypher import read, write

RUNS = """query($first: Int, $after: String, $status: RunStatus) {
  detectionRuns(first: $first, after: $after, status: $status) {
    edges { cursor node { id status startedAt switchedAt previousRunId settingsDigest accounts clusters members
                          loadedSincePreviousRun { files rows tables }
                          verdicts { suspicious review benign } changes { new grown retired unchanged } } }
    pageInfo { hasNextPage endCursor } } }"""
CHANGES = """query($since: DateTime!, $kinds: [ClusterChangeKind!], $after: String) {
  clusterChanges(since: $since, kinds: $kinds, first: 50, after: $after) {
    edges { node { clusterId kind found size previousSize score previousScore verdict previousVerdict related
                   run { id status } } }
    pageInfo { hasNextPage endCursor } } }"""
HISTORY = """query($id: ID!, $from: DateTime, $to: DateTime) { cluster(id: $id) {
  size history { kind size previousSize score run { id } }
  all: timeline(resolution: DAY) { start requests }
  window: timeline(resolution: DAY, from: $from, to: $to) { start requests } } }"""


@pytest.fixture(scope="module")
def two_runs(loaded_dataset: LoadDataset) -> Iterator[tuple[Database, DetectionSummary, DetectionSummary]]:
    """1,000 generated accounts detected twice; between the runs the largest suspicious cluster gains an
    account that pays with one of its cards."""
    database = loaded_dataset(1_000, 11, detect=False).database
    try:
        first = run_detection(database, alerts=False)
        campaign = max((c for c in first.clusters if c.verdict == "suspicious"), key=lambda c: len(c.members))
        write(database, """
            MATCH (:Account {account_id: $member})-[:PAID_WITH]->(p:PaymentMethod)
            WITH p LIMIT 1
            CREATE (:Account {account_id: 'api-newcomer', created_at: datetime('2025-01-01T00:00:00Z')})
                   -[:PAID_WITH]->(p)""", {"member": campaign.members[0]})
        second = run_detection(database, alerts=False)
        yield database, first, second
    finally:
        forget_graph_contents()


@pytest.fixture(scope="module")
def runs_gql(two_runs: tuple[Database, DetectionSummary, DetectionSummary], neo4j_settings: Settings,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphQL]:
    database = two_runs[0]
    keys = {role.value: create_key(database, name=f"runs-{role.value}", role=role).token for role in Role}
    settings = neo4j_settings.model_copy(update={"audit_log": tmp_path_factory.mktemp("audit") / "a.jsonl"})
    with serve_app(create_app(settings)) as client:
        yield GraphQL(client, keys)


def test_detection_runs_newest_first_with_counts(runs_gql: GraphQL,
                                                 two_runs: tuple[Database, DetectionSummary, DetectionSummary]) -> None:
    _, first, second = two_runs
    assert first.run is not None and second.run is not None
    page = runs_gql.data(RUNS, {"first": 1})["detectionRuns"]
    newest = page["edges"][0]["node"]
    assert page["pageInfo"]["hasNextPage"]
    assert newest["id"] == second.run.run_id and newest["status"] == "CURRENT"
    assert newest["previousRunId"] == first.run.run_id and newest["switchedAt"]
    assert newest["clusters"] == len(second.clusters) and newest["accounts"] == second.accounts
    assert newest["members"] == sum(len(c.members) for c in second.clusters)
    assert newest["verdicts"]["suspicious"] == second.count_by_verdict()["suspicious"]
    assert newest["changes"]["grown"] == 1 and newest["changes"]["new"] == 0
    assert newest["settingsDigest"] == first.run.settings_digest and len(newest["settingsDigest"]) == 64
    older = runs_gql.data(RUNS, {"first": 5, "after": page["pageInfo"]["endCursor"]})["detectionRuns"]
    assert [edge["node"]["id"] for edge in older["edges"]] == [first.run.run_id]
    assert older["edges"][0]["node"]["status"] == "SUPERSEDED"
    assert older["edges"][0]["node"]["loadedSincePreviousRun"]["files"] >= 3
    assert older["edges"][0]["node"]["changes"]["new"] == len(first.clusters)
    superseded = runs_gql.data(RUNS, {"status": "SUPERSEDED"})["detectionRuns"]["edges"]
    assert [edge["node"]["id"] for edge in superseded] == [first.run.run_id]


def test_cluster_changes_since_a_time(runs_gql: GraphQL,
                                      two_runs: tuple[Database, DetectionSummary, DetectionSummary]) -> None:
    _, first, second = two_runs
    assert first.run is not None and second.run is not None
    switched = read(two_runs[0], "MATCH (r:DetectionRun {run_id: $id}) RETURN r.switched_at AS t",
                    {"id": first.run.run_id})[0]["t"].to_native()
    changes = runs_gql.data(CHANGES, {"since": switched.isoformat()})["clusterChanges"]["edges"]
    assert len(changes) == 1, "only the second run's changes, and unchanged clusters are left out"
    grown = changes[0]["node"]
    campaign = next(c for c in second.changes if c.change == "grown")
    assert grown["clusterId"] == campaign.cluster_id and grown["kind"] == "GROWN" and grown["found"]
    assert (grown["size"], grown["previousSize"]) == (campaign.size, campaign.size - 1)
    assert grown["verdict"] == grown["previousVerdict"] == "SUSPICIOUS"
    assert grown["run"] == {"id": second.run.run_id, "status": "CURRENT"}
    seen: list[tuple[str, str]] = []
    after = None
    while True:  # every run since 2000, newest first, a page of 50 at a time (the test cap is 100)
        page = runs_gql.data(CHANGES, {"since": "2000-01-01T00:00:00Z", "kinds": ["NEW", "UNCHANGED"],
                                       "after": after})["clusterChanges"]
        seen += [(edge["node"]["run"]["id"], edge["node"]["kind"]) for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [(second.run.run_id, "UNCHANGED")] * (len(second.clusters) - 1) + \
        [(first.run.run_id, "NEW")] * len(first.clusters)


def test_a_cluster_keeps_its_size_and_score_per_run_and_its_timeline_takes_from_to(
        runs_gql: GraphQL, two_runs: tuple[Database, DetectionSummary, DetectionSummary]) -> None:
    _, first, second = two_runs
    campaign = next(c for c in second.changes if c.change == "grown")
    found = next(c for c in second.clusters if c.cluster_id == campaign.cluster_id)
    days = runs_gql.data(HISTORY, {"id": campaign.cluster_id})["cluster"]["all"]
    assert len(days) >= 3
    start = days[1]["start"]
    end = days[-1]["start"]
    cluster = runs_gql.data(HISTORY, {"id": campaign.cluster_id, "from": start, "to": end})["cluster"]
    assert [(h["kind"], h["size"]) for h in cluster["history"]] == [("GROWN", campaign.size),
                                                                    ("NEW", campaign.size - 1)]
    assert cluster["history"][0]["score"] == pytest.approx(found.score)
    assert [h["run"]["id"] for h in cluster["history"]] == [second.run.run_id, first.run.run_id]  # type: ignore[union-attr]
    assert cluster["window"] == days[1:-1], "steps that start in [from, to)"
    assert datetime.fromisoformat(cluster["window"][0]["start"]) >= datetime.fromisoformat(start)
    backwards = runs_gql(HISTORY, {"id": campaign.cluster_id, "from": end, "to": start})
    assert error_codes(backwards) == ["BAD_USER_INPUT"]
