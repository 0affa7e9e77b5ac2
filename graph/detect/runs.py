"""Detection runs: every `linkage detect` writes under its own run id and takes effect in one step.

    start    a DetectionRun {status: writing}; runs still writing were interrupted → abandoned
    stage    ClusterSnapshot per cluster (values, change), PendingCluster for new ids, MEMBER_OF {run_id}
             (bounded transactions; readers see none of it: they count a membership only when its
             run_id equals its Cluster's, and never match PendingCluster)
    switch   ONE transaction: lock, check the run is complete and still follows the run in force, new
             clusters become Cluster, every found cluster takes its snapshot's values and the run's id,
             the others are retired, the run becomes current
    cleanup  bounded transactions after the switch: memberships of older and abandoned runs, retired
             clusters without case notes, abandoned snapshots, evidence copies in snapshots

Until the switch commits, the run in force answers every check, API call and export, whatever happens to
the process (a crash, kill -9, a lost connection); after it, the new run does. A run whose switch finds
another run switched first stops with a ConflictError (its staged writes are cleaned by the next run).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import neo4j

from graph.db import Database
from graph.detect.changes import ClusterChange
from graph.detect.config import DetectionConfig
from graph.detect.inputs import Window
from graph.detect.persist import ClusterResult
from graph.errors import ConflictError
from graph.queries import get_query

Progress = Callable[[str], None]


@dataclass
class RunRecord:
    """A detection run as started: what it follows, over which window, with which settings, on which data."""

    run_id: str
    started_at: datetime
    previous_run_id: str | None
    window: Window
    settings_digest: str
    loaded: dict[str, Any] = field(default_factory=dict)  # input files loaded since the previous run
    abandoned: list[str] = field(default_factory=list)  # runs this one found interrupted


def new_run_id(now: datetime) -> str:
    """A sortable, unique run id.

    >>> new_run_id(datetime(2025, 3, 1, 12, 0, tzinfo=UTC))[:20]
    'run_20250301T120000Z'
    """
    return f"run_{now.astimezone(UTC):%Y%m%dT%H%M%SZ}_{secrets.token_hex(3)}"


def settings_digest(config: DetectionConfig, bucket_minutes: int) -> str:
    """SHA-256 over every detection setting and the activity bucket size: equal digests, equal settings.

    >>> settings_digest(DetectionConfig(), 10) == settings_digest(DetectionConfig(), 10)
    True
    >>> settings_digest(DetectionConfig(), 10) == settings_digest(DetectionConfig(), 15)
    False
    """
    payload = json.dumps({"config": asdict(config), "bucket_minutes": bucket_minutes}, sort_keys=True,
                         default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def read_current_run(database: Database) -> dict[str, Any] | None:
    """The run in force (status current), or None before the first run."""
    rows = database.run(get_query("detect_run_current"))
    return dict(rows[0]["run"]) if rows else None


def read_loaded_since(database: Database, since: datetime | None) -> dict[str, Any]:
    """Input files loaded at or after `since` (all when None): counts, tables and content-hash ids."""
    rows = database.run(get_query("detect_loaded_since"), {"since": since})
    row = rows[0] if rows else {}
    return {"files": int(row.get("files") or 0), "rows": int(row.get("rows") or 0),
            "loaded": int(row.get("loaded") or 0), "quarantined": int(row.get("quarantined") or 0),
            "tables": sorted(row.get("tables") or []), "file_ids": list(row.get("file_ids") or [])}


def start_run(database: Database, *, config: DetectionConfig, window: Window,
              now: datetime | None = None) -> RunRecord:
    """Record a new run in status `writing` (runs still writing become `abandoned`)."""
    started = now or datetime.now(UTC)
    previous = read_current_run(database)
    previous_started = previous.get("started_at") if previous else None
    loaded = read_loaded_since(database, previous_started)
    run = RunRecord(run_id=new_run_id(started), started_at=started,
                    previous_run_id=previous["run_id"] if previous else None, window=window,
                    settings_digest=settings_digest(config, database.settings.activity_bucket_minutes),
                    loaded=loaded)
    properties = {
        "started_at": started, "previous_run_id": run.previous_run_id, "settings_digest": run.settings_digest,
        "bucket_minutes": database.settings.activity_bucket_minutes,
        "window_since": window.since, "window_until": window.until,
        "loaded_files": loaded["files"], "loaded_rows": loaded["rows"], "loaded_accepted": loaded["loaded"],
        "loaded_quarantined": loaded["quarantined"], "loaded_tables": loaded["tables"],
        "loaded_file_ids": loaded["file_ids"],
    }
    rows = database.run(get_query("detect_run_start"), {"run_id": run.run_id, "properties": properties,
                                                       "now": started})
    run.abandoned = list(rows[0]["abandoned"]) if rows else []
    return run


def update_run(database: Database, run_id: str, properties: dict[str, Any]) -> None:
    """Add facts (counts, timings) to a run; its status is left alone."""
    database.run(get_query("detect_run_update"), {"run_id": run_id, "properties": properties})


def fail_run(database: Database, run_id: str, reason: str) -> None:
    """Mark a run that stopped before its switch `failed` (best effort: the next run abandons it anyway)."""
    database.run(get_query("detect_run_fail"), {"run_id": run_id, "reason": reason[:500],
                                                "now": datetime.now(UTC)})


def snapshot_rows(clusters: Sequence[ClusterResult], changes: Sequence[ClusterChange]) -> list[dict[str, Any]]:
    """One ClusterSnapshot row per found cluster (its values and change) and per ended cluster (size 0)."""
    by_id = {change.cluster_id: change for change in changes}
    rows = []
    for cluster in clusters:
        change = by_id.get(cluster.cluster_id)
        rows.append({
            "cluster_id": cluster.cluster_id, "found": True, "size": len(cluster.members),
            "score": cluster.score, "verdict": cluster.verdict,
            "evidence": json.dumps(cluster.evidence, sort_keys=True, default=str), "signals": cluster.signals,
            "capabilities": cluster.capabilities, "proxy_networks": cluster.proxy_networks,
            "first_seen": cluster.first_seen, "last_seen": cluster.last_seen,
            "activity_buckets": cluster.activity[0] if cluster.activity else None,
            "activity_counts": cluster.activity[1] if cluster.activity else None,
            "change": change.change if change else "new", "related": change.related if change else [],
            "previous_size": change.previous_size if change else None,
            "previous_score": change.previous_score if change else None,
            "previous_verdict": change.previous_verdict if change else None,
        })
    for change in changes:
        if not change.found:
            rows.append({
                "cluster_id": change.cluster_id, "found": False, "size": 0, "score": None, "verdict": None,
                "evidence": None, "signals": [], "capabilities": [], "proxy_networks": [], "first_seen": None,
                "last_seen": None, "activity_buckets": None, "activity_counts": None,
                "change": change.change, "related": change.related,
                "previous_size": change.previous_size, "previous_score": change.previous_score,
                "previous_verdict": change.previous_verdict,
            })
    return rows


def _batches(rows: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def stage_run(database: Database, run_id: str, clusters: Sequence[ClusterResult],
              changes: Sequence[ClusterChange], *, batch_size: int, progress: Progress | None = None) -> int:
    """Write the run's snapshots, pending clusters and memberships, in bounded transactions, all invisible
    to readers until the switch. Returns the number of memberships written."""
    report = progress or (lambda _: None)
    snapshot_query = get_query("detect_stage_snapshots")
    for rows in _batches(snapshot_rows(clusters, changes), batch_size):
        database.run(snapshot_query, {"run_id": run_id, "rows": list(rows)})
    pending_query = get_query("detect_stage_clusters")
    for ids in _batches([c.cluster_id for c in clusters], batch_size):
        database.run(pending_query, {"run_id": run_id, "ids": list(ids)})
    member_rows = [{"account_id": m, "cluster_id": c.cluster_id, "weight": c.score}
                   for c in clusters for m in c.members]
    member_query = get_query("detect_stage_members")
    written = 0
    for rows in _batches(member_rows, batch_size):
        database.run(member_query, {"run_id": run_id, "rows": list(rows)})
        written += len(rows)
        report(f"writing memberships {written:,}/{len(member_rows):,}")
    return written


# What `store_infrastructure` keeps per kind, and the kinds (the columns of api_cluster_infrastructure).
STORED_INFRASTRUCTURE_TOP = 20
INFRASTRUCTURE_KINDS = ("payment_methods", "ips", "proxy_networks", "client_fingerprints", "templates",
                        "capabilities")


def store_infrastructure(database: Database, run_id: str, cluster_ids: Sequence[str]) -> int:
    """After the switch: each given cluster's shared infrastructure — the top STORED_INFRASTRUCTURE_TOP values
    of every kind, as `cluster.infrastructure` computes them live — stored on the cluster as JSON, so the API
    reads one property instead of expanding thousands of members per request. Returns how many were stored
    (a cluster another run has taken over since is skipped; one never stored is computed live)."""
    live, store = get_query("api_cluster_infrastructure"), get_query("detect_store_infrastructure")
    stored = 0
    for cluster_id in cluster_ids:
        rows = database.run(live, {"ids": [cluster_id], "top": STORED_INFRASTRUCTURE_TOP,
                                   "kinds": list(INFRASTRUCTURE_KINDS)})
        if not rows:
            continue
        payload = json.dumps({kind: rows[0][kind] for kind in INFRASTRUCTURE_KINDS}, sort_keys=True)
        stored += int(database.run(store, {"cluster_id": cluster_id, "run_id": run_id, "infrastructure": payload,
                                           "top": STORED_INFRASTRUCTURE_TOP})[0]["stored"])
    return stored


def switch_run(database: Database, run: RunRecord, *, members: int, clusters: int,
               now: datetime | None = None) -> dict[str, int]:
    """Make the staged run the one in force, in one transaction; ConflictError when it may not."""
    switched_at = now or datetime.now(UTC)
    timeout = database.settings.write_timeout_s
    params = {"run_id": run.run_id, "now": switched_at}

    @neo4j.unit_of_work(timeout=timeout)
    def work(tx: neo4j.ManagedTransaction) -> dict[str, int]:
        locked = tx.run(get_query("detect_switch_lock").text, {"run_id": run.run_id}).single()
        if locked is None or locked["status"] != "writing":
            status = None if locked is None else locked["status"]
            raise ConflictError(f"run {run.run_id} is {status or 'unknown'}, not writing: it may not switch "
                                "(another detection started after it)")
        if locked["staged_members"] != members or locked["staged_clusters"] != clusters:
            raise ConflictError(f"run {run.run_id} is incomplete: {locked['staged_members']:,} of {members:,} "
                                f"memberships and {locked['staged_clusters']:,} of {clusters:,} clusters staged")
        current = tx.run(get_query("detect_switch_current").text).single()
        in_force = sorted(current["current"]) if current else []
        expected = [run.previous_run_id] if run.previous_run_id else []
        if in_force != expected:
            raise ConflictError(f"run {run.run_id} started from {run.previous_run_id or 'no run'} but "
                                f"{', '.join(in_force) or 'no run'} is in force now; detect again")
        switched = tx.run(get_query("detect_switch_clusters").text, params).single()
        retired = tx.run(get_query("detect_switch_retire").text, params).single()
        marked = tx.run(get_query("detect_switch_mark").text, params).single()
        if switched is None or switched["switched"] != clusters:
            raise ConflictError(f"run {run.run_id}: {0 if switched is None else switched['switched']:,} of "
                                f"{clusters:,} clusters switched")
        return {"switched": clusters, "retired": int(retired["retired"]) if retired else 0,
                "superseded": int(marked["superseded"]) if marked else 0}

    return database.execute_write(work, name="detect_switch")


def _drain(database: Database, query_name: str, params: dict[str, Any], key: str) -> int:
    """Run a bounded write query until it reports nothing left to do; the total it did."""
    query = get_query(query_name)
    total = 0
    while True:
        done = int(database.run(query, params)[0][key])
        if not done:
            return total
        total += done


def cleanup_runs(database: Database, *, batch_size: int) -> dict[str, int]:
    """Delete what runs no longer in force left behind, in bounded transactions (safe to interrupt: the
    next run continues). Never touches the current run's memberships or a run still writing."""
    counts = {"memberships": 0, "snapshots": 0, "pending_clusters": 0, "retired_clusters": 0}
    now = datetime.now(UTC)
    for row in database.run(get_query("detect_cleanup_runs")):
        run_id, status = row["run_id"], row["status"]
        if status != "current":
            counts["memberships"] += _drain(database, "detect_cleanup_members",
                                            {"run_id": run_id, "limit": batch_size}, "deleted")
        abandoned = status in ("abandoned", "failed")
        if abandoned:
            counts["pending_clusters"] += _drain(database, "detect_cleanup_pending",
                                                 {"run_id": run_id, "limit": batch_size}, "deleted")
        counts["snapshots"] += _drain(database, "detect_cleanup_snapshots",
                                      {"run_id": run_id, "abandoned": abandoned, "limit": batch_size}, "done")
        database.run(get_query("detect_cleanup_mark"), {"run_id": run_id, "now": now})
    if read_current_run(database) is not None:
        counts["memberships"] += _drain(database, "detect_cleanup_legacy_members", {"limit": batch_size},
                                        "deleted")
        counts["retired_clusters"] += _drain(database, "detect_cleanup_retired", {"limit": batch_size},
                                             "deleted")
    return counts
