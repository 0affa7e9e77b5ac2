"""Every read operation returns the right values for the campaign cluster, a campaign account and a
legitimate account of the fixture graph (tests/api/graph_fixture.py)."""

from __future__ import annotations

from graph.db import Database
from graph.queries import get_query
from tests.api import graph_fixture as fx
from tests.api.conftest import GraphQL, error_codes

CLUSTER_PAGE = """
query Page($first: Int, $after: String, $filter: ClusterFilter) {
  clusters(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id score verdict size } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def test_clusters_are_ordered_by_score_then_id_and_filtered(gql: GraphQL) -> None:
    data = gql.data(CLUSTER_PAGE, {"first": 3})["clusters"]
    assert [edge["node"]["id"] for edge in data["edges"]] == [fx.CAMPAIGN, fx.REVIEW, "cl-filler-02"]
    assert data["totalCount"] == 27
    suspicious = gql.data(CLUSTER_PAGE, {"filter": {"verdict": "SUSPICIOUS"}})["clusters"]
    assert [edge["node"]["id"] for edge in suspicious["edges"]] == [fx.CAMPAIGN]
    by_proxy = gql.data(CLUSTER_PAGE, {"filter": {"proxyNetwork": "relaymesh", "minSize": 10}})["clusters"]
    assert by_proxy["totalCount"] == 1
    by_capability = gql.data(CLUSTER_PAGE, {"filter": {"capability": "coding"}})["clusters"]
    assert [edge["node"]["id"] for edge in by_capability["edges"]] == [fx.COMPANY]


def test_cluster_pagination_is_stable_and_capped(gql: GraphQL) -> None:
    seen: list[str] = []
    after = None
    while True:
        page = gql.data(CLUSTER_PAGE, {"first": 1000, "after": after})["clusters"]
        assert len(page["edges"]) <= 10  # api_page_cap in the test settings
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 27
    scores = [(-s, i) for s, i in ((gql_score, ident) for ident, gql_score in _scores(gql).items())]
    assert seen == [ident for _, ident in sorted(scores)]
    # The same cursor always gives the same next page.
    first = gql.data(CLUSTER_PAGE, {"first": 4})["clusters"]["pageInfo"]["endCursor"]
    again = [gql.data(CLUSTER_PAGE, {"first": 4, "after": first})["clusters"]["edges"] for _ in range(2)]
    assert again[0] == again[1]


def _scores(gql: GraphQL) -> dict[str, float]:
    ids = [fx.CAMPAIGN, fx.COMPANY, fx.REVIEW, *fx.FILLER]
    return {
        ident: gql.data("query($id: ID!) { cluster(id: $id) { score } }", {"id": ident})["cluster"]["score"]
        for ident in ids
    }


def test_bad_cursor_is_bad_input(gql: GraphQL) -> None:
    assert error_codes(gql(CLUSTER_PAGE, {"after": "not-a-cursor"})) == ["BAD_USER_INPUT"]


def test_campaign_cluster_detail(gql: GraphQL) -> None:
    cluster = gql.data(
        """
    query($id: ID!) { cluster(id: $id) {
      id size score verdict signals caseStatus proxyNetworks
      evidence { signal score summary metrics { key value number } }
      members(first: 4) { totalCount nodes { weight account { id country } }
        pageInfo { hasNextPage endCursor } }
      infrastructure(top: 3) {
        paymentMethods { value memberCount detail } ips { value memberCount proxyNetwork }
        proxyNetworks { value memberCount } templates { value memberCount } capabilities { value memberCount }
        clientFingerprints { value memberCount } }
      timeline(resolution: HOUR) { start requests }
      buckets: timeline { requests }
      notes { id }
    } }""",
        {"id": fx.CAMPAIGN},
    )["cluster"]
    assert cluster["size"] == 30 and cluster["score"] == 0.92 and cluster["verdict"] == "SUSPICIOUS"
    assert cluster["signals"][0] == "shared_payment"
    assert cluster["evidence"][0]["metrics"][0] == {"key": "cards", "value": "3", "number": 3.0}
    assert cluster["members"]["totalCount"] == 30
    assert [node["account"]["id"] for node in cluster["members"]["nodes"]] == fx.CAMPAIGN_ACCOUNTS[:4]
    infra = cluster["infrastructure"]
    assert {item["value"] for item in infra["paymentMethods"]} == set(fx.CAMPAIGN_CARDS)
    assert all(item["memberCount"] == 10 for item in infra["paymentMethods"])
    assert infra["proxyNetworks"] == [{"value": "relaymesh", "memberCount": 30}]
    assert infra["clientFingerprints"] == [{"value": fx.CAMPAIGN_CLIENT, "memberCount": 30}]
    assert infra["ips"][0]["proxyNetwork"] == "relaymesh"
    # 30 members x (25+25) in the first hour, x (30+30) in the second.
    assert [point["requests"] for point in cluster["timeline"]] == [1500, 1800]
    assert [point["requests"] for point in cluster["buckets"]] == [750, 750, 900, 900]


def test_infrastructure_computes_only_the_kinds_asked_for(gql: GraphQL) -> None:
    """Kinds selected through a named fragment, an inline fragment and an alias answer as in the full
    query; the kinds not selected are not computed (the query's guards), which the answer cannot show
    but the same values with and without them can."""
    query = """
    fragment Cards on SharedInfrastructure { paymentMethods { value memberCount } }
    query($id: ID!) { cluster(id: $id) {
      some: infrastructure(top: 3) { ...Cards ... on SharedInfrastructure { proxyNetworks { value memberCount } } }
      all: infrastructure(top: 3) { paymentMethods { value memberCount } proxyNetworks { value memberCount }
                                    templates { value } ips { value } }
    } }"""
    cluster = gql.data(query, {"id": fx.CAMPAIGN})["cluster"]
    assert set(cluster["some"]) == {"paymentMethods", "proxyNetworks"}
    assert cluster["some"]["paymentMethods"] == cluster["all"]["paymentMethods"]
    assert {item["value"] for item in cluster["some"]["paymentMethods"]} == set(fx.CAMPAIGN_CARDS)
    assert cluster["some"]["proxyNetworks"] == cluster["all"]["proxyNetworks"] == [
        {"value": "relaymesh", "memberCount": 30}]
    assert cluster["all"]["templates"] and cluster["all"]["ips"]


def test_infrastructure_query_skips_kinds_not_named(fixture_graph: Database) -> None:
    rows = fixture_graph.run(get_query("api_cluster_infrastructure"),
                             {"ids": [fx.CAMPAIGN], "top": 3, "kinds": ["payment_methods"]})
    assert len(rows) == 1 and {item["value"] for item in rows[0]["payment_methods"]} == set(fx.CAMPAIGN_CARDS)
    assert rows[0]["ips"] == rows[0]["templates"] == rows[0]["proxy_networks"] == []


def test_members_paginate(gql: GraphQL) -> None:
    query = """query($after: String) { cluster(id: "cl-campaign-1") {
        members(first: 25, after: $after) { nodes { account { id } }
        pageInfo { hasNextPage endCursor } } } }"""
    first = gql.data(query)["cluster"]["members"]
    assert len(first["nodes"]) == 10 and first["pageInfo"]["hasNextPage"]
    second = gql.data(query, {"after": first["pageInfo"]["endCursor"]})["cluster"]["members"]
    assert second["nodes"][0]["account"]["id"] == fx.CAMPAIGN_ACCOUNTS[10]


ACCOUNT = """query($id: ID!) { account(id: $id) {
  id country emailDomain org
  activity { requests activeBuckets peakBucketRequests }
  paymentMethods { fingerprint kind sharedBy }
  ips { address kind proxyNetwork signup requests sharedBy }
  clientFingerprints { value sharedBy } templates { value sharedBy } models { value requests }
  apiKeys { value sharedBy }
  clusters { weight cluster { id verdict } }
  linkedAccounts(first: 5) { strength via { kind value sharedBy } account { id } }
} }"""


def test_campaign_account(gql: GraphQL) -> None:
    account = gql.data(ACCOUNT, {"id": "acct-camp-001"})["account"]
    assert account["emailDomain"] == "mailbox-temp.io"
    assert account["activity"] == {"requests": 110, "activeBuckets": 4, "peakBucketRequests": 30}
    assert account["paymentMethods"] == [{"fingerprint": "pm-tok-77be02", "kind": "card", "sharedBy": 10}]
    assert account["ips"] == [
        {
            "address": "185.220.10.2",
            "kind": "residential",
            "proxyNetwork": "relaymesh",
            "signup": True,
            "requests": 110,
            "sharedBy": 3,
        }
    ]
    assert account["clientFingerprints"] == [{"value": fx.CAMPAIGN_CLIENT, "sharedBy": 30}]
    assert account["clusters"] == [{"weight": 0.9, "cluster": {"id": fx.CAMPAIGN, "verdict": "SUSPICIOUS"}}]
    linked = account["linkedAccounts"]
    assert len(linked) == 5
    assert all(entry["account"]["id"].startswith("acct-camp-") for entry in linked)
    # The strongest links go through the rarest identifiers: the shared IP (3 accounts) or card (10).
    assert {via["kind"] for via in linked[0]["via"]} & {"IP", "PAYMENT_METHOD"}


def test_legitimate_account_links_only_through_hubs(gql: GraphQL) -> None:
    account = gql.data(ACCOUNT, {"id": fx.ALICE})["account"]
    assert account["clusters"] == []
    assert account["ips"][0]["sharedBy"] == 250 and account["ips"][0]["kind"] == "mobile"
    assert account["linkedAccounts"] == []  # the CGNAT IP and gmail.com are hubs
    hubs = gql.data("""{ account(id: "acct-alice") { linkedAccounts(first: 3, includeHubs: true, via: [IP]) {
        via { kind value } } } }""")["account"]["linkedAccounts"]
    assert len(hubs) == 3 and hubs[0]["via"] == [{"kind": "IP", "value": fx.CGNAT_IP}]


def test_linkage_paths_and_shared_identifiers(gql: GraphQL) -> None:
    linkage = gql.data("""{ linkage(a: "acct-camp-001", b: "acct-camp-011") {
        shared { kind value sharedBy } paths { links steps { kind value } } } }""")["linkage"]
    assert {"kind": "IP", "value": "185.220.10.2", "sharedBy": 3} in linkage["shared"]
    assert linkage["paths"] and all(path["links"] == 1 for path in linkage["paths"])
    assert linkage["paths"][0]["steps"][0] == {"kind": "ACCOUNT", "value": "acct-camp-001"}
    unrelated = gql.data("""{ linkage(a: "acct-alice", b: "acct-acme-00") { shared { kind } paths { links } }
        }""")["linkage"]
    assert unrelated == {"shared": [], "paths": []}


def test_infrastructure(gql: GraphQL) -> None:
    query = """query($kind: InfrastructureKind!, $value: String!) { infrastructure(kind: $kind, value: $value,
        first: 5) { value accounts { totalCount nodes { id } pageInfo { hasNextPage } }
        clusters { accounts cluster { id verdict } } } }"""
    proxy = gql.data(query, {"kind": "PROXY_NETWORK", "value": "relaymesh"})["infrastructure"]
    assert proxy["accounts"]["totalCount"] == 30 and proxy["accounts"]["pageInfo"]["hasNextPage"]
    assert proxy["clusters"] == [{"accounts": 30, "cluster": {"id": fx.CAMPAIGN, "verdict": "SUSPICIOUS"}}]
    network = gql.data(query, {"kind": "NETWORK", "value": "185.220.10.0/24"})["infrastructure"]
    assert network["accounts"]["totalCount"] == 30
    card = gql.data(query, {"kind": "PAYMENT_METHOD", "value": "pm-tok-4f1a9c"})["infrastructure"]
    assert card["accounts"]["totalCount"] == 10
    corporate = gql.data(query, {"kind": "IP", "value": fx.CORPORATE_IP})["infrastructure"]
    assert corporate["clusters"][0]["cluster"] == {"id": fx.COMPANY, "verdict": "BENIGN"}


CHECK = """query($input: CheckInput!) { check(input: $input) { risk verdict
  matchedClusters { clusterId verdict score contribution }
  reasons { kind value sharedBy clusterId clusterVerdict contribution } } }"""


def test_check_blocks_a_signup_with_a_campaign_card(gql: GraphQL) -> None:
    result = gql.data(CHECK, {"input": {"paymentFingerprint": "pm-tok-4f1a9c", "ip": fx.CGNAT_IP}},
                      role="analyst")["check"]
    assert result["verdict"] == "BLOCK" and result["risk"] >= 0.8
    assert result["matchedClusters"][0]["clusterId"] == fx.CAMPAIGN
    top = result["reasons"][0]
    assert (top["kind"], top["value"], top["sharedBy"], top["clusterVerdict"]) == (
        "PAYMENT_METHOD",
        "pm-tok-4f1a9c",
        10,
        "SUSPICIOUS",
    )


def test_check_allows_a_signup_on_a_cgnat_ip(gql: GraphQL) -> None:
    result = gql.data(CHECK, {"input": {"ip": fx.CGNAT_IP, "email": "newuser@gmail.com"}})["check"]
    assert result["verdict"] == "ALLOW" and result["risk"] < 0.1


def test_check_by_email_is_hashed_and_matches(gql: GraphQL) -> None:
    result = gql.data(CHECK, {"input": {"email": "  CAMP3@mailbox-temp.io "}}, role="analyst")["check"]
    email = [reason for reason in result["reasons"] if reason["kind"] == "EMAIL"]
    assert email and "@" not in email[0]["value"] and len(email[0]["value"]) == 64
    assert result["verdict"] in ("REVIEW", "BLOCK")


def test_check_accounts(gql: GraphQL) -> None:
    campaign = gql.data(CHECK, {"input": {"accountId": "acct-camp-005"}})["check"]
    assert campaign["verdict"] == "BLOCK"
    assert campaign["matchedClusters"][0]["clusterId"] == fx.CAMPAIGN
    employee = gql.data(CHECK, {"input": {"accountId": "acct-acme-03"}})["check"]
    assert employee["verdict"] == "ALLOW"
    alice = gql.data(CHECK, {"input": {"accountId": fx.ALICE}})["check"]
    assert alice["verdict"] == "ALLOW"


def test_check_needs_exactly_one_subject(gql: GraphQL) -> None:
    assert error_codes(gql(CHECK, {"input": {}})) == ["BAD_USER_INPUT"]
    assert error_codes(gql(CHECK, {"input": {"accountId": "x", "ip": "1.2.3.4"}})) == ["BAD_USER_INPUT"]
    assert error_codes(gql(CHECK, {"input": {"ip": "not-an-ip"}})) == ["BAD_USER_INPUT"]


def test_unknown_ids_are_not_found(gql: GraphQL) -> None:
    for query in (
        '{ cluster(id: "nope") { id } }',
        '{ account(id: "nope") { id } }',
        '{ linkage(a: "nope", b: "acct-alice") { paths { links } } }',
        '{ infrastructure(kind: IP, value: "9.9.9.9") { value } }',
        '{ check(input: {accountId: "nope"}) { risk } }',
    ):
        body = gql(query)
        assert error_codes(body) == ["NOT_FOUND"], body
        assert "nope" in body["errors"][0]["message"] or "9.9.9.9" in body["errors"][0]["message"]
