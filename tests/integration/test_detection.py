"""Detection end to end on the real Neo4j: generate → load → detect, judged against ground truth.

The acceptance bar (issue: precision ≥ 0.98, recall ≥ 0.95, every campaign ≥ 0.90, false-positive rate on
legitimate accounts ≤ 0.1%) is asserted at 12,000 accounts; the baseline is computed beside it and must
stay far worse, or the test data would be too easy to prove anything.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
import stix2
from typer.testing import CliRunner

from graph.db import Database
from graph.detect.evaluate import baseline_flags, flags_from_members, read_labels, score_flags
from graph.detect.inputs import read_inputs
from graph.detect.persist import read_cluster_detail, read_cluster_members
from graph.detect.pipeline import run_detection
from graph.detect.stix import build_bundle
from graph.settings import Settings
from tests.conftest import GeneratedDataset, LoadDataset
from tests.cypher import read, write


@pytest.fixture()
def dataset(generated_dataset: GeneratedDataset) -> Path:
    """12,000 generated accounts with their three campaigns (tables and labels.csv)."""
    return generated_dataset(12_000, 5)


@pytest.fixture()
def detected(loaded_dataset: LoadDataset) -> Database:
    """The graph holding that data set, loaded and detected."""
    return loaded_dataset(12_000, 5, detect=True).database


def members(database: Database) -> list[dict[str, object]]:
    return read_cluster_members(database)


def cluster(database: Database, cluster_id: str) -> dict[str, object]:
    rows = read(database, "MATCH (c:Cluster {cluster_id: $id}) RETURN c {.*} AS c", {"id": cluster_id})
    return rows[0]["c"]


def test_quality_meets_the_bar_and_beats_the_baseline(detected: Database, dataset: Path) -> None:
    labels = read_labels(dataset / "labels.csv")
    ours = score_flags("linkage", flags_from_members(members(detected)), labels)
    flagged, _ = baseline_flags(read_inputs(detected))
    baseline = score_flags("baseline", flagged, labels)
    assert ours.precision >= 0.98, ours
    assert ours.recall >= 0.95, ours
    assert all(recall >= 0.90 for recall in ours.recall_by_campaign.values()), ours.recall_by_campaign
    assert len(ours.recall_by_campaign) == 3
    assert ours.false_positive_rate <= 0.001, ours.false_positives_by_population
    assert baseline.precision < 0.5 and baseline.f1 < ours.f1


def test_lookalikes_pass_and_evasive_shapes_are_found_in_the_full_world(loaded_dataset: LoadDataset) -> None:
    """The generator's full world (11,000 accounts): platform billing, scheduled jobs, an editor extension, an
    agent framework, benchmark researchers, a workshop cohort and team seats must not be flagged; the relay
    farm, the sleeper cell and the free-tier farm are found beside the classic three. (The low-and-slow
    shape leaves no pairwise trace and is not asserted: docs/detection.md, "Where it is weakest".)"""
    data = loaded_dataset(11_000, 3, detect=True, scenario="full")
    labels = read_labels(data.folder / "labels.csv")
    ours = score_flags("linkage", flags_from_members(members(data.database)), labels)
    assert ours.precision >= 0.98, ours
    assert ours.false_positive_rate <= 0.001, ours.false_positives_by_population
    found = {campaign: recall for campaign, recall in ours.recall_by_campaign.items() if campaign != "low-and-slow"}
    assert set(found) == {"campaign-1", "campaign-2", "campaign-3", "relay-farm", "sleeper-cell", "free-tier-farm"}
    assert all(recall >= 0.85 for recall in found.values()), found
    suspicious = [row for row in read(data.database, "MATCH (c:Cluster {verdict: 'suspicious'}) "
                                      "RETURN c.evidence AS evidence")]
    assert suspicious and all(any(item["signal"] == "cohesion" for item in json.loads(str(row["evidence"])))
                              for row in suspicious), "every suspicious cluster says what holds it together"


def test_proxy_campaign_evidence_names_network_payment_pool_and_timing(detected: Database,
                                                                         dataset: Path) -> None:
    labels = read_labels(dataset / "labels.csv")
    rows = members(detected)
    by_cluster: dict[str, list[str]] = {}
    for row in rows:
        by_cluster.setdefault(str(row["cluster_id"]), []).append(str(row["account_id"]))
    # The largest campaign is the proxy-network one.
    proxy_campaign = Counter(c for c in labels.campaign.values() if c).most_common(1)[0][0]
    largest = max(by_cluster, key=lambda cid: sum(labels.campaign.get(a) == proxy_campaign
                                                  for a in by_cluster[cid]))
    found = cluster(detected, largest)
    assert found["verdict"] == "suspicious"
    evidence = {item["signal"]: item for item in json.loads(str(found["evidence"]))}
    assert {"shared_payment", "proxy_network", "load_balancing"} <= set(evidence)
    assert evidence["proxy_network"]["metrics"]["proxy_networks"], "the proxy network is named"
    assert evidence["shared_payment"]["metrics"]["largest_share"] >= 10
    assert found["proxy_networks"], "cluster lists its proxy networks"


def test_rerun_gives_identical_export_and_keeps_ids_and_case_status(detected: Database,
                                                                     neo4j_settings: Settings,
                                                                     tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    audit = tmp_path / "audit.jsonl"
    for name, value in (("NEO4J_URI", neo4j_settings.neo4j_uri),
                        ("NEO4J_PASSWORD", neo4j_settings.neo4j_password.get_secret_value()),
                        ("NEO4J_DATABASE", neo4j_settings.neo4j_database), ("LINKAGE_AUDIT_LOG", str(audit))):
        monkeypatch.setenv(name, value)
    from app.cli import app

    runner = CliRunner()
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    assert runner.invoke(app, ["export", "clusters", "--out", str(first)]).exit_code == 0
    with first.open(newline="") as handle:
        suspicious = next(r for r in csv.DictReader(handle) if r["verdict"] == "suspicious")["cluster_id"]
    write(detected, "MATCH (c:Cluster {cluster_id: $id}) SET c.case_status = 'DISMISSED'", {"id": suspicious})
    run_detection(detected)
    assert runner.invoke(app, ["export", "clusters", "--out", str(second)]).exit_code == 0
    header = first.read_text().splitlines()[0]
    assert header == "cluster_id,account_id,score,verdict,case_status"

    def rows(path: Path) -> list[dict[str, str]]:
        with path.open(newline="") as handle:
            return list(csv.DictReader(handle))

    before, after = rows(first), rows(second)
    assert [{k: v for k, v in row.items() if k != "case_status"} for row in before] == \
        [{k: v for k, v in row.items() if k != "case_status"} for row in after]
    assert {row["case_status"] for row in after if row["cluster_id"] == suspicious} == {"DISMISSED"}
    assert all(b["case_status"] == a["case_status"] for b, a in zip(before, after, strict=True)
               if a["cluster_id"] != suspicious)
    assert cluster(detected, suspicious)["case_status"] == "DISMISSED"
    records = [json.loads(line) for line in audit.read_text().splitlines()]
    assert [(r["operation"], r["outcome"]) for r in records] == [("cli.export.clusters", "started"),
                                                                 ("cli.export.clusters", "ok")] * 2
    assert all(r["rows"] > 0 for r in records if r["outcome"] == "ok")
    assert not any("account_id" in r for r in records)


def test_stix_bundle_parses_and_every_reference_resolves(detected: Database) -> None:
    top = read(detected, "MATCH (c:Cluster {verdict: 'suspicious'}) RETURN c.cluster_id AS id "
                        "ORDER BY c.size DESC LIMIT 1")[0]["id"]
    detail = read_cluster_detail(detected, top)
    assert detail is not None
    bundle = stix2.parse(build_bundle(detail).serialize(), allow_custom=True)
    ids = {obj.id for obj in bundle.objects}
    types = {obj.type for obj in bundle.objects}
    assert {"identity", "campaign", "infrastructure", "indicator", "observed-data", "sighting",
            "relationship", "marking-definition"} - {"marking-definition"} <= types
    for obj in bundle.objects:
        for key, value in obj.items():
            refs = value if isinstance(value, list) else [value]
            if key.endswith("_ref") or key.endswith("_refs"):
                for ref in refs:
                    if not str(ref).startswith("marking-definition--"):
                        assert ref in ids, (obj.type, key, ref)
    serialized = bundle.serialize()
    accounts = read(detected, "MATCH (a:Account)-[:MEMBER_OF]->(:Cluster {cluster_id: $id}) "
                             "RETURN a.account_id AS id LIMIT 5", {"id": top})
    assert all(row["id"] not in serialized for row in accounts), "account ids leave only as hashes"
