"""The query library on the real server: every `queries/*.cypher` plans (EXPLAIN) and declares exactly the
parameters it uses; every `queries/browse_*.cypher` runs on detected synthetic data and returns a graph
small enough for Neo4j Browser (at most 300 nodes), even for a 20,000-member cluster."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import neo4j
import pytest
from neo4j import Query as DriverQuery
from neo4j.graph import Node, Relationship
from neo4j.graph import Path as GraphPath

from graph.db import Database
from graph.queries import QUERIES_DIR, get_query, load_queries, parse_query
from tests.conftest import LoadDataset, forget_graph_contents
from tests.cypher import read, write

MAX_BROWSER_NODES = 300
BIG_CLUSTER = "cl_browse_big"
BIG_MEMBERS = 20_000
BIG_PROXY = "bigproxy"
# The server names every parameter an EXPLAIN was not given: 01N60 "... undefined parameter(s) $`a`, $`b`".
_MISSING_PARAM = re.compile(r"\$`([^`]*)`")

FILES = sorted(QUERIES_DIR.glob("*.cypher"))
BROWSE_NAMES = sorted(name for name in load_queries() if name.startswith("browse_"))


def server_missing_params(database: Database, text: str) -> set[str]:
    """EXPLAIN `text` without parameters; return the parameters the server says it would need."""
    # The app's driver turns notifications off; this session asks for warnings, where 01N60 is.
    with database.driver.session(database=database.name, notifications_min_severity="WARNING") as session:
        summary = session.run(DriverQuery("EXPLAIN " + text, timeout=30)).consume()  # type: ignore[arg-type]
    missing: set[str] = set()
    for status in summary.gql_status_objects:
        if status.gql_status == "01N60":
            missing.update(_MISSING_PARAM.findall(status.status_description))
    return missing


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_every_query_plans_and_declares_exactly_its_params(database: Database, path: Path) -> None:
    query = parse_query(path.read_text(encoding="utf-8"), path=path)
    declared = set(query.params)
    assert declared == query.used_params(), f"{query.name}: header params differ from the $params in the text"
    assert server_missing_params(database, query.text) == declared, \
        f"{query.name}: the server's list of parameters differs from the header"


def test_the_library_has_the_browser_queries_the_guide_uses() -> None:
    assert {"browse_top_clusters", "browse_cluster", "browse_cluster_timeline", "browse_account",
            "browse_account_path", "browse_account_lockstep", "browse_ip", "browse_payment_method",
            "browse_template", "browse_proxy_network"} <= set(BROWSE_NAMES)
    for name in BROWSE_NAMES:
        query = get_query(name)
        assert query.mode == "read", name
        for param in query.params:  # each parameter has a :param example an analyst can copy
            assert f":param {param} =>" in query.description, f"{name}: no ':param {param} =>' example"
        # Browser's ?cmd=edit&arg= parser stops at '&' and '#', so the CLI's URLs need text without them.
        assert "&" not in query.text and "#" not in query.text, name


@dataclass
class BrowserResult:
    """What Neo4j Browser would draw from a result: every node in it, by element id, and its rows."""

    rows: list[dict[str, Any]]
    nodes: dict[str, Node] = field(default_factory=dict)
    relationships: dict[str, Relationship] = field(default_factory=dict)

    def labels(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for node in self.nodes.values():
            for label in node.labels:
                counts[label] += 1
        return dict(counts)

    def ids(self, label: str, key: str) -> set[str]:
        return {node[key] for node in self.nodes.values() if label in node.labels}


def _collect(value: Any, result: BrowserResult) -> None:
    if isinstance(value, Node):
        result.nodes[value.element_id] = value
    elif isinstance(value, Relationship):
        result.relationships[value.element_id] = value
        for end in (value.start_node, value.end_node):
            if end is not None:
                result.nodes[end.element_id] = end
    elif isinstance(value, GraphPath):
        for node in value.nodes:
            result.nodes[node.element_id] = node
        for relationship in value.relationships:
            result.relationships[relationship.element_id] = relationship
    elif isinstance(value, list):
        for item in value:
            _collect(item, result)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, result)


def run_browse(database: Database, name: str, /, **params: Any) -> BrowserResult:
    """Run a browse query as Browser would and gather every node it would draw."""
    text = get_query(name).text

    def work(tx: neo4j.ManagedTransaction) -> list[neo4j.Record]:
        return list(tx.run(text, params))

    records = database.execute_read(work, name=name)
    result = BrowserResult(rows=[dict(record) for record in records])
    for record in records:
        _collect(list(record.values()), result)
    assert len(result.nodes) <= MAX_BROWSER_NODES, f"{name} draws {len(result.nodes)} nodes"
    return result


def add_big_cluster(database: Database) -> None:
    """A 20,000-member cluster (written as detection would) with shared cards, proxy exits and templates,
    so every cap in the browse queries is actually reached."""
    write(
        database,
        """
        CREATE (c:Cluster {cluster_id: $cluster_id, size: $members, score: 0.99, verdict: 'suspicious',
                           evidence: '[]', signals: ['shared_payment', 'proxy_network'], retired: false,
                           case_status: 'OPEN'})
        CREATE (px:ProxyNetwork {name: $proxy})
        WITH c, px
        UNWIND range(0, 29) AS n
        CREATE (:Network {cidr: '198.18.' + n + '.0/24', kind: 'residential', prefix_length: 24})
               -[:OPERATED_BY]->(px)
        """,
        {"cluster_id": BIG_CLUSTER, "members": BIG_MEMBERS, "proxy": BIG_PROXY},
        name="big cluster",
    )
    write(
        database,
        """
        UNWIND range(0, 299) AS i
        MATCH (n:Network {cidr: '198.18.' + (i % 30) + '.0/24'})
        CREATE (:IP {address: '198.18.' + (i % 30) + '.' + (i / 30 + 1), version: 4, kind: 'residential',
                     proxy_network: $proxy})-[:IN_NETWORK]->(n)
        WITH count(*) AS exits
        UNWIND range(0, 499) AS i
        CREATE (:PaymentMethod {fingerprint: 'pm_big_' + i, kind: 'card'})
        WITH count(*) AS cards
        UNWIND range(0, 59) AS i
        CREATE (:PromptTemplate {template_id: 'tpl_big_' + i, skeleton: 'solve <num> step by step'})
        """,
        {"proxy": BIG_PROXY},
        name="big cluster infrastructure",
    )
    for start in range(0, BIG_MEMBERS, 5_000):
        write(
            database,
            """
            MATCH (c:Cluster {cluster_id: $cluster_id})
            UNWIND range($start, $start + 4999) AS i
            MATCH (pm:PaymentMethod {fingerprint: 'pm_big_' + (i % 500)})
            MATCH (ip:IP {address: '198.18.' + (i % 300 % 30) + '.' + (i % 300 / 30 + 1)})
            MATCH (t:PromptTemplate {template_id: 'tpl_big_' + (i % 60)})
            CREATE (a:Account {account_id: 'acct_big_' + i, requests: 10 + i % 7,
                               activity_buckets: [29600000 + i % 12, 29600100 + i % 5],
                               activity_counts: [4, 6]})
            CREATE (a)-[:MEMBER_OF {weight: 0.99}]->(c)
            CREATE (a)-[:PAID_WITH]->(pm)
            CREATE (a)-[:SIGNED_UP_FROM]->(ip)
            CREATE (a)-[:USED_IP {requests: 10 + i % 7}]->(ip)
            CREATE (a)-[:SENT_TEMPLATE {requests: 10 + i % 7}]->(t)
            """,
            {"cluster_id": BIG_CLUSTER, "start": start},
            name="big cluster members",
        )


@dataclass(frozen=True)
class Sample:
    """Ids picked from the loaded data for the browse queries' parameters."""

    top_cluster: str
    member: str
    other_member: str
    ip: str
    payment_method: str
    template: str
    proxy_network: str


