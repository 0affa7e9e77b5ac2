"""The audit record is part of the action: the API refuses to start without a writable trail, a case change
whose record cannot be written does not happen, and a retried mutation (same X-Request-ID) changes once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.api.main import create_app
from graph.db import Database
from graph.errors import AuditUnavailableError
from graph.settings import Settings
from tests.api import graph_fixture as fx
from tests.api.conftest import AsgiClient, GraphQL, error_codes, serve_app
from tests.cypher import read

SET_STATUS = """mutation($id: ID!, $status: CaseStatus!, $reason: String) {
  setCaseStatus(clusterId: $id, status: $status, reason: $reason) { cluster { id caseStatus } } }"""
ADD_NOTE = """mutation($id: ID!, $text: String!) { addNote(clusterId: $id, text: $text) { note { id } } }"""


@contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """Make `path` impossible to append to, even for root: a directory takes its place for the block."""
    saved = path.with_name(path.name + ".saved")
    if path.exists():
        path.rename(saved)
    path.mkdir()
    try:
        yield
    finally:
        path.rmdir()
        if saved.exists():
            saved.rename(path)


def records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.is_file() else []


@pytest.fixture()
def audited(fixture_graph: Database, api_keys: dict[str, str], neo4j_settings: Settings,
            tmp_path: Path) -> Iterator[tuple[AsgiClient, GraphQL, Path]]:
    audit = tmp_path / "audit.jsonl"
    with serve_app(create_app(neo4j_settings.model_copy(update={"audit_log": audit}))) as client:
        yield client, GraphQL(client, api_keys), audit


def case(database: Database, cluster_id: str) -> tuple[str, int]:
    row = read(database, "MATCH (c:Cluster {cluster_id: $id}) RETURN c.case_status AS status, "
                         "COUNT { (c)<-[:NOTE_ON]-(:CaseNote) } AS notes", {"id": cluster_id})[0]
    return row["status"], row["notes"]


def test_the_api_refuses_to_start_without_a_writable_audit_trail(neo4j_settings: Settings,
                                                                  tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    app = create_app(neo4j_settings.model_copy(update={"audit_log": audit}))
    with unwritable(audit), pytest.raises(AuditUnavailableError, match="cannot be written"), serve_app(app):
        pass
    with serve_app(app) as client:  # writable again: it starts
        assert client.get("/healthz").json() == {"status": "ok"}
    assert audit.stat().st_mode & 0o077 == 0, "the trail is readable by its owner only"


def test_a_change_whose_audit_record_cannot_be_written_does_not_happen(
        audited: tuple[AsgiClient, GraphQL, Path], fixture_graph: Database) -> None:
    client, gql, audit = audited
    before = case(fixture_graph, fx.REVIEW)
    confirm = {"id": fx.REVIEW, "status": "CONFIRMED", "reason": "one operator behind the DC IP"}
    headers = {"Authorization": f"Bearer {gql.keys['analyst']}"}
    with unwritable(audit):
        for payload in ({"query": SET_STATUS, "variables": confirm},
                        {"query": ADD_NOTE, "variables": {"id": fx.REVIEW, "text": "unrecorded"}}):
            response = client.post("/graphql", json=payload, headers=headers)
            # The server cannot act now (503, like a database outage); where its trail lives is not said.
            assert response.status_code == 503 and error_codes(response.json()) == ["AUDIT_UNAVAILABLE"]
            assert str(audit) not in response.text
    assert case(fixture_graph, fx.REVIEW) == before, "neither the status nor a note changed"
    assert records(audit) == []
    changed = gql.data(SET_STATUS, confirm, role="analyst")["setCaseStatus"]
    assert changed["cluster"]["caseStatus"] == "CONFIRMED"
    trail = [(r["operation"], r["outcome"], r["cluster_id"]) for r in records(audit)]
    assert trail == [("setCaseStatus", "started", fx.REVIEW), ("setCaseStatus", "ok", fx.REVIEW)]
    assert len({r["request_id"] for r in records(audit)}) == 1, "both records carry the request id"


def test_a_retried_mutation_changes_once(audited: tuple[AsgiClient, GraphQL, Path], fixture_graph: Database,
                                         api_keys: dict[str, str]) -> None:
    client, _, audit = audited
    _, notes_before = case(fixture_graph, fx.CAMPAIGN)
    headers = {"Authorization": f"Bearer {api_keys['analyst']}", "X-Request-ID": "retry-test-0001"}
    payload = {"query": ADD_NOTE, "variables": {"id": fx.CAMPAIGN, "text": "seen again"}}
    first = client.post("/graphql", json=payload, headers=headers).json()
    again = client.post("/graphql", json=payload, headers=headers).json()
    assert "errors" not in first and "errors" not in again
    assert first["data"]["addNote"]["note"]["id"] == again["data"]["addNote"]["note"]["id"]
    assert case(fixture_graph, fx.CAMPAIGN)[1] == notes_before + 1
    other = client.post("/graphql", json=payload, headers={**headers, "X-Request-ID": "retry-test-0002"}).json()
    assert other["data"]["addNote"]["note"]["id"] != first["data"]["addNote"]["note"]["id"]
    assert case(fixture_graph, fx.CAMPAIGN)[1] == notes_before + 2, "a new request is a new note"
    assert [r["outcome"] for r in records(audit)] == ["started", "ok"] * 3
