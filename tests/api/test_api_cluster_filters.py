"""`clusters(filter:, orderBy:)` on the fixture graph plus four clusters shaped as detection's switch leaves them
(growth, last change, retirement, a worked case): each filter keeps exactly the clusters it should, retired
clusters stay hidden unless asked for, GROWTH_DESC orders by size change across pages, bad ranges are
BAD_USER_INPUT, and values reach Cypher only as parameters."""

from __future__ import annotations

from typing import Any

import pytest

from app.api.main import create_app
from graph.db import Database
from graph.queries import get_query
from graph.settings import Settings
from tests.api import graph_fixture as fx
from tests.api.conftest import GraphQL, error_codes, serve_app
from tests.cypher import write

PAGE = """query($filter: ClusterFilter, $order: ClusterOrder! = SCORE_DESC, $after: String) {
  clusters(filter: $filter, orderBy: $order, first: 10, after: $after) {
    totalCount
    edges { cursor node { id size score growth lastChangedAt retired caseStatus assignee priority } }
    pageInfo { hasNextPage endCursor } } }"""

SHAPED = [  # cluster id, size, score, growth, changed at, first seen, retired, status, assignee, priority
    ("cl-x-grown", 12, 0.70, 7, "2026-11-10T00:00:00Z", "2026-11-01T00:00:00Z", False, "IN_REVIEW", "jdoe", "HIGH"),
    ("cl-x-new", 6, 0.65, 6, "2026-11-12T00:00:00Z", "2026-11-05T00:00:00Z", False, "OPEN", None, None),
    ("cl-x-shrunk", 3, 0.60, -4, "2026-11-11T00:00:00Z", "2026-10-01T00:00:00Z", False, "OPEN", "asmith", "LOW"),
    ("cl-x-retired", 0, 0.80, -9, "2026-11-12T00:00:00Z", "2026-10-01T00:00:00Z", True, "CONFIRMED", "jdoe",
     "HIGH"),
]
FIXTURE_CLUSTERS = [fx.CAMPAIGN, fx.COMPANY, fx.REVIEW, *fx.FILLER]


@pytest.fixture(scope="module")
def shaped(fixture_graph: Database) -> Database:
    write(fixture_graph, """
        UNWIND $rows AS row
        CREATE (c:Cluster {cluster_id: row[0], size: row[1], score: row[2], growth: row[3],
                           changed_at: datetime(row[4]), first_seen: datetime(row[5]), retired: row[6],
                           case_status: row[7], case_assignee: row[8], case_priority: row[9],
                           last_seen: datetime('2026-11-20T00:00:00Z'), detected_at: datetime(row[4]),
                           verdict: 'suspicious', evidence: '[]', signals: [], capabilities: [],
                           proxy_networks: []})""", {"rows": [list(row) for row in SHAPED]})
    return fixture_graph