@pytest.fixture(scope="module")
def detected(loaded_dataset: LoadDataset) -> Sample:
    """Synthetic data (1,000 accounts, its three campaigns), loaded and detected, plus the big cluster (once
    for the module: its tests only read)."""
    database = loaded_dataset(1_000, 11, detect=True).database
    add_big_cluster(database)
    forget_graph_contents()  # the graph now holds more than the data set

    def first(text: str, **params: Any) -> Any:
        rows = read(database, text, params)  # type: ignore[arg-type]
        assert rows, text
        return rows[0]["id"]

    top = first("MATCH (c:Cluster {verdict: 'suspicious'}) WHERE c.cluster_id <> $big "
                "RETURN c.cluster_id AS id ORDER BY c.score DESC, c.cluster_id LIMIT 1", big=BIG_CLUSTER)
    members = [row["id"] for row in read(
        database,
        "MATCH (a:Account)-[:MEMBER_OF]->(:Cluster {cluster_id: $c}) RETURN a.account_id AS id ORDER BY id",
        {"c": top})]
    assert len(members) >= 2
    return Sample(
        top_cluster=top,
        member=members[0],
        other_member=members[-1],
        ip=first("MATCH (ip:IP)<-[:USED_IP]-(a:Account) WHERE NOT ip.address STARTS WITH '198.18.' "
                 "RETURN ip.address AS id, count(a) AS n ORDER BY n DESC, id LIMIT 1"),
        payment_method=first("MATCH (p:PaymentMethod)<-[:PAID_WITH]-(a:Account) WHERE NOT p.fingerprint "
                             "STARTS WITH 'pm_big_' RETURN p.fingerprint AS id, count(a) AS n "
                             "ORDER BY n DESC, id LIMIT 1"),
        template=first("MATCH (t:PromptTemplate)<-[:SENT_TEMPLATE]-(a:Account) WHERE NOT t.template_id "
                       "STARTS WITH 'tpl_big_' RETURN t.template_id AS id, count(a) AS n "
                       "ORDER BY n DESC, id LIMIT 1"),
        proxy_network=first("MATCH (px:ProxyNetwork) WHERE px.name <> $big RETURN px.name AS id "
                            "ORDER BY id LIMIT 1", big=BIG_PROXY),
    )



