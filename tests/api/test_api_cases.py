"""Sensitive flows: a case decision changes what automated checks answer, so it needs a reason, joins the
case history (who, role, when, why, before and after), and weakening the checks needs the dismiss role; a
viewer's check is no oracle for which emails the provider knows."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from app.api.main import create_app
from graph.db import Database
from graph.settings import Settings
from tests.api import graph_fixture as fx
from tests.api.conftest import GraphQL, error_codes, serve_app
from tests.cypher import write

SET_STATUS = """mutation($id: ID!, $status: CaseStatus!, $reason: String) {
  setCaseStatus(clusterId: $id, status: $status, reason: $reason) {
    note { text author authorRole status previousStatus createdAt } cluster { caseStatus } } }"""
HISTORY = """query($id: ID!) { cluster(id: $id) { caseStatus
  notes { text author authorRole status previousStatus createdAt } } }"""
CHECK = """query($input: CheckInput!) { check(input: $input) { risk verdict
  matchedClusters { clusterId verdict score size caseStatus contribution via }
  reasons { kind value sharedBy clusterId contribution explanation } } }"""


def reset_case(database: Database, cluster_id: str) -> None:
    write(database, """MATCH (c:Cluster {cluster_id: $id}) SET c.case_status = 'OPEN'
                       WITH c OPTIONAL MATCH (n:CaseNote)-[:NOTE_ON]->(c) DETACH DELETE n""", {"id": cluster_id})


def status_of(gql: GraphQL, cluster_id: str) -> str:
    return str(gql.data(HISTORY, {"id": cluster_id})["cluster"]["caseStatus"])


def test_decisions_need_a_reason_and_are_recorded_in_the_history(gql: GraphQL, fixture_graph: Database,
                                                                 audit_path: Path) -> None:
    cluster = fx.REVIEW
    reset_case(fixture_graph, cluster)
    for status in ("CONFIRMED", "DISMISSED"):
        for reason in (None, "   "):
            body = gql(SET_STATUS, {"id": cluster, "status": status, "reason": reason}, role="admin")
            assert error_codes(body) == ["BAD_USER_INPUT"] and "reason" in body["errors"][0]["message"], body
    assert status_of(gql, cluster) == "OPEN"
    # Moving between open states needs no reason.
    gql.data(SET_STATUS, {"id": cluster, "status": "IN_REVIEW"}, role="analyst")
    change = gql.data(SET_STATUS, {"id": cluster, "status": "CONFIRMED",
                                   "reason": "cards reused across the five accounts"}, role="analyst")
    assert change["setCaseStatus"]["cluster"]["caseStatus"] == "CONFIRMED"
    entry = change["setCaseStatus"]["note"]
    assert entry == {"text": "cards reused across the five accounts", "author": "test-analyst",
                     "authorRole": "analyst", "status": "CONFIRMED", "previousStatus": "IN_REVIEW",
                     "createdAt": entry["createdAt"]} and entry["createdAt"]
    # Leaving CONFIRMED needs a reason too (and the dismiss role: it weakens the checks).
    body = gql(SET_STATUS, {"id": cluster, "status": "OPEN"}, role="admin")
    assert error_codes(body) == ["BAD_USER_INPUT"]
    gql.data(SET_STATUS, {"id": cluster, "status": "OPEN", "reason": "confirmed by mistake"}, role="admin")
    history = gql.data(HISTORY, {"id": cluster})["cluster"]["notes"]
    assert [(n["status"], n["previousStatus"], n["authorRole"]) for n in history] == [
        ("OPEN", "CONFIRMED", "admin"), ("CONFIRMED", "IN_REVIEW", "analyst"), ("IN_REVIEW", "OPEN", "analyst")]
    records = [json.loads(line) for line in audit_path.read_text().splitlines()]
    decisions = [r for r in records if r["operation"] == "setCaseStatus" and r.get("cluster_id") == cluster]
    assert ("CONFIRMED", "IN_REVIEW") in {(r.get("status"), r.get("previous_status")) for r in decisions}
    assert "cards reused" not in audit_path.read_text(), "the reason stays in the graph, not the audit log"


def test_dismissing_needs_the_dismiss_role(gql: GraphQL, fixture_graph: Database, api_settings: Settings,
                                           api_keys: dict[str, str], audit_path: Path) -> None:
    cluster = fx.FILLER[0]
    reset_case(fixture_graph, cluster)
    dismiss = {"id": cluster, "status": "DISMISSED", "reason": "a family sharing one card"}
    body = gql(SET_STATUS, dismiss, role="analyst")
    assert error_codes(body) == ["FORBIDDEN"] and "admin" in body["errors"][0]["message"], body
    assert status_of(gql, cluster) == "OPEN" and gql.data(HISTORY, {"id": cluster})["cluster"]["notes"] == []
    last = json.loads(audit_path.read_text().splitlines()[-1])
    assert (last["operation"], last["outcome"], last["actor"]) == ("setCaseStatus", "FORBIDDEN", "test-analyst")
    assert gql.data(SET_STATUS, dismiss, role="admin")["setCaseStatus"]["cluster"]["caseStatus"] == "DISMISSED"
    # An analyst may confirm (that only strengthens the checks), not undo a dismissal's opposite.
    reset_case(fixture_graph, cluster)
    confirm = {"id": cluster, "status": "CONFIRMED", "reason": "same proxy exits as the campaign"}
    gql.data(SET_STATUS, confirm, role="analyst")
    body = gql(SET_STATUS, {"id": cluster, "status": "IN_REVIEW", "reason": "second look"}, role="analyst")
    assert error_codes(body) == ["FORBIDDEN"] and status_of(gql, cluster) == "CONFIRMED"

    # An admin may let analysts dismiss.
    reset_case(fixture_graph, cluster)
    relaxed = api_settings.model_copy(update={"api_dismiss_role": "analyst"})
    with serve_app(create_app(relaxed)) as client:
        relaxed_gql = GraphQL(client, api_keys)
        changed = relaxed_gql.data(SET_STATUS, dismiss, role="analyst")["setCaseStatus"]
    assert changed["cluster"]["caseStatus"] == "DISMISSED" and changed["note"]["authorRole"] == "analyst"
    reset_case(fixture_graph, cluster)


def test_case_decisions_change_what_checks_answer(gql: GraphQL, fixture_graph: Database) -> None:
    card = {"input": {"paymentFingerprint": fx.CAMPAIGN_CARDS[0]}}
    ip = {"input": {"ip": fx.DATACENTER_IP}}
    reset_case(fixture_graph, fx.CAMPAIGN)
    reset_case(fixture_graph, fx.REVIEW)
    try:
        assert gql.data(CHECK, card)["check"]["verdict"] == "BLOCK"
        gql.data(SET_STATUS, {"id": fx.CAMPAIGN, "status": "DISMISSED", "reason": "test traffic"}, role="admin")
        dismissed = gql.data(CHECK, card)["check"]
        assert dismissed["verdict"] == "ALLOW" and dismissed["risk"] < 0.1, dismissed
        gql.data(SET_STATUS, {"id": fx.CAMPAIGN, "status": "OPEN", "reason": "it was not"}, role="admin")
        assert gql.data(CHECK, card)["check"]["verdict"] == "BLOCK"

        before = gql.data(CHECK, ip)["check"]
        gql.data(SET_STATUS, {"id": fx.REVIEW, "status": "CONFIRMED", "reason": "one operator"}, role="analyst")
        after = gql.data(CHECK, ip)["check"]
        assert after["risk"] > before["risk"] and after["matchedClusters"][0]["caseStatus"] == "CONFIRMED"
    finally:
        reset_case(fixture_graph, fx.CAMPAIGN)
        reset_case(fixture_graph, fx.REVIEW)


def test_a_viewers_check_is_no_email_oracle(gql: GraphQL) -> None:
    def check(email: str, role: str = "viewer") -> dict[str, Any]:
        return gql.data(CHECK, {"input": {"email": email}}, role=role)["check"]  # type: ignore[no-any-return]

    unknown = check(f"nobody-{secrets.token_hex(4)}@gmail.com")
    known_clean = check("alice@gmail.com")  # Alice's account is in the graph, in no cluster
    assert unknown == known_clean == {"risk": 0.0, "verdict": "ALLOW", "matchedClusters": [], "reasons": []}
    unknown_domain = check(f"nobody@{secrets.token_hex(4)}.example")
    assert unknown_domain == unknown
    employee = check("dev3@acme.example")  # known, in a benign cluster
    assert employee == unknown

    campaign = check("camp3@mailbox-temp.io")
    assert campaign["verdict"] in ("REVIEW", "BLOCK") and campaign["reasons"] == []
    assert campaign["matchedClusters"][0]["clusterId"] == fx.CAMPAIGN
    for role in ("analyst", "admin"):
        assert "EMAIL" in {reason["kind"] for reason in check("camp3@mailbox-temp.io", role)["reasons"]}
    account = gql.data(CHECK, {"input": {"accountId": "acct-camp-005"}})["check"]
    assert account["verdict"] == "BLOCK" and account["reasons"] == []


@pytest.mark.parametrize("status", ["CONFIRMED", "DISMISSED"])
def test_viewers_cannot_decide(gql: GraphQL, status: str) -> None:
    body = gql(SET_STATUS, {"id": fx.FILLER[1], "status": status, "reason": "no"}, role="viewer")
    assert error_codes(body) == ["FORBIDDEN"]
