"""`linkage report`, `linkage export graph` and `linkage export clusters` filters against the real server, on
the fixture graph (a 30-member campaign behind three shared cards and the relaymesh proxy network).

The report's rendering in a real browser is tests/e2e/test_report_browser.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from app.cli import app
from app.report import build_report, read_sample
from graph.db import Database
from tests.api import graph_fixture as fx
from tests.cypher import read, write


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_sample_holds_members_and_what_they_share_within_the_browser_bound(fixture_graph: Database) -> None:
    sample = read_sample(fixture_graph, fx.CAMPAIGN)
    counts = sample.count_by_kind()
    assert counts["Cluster"] == 1 and counts["Account"] == 30 and sample.members_total == 30
    assert counts["PaymentMethod"] == 3 and counts["ProxyNetwork"] == 1
    assert counts["IP"] == len(fx.PROXY_EXITS) and counts["ClientFingerprint"] == 1 and counts["PromptTemplate"] == 1
    assert len(sample.nodes) <= 300
    keys = {node["key"] for node in sample.nodes}
    assert {f"PaymentMethod:{card}" for card in fx.CAMPAIGN_CARDS} <= keys and "ProxyNetwork:relaymesh" in keys
    assert all(edge["source"] in keys and edge["target"] in keys for edge in sample.edges)
    paid = [e for e in sample.edges if e["type"] == "PAID_WITH"]
    assert len(paid) == 30  # each member's card
    # A smaller sample keeps the most active members and never more.
    assert read_sample(fixture_graph, fx.CAMPAIGN, members=5).count_by_kind()["Account"] == 5


class _Document(HTMLParser):
    """What a browser would fetch: every src/href/url(…) reference, and the script elements."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        self.references += [value or "" for name, value in attrs if name in ("src", "href", "xlink:href")]


def test_report_is_one_self_contained_file_with_evidence_picture_and_timeline(fixture_graph: Database,
                                                                              cli_env: Path) -> None:
    out = cli_env / "report.html"
    # Not exported yet (another test may have exported it on the shared graph: undo that mark first).
    write(fixture_graph, "MATCH (c:Cluster {cluster_id: $id}) REMOVE c.stix_bundle_id, c.stix_campaign_id, "
                         "c.stix_tlp, c.stix_exported_at", {"id": fx.CAMPAIGN})
    code, stdout, stderr = run("report", fx.CAMPAIGN, "--out", str(out), "--json")
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["cluster_id"] == fx.CAMPAIGN and summary["nodes"] == len(read_sample(fixture_graph,
                                                                                        fx.CAMPAIGN).nodes)
    page = out.read_text(encoding="utf-8")
    document = _Document()
    document.feed(page)
    assert document.references == [] and document.scripts == 0
    assert "url(" not in page and "@import" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert "default-src 'none'" in page  # the page may not fetch anything, even if someone edits it
    # Verdict, score and every evidence entry with its numbers.
    assert 'id="verdict">suspicious<' in page and "0.92" in page
    for entry in fx.EVIDENCE:
        assert f'data-signal="{entry["signal"]}"' in page and entry["summary"] in page
    assert "pm-tok-4f1a9c" in page  # a metric's list, spelled out
    # The picture: one node element per sample node, with kinds.
    assert page.count('class="node"') == summary["nodes"] - 1  # all but the cluster's own node
    assert len(re.findall(r'class="node" data-kind="Account"', page)) == 30
    assert 'data-key="ProxyNetwork:relaymesh"' in page
    # The timeline: the members' four active buckets fall into two hours.
    assert summary["timeline_points"] == 2 and 'data-points="2"' in page
    # Not exported yet: the report says how.
    assert f"linkage export stix {fx.CAMPAIGN}" in page


def test_report_shows_the_stix_ids_once_exported(fixture_graph: Database, cli_env: Path) -> None:
    bundle_path = cli_env / "bundle.json"
    assert run("export", "stix", fx.CAMPAIGN, "--out", str(bundle_path), "--tlp", "green")[0] == 0
    bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
    campaign = next(o for o in bundle["objects"] if o["type"] == "campaign")
    report = build_report(fixture_graph, fx.CAMPAIGN)
    assert report.cluster["stix_bundle_id"] == bundle["id"] and report.cluster["stix_campaign_id"] == campaign["id"]
    code, page, _ = run("report", fx.CAMPAIGN, "--out", "-")
    assert code == 0 and bundle["id"] in page and campaign["id"] in page and ">green<" in page