@pytest.mark.slow
def test_top_clusters_are_live_flagged_clusters_strongest_first(database: Database, detected: Sample) -> None:
    result = run_browse(database, "browse_top_clusters")
    assert 1 <= len(result.rows) <= 25
    assert result.labels() == {"Cluster": len(result.rows)}
    assert {row["verdict"] for row in result.rows} <= {"suspicious", "review"}
    scores = [row["score"] for row in result.rows]
    assert scores == sorted(scores, reverse=True)
    assert result.rows[0]["cluster_id"] == BIG_CLUSTER  # score 0.99
    assert detected.top_cluster in {row["cluster_id"] for row in result.rows}


@pytest.mark.slow
def test_cluster_view_of_a_detected_cluster(database: Database, detected: Sample) -> None:
    result = run_browse(database, "browse_cluster", cluster_id=detected.top_cluster)
    (row,) = result.rows
    counts = row["counts"]
    assert row["cluster"]["cluster_id"] == detected.top_cluster
    assert counts["members_shown"] == min(50, counts["members_total"]) > 0
    assert len(result.ids("Account", "account_id")) == counts["members_shown"]
    # Every drawn identifier is used by a drawn member, and the picture has more than the members.
    assert len(result.nodes) > counts["members_shown"] + 1
    members = {node.element_id for node in result.nodes.values() if "Account" in node.labels}
    for relationship in result.relationships.values():
        if relationship.type != "MEMBER_OF" and relationship.start_node is not None \
                and "Account" in relationship.start_node.labels:
            assert relationship.start_node.element_id in members


@pytest.mark.slow
def test_cluster_view_of_a_20000_member_cluster_is_a_sample(database: Database, detected: Sample) -> None:
    result = run_browse(database, "browse_cluster", cluster_id=BIG_CLUSTER)
    (row,) = result.rows
    counts = row["counts"]
    assert counts["members_total"] == BIG_MEMBERS
    assert counts["members_shown"] == 50
    assert counts["payment_methods_shown"] == 40 and 0 < counts["ips_shown"] <= 60  # 50 cards → 40 shown
    assert counts["networks_shown"] == 10 and counts["templates_shown"] == 20
    labels = result.labels()
    assert labels["Account"] == 50 and labels["ProxyNetwork"] == 1 and labels["Network"] == 10
    assert len(result.nodes) <= 206


@pytest.mark.slow
def test_cluster_timeline_sums_the_members_activity(database: Database, detected: Sample) -> None:
    result = run_browse(database, "browse_cluster_timeline", cluster_id=detected.top_cluster,
                        bucket_minutes=database.settings.activity_bucket_minutes)
    assert result.nodes == {}
    expected = read(
        database,
        "MATCH (:Cluster {cluster_id: $c})<-[:MEMBER_OF]-(a:Account) "
        "RETURN sum(reduce(s = 0, n IN coalesce(a.activity_counts, []) | s + n)) AS total",
        {"c": detected.top_cluster})[0]["total"]
    assert expected > 0
    assert sum(row["requests"] for row in result.rows) == expected
    starts = [row["period_start"] for row in result.rows]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert all(row["period_start"].minute == 0 for row in result.rows)  # hourly with 10-minute buckets

    big = run_browse(database, "browse_cluster_timeline", cluster_id=BIG_CLUSTER, bucket_minutes=10)
    assert sum(row["requests"] for row in big.rows) == 10 * BIG_MEMBERS
    assert max(row["active_members"] for row in big.rows) <= BIG_MEMBERS


@pytest.mark.slow
def test_account_view_shows_its_clusters_and_links(database: Database, detected: Sample) -> None:
    result = run_browse(database, "browse_account", account_id=detected.member)
    (row,) = result.rows
    assert row["account"]["account_id"] == detected.member
    assert detected.top_cluster in result.ids("Cluster", "cluster_id")
    assert len(row["identifier_table"]) <= 40
    assert all(entry["hub"] == (entry["shared_by"] > 50) for entry in row["identifier_table"])
    assert len(result.ids("Account", "account_id")) <= 101


