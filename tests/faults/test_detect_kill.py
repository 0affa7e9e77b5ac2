"""`linkage detect` killed with -9 in its write stage: the run before stays in force — a confirmed campaign's
card and member still get `block` from the linkage check while the new run writes, after it is killed, and
after a rerun, which completes, switches and cleans up what the killed runs left."""

from __future__ import annotations

import json
import random
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from graph.check.model import CheckSignals
from graph.check.runner import run_check
from graph.db import Database
from graph.detect.persist import read_previous_membership
from graph.detect.runs import read_current_run
from graph.settings import Settings
from tests.conftest import LoadDataset, forget_graph_contents
from tests.cypher import read, write
from tests.faults.subprocesses import LINKAGE, kill_when, linkage_environment, start

# Kill points, as shares of the memberships the run has to write (0: its snapshots are staged, not one
# membership yet); each is moved by a random jitter (seeded, reported on failure).
KILL_SHARES = (0.0, 0.4, 0.85)
SEED = 20250301


def staged(database: Database, run_id: str) -> int:
    return int(read(database, "MATCH ()-[m:MEMBER_OF {run_id: $r}]->() RETURN count(m) AS n", {"r": run_id})[0]["n"])


def writing_run(database: Database) -> str | None:
    rows = read(database, "MATCH (r:DetectionRun {status: 'writing'}) RETURN r.run_id AS id")
    return rows[0]["id"] if rows else None


def test_kill_9_in_the_write_stage_keeps_the_run_in_force(loaded_dataset: LoadDataset, neo4j_settings: Settings,
                                                          tmp_path: Path) -> None:
    database = loaded_dataset(1_000, 11, detect=True).database
    try:
        campaign = read(database, "MATCH (c:Cluster {verdict: 'suspicious'}) RETURN c.cluster_id AS id "
                                  "ORDER BY c.size DESC LIMIT 1")[0]["id"]
        write(database, "MATCH (c:Cluster {cluster_id: $id}) SET c.case_status = 'CONFIRMED'", {"id": campaign})
        shared = read(database, """
            MATCH (c:Cluster {cluster_id: $id})<-[:MEMBER_OF]-(a:Account)-[:PAID_WITH]->(p:PaymentMethod)
            WITH p, min(a.account_id) AS member, count(a) AS members ORDER BY members DESC, p.fingerprint LIMIT 1
            RETURN p.fingerprint AS card, member""", {"id": campaign})[0]
        subjects = [CheckSignals(payment_fingerprint=shared["card"]), CheckSignals(account_id=shared["member"])]
        seen: Counter[str] = Counter()

        def check() -> None:
            for subject in subjects:
                seen[str(run_check(database, subject).verdict)] += 1

        check()
        assert set(seen) == {"block"}, "the confirmed campaign's card and member are blocked to begin with"
        membership = read_previous_membership(database)
        in_force = read_current_run(database)
        assert in_force is not None
        total = len(membership)
        env = linkage_environment(neo4j_settings, tmp_path / "audit.jsonl")
        rng = random.Random(SEED)
        killed: list[str] = []
        for share in KILL_SHARES:
            target = int(total * min(share + rng.uniform(0, 0.1), 0.85)) if share else 0
            log = tmp_path / f"detect-kill-{len(killed)}.log"
            # One membership per transaction: after the last kill point (at most 85 % written) the run still has
            # dozens of transactions to go, so it cannot finish and switch between `ready()` and the kill.
            process = start(["detect", "--batch-size", "1", "--no-alerts"], env, log)

            def ready(target: int = target) -> bool:
                run_id = writing_run(database)
                if run_id is None or run_id in killed:
                    return False
                snapshots = read(database, "MATCH (s:ClusterSnapshot {run_id: $r}) RETURN count(s) AS n",
                                 {"r": run_id})[0]["n"]
                return snapshots > 0 and staged(database, run_id) >= target

            assert kill_when(process, ready, while_waiting=check), \
                f"detect ended before the kill point ({share=}): {log.read_text()}"
            assert process.returncode == -signal.SIGKILL
            run_id = writing_run(database)
            assert run_id is not None and run_id not in killed, "the killed run never switched"
            killed.append(run_id)
            assert staged(database, run_id) >= target, "it was killed while writing"
            assert (read_current_run(database) or {}).get("run_id") == in_force["run_id"], "the run in force stays"
            assert read_previous_membership(database) == membership, "checks read the same memberships"
            check()
            assert set(seen) == {"block"}, seen

        rerun = subprocess.run([str(LINKAGE), "detect", "--json", "--no-alerts"], env=env, capture_output=True,
                               text=True, timeout=600, check=False, cwd=tmp_path)
        assert rerun.returncode == 0, rerun.stderr
        result = json.loads(rerun.stdout)
        current = read_current_run(database)
        assert current is not None and current["run_id"] == result["run"]["run_id"]
        assert current["previous_run_id"] == in_force["run_id"]
        assert set(result["run"]["abandoned_runs"]) == set(killed[-1:]), "the rerun abandons the last killed run"
        statuses = {row["id"]: row["status"] for row in read(
            database, "MATCH (r:DetectionRun) RETURN r.run_id AS id, r.status AS status")}
        assert [statuses[r] for r in killed] == ["abandoned"] * len(killed)
        assert statuses[in_force["run_id"]] == "superseded"
        # Same data, same clusters: the rerun's membership equals the one that stayed in force throughout.
        assert read_previous_membership(database) == membership
        assert result["changes"]["new"] == result["changes"]["retired"] == 0
        leftovers = read(database, """
            RETURN COUNT { (:PendingCluster) } AS pending,
                   COUNT { ()-[m:MEMBER_OF]->() WHERE m.run_id <> $r } AS stale,
                   COUNT { (s:ClusterSnapshot) WHERE s.run_id IN $killed } AS snapshots""",
                         {"r": current["run_id"], "killed": killed})[0]
        assert leftovers == {"pending": 0, "stale": 0, "snapshots": 0}
        check()
        assert set(seen) == {"block"}, seen
        assert read(database, "MATCH (c:Cluster {cluster_id: $id}) RETURN c.case_status AS s",
                    {"id": campaign})[0]["s"] == "CONFIRMED"
        print(f"\ndetect kill -9: {len(killed)} kill points in the write stage, {sum(seen.values())} checks "
              f"during and after: {dict(seen)}; rerun switched {current['run_id']}")
    finally:
        forget_graph_contents()