def test_report_of_an_unknown_cluster_is_a_clear_error(fixture_graph: Database, cli_env: Path) -> None:
    code, stdout, stderr = run("report", "cl-nope", "--out", str(cli_env / "r.html"))
    assert code == 1 and "no cluster 'cl-nope'" in stderr and stdout == ""
    assert not (cli_env / "r.html").exists()


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_graph_parses_for_gephi_and_cytoscape(fixture_graph: Database, cli_env: Path, fmt: str) -> None:
    out = cli_env / f"cluster.{fmt}"
    code, _, stderr = run("export", "graph", fx.CAMPAIGN, "--format", fmt, "--out", str(out))
    assert code == 0, stderr
    graph = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    sample = read_sample(fixture_graph, fx.CAMPAIGN, members=500)
    assert graph.number_of_nodes() == len(sample.nodes) and graph.number_of_edges() == len(sample.edges)
    kinds = nx.get_node_attributes(graph, "kind")
    assert sum(kind == "Account" for kind in kinds.values()) == 30
    assert kinds["ProxyNetwork:relaymesh"] == "ProxyNetwork"
    relationships = nx.get_edge_attributes(graph, "relationship")
    assert {"MEMBER_OF", "PAID_WITH", "IN_NETWORK", "OPERATED_BY"} <= set(relationships.values())
    # The document is the format's own XML (namespace checked, as Gephi and Cytoscape read it).
    root = ET.parse(out).getroot()  # noqa: S314 (our own output)
    assert root.tag == ("{http://graphml.graphdrawing.org/xmlns}graphml" if fmt == "graphml"
                        else "{http://www.gexf.net/1.2draft}gexf")


def test_export_graph_to_stdout_and_unknown_format_listed(fixture_graph: Database, cli_env: Path) -> None:
    code, stdout, _ = run("export", "graph", fx.CAMPAIGN, "--out", "-")
    assert code == 0 and stdout.startswith("<?xml") and "graphml" in stdout
    code, _, stderr = run("export", "graph", fx.CAMPAIGN, "--out", "-", "--format", "dot")
    assert code == 2 and "graphml" in stderr and "gexf" in stderr


def test_export_clusters_filters_and_writes_to_stdout(fixture_graph: Database, cli_env: Path) -> None:
    code, stdout, stderr = run("export", "clusters", "--out", "-", "--verdict", "suspicious")
    assert code == 0, stderr
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert {r["cluster_id"] for r in rows} == {fx.CAMPAIGN} and len(rows) == 30
    assert set(rows[0]) == {"cluster_id", "account_id", "score", "verdict", "case_status", "assignee", "priority"}
    assert "30 member rows of 1 clusters" in stderr  # the message on stderr, never in the data

    code, stdout, _ = run("export", "clusters", "--out", "-", "--format", "jsonl", "--min-score", "0.5")
    scores = {json.loads(line)["cluster_id"]: json.loads(line)["score"] for line in stdout.splitlines()}
    assert code == 0 and scores and min(scores.values()) >= 0.5 and fx.COMPANY not in scores
    live = read(fixture_graph, "MATCH (c:Cluster) WHERE c.score >= 0.5 AND coalesce(c.retired, false) = false "
                               "RETURN count(c) AS n")[0]["n"]
    assert len(scores) == live

    # The case status filter: one confirmed cluster, then only it.
    write(fixture_graph, "MATCH (c:Cluster {cluster_id: $id}) SET c.case_status = 'CONFIRMED'", {"id": fx.REVIEW})
    try:
        code, stdout, _ = run("export", "clusters", "--out", "-", "--format", "json", "--case-status", "confirmed")
        assert code == 0 and {r["cluster_id"] for r in json.loads(stdout)} == {fx.REVIEW}
        code, stdout, _ = run("export", "clusters", "--out", "-", "--case-status", "open", "--verdict", "review")
        assert fx.REVIEW not in stdout
    finally:
        write(fixture_graph, "MATCH (c:Cluster {cluster_id: $id}) REMOVE c.case_status", {"id": fx.REVIEW})

    # Assignee and priority: the worked case only, with its handle and priority in the rows.
    write(fixture_graph, "MATCH (c:Cluster {cluster_id: $id}) SET c.case_assignee = 'jdoe', c.case_priority = 'HIGH'",
          {"id": fx.REVIEW})
    try:
        code, stdout, _ = run("export", "clusters", "--out", "-", "--format", "json", "--assignee", "jdoe")
        rows = json.loads(stdout)
        assert code == 0 and {(r["cluster_id"], r["assignee"], r["priority"]) for r in rows} == {
            (fx.REVIEW, "jdoe", "HIGH")} and len(rows) == 5
        code, stdout, _ = run("export", "clusters", "--out", "-", "--format", "json", "--priority", "low",
                              "--priority", "high")
        assert code == 0 and {r["cluster_id"] for r in json.loads(stdout)} == {fx.REVIEW}
        code, stdout, _ = run("export", "clusters", "--out", "-", "--format", "json", "--assignee", "asmith")
        assert code == 0 and json.loads(stdout) == []
    finally:
        write(fixture_graph, "MATCH (c:Cluster {cluster_id: $id}) REMOVE c.case_assignee, c.case_priority",
              {"id": fx.REVIEW})
