"""The API on generated data: generate → load → detect, then each analyst operation answers correctly for
a known campaign account and a known legitimate account (ground truth from labels.csv)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.api.main import create_app
from app.credentials import Role, create_key
from graph.db import Database
from graph.settings import Settings
from tests.api.conftest import AsgiClient, GraphQL, serve_app
from tests.conftest import LoadDataset
from tests.cypher import read


@pytest.fixture(scope="module")
def generated(loaded_dataset: LoadDataset) -> tuple[Database, Path]:
    """4,000 generated accounts, loaded and detected (once for the module: no test here changes the graph
    beyond the API keys the client uses)."""
    data = loaded_dataset(4_000, 3, detect=True)
    return data.database, data.folder


@pytest.fixture(scope="module")
def labels(generated: tuple[Database, Path]) -> dict[str, tuple[str, str]]:
    with (generated[1] / "labels.csv").open(newline="") as handle:
        return {row["account_id"]: (row["campaign"], row["population"]) for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def gql(generated: tuple[Database, Path], neo4j_settings: Settings,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphQL]:
    database = generated[0]
    keys = {role.value: create_key(database, name=f"gen-{role.value}", role=role).token for role in Role}
    settings = neo4j_settings.model_copy(update={"audit_log": tmp_path_factory.mktemp("audit") / "a.jsonl"})
    with serve_app(create_app(settings)) as client:
        assert isinstance(client, AsgiClient)
        yield GraphQL(client, keys)


def campaign_share(database: Database, cluster_id: str, labels: dict[str, tuple[str, str]]) -> float:
    rows = read(database, "MATCH (a:Account)-[:MEMBER_OF]->(:Cluster {cluster_id: $id}) RETURN a.account_id AS a",
                         {"id": cluster_id})
    return sum(1 for row in rows if labels[row["a"]][0]) / len(rows)


def test_suspicious_clusters_are_campaigns_with_structured_evidence(
        gql: GraphQL, generated: tuple[Database, Path], labels: dict[str, tuple[str, str]]) -> None:
    data = gql.data("""{ clusters(filter: {verdict: SUSPICIOUS}, first: 10) { edges { node {
        id size score verdict evidence { signal score summary } members(first: 5) { totalCount } } } } }""")
    clusters = [edge["node"] for edge in data["clusters"]["edges"]]
    assert len(clusters) >= 3  # the three campaigns
    for found in clusters:
        assert found["verdict"] == "SUSPICIOUS" and found["score"] >= 0.7
        assert found["evidence"] and found["evidence"][0]["summary"]
        assert found["members"]["totalCount"] == found["size"]
        assert campaign_share(generated[0], found["id"], labels) >= 0.9, found["id"]


def test_campaign_and_legitimate_accounts(gql: GraphQL, generated: tuple[Database, Path],
                                          labels: dict[str, tuple[str, str]]) -> None:
    database = generated[0]
    campaign_account = read(
        database,
        "MATCH (a:Account)-[:MEMBER_OF]->(c:Cluster {verdict: 'suspicious'}) RETURN a.account_id AS a "
        "ORDER BY c.size DESC, a.account_id LIMIT 1")[0]["a"]
    family = sorted(a for a, (campaign, population) in labels.items() if population == "family" and not campaign)[0]
    query = """query($id: ID!) { account(id: $id) { id activity { requests }
        paymentMethods { fingerprint } clusters { cluster { id verdict } } } }"""
    suspect = gql.data(query, {"id": campaign_account})["account"]
    assert labels[suspect["id"]][0], "a member of a suspicious cluster is a campaign account"
    assert any(m["cluster"]["verdict"] == "SUSPICIOUS" for m in suspect["clusters"])
    expected = read(database, "MATCH (a:Account {account_id: $id}) RETURN a.requests AS r", {"id": campaign_account})
    assert suspect["activity"]["requests"] == expected[0]["r"]
    legit = gql.data(query, {"id": family})["account"]
    assert all(m["cluster"]["verdict"] != "SUSPICIOUS" for m in legit["clusters"])

    check = """query($input: CheckInput!) { check(input: $input) { risk verdict reasons { kind } } }"""
    flagged = gql.data(check, {"input": {"accountId": campaign_account}})["check"]
    clean = gql.data(check, {"input": {"accountId": family}})["check"]
    assert flagged["verdict"] in ("REVIEW", "BLOCK") and flagged["risk"] > clean["risk"]
    assert clean["verdict"] == "ALLOW"