@pytest.mark.slow
def test_path_between_two_members_avoids_hubs(database: Database, detected: Sample) -> None:
    result = run_browse(database, "browse_account_path", account_id=detected.member,
                        other_account_id=detected.other_member)
    assert 1 <= len(result.rows) <= 3
    for row in result.rows:
        path = row["path"]
        assert path.start_node["account_id"] == detected.member
        assert path.end_node["account_id"] == detected.other_member
        assert 1 <= row["links"] <= 4
    hub_degrees = read(
        database,
        "UNWIND $ids AS id MATCH (x) WHERE elementId(x) = id AND NOT x:Account "
        "RETURN COUNT { (x)<--() } AS degree",
        {"ids": list(result.nodes)})
    assert all(row["degree"] <= 50 for row in hub_degrees)


@pytest.mark.slow
def test_lockstep_ranks_overlapping_accounts(database: Database, detected: Sample) -> None:
    result = run_browse(database, "browse_account_lockstep", account_id=detected.member)
    assert 1 <= len(result.rows) <= 25
    jaccards = [row["jaccard"] for row in result.rows]
    assert jaccards == sorted(jaccards, reverse=True)
    assert all(0 < row["jaccard"] <= 1 and row["shared_buckets"] >= 2 for row in result.rows)
    # Check the top pair against Python's set arithmetic on the same lists.
    top = result.rows[0]
    mine = set(top["account"]["activity_buckets"])
    theirs = set(top["lockstep_account"]["activity_buckets"])
    assert top["shared_buckets"] == len(mine & theirs)
    assert top["jaccard"] == pytest.approx(len(mine & theirs) / len(mine | theirs), abs=1e-3)

    big = run_browse(database, "browse_account_lockstep", account_id="acct_big_0")
    assert len(big.rows) == 25  # 20,000 fellow members, only 1,000 compared, 25 shown


@pytest.mark.slow
@pytest.mark.parametrize(("name", "param", "attribute", "label", "key"), [
    ("browse_ip", "address", "ip", "IP", "address"),
    ("browse_payment_method", "fingerprint", "payment_method", "PaymentMethod", "fingerprint"),
    ("browse_template", "template_id", "template", "PromptTemplate", "template_id"),
    ("browse_proxy_network", "name", "proxy_network", "ProxyNetwork", "name"),
])
def test_everything_behind_an_identifier(database: Database, detected: Sample, name: str, param: str,
                                         attribute: str, label: str, key: str) -> None:
    value = getattr(detected, attribute)
    result = run_browse(database, name, **{param: value})
    (row,) = result.rows
    assert result.ids(label, key) >= {value}
    counts = row["counts"]
    assert 0 < counts["accounts_shown"] <= 100
    assert len(result.ids("Account", "account_id")) == counts["accounts_shown"]
    assert counts["clusters_shown"] <= 20


@pytest.mark.slow
def test_proxy_network_behind_20000_accounts_is_capped(database: Database, detected: Sample) -> None:
    result = run_browse(database, "browse_proxy_network", name=BIG_PROXY)
    (row,) = result.rows
    counts = row["counts"]
    assert counts["networks_total"] == 30 and counts["networks_shown"] == 10
    assert counts["exits_total"] == 300 and counts["exits_shown"] == 60
    assert counts["accounts_shown"] == 100
    assert len(result.nodes) <= 191


def test_cli_inlines_ids_as_escaped_literals_and_browser_reads_the_url_back() -> None:
    from urllib.parse import unquote

    from app.cli.browse import browser_url, choose_query, cypher_string_literal, editor_text, inline_params
    from graph.errors import InputError
    from graph.settings import Settings

    assert cypher_string_literal("a'b\\c") == "'a\\'b\\\\c'"
    query = parse_query("// name: q\n// description: d\n// mode: read\n// param x: str\n"
                        "RETURN $x AS x, '$x' AS literal // $x")
    assert inline_params(query, {"x": "v"}) == "RETURN 'v' AS x, '$x' AS literal // $x"
    for bad in ("x'y", "a\\b", "a b", "a&b", "a#b", "", "a\nb"):
        with pytest.raises(InputError):
            choose_query(account=bad)
    with pytest.raises(InputError):
        choose_query(ip="not-an-ip")
    text = editor_text(choose_query(cluster="cl_a69d20a055df"))
    assert "$cluster_id" not in text and "{cluster_id: 'cl_a69d20a055df'}" in text
    url = browser_url(Settings(_env_file=None, neo4j_http_port=7777), text)  # type: ignore[call-arg]
    # Browser: replace '+' by ' ', decode the whole URL once, then read arg up to '&' or '#'.
    decoded = unquote(url.replace("+", " "))
    assert decoded.startswith("http://127.0.0.1:7777/browser/?cmd=edit&arg=")
    assert re.search(r"[?&]arg=([^&#]*)", decoded).group(1) == text  # type: ignore[union-attr]