def test_a_run_that_fails_before_its_switch_changes_nothing(loaded_dataset: LoadDataset,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A run stopped by an error just before its switch is marked failed; the run in force stays, and the
    next run cleans up after it."""
    from graph.detect import pipeline

    database = loaded_dataset(1_000, 11, detect=True).database
    try:
        membership = read_previous_membership(database)
        in_force = read_current_run(database)
        assert in_force is not None

        def refuse(*args: object, **kwargs: object) -> dict[str, int]:
            raise RuntimeError("switch refused by the test")

        with monkeypatch.context() as patch:
            patch.setattr(pipeline, "switch_run", refuse)
            with pytest.raises(RuntimeError, match="refused"):
                pipeline.run_detection(database, batch_size=7)
        failed = read(database, "MATCH (r:DetectionRun {status: 'failed'}) RETURN r.run_id AS id, "
                                "r.failure AS failure")
        assert len(failed) == 1 and "refused" in failed[0]["failure"]
        assert staged(database, failed[0]["id"]) == len(membership), "it had written all its memberships"
        assert (read_current_run(database) or {}).get("run_id") == in_force["run_id"]
        assert read_previous_membership(database) == membership
        summary = pipeline.run_detection(database, batch_size=7)
        assert summary.run is not None and summary.run.abandoned == []
        assert staged(database, failed[0]["id"]) == 0, "the next run cleaned the failed run's memberships"
        assert read_previous_membership(database) == membership
    finally:
        forget_graph_contents()
