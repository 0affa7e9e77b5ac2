"""One convention across the schema: Relay connections (edges, node, pageInfo, opaque cursors) for clusters,
members and accounts; enums, not strings, for verdicts, case statuses and reason kinds in `check`; counts past
2^31 (tokens, requests) arrive exact as the Long scalar."""

from __future__ import annotations

import base64
from typing import Any

from graphql import GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLObjectType, get_named_type

from app.api.schema import build_schema
from graph.db import Database
from tests.api import graph_fixture as fx
from tests.api.conftest import GraphQL, error_codes
from tests.cypher import write

MEMBERS = """query($after: String) { cluster(id: "cl-campaign-1") {
  members(first: 10, after: $after) { totalCount edges { cursor node { weight account { id } } }
    nodes { account { id } } pageInfo { hasNextPage endCursor } } } }"""
ACCOUNTS = """query($after: String) { infrastructure(kind: PROXY_NETWORK, value: "relaymesh", first: 10,
  after: $after) { accounts { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }"""


def walk(gql: GraphQL, query: str, path: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Every node id and cursor of a connection, page by page through endCursor."""
    ids: list[str] = []
    cursors: list[str] = []
    after = None
    while True:
        connection: Any = gql.data(query, {"after": after})
        for name in path:
            connection = connection[name]
        for edge in connection["edges"]:
            node = edge["node"]
            ids.append(node["account"]["id"] if "account" in node else node["id"])
            cursors.append(edge["cursor"])
        assert connection["pageInfo"]["endCursor"] == (cursors[-1] if connection["edges"] else None)
        if not connection["pageInfo"]["hasNextPage"]:
            assert connection["totalCount"] == len(ids)
            return ids, cursors
        after = connection["pageInfo"]["endCursor"]


def test_members_and_accounts_are_relay_connections_with_opaque_cursors(gql: GraphQL, fixture_graph: Database) \
        -> None:
    members, cursors = walk(gql, MEMBERS, ("cluster", "members"))
    assert members == fx.CAMPAIGN_ACCOUNTS
    assert not set(cursors) & set(members), "a cursor is not the account id"
    assert all(base64.urlsafe_b64decode(cursor) for cursor in cursors)
    first = gql.data(MEMBERS)["cluster"]["members"]
    assert [n["account"]["id"] for n in first["nodes"]] == [e["node"]["account"]["id"] for e in first["edges"]]
    accounts, account_cursors = walk(gql, ACCOUNTS, ("infrastructure", "accounts"))
    assert accounts == sorted(fx.CAMPAIGN_ACCOUNTS)
    # A raw id, or a cursor of another list, is no cursor.
    assert error_codes(gql(MEMBERS, {"after": fx.CAMPAIGN_ACCOUNTS[3]})) == ["BAD_USER_INPUT"]
    assert error_codes(gql(MEMBERS, {"after": account_cursors[0]})) == ["BAD_USER_INPUT"]
    assert error_codes(gql(ACCOUNTS, {"after": cursors[0]})) == ["BAD_USER_INPUT"]


def test_every_connection_has_edges_nodes_and_page_info() -> None:
    schema = build_schema()._schema
    connections = {name: kind for name, kind in schema.type_map.items()
                   if name.endswith("Connection") and isinstance(kind, GraphQLObjectType)}
    assert {"ClusterConnection", "MemberConnection", "AccountConnection"} <= set(connections)
    for name, kind in connections.items():
        assert {"edges", "pageInfo"} <= set(kind.fields), name
        edge = get_named_type(kind.fields["edges"].type)
        assert isinstance(edge, GraphQLObjectType) and set(edge.fields) == {"cursor", "node"}, name


def test_check_results_use_enums() -> None:
    schema = build_schema()._schema
    expected = {("CheckCluster", "verdict"): "Verdict", ("CheckCluster", "caseStatus"): "CaseStatus",
                ("CheckReason", "kind"): "CheckReasonKind", ("CheckReason", "clusterVerdict"): "Verdict",
                ("CheckResult", "verdict"): "CheckVerdict"}
    for (type_name, field), enum in expected.items():
        kind = schema.type_map[type_name]
        assert isinstance(kind, GraphQLObjectType)
        named = get_named_type(kind.fields[field].type)
        assert isinstance(named, GraphQLEnumType) and named.name == enum, (type_name, field)


def test_check_answers_with_enum_values(gql: GraphQL, fixture_graph: Database) -> None:
    result = gql.data("""query($input: CheckInput!) { check(input: $input) {
      matchedClusters { clusterId verdict caseStatus } reasons { kind clusterVerdict } } }""",
                      {"input": {"accountId": "acct-camp-005"}}, role="analyst")["check"]
    assert result["matchedClusters"][0] == {"clusterId": fx.CAMPAIGN, "verdict": "SUSPICIOUS", "caseStatus": "OPEN"}
    kinds = {reason["kind"] for reason in result["reasons"]}
    assert {"MEMBERSHIP", "PAYMENT_METHOD"} <= kinds
    assert {reason["clusterVerdict"] for reason in result["reasons"]} <= {"SUSPICIOUS", "REVIEW", "BENIGN", None}


def test_token_and_request_counts_past_32_bits_are_exact(gql: GraphQL, fixture_graph: Database) -> None:
    big = 2**31 * 3 + 7  # 6,442,450,951: past Int's 32 bits
    write(fixture_graph, """MATCH (a:Account {account_id: $id})
                            SET a.input_tokens = $big, a.output_tokens = $big * 2, a.requests = $big + 1""",
          {"id": fx.ALICE, "big": big})
    try:
        activity = gql.data("""{ account(id: "acct-alice") { activity { requests inputTokens outputTokens } } }""")
        assert activity["account"]["activity"] == {"requests": big + 1, "inputTokens": big, "outputTokens": 2 * big}
    finally:
        write(fixture_graph, """MATCH (a:Account {account_id: $id})
                                SET a.input_tokens = null, a.output_tokens = null, a.requests = 7""",
              {"id": fx.ALICE})
    schema = build_schema()._schema
    activity_type = schema.type_map["ActivitySummary"]
    assert isinstance(activity_type, GraphQLObjectType)
    for field in ("requests", "inputTokens", "outputTokens"):
        field_type = activity_type.fields[field].type
        assert not isinstance(field_type, GraphQLNonNull | GraphQLList)
        assert get_named_type(field_type).name == "Long"