def every(gql: GraphQL, filter: dict[str, Any] | None = None, order: str = "SCORE_DESC") -> list[dict[str, Any]]:
    """Every cluster the filter keeps, in order, page after page (the test page cap is 10)."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = gql.data(PAGE, {"filter": filter, "order": order, "after": after})["clusters"]
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(nodes), "totalCount counts what the pages return"
            return nodes
        after = page["pageInfo"]["endCursor"]


def ids(gql: GraphQL, filter: dict[str, Any] | None = None) -> set[str]:
    return {node["id"] for node in every(gql, filter)}


def test_retired_clusters_are_hidden_unless_asked_for(gql: GraphQL, shaped: Database) -> None:
    listed = ids(gql)
    assert listed == set(FIXTURE_CLUSTERS) | {"cl-x-grown", "cl-x-new", "cl-x-shrunk"}
    with_retired = every(gql, {"includeRetired": True})
    assert {node["id"] for node in with_retired} == listed | {"cl-x-retired"}
    retired = next(node for node in with_retired if node["id"] == "cl-x-retired")
    assert retired["retired"] is True and retired["size"] == 0
    assert ids(gql, {"minScore": 0.75}) == {fx.CAMPAIGN}
    assert ids(gql, {"minScore": 0.75, "includeRetired": True}) == {fx.CAMPAIGN, "cl-x-retired"}


def test_case_filters(gql: GraphQL, shaped: Database) -> None:
    assert ids(gql, {"caseStatus": ["IN_REVIEW"]}) == {"cl-x-grown"}
    assert ids(gql, {"caseStatus": ["CONFIRMED"]}) == set()
    assert ids(gql, {"caseStatus": ["CONFIRMED", "IN_REVIEW"], "includeRetired": True}) == {
        "cl-x-grown", "cl-x-retired"}
    assert ids(gql, {"caseStatus": ["OPEN"]}) == set(FIXTURE_CLUSTERS) | {"cl-x-new", "cl-x-shrunk"}
    assert ids(gql, {"assignee": "jdoe"}) == {"cl-x-grown"}
    assert ids(gql, {"assignee": "jdoe", "includeRetired": True}) == {"cl-x-grown", "cl-x-retired"}
    assert ids(gql, {"assignee": "nobody-here"}) == set()
    assert ids(gql, {"unassigned": True, "minScore": 0.6}) == {fx.CAMPAIGN, "cl-x-new"}
    assert ids(gql, {"priority": ["LOW", "CRITICAL"]}) == {"cl-x-shrunk"}
    assert ids(gql, {"priority": ["HIGH"], "verdict": "SUSPICIOUS"}) == {"cl-x-grown"}


def test_score_and_size_ranges_include_both_ends(gql: GraphQL, shaped: Database) -> None:
    assert ids(gql, {"minScore": 0.6, "maxScore": 0.7}) == {"cl-x-grown", "cl-x-new", "cl-x-shrunk"}
    assert ids(gql, {"maxScore": 0.3}) == {fx.COMPANY} | set(fx.FILLER[0::3])
    assert ids(gql, {"minSize": 3, "maxSize": 8}) == {fx.COMPANY, fx.REVIEW, "cl-x-new", "cl-x-shrunk"}
    assert ids(gql, {"minSize": 13}) == {fx.CAMPAIGN}
    assert ids(gql, {"maxSize": 0, "includeRetired": True}) == {"cl-x-retired"}


def test_first_seen_and_last_changed_time_ranges(gql: GraphQL, shaped: Database) -> None:
    assert ids(gql, {"firstSeenAfter": "2026-11-01T00:00:00Z"}) == {"cl-x-grown", "cl-x-new"}
    assert ids(gql, {"firstSeenAfter": "2026-10-02T00:00:00Z", "firstSeenBefore": "2026-11-01T00:00:00Z"}) \
        == set(FIXTURE_CLUSTERS), "the end of a range is excluded"
    assert ids(gql, {"changedAfter": "2026-11-11T00:00:00Z"}) == {"cl-x-new", "cl-x-shrunk"}
    assert ids(gql, {"changedAfter": "2026-11-11T00:00:00Z", "includeRetired": True}) == {
        "cl-x-new", "cl-x-shrunk", "cl-x-retired"}
    # Clusters no run has marked yet count as changed when detection last wrote them (2026-10-29).
    assert ids(gql, {"changedBefore": "2026-11-01T00:00:00Z"}) == set(FIXTURE_CLUSTERS)
    assert ids(gql, {"changedAfter": "2026-10-29T00:00:00Z", "changedBefore": "2026-11-11T00:00:00Z"}) == \
        set(FIXTURE_CLUSTERS) | {"cl-x-grown"}
    campaign = next(node for node in every(gql, {"minScore": 0.9}))
    assert campaign["lastChangedAt"].startswith("2026-10-29")


def test_growth_orders_across_pages(gql: GraphQL, shaped: Database) -> None:
    ordered = every(gql, order="GROWTH_DESC")
    assert [node["id"] for node in ordered[:2]] == ["cl-x-grown", "cl-x-new"]
    assert ordered[-1]["id"] == "cl-x-shrunk" and ordered[-1]["growth"] == -4
    # Clusters without a recorded growth sort as 0, ties by id; the retired one is not listed.
    middle = ordered[2:-1]
    assert [node["id"] for node in middle] == sorted(FIXTURE_CLUSTERS)
    assert all(node["growth"] is None for node in middle)
    with_retired = every(gql, {"includeRetired": True}, order="GROWTH_DESC")
    assert with_retired[-1]["id"] == "cl-x-retired" and with_retired[-1]["growth"] == -9
    # A cursor belongs to its ordering.
    cursor = gql.data(PAGE, {"order": "GROWTH_DESC"})["clusters"]["pageInfo"]["endCursor"]
    assert error_codes(gql(PAGE, {"order": "SIZE_DESC", "after": cursor})) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("filter", [
    {"minScore": 0.8, "maxScore": 0.2}, {"minSize": 10, "maxSize": 2}, {"minSize": -1}, {"maxScore": 1.5},
    {"firstSeenAfter": "2026-11-01T00:00:00Z", "firstSeenBefore": "2026-11-01T00:00:00Z"},
    {"changedAfter": "2026-11-02T00:00:00Z", "changedBefore": "2026-11-01T00:00:00Z"},
    {"assignee": "jane.doe@example.com"}, {"assignee": "jdoe", "unassigned": True}, {"assignee": ""},
])
def test_bad_filters_are_bad_user_input(gql: GraphQL, shaped: Database, filter: dict[str, Any]) -> None:
    body = gql(PAGE, {"filter": filter})
    assert error_codes(body) == ["BAD_USER_INPUT"], body
    assert body["data"] is None


def test_filter_values_are_parameters(gql: GraphQL, shaped: Database) -> None:
    for hostile in ("x' OR 1=1 //", "') RETURN c //", "relaymesh' OR true OR '"):
        assert ids(gql, {"proxyNetwork": hostile}) == set()
        assert ids(gql, {"capability": hostile}) == set()
    assert ids(gql, {"proxyNetwork": "relaymesh"}) == {fx.CAMPAIGN}


def test_page_cap_and_cost_limit_hold_with_filters(gql: GraphQL, shaped: Database, api_settings: Settings,
                                                   api_keys: dict[str, str]) -> None:
    page = gql.data("""{ clusters(first: 1000, filter: {maxScore: 1.0}) { edges { node { id } } } }""")
    assert len(page["clusters"]["edges"]) == 10, "capped at LINKAGE_API_PAGE_CAP"
    # This costs 331 objects (app/api/cost.py) at a page cap of 10: within 400; 441 with a second members list.
    members = """{ clusters(first: 10, filter: {includeRetired: true, minSize: 0}, orderBy: GROWTH_DESC) {
      edges { node { id members(first: 10) { edges { node { account { id } } } } } } } }"""
    strict = api_settings.model_copy(update={"api_max_cost": 400})
    with serve_app(create_app(strict)) as client:
        limited = GraphQL(client, api_keys)
        assert len(limited.data(members)["clusters"]["edges"]) == 10
        twice = members.replace("{ id members", "{ id other: members(first: 10) { nodes { weight } } members")
        body = limited(twice)
    assert error_codes(body) == ["COST_LIMIT_EXCEEDED"] and body["data"] is None, body


@pytest.mark.parametrize("filters", [{}, {"verdict": "suspicious"}, {"include_retired": True},
                                     {"min_size": 3, "case_statuses": ["OPEN", "IN_REVIEW"]}])
def test_the_score_index_path_pages_as_the_general_query(shaped: Database, filters: dict[str, Any]) -> None:
    """The default order reads the score index (api_clusters_page_by_score); page after page, with ties in
    score, it returns what the general query's SCORE_DESC branch returns."""
    params: dict[str, Any] = {
        "verdict": None, "case_statuses": None, "assignee": None, "unassigned": False, "priorities": None,
        "min_size": None, "max_size": None, "min_score": None, "max_score": None, "capability": None,
        "proxy_network": None, "seen_after": None, "first_seen_after": None, "first_seen_before": None,
        "changed_after": None, "changed_before": None, "include_retired": False, **filters, "limit": 3}
    write(shaped, "MATCH (c:Cluster {cluster_id: 'cl-x-new'}) SET c.score = 0.7")  # a tie with cl-x-grown
    pages = 0
    after: tuple[Any, Any] = (None, None)
    seen: list[str] = []
    while True:
        page = {"after_key": after[0], "after_id": after[1]}
        fast = shaped.run(get_query("api_clusters_page_by_score"), {**params, **page})
        general = shaped.run(get_query("api_clusters_page"), {**params, **page, "order": "SCORE_DESC"})
        assert [(r["cluster"]["cluster_id"], r["sort_key"]) for r in fast] == \
               [(r["cluster"]["cluster_id"], r["sort_key"]) for r in general]
        if not fast:
            break
        seen += [r["cluster"]["cluster_id"] for r in fast]
        after = (fast[-1]["sort_key"], fast[-1]["cluster"]["cluster_id"])
        pages += 1
    assert pages >= 2 and len(seen) == len(set(seen))
    write(shaped, "MATCH (c:Cluster {cluster_id: 'cl-x-new'}) SET c.score = 0.65")
