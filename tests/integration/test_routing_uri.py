"""NEO4J_URI with a routing scheme (`neo4j://`, as for a cluster or Aura) works for every command.

The session's server is a standalone Neo4j; asked for a routing table it names itself as reader and writer,
so the routing driver sends reads and writes the way it would to a cluster's members. Each test compares
what the `neo4j://` path does with what the usual `bolt://` path does on the same data: the load, the
detection run, the API (a query and a write read back) and `linkage check`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import neo4j
import pytest
from typer.testing import CliRunner

from app.api.main import create_app
from app.cli import app
from app.credentials import Role, create_key
from graph.db import Database, connect
from graph.detect.persist import read_cluster_members
from graph.maintenance import count_graph
from graph.settings import Settings
from tests.api.conftest import GraphQL, serve_app
from tests.conftest import LoadDataset, forget_graph_contents, reset_database
from tests.cypher import read

ACCOUNTS, SEED = 1_000, 11

SUSPICIOUS = """{ clusters(filter: {verdict: SUSPICIOUS}, first: 50) {
  totalCount edges { node { id size members(first: 1) { totalCount } } } } }"""
ADD_NOTE = """mutation($id: ID!, $text: String!) { addNote(clusterId: $id, text: $text) {
  note { text author } } }"""
NOTES = """query($id: ID!) { cluster(id: $id) { notes { text author } } }"""


def routing_uri(uri: str) -> str:
    """The same server under the routing scheme: bolt:// -> neo4j://, bolt+s:// -> neo4j+s://."""
    parts = urlsplit(uri)
    return urlunsplit(parts._replace(scheme=parts.scheme.replace("bolt", "neo4j")))


@pytest.fixture(scope="module")
def routing_settings(neo4j_settings: Settings, database: Database) -> Settings:
    """The session's settings with NEO4J_URI under the routing scheme. A routing driver connects to the
    addresses the server advertises; a container advertises its internal port, which this machine cannot
    reach, so there the test has nothing to run against."""
    settings = neo4j_settings.model_copy(update={"neo4j_uri": routing_uri(neo4j_settings.neo4j_uri)})
    rows = read(database, "CALL dbms.routing.getRoutingTable({}, $database) YIELD servers RETURN servers",
                {"database": database.name})
    advertised = {address for server in rows[0]["servers"] for address in server["addresses"]}
    if not any(address.endswith(f":{settings.bolt_port}") for address in advertised):
        pytest.skip(f"the server advertises {sorted(advertised)}, not port {settings.bolt_port}")
    assert settings.neo4j_uri.startswith("neo4j") and settings.bolt_port == neo4j_settings.bolt_port
    return settings


