"""Keys and roles, the query gate (depth, aliases, tokens), error masking, audit, and injection attempts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.api.main import create_app
from graph.db import Database
from graph.maintenance import count_graph
from graph.settings import Settings
from tests.api import graph_fixture as fx
from tests.api.conftest import AsgiClient, GraphQL, error_codes, serve_app

SET_STATUS = """mutation($id: ID!, $status: CaseStatus!, $reason: String) {
  setCaseStatus(clusterId: $id, status: $status, reason: $reason) {
    note { id author status text } cluster { id caseStatus notes { text author status } } } }"""
ADD_NOTE = (
    """mutation($id: ID!, $text: String!) { addNote(clusterId: $id, text: $text) { note { id author } } }"""
)


def test_no_key_is_401(client: AsgiClient) -> None:
    response = client.post("/graphql", json={"query": "{ clusters { edges { cursor } } }"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header", ["Bearer lk_000000000000_" + "x" * 43, "Bearer nonsense", "Basic abc", "Bearer "]
)
def test_bad_keys_are_401(client: AsgiClient, header: str) -> None:
    response = client.post("/graphql", json={"query": "{ __typename }"}, headers={"Authorization": header})
    assert response.status_code == 401


def test_healthz(client: AsgiClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_viewer_cannot_mutate(gql: GraphQL, audit_path: Path) -> None:
    # A cluster no other test here changes, so the order tests run in does not matter.
    cluster = fx.FILLER[5]
    body = gql(SET_STATUS, {"id": cluster, "status": "CONFIRMED", "reason": "no"}, role="viewer")
    assert error_codes(body) == ["FORBIDDEN"]
    assert error_codes(gql(ADD_NOTE, {"id": cluster, "text": "hi"}, role="viewer")) == ["FORBIDDEN"]
    status = gql.data("query($id: ID!) { cluster(id: $id) { caseStatus notes { id } } }", {"id": cluster})
    assert status["cluster"] == {"caseStatus": "OPEN", "notes": []}
    records = [json.loads(line) for line in audit_path.read_text().splitlines()]
    assert {("setCaseStatus", "FORBIDDEN"), ("addNote", "FORBIDDEN")} <= {
        (r["operation"], r["outcome"]) for r in records if r["actor"] == "test-viewer"}


def test_analyst_changes_case_and_notes_are_recorded(gql: GraphQL, audit_path: Path) -> None:
    change = gql.data(
        SET_STATUS, {"id": fx.REVIEW, "status": "IN_REVIEW", "reason": "checking the DC IP"}, role="analyst"
    )["setCaseStatus"]
    assert change["note"]["author"] == "test-analyst" and change["note"]["status"] == "IN_REVIEW"
    assert change["cluster"]["caseStatus"] == "IN_REVIEW"
    gql.data(ADD_NOTE, {"id": fx.REVIEW, "text": "same ASN as last month"}, role="admin")
    notes = gql.data('{ cluster(id: "cl-review-1") { notes { text author status } } }')["cluster"]["notes"]
    assert {(n["text"], n["author"]) for n in notes} == {
        ("checking the DC IP", "test-analyst"),
        ("same ASN as last month", "test-admin"),
    }
    records = [json.loads(line) for line in audit_path.read_text().splitlines()]
    mutations = [r for r in records if r["operation"] in ("setCaseStatus", "addNote")]
    assert {(r["operation"], r["actor"], r["outcome"]) for r in mutations} >= {
        ("setCaseStatus", "test-analyst", "ok"),
        ("addNote", "test-admin", "ok"),
    }
    assert all(r["request_id"] and r["at"] for r in records)
    # Never argument values: no note text, no emails, no fingerprints.
    text = audit_path.read_text()
    assert "DC IP" not in text and "ASN" not in text and "pm-tok" not in text and "@" not in text


def test_checks_are_audited_without_values(gql: GraphQL, audit_path: Path) -> None:
    gql.data('{ check(input: {paymentFingerprint: "pm-tok-c03d5e", email: "x@y.example"}) { verdict } }')
    last = json.loads(audit_path.read_text().splitlines()[-1])
    assert last["operation"] == "check" and last["verdict"] == "block" and last["actor"] == "test-viewer"
    assert "pm-tok" not in json.dumps(last) and "y.example" not in json.dumps(last)


def test_unknown_cluster_in_mutation_is_not_found(gql: GraphQL) -> None:
    assert error_codes(gql(ADD_NOTE, {"id": "nope", "text": "x"}, role="analyst")) == ["NOT_FOUND"]


def test_depth_alias_and_token_limits(gql: GraphQL) -> None:
    deep = (
        '{ cluster(id: "cl-campaign-1") { members { nodes { account { clusters { cluster { members { '
        "nodes { account { clusters { cluster { members { nodes { account { id } } } } } } } } } } } } } } }"
    )
    body = gql(deep)
    assert body.get("data") is None and error_codes(body) == ["BAD_USER_INPUT"]
    assert "depth" in body["errors"][0]["message"]
    aliases = "{ " + " ".join(f'a{i}: cluster(id: "cl-acme") {{ id }}' for i in range(20)) + " }"
    body = gql(aliases)
    assert error_codes(body) == ["BAD_USER_INPUT"] and "aliases" in body["errors"][0]["message"].lower()
    tokens = "{ " + " ".join("__typename" for _ in range(2100)) + " }"
    assert error_codes(gql(tokens)) == ["BAD_USER_INPUT"]


def test_errors_do_not_leak_internals_or_suggest_fields(gql: GraphQL) -> None:
    body = gql("{ clusterz { id } }")
    message = body["errors"][0]["message"]
    assert "Did you mean" not in message and error_codes(body) == ["BAD_USER_INPUT"]
    assert "traceback" not in json.dumps(body).lower() and "MATCH" not in json.dumps(body)


INJECTIONS = [
    "x' OR 1=1 //",
    "}) MATCH (n) DETACH DELETE n //",
    '" OR true WITH n DETACH DELETE n //',
    "x`) DETACH DELETE n //",
    "$ids",
]


def test_injection_attempts_change_nothing(gql: GraphQL, fixture_graph: Database) -> None:
    before = count_graph(fixture_graph)
    for attack in INJECTIONS:
        vars_ = {"s": attack}
        for query in [
            "query($s: ID!) { cluster(id: $s) { id } }",
            "query($s: ID!) { account(id: $s) { id } }",
            'query($s: ID!) { linkage(a: $s, b: "acct-alice") { paths { links } } }',
            'query($s: ID!) { linkage(a: "acct-alice", b: $s) { paths { links } } }',
            "query($s: String!) { infrastructure(kind: PROXY_NETWORK, value: $s) { value } }",
            "query($s: String!) { infrastructure(kind: TEMPLATE, value: $s) { value } }",
            "query($s: String!) { infrastructure(kind: PAYMENT_METHOD, value: $s) { value } }",
            "query($s: String!) { infrastructure(kind: IP, value: $s) { value } }",
            "query($s: String!) { clusters(after: $s) { edges { cursor } } }",
            "query($s: String!) { clusters(filter: {capability: $s, proxyNetwork: $s}) "
            "{ edges { cursor } } }",
            'query($s: String!) { cluster(id: "cl-acme") { members(after: $s) { totalCount } } }',
            "query($s: String!) { check(input: {accountId: $s}) { risk } }",
            "query($s: String!) { check(input: {paymentFingerprint: $s, email: $s, clientFingerprint: $s}) "
            "{ risk } }",
        ]:
            body = gql(query, vars_)
            assert set(error_codes(body)) <= {"NOT_FOUND", "BAD_USER_INPUT"}, (query, body)
        for mutation in [
            'mutation($s: ID!) { addNote(clusterId: $s, text: "t") { note { id } } }',
            "mutation($s: ID!) { setCaseStatus(clusterId: $s, status: OPEN) { note { id } } }",
        ]:
            assert error_codes(gql(mutation, vars_, role="analyst")) == ["NOT_FOUND"]
    assert count_graph(fixture_graph) == before
    # A note whose text is an injection is stored verbatim (one note more, nothing deleted).
    gql.data(
        'mutation($s: String!) { addNote(clusterId: "cl-acme", text: $s) { note { id } } }',
        {"s": INJECTIONS[1]},
        role="analyst",
    )
    after = count_graph(fixture_graph)
    assert after["nodes"]["CaseNote"] == before["nodes"]["CaseNote"] + 1
    assert after["nodes"]["Account"] == before["nodes"]["Account"]


def test_production_disables_introspection_and_graphiql(
    api_settings: Settings, gql: GraphQL, fixture_graph: Database
) -> None:
    production = api_settings.model_copy(update={"env": "production"})
    with serve_app(create_app(production)) as client:
        assert client.get("/graphql", headers={"Accept": "text/html"}).status_code == 401
        page = client.get(
            "/graphql", headers={"Accept": "text/html", "Authorization": f"Bearer {gql.keys['viewer']}"}
        )
        assert "graphiql" not in page.text.lower()
        response = client.post(
            "/graphql",
            json={"query": "{ __schema { types { name } } }"},
            headers={"Authorization": f"Bearer {gql.keys['viewer']}"},
        )
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    development = gql.client.get("/graphql", headers={"Accept": "text/html"})
    assert development.status_code == 200 and "graphiql" in development.text.lower()


def test_bootstrap_key_is_admin(api_settings: Settings, fixture_graph: Database) -> None:
    settings = api_settings.model_copy(update={"api_bootstrap_key": "bootstrap-secret-for-tests-only"})
    settings = Settings.model_validate(
        {**settings.model_dump(), "api_bootstrap_key": "bootstrap-secret-for-tests-only"}
    )
    with serve_app(create_app(settings)) as client:
        response = client.post(
            "/graphql",
            json={
                "query": 'mutation { addNote(clusterId: "cl-acme", text: "bootstrap") { note { author } } }'
            },
            headers={"Authorization": "Bearer bootstrap-secret-for-tests-only"},
        )
        assert response.json()["data"]["addNote"]["note"]["author"] == "bootstrap"
