"""Detection runs on the real server: every run is recorded, each cluster keeps its size and score per run,
and the changes between runs (new, grown, shrunk, merged, split, retired) follow the data; alerts go out
after the switch; a time window keeps activity outside it from deciding."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from app.api.loaders import stored_infrastructure
from app.api.types.cluster import INFRASTRUCTURE_KINDS as API_KINDS
from app.cli import app
from graph.db import Database
from graph.detect.alerts import verify_signature
from graph.detect.config import DetectionConfig
from graph.detect.inputs import Window, read_inputs
from graph.detect.persist import read_previous_membership
from graph.detect.pipeline import DetectionSummary, run_detection
from graph.detect.runs import INFRASTRUCTURE_KINDS, read_current_run
from graph.queries import get_query
from graph.settings import Settings
from tests.api.test_api_audit import records, unwritable
from tests.conftest import LoadDataset, forget_graph_contents
from tests.cypher import read, write
from tests.webhook_receiver import webhook_receiver

SECRET = "runs-test-secret"


@pytest.fixture()
def fresh(loaded_dataset: LoadDataset) -> Iterator[Database]:
    """1,000 generated accounts loaded, never detected; the tests change the graph, so it is forgotten."""
    database = loaded_dataset(1_000, 11, detect=False).database
    yield database
    forget_graph_contents()


def with_settings(database: Database, **updates: Any) -> Database:
    """The same driver with other settings (alerts, batch size)."""
    return Database(database.driver, database.settings.model_copy(update=updates))


def changes_of(summary: DetectionSummary) -> dict[str, tuple[str, int, int | None, list[str]]]:
    return {c.cluster_id: (c.change, c.size, c.previous_size, c.related) for c in summary.changes}


def add_accounts(database: Database, rows: list[dict[str, Any]]) -> None:
    """Accounts that pay with the given cards (new cards are created)."""
    write(database, """
        UNWIND $rows AS row
        CREATE (a:Account {account_id: row.id, created_at: datetime('2025-01-01T00:00:00Z'), requests: 0})
        WITH a, row UNWIND row.cards AS card
        MERGE (p:PaymentMethod {fingerprint: card}) ON CREATE SET p.kind = 'card'
        CREATE (a)-[:PAID_WITH {added_at: datetime('2025-01-01T00:00:00Z')}]->(p)""", {"rows": rows})


def member_card(database: Database, cluster_id: str) -> str:
    return read(database, """
        MATCH (c:Cluster {cluster_id: $id})<-[m:MEMBER_OF]-(:Account)-[:PAID_WITH]->(p:PaymentMethod)
        WHERE m.run_id = c.run_id
        RETURN p.fingerprint AS card ORDER BY card LIMIT 1""", {"id": cluster_id})[0]["card"]


def test_runs_record_changes_history_and_alerts(fresh: Database, tmp_path: Path) -> None:
    log = tmp_path / "alerts.jsonl"
    with webhook_receiver([500, 200]) as receiver:
        database = with_settings(fresh, alert_webhook_url=receiver.url, alert_webhook_secret=SecretStr(SECRET),
                                 alert_log=log, alert_growth_share=0.001, alert_backoff_s=0.01)
        first = run_detection(database)
        assert first.run is not None and first.run.previous_run_id is None
        assert first.count_changes()["new"] == len(first.clusters) > 0
        assert first.run.loaded["files"] >= 3 and first.run.loaded["loaded"] > 1_000
        campaign = max((c for c in first.clusters if c.verdict == "suspicious"), key=lambda c: len(c.members))
        benign = sorted((c for c in first.clusters if c.verdict == "benign" and len(c.members) == 2),
                        key=lambda c: c.cluster_id)
        gone, noted, left, right = benign[0], benign[1], benign[2], benign[3]
        suspicious_alerts = [r for r in receiver.received if r.status == 200]
        assert {json.loads(r.body)["cluster"]["id"] for r in suspicious_alerts} >= {campaign.cluster_id}
        assert all(json.loads(r.body)["event"] == "cluster.became_suspicious" for r in suspicious_alerts)

        # Between run 1 and 2: a new pair, a new 5-account cluster held by one bridge account, the campaign
        # gains an account, two benign clusters are joined by one, one benign cluster's accounts leave, and
        # another's leave although an analyst wrote a note on it.
        add_accounts(database, [
            {"id": "t-new-1", "cards": ["t-card-new"]}, {"id": "t-new-2", "cards": ["t-card-new"]},
            {"id": "t-g1", "cards": ["t-card-x"]}, {"id": "t-g2", "cards": ["t-card-x"]},
            {"id": "t-g3", "cards": ["t-card-y"]}, {"id": "t-g4", "cards": ["t-card-y"]},
            {"id": "t-gz", "cards": ["t-card-x", "t-card-y"]},
            {"id": "t-grow", "cards": [member_card(database, campaign.cluster_id)]},
            {"id": "t-join",
             "cards": [member_card(database, left.cluster_id), member_card(database, right.cluster_id)]},
        ])
        write(database, "MATCH (c:Cluster {cluster_id: $id}) CREATE (:CaseNote {note_id: 'n-test', text: 'x', "
                        "author: 'test', created_at: datetime()})-[:NOTE_ON]->(c)", {"id": noted.cluster_id})
        write(database, "MATCH (a:Account) WHERE a.account_id IN $ids DETACH DELETE a",
              {"ids": gone.members + noted.members})
        received_before = len(receiver.received)
        second = run_detection(database)
    assert second.run is not None and second.run.previous_run_id == first.run.run_id
    changes = changes_of(second)
    counts = second.count_changes()
    assert changes[campaign.cluster_id][:3] == ("grown", len(campaign.members) + 1, len(campaign.members))
    grown = next(c for c in second.changes if c.cluster_id == campaign.cluster_id)
    assert grown.verdict == grown.previous_verdict == "suspicious"
    assert grown.score is not None and grown.previous_score == pytest.approx(campaign.score)
    merged = [c for c in second.changes if c.found and c.change == "merged"]
    assert len(merged) == 1 and merged[0].size == 5
    assert {merged[0].cluster_id, *merged[0].related} == {left.cluster_id, right.cluster_id}
    members = {c.cluster_id: sorted(c.members) for c in second.clusters}
    new = [members[c.cluster_id] for c in second.changes if c.change == "new"]
    assert sorted(m for m in new if m[0].startswith("t-")) == [["t-g1", "t-g2", "t-g3", "t-g4", "t-gz"],
                                                              ["t-new-1", "t-new-2"]]
    # Evidence thresholds follow the population (identifier rarity, the number of candidate pairs), so a
    # pair of accounts near the threshold may cross it when accounts come and go; such a pair was not in
    # any cluster before, and no cluster of the first run changed except the five above.
    clustered_before = {m for c in first.clusters for m in c.members}
    incidental = [m for m in new if not m[0].startswith("t-")]
    assert not clustered_before & {m for pair in incidental for m in pair} and len(incidental) <= 2
    assert changes[gone.cluster_id][0] == changes[noted.cluster_id][0] == "retired"
    assert counts["retired"] == 2 and counts["merged"] == 1 and counts["grown"] == 1
    assert counts["new"] == 2 + len(incidental)
    assert counts["unchanged"] == len(first.clusters) - 5
    grew = [json.loads(r.body) for r in receiver.received[received_before:] if r.status == 200]
    assert [(a["event"], a["cluster"]["id"]) for a in grew] == [("cluster.grew", campaign.cluster_id)]
    assert all(verify_signature(SECRET, r.headers["x-linkage-timestamp"], r.body, r.headers["x-linkage-signature"])
               for r in receiver.received)
    assert second.alerts == {"delivered": 1, "failed": 0, "skipped": 0}
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert lines[0]["outcome"] == "retrying" and lines[0]["status"] == 500
    assert all("t-grow" not in line and "acct" not in line for line in log.read_text().splitlines())

    # Run 3: the bridge account and the campaign's newcomer leave.
    write(database, "MATCH (a:Account) WHERE a.account_id IN ['t-gz', 't-grow'] DETACH DELETE a")
    third = run_detection(database, alerts=False)
    changes = changes_of(third)
    assert changes[campaign.cluster_id][:3] == ("shrunk", len(campaign.members), len(campaign.members) + 1)
    split = [c for c in third.changes if c.found and c.change == "split"]
    assert sorted(c.size for c in split) == [2, 2] and len({tuple(c.related) for c in split}) == 1
    assert third.count_changes()["split"] == 1

    # The record: three runs, one in force; history per cluster; only the current run's memberships remain.
    runs = read(database, "MATCH (r:DetectionRun) RETURN r.run_id AS id, r.status AS status, "
                          "r.changes_grown AS grown, r.verdict_suspicious AS suspicious ORDER BY r.started_at")
    assert [r["status"] for r in runs] == ["superseded", "superseded", "current"]
    assert runs[1]["grown"] == 1 and runs[0]["suspicious"] >= 1
    history = read(database, """
        MATCH (s:ClusterSnapshot {cluster_id: $id}) MATCH (r:DetectionRun {run_id: s.run_id})
        RETURN s.size AS size, s.score AS score, s.change AS change, s.evidence IS NULL AS trimmed
        ORDER BY r.started_at""", {"id": campaign.cluster_id})
    size = len(campaign.members)
    assert [(h["size"], h["change"]) for h in history] == [(size, "new"), (size + 1, "grown"), (size, "shrunk")]
    assert all(h["score"] > 0.7 and h["trimmed"] for h in history)
    current = read_current_run(database)
    assert current is not None and current["run_id"] == third.run.run_id  # type: ignore[union-attr]
    leftovers = read(database, "RETURN COUNT { ()-[m:MEMBER_OF]->() WHERE m.run_id <> $r } AS stale, "
                               "COUNT { (:PendingCluster) } AS pending", {"r": current["run_id"]})[0]
    assert leftovers == {"stale": 0, "pending": 0}
    kept = read(database, "MATCH (c:Cluster) WHERE c.cluster_id IN $ids RETURN c.cluster_id AS id, "
                          "c.retired AS retired, c.size AS size", {"ids": [gone.cluster_id, noted.cluster_id]})
    assert kept == [{"id": noted.cluster_id, "retired": True, "size": 0}], \
        "a retired cluster is deleted unless it carries case notes"


def test_a_window_keeps_activity_outside_it_from_deciding(fresh: Database) -> None:
    last = read(fresh, "MATCH (a:Account) UNWIND a.activity_buckets AS b RETURN max(b) AS last, min(b) AS first")[0]
    bucket_s = fresh.settings.activity_bucket_minutes * 60
    end = datetime.fromtimestamp((last["last"] + 1) * bucket_s, UTC)
    middle = datetime.fromtimestamp((last["first"] + last["last"]) // 2 * bucket_s, UTC)

    everything = read_inputs(fresh)
    later = read_inputs(fresh, Window(since=middle))
    from_bucket = Window(since=middle).params(fresh.settings.activity_bucket_minutes)["from_bucket"]
    assert later.activity_bucket.size and int(later.activity_bucket.min()) >= from_bucket  # type: ignore[operator]
    assert later.activity_bucket.size < everything.activity_bucket.size
    assert later.requests.sum() == pytest.approx(later.activity_count.sum())
    ips_before = read(fresh, "MATCH (:Account)-[r:USED_IP]->() WHERE r.last_seen < $t RETURN count(r) AS n",
                      {"t": middle})[0]["n"]
    assert ips_before > 0
    assert later.incidence("ip").account.size < everything.incidence("ip").account.size

    # After the last request nothing in the request log is in the window: clusters rest on what accounts
    # declared (cards, signup addresses, email domains), never on timing, templates or traffic.
    after = run_detection(fresh, window=Window(since=end + timedelta(days=1)), alerts=False)
    full = run_detection(fresh, alerts=False)
    assert after.run is not None and after.run.window.since is not None
    assert all(c.first_seen is None and c.last_seen is None for c in after.clusters)
    behaviour = {"synchronized_bursts", "load_balancing", "template_playbook", "model_pivot", "capability_focus"}
    assert not behaviour & {s for c in after.clusters for s in c.signals}
    assert behaviour & {s for c in full.clusters for s in c.signals}
    recorded = read(fresh, "MATCH (r:DetectionRun {run_id: $id}) RETURN r.window_since AS since",
                    {"id": after.run.run_id})[0]["since"]
    assert recorded.to_native() == after.run.window.since
    assert read_previous_membership(fresh), "the unwindowed run is in force again"


def test_settings_without_changes_give_the_same_digest_and_membership(fresh: Database, tmp_path: Path,
                                                                      neo4j_settings: Settings) -> None:
    one = run_detection(fresh, alerts=False)
    two = run_detection(with_settings(fresh, detect_batch_size=3), alerts=False)
    assert one.run is not None and two.run is not None
    assert one.run.settings_digest == two.run.settings_digest
    assert two.count_changes()["unchanged"] == len(two.clusters) == len(one.clusters)
    assert two.run.loaded["files"] == 0, "nothing was loaded between the two runs"


def test_cli_detect_is_audited_and_prints_its_changes(fresh: Database, neo4j_settings: Settings, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    audit = tmp_path / "audit.jsonl"
    for name, value in (("NEO4J_URI", neo4j_settings.neo4j_uri),
                        ("NEO4J_PASSWORD", neo4j_settings.neo4j_password.get_secret_value()),
                        ("LINKAGE_ENV", "test"), ("LINKAGE_AUDIT_LOG", str(audit))):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LINKAGE_ALERT_WEBHOOK_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    with unwritable(audit):
        refused = CliRunner().invoke(app, ["detect"])
    assert refused.exit_code == 2 and "audit log" in refused.stderr
    assert read(fresh, "MATCH (r:DetectionRun) RETURN count(r) AS n")[0]["n"] == 0, "no run without its record"
    table = CliRunner().invoke(app, ["detect"])
    assert table.exit_code == 0
    assert "Changes since nothing (first run)" in table.stdout and "new" in table.stdout
    as_json = CliRunner().invoke(app, ["detect", "--json", "--until", "2100-01-01"])
    assert as_json.exit_code == 0
    result = json.loads(as_json.stdout)  # only JSON on stdout; progress went to stderr
    assert "reading the graph" in as_json.stderr
    assert re.search(r"reading ip relationships [\d,]+/[\d,]+ \([\d,]+/s", as_json.stderr)  # rows, rate, time left
    assert result["changes"]["unchanged"] == result["clusters"] and result["changed_clusters"] == []
    assert result["run"]["window"] == {"since": None, "until": "2100-01-01T00:00:00+00:00"}
    trail = [(r["operation"], r["outcome"], r.get("run_id")) for r in records(audit)]
    first_run = trail[1][2]
    assert trail == [("cli.detect", "started", None), ("cli.detect", "ok", first_run),
                     ("cli.detect", "started", None), ("cli.detect", "ok", result["run"]["run_id"])]
    assert result["run"]["previous_run_id"] == first_run
    bad = CliRunner().invoke(app, ["detect", "--since", "last tuesday"])
    assert bad.exit_code == 2 and "--since" in bad.stderr


def test_of_two_runs_at_once_the_later_one_wins(fresh: Database) -> None:
    from graph.detect.config import DetectionConfig
    from graph.detect.runs import start_run, switch_run
    from graph.errors import ConflictError

    earlier = start_run(fresh, config=DetectionConfig(), window=Window())
    later = run_detection(fresh, alerts=False)
    assert later.run is not None and later.run.abandoned == [earlier.run_id]
    with pytest.raises(ConflictError, match="abandoned"):
        switch_run(fresh, earlier, members=0, clusters=0)
    current = read_current_run(fresh)
    assert current is not None and current["run_id"] == later.run.run_id


def timelines(database: Database, ids: list[str], step_minutes: int) -> dict[str, list[dict[str, int]]]:
    rows = database.run(get_query("api_cluster_timeline"), {
        "requests": [{"cluster_id": c, "step_minutes": step_minutes, "from_bucket": None, "to_bucket": None}
                     for c in ids], "bucket_minutes": database.settings.activity_bucket_minutes})
    return {row["cluster_id"]: row["points"] for row in rows}


def test_a_run_stores_each_clusters_timeline_as_its_members_sum(fresh: Database) -> None:
    summary = run_detection(fresh, alerts=False)
    biggest = sorted(summary.clusters, key=lambda c: -len(c.members))[:5]
    ids = [c.cluster_id for c in biggest]
    stored = read(fresh, "MATCH (c:Cluster) WHERE c.cluster_id IN $ids RETURN c.cluster_id AS id, "
                         "size(c.activity_buckets) AS n", {"ids": ids})
    assert len(stored) == 5 and all(row["n"] > 0 for row in stored)
    # nothing left on the snapshots: the switch moved the arrays to the clusters
    left = read(fresh, "MATCH (s:ClusterSnapshot) WHERE s.activity_buckets IS NOT NULL RETURN count(s) AS n")
    assert left[0]["n"] == 0
    from_cluster = {step: timelines(fresh, ids, step) for step in (10, 60, 1440)}
    write(fresh, "MATCH (c:Cluster) WHERE c.cluster_id IN $ids REMOVE c.activity_buckets, c.activity_counts",
          {"ids": ids})
    from_members = {step: timelines(fresh, ids, step) for step in (10, 60, 1440)}
    assert from_cluster == from_members  # the stored sum is what summing the members' arrays gives
    assert all(sum(p["requests"] for p in from_cluster[60][c]) > 0 for c in ids)

    windowed = run_detection(fresh, window=Window(since=datetime(2020, 1, 1, tzinfo=UTC)), alerts=False)
    assert all(c.activity is None for c in windowed.clusters)  # a window's sums would hide the rest: none stored
    assert read(fresh, "MATCH (c:Cluster) WHERE c.activity_buckets IS NOT NULL RETURN count(c) AS n")[0]["n"] == 0


def test_large_clusters_keep_their_shared_infrastructure_as_the_live_query_computes_it(fresh: Database) -> None:
    config = DetectionConfig(store_infrastructure_min_size=5)
    summary = run_detection(fresh, config, alerts=False)
    large = [c.cluster_id for c in summary.clusters if len(c.members) >= 5]
    small = [c.cluster_id for c in summary.clusters if len(c.members) < 5]
    assert large and small
    stored = {row["cluster_id"]: row for row in fresh.run(get_query("api_cluster_infrastructure_stored"),
                                                           {"ids": large + small, "top": 5})}
    assert set(stored) == set(large)  # the small ones are computed live
    for top, kinds in ((5, ("ips", "payment_methods")), (20, INFRASTRUCTURE_KINDS), (1, ("templates",))):
        live = {row["cluster_id"]: row for row in fresh.run(get_query("api_cluster_infrastructure"),
                                                            {"ids": large, "top": top, "kinds": list(kinds)})}
        for row in fresh.run(get_query("api_cluster_infrastructure_stored"), {"ids": large, "top": top}):
            assert stored_infrastructure(row, top, kinds) == live[row["cluster_id"]]
    assert any(live[c]["templates"] for c in large)
    assert set(live[large[0]]) - {"cluster_id"} == set(INFRASTRUCTURE_KINDS) == set(API_KINDS)
    # more than was stored per kind: computed live
    assert not fresh.run(get_query("api_cluster_infrastructure_stored"), {"ids": large, "top": 21})
    # the next run stores nothing (threshold out of reach): the values of the run before are not used
    run_detection(fresh, DetectionConfig(store_infrastructure_min_size=10**9), alerts=False)
    assert not fresh.run(get_query("api_cluster_infrastructure_stored"), {"ids": large, "top": 5})