@pytest.fixture()
def cli(cli_env: Path, neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI's environment (tests/integration/conftest.py) with the session's hash key."""
    monkeypatch.setenv("LINKAGE_HASH_KEY", neo4j_settings.hash_key.get_secret_value())
    return cli_env


def run_cli(uri: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"NEO4J_URI": uri})
    return result.exit_code, result.stdout, result.stderr


def clusters_by_members(database: Database) -> dict[tuple[str, ...], str]:
    """Every live cluster as its sorted members -> verdict (cluster ids left out: they are not compared)."""
    members: dict[str, list[str]] = defaultdict(list)
    verdicts: dict[str, str] = {}
    for row in read_cluster_members(database):
        members[row["cluster_id"]].append(row["account_id"])
        verdicts[row["cluster_id"]] = row["verdict"]
    return {tuple(sorted(accounts)): verdicts[cluster] for cluster, accounts in members.items()}


def test_load_and_detection_through_the_routing_uri_equal_bolt(
        loaded_dataset: LoadDataset, database: Database, routing_settings: Settings, cli: Path) -> None:
    reset_database(database)  # a baseline of exactly the data set (no keys or notes of earlier tests)
    baseline = loaded_dataset(ACCOUNTS, SEED, detect=True)
    expected_counts = count_graph(database)
    expected_clusters = clusters_by_members(database)
    assert expected_clusters and "suspicious" in expected_clusters.values()

    uri = routing_settings.neo4j_uri
    forget_graph_contents()  # the CLI below rebuilds the graph
    code, out, err = run_cli(uri, "db", "reset", "--yes")  # CALL { … } IN TRANSACTIONS: autocommit, writer
    assert code == 0, err
    assert read(database, "MATCH (n) RETURN count(n) AS n")[0]["n"] == 0
    code, out, err = run_cli(uri, "db", "init")  # schema statements: autocommit, writer
    assert code == 0 and "Schema applied" in out, err
    code, out, err = run_cli(uri, "load", str(baseline.folder), "--transactional", "--json",
                             "--quarantine", str(cli / "quarantine"))
    assert code == 0, err
    loaded = json.loads(out)
    assert loaded["mode"] == "transactional"
    assert loaded["loaded"] == sum(row.loaded for row in baseline.summary.tables) > 0
    code, out, err = run_cli(uri, "detect", "--json", "--no-alerts")
    assert code == 0, err
    detected = json.loads(out)
    assert detected["accounts"] == ACCOUNTS
    assert detected["clusters"] == len(expected_clusters)
    assert detected["members"] == sum(len(members) for members in expected_clusters)

    # Read back through both URIs: the graph the routed commands built is the one bolt:// built.
    code, out, err = run_cli(uri, "db", "stats", "--json")
    assert code == 0, err
    assert json.loads(out) == expected_counts
    with connect(routing_settings) as routed:
        assert isinstance(routed.driver, neo4j.Neo4jDriver)  # the routing driver, not a direct connection
        assert clusters_by_members(routed) == expected_clusters
    assert count_graph(database) == expected_counts
    assert clusters_by_members(database) == expected_clusters


def test_api_reads_and_writes_through_the_routing_uri(
        loaded_dataset: LoadDataset, routing_settings: Settings, tmp_path: Path) -> None:
    database = loaded_dataset(ACCOUNTS, SEED, detect=True).database
    forget_graph_contents()  # the key and the note below stay in the graph
    keys = {role.value: create_key(database, name=f"routing-{role.value}", role=role).token
            for role in (Role.VIEWER, Role.ANALYST)}
    expected = {row["cluster_id"] for row in read_cluster_members(database) if row["verdict"] == "suspicious"}
    sizes = read(database, "MATCH (c:Cluster) WHERE c.cluster_id IN $ids RETURN c.cluster_id AS id, c.size AS size",
                 {"ids": sorted(expected)})

    settings = routing_settings.model_copy(update={"audit_log": tmp_path / "audit.jsonl"})
    with serve_app(create_app(settings)) as client:
        assert isinstance(client.app.state.database.driver, neo4j.AsyncNeo4jDriver)
        gql = GraphQL(client, keys)
        page = gql.data(SUSPICIOUS)["clusters"]
        found = {edge["node"]["id"]: edge["node"] for edge in page["edges"]}
        assert page["totalCount"] == len(expected) == len(found) and set(found) == expected
        assert {row["id"]: row["size"] for row in sizes} == {
            cluster_id: node["size"] for cluster_id, node in found.items()}
        assert all(node["members"]["totalCount"] == node["size"] for node in found.values())

        # A write (the writer) then a read in another session (a reader) sees it: one bookmark chain.
        cluster_id = min(expected)
        note = f"routed note {tmp_path.name}"
        added = gql.data(ADD_NOTE, {"id": cluster_id, "text": note}, role="analyst")["addNote"]["note"]
        assert added == {"text": note, "author": "routing-analyst"}
        notes = gql.data(NOTES, {"id": cluster_id})["cluster"]["notes"]
        assert {"text": note, "author": "routing-analyst"} in notes
    stored = read(database, "MATCH (n:CaseNote)-[:NOTE_ON]->(:Cluster {cluster_id: $id}) WHERE n.text = $text "
                            "RETURN count(n) AS n", {"id": cluster_id, "text": note})
    assert stored[0]["n"] == 1


def test_check_through_the_routing_uri_answers_as_bolt(
        loaded_dataset: LoadDataset, neo4j_settings: Settings, routing_settings: Settings, cli: Path) -> None:
    database = loaded_dataset(ACCOUNTS, SEED, detect=True).database
    members = read_cluster_members(database)
    suspect = next(row["account_id"] for row in members if row["verdict"] == "suspicious")
    in_clusters = {row["account_id"] for row in members}
    outsider = read(database, "MATCH (a:Account) WHERE NOT a.account_id IN $members RETURN a.account_id AS id "
                              "ORDER BY id LIMIT 1", {"members": sorted(in_clusters)})[0]["id"]
    signups = cli / "signups.jsonl"
    signups.write_text("".join(json.dumps(row) + "\n" for row in (
        {"ref": "suspect", "account_id": suspect}, {"ref": "outsider", "account_id": outsider})))

    answers = {}
    for uri in (neo4j_settings.neo4j_uri, routing_settings.neo4j_uri):
        code, out, err = run_cli(uri, "check", "--input", str(signups), "--fail-on", "block")
        answers[uri] = (code, out)
        assert code in (0, 1), err
    bolt, routed = answers.values()
    assert routed == bolt
    lines = [json.loads(line) for line in routed[1].splitlines()]
    assert [line["ref"] for line in lines] == ["suspect", "outsider"]
    assert lines[0]["verdict"] in ("review", "block") and lines[0]["matched_clusters"]
    assert lines[1]["verdict"] == "allow"
    code, _, err = run_cli(routing_settings.neo4j_uri, "check", "--account", "no-such-account")
    assert code == 2 and "no account 'no-such-account'" in err
