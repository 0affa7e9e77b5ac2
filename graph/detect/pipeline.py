"""`run_detection`: read the graph, link accounts, form clusters, score and explain them, write them back.

Stages (timed separately): read → links → clusters → signals → write → switch → cleanup (→ alerts). Each
run is recorded (`graph/detect/runs.py`): its results are written under its run id and take effect in one
switch transaction, so until then the run before stays in force — also when this one crashes.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from graph.db import Database
from graph.detect.alerts import deliver_alerts, select_alerts
from graph.detect.blocks import csr_positions
from graph.detect.changes import ClusterChange, classify_changes, count_changes
from graph.detect.cohesion import ClusterEdges, cohesion
from graph.detect.components import clusters_from_labels
from graph.detect.config import DetectionConfig
from graph.detect.inputs import DetectionInput, Window, read_inputs
from graph.detect.links import EMBEDDED, LinkEngine, build_links
from graph.detect.persist import ClusterResult, assign_ids, read_previous_clusters, read_previous_membership
from graph.detect.runs import (
    RunRecord,
    cleanup_runs,
    fail_run,
    stage_run,
    start_run,
    store_infrastructure,
    switch_run,
    update_run,
)
from graph.detect.scoring import score_cluster, size_factor
from graph.detect.signals import Context, cluster_signals
from graph.errors import LinkageError

Progress = Callable[[str], None]


@dataclass
class DetectionSummary:
    accounts: int
    clusters: list[ClusterResult]
    candidate_pairs: int
    links: int
    glue_edges: int
    stage_seconds: dict[str, float] = field(default_factory=dict)
    run: RunRecord | None = None
    changes: list[ClusterChange] = field(default_factory=list)
    cleaned: dict[str, int] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)

    def count_changes(self) -> dict[str, int]:
        return count_changes(self.changes)

    def count_by_verdict(self) -> dict[str, int]:
        counts = {"suspicious": 0, "review": 0, "benign": 0}
        for cluster in self.clusters:
            counts[cluster.verdict] += 1
        return counts


def summed_activity(buckets: np.ndarray, counts: np.ndarray) -> tuple[list[int], list[int]]:
    """Requests per bucket summed over accounts: (sorted distinct buckets, their totals).

        >>> summed_activity(np.array([7, 3, 7]), np.array([1.0, 2.0, 4.0]))
        ([3, 7], [2, 5])
    """
    distinct, inverse = np.unique(buckets, return_inverse=True)
    totals = np.bincount(inverse, weights=counts, minlength=distinct.size)
    return distinct.tolist(), np.rint(totals).astype(np.int64).tolist()


def _bucket_time(bucket: int, bucket_minutes: int) -> datetime:
    return datetime.fromtimestamp(bucket * bucket_minutes * 60, tz=UTC)


def cohesion_evidence(held: dict[str, Any], size: int) -> dict[str, Any]:
    """The cohesion report as an evidence entry (informative: it does not move the score)."""
    weakest = held["depends_on"]
    if weakest is None:
        summary = (f"held together by several independent facts: no single shared identifier carries more "
                   f"than half of the {size} members")
    else:
        summary = (f"depends on one {weakest['kind']} identifier {weakest['identifier']} "
                   f"({weakest['members_holding']} of {size} members hold it, {weakest['holders_in_population']} "
                   f"accounts in all): without it the largest connected part is "
                   f"{weakest['largest_part_without']:.0%} of the cluster")
    return {"signal": "cohesion", "score": 1.0 if weakest is None else weakest["largest_part_without"],
            "summary": summary, "metrics": held, "contribution": 0.0}


@dataclass
class ClusterWork:
    """What scoring and explaining one cluster needs; `work(k)` is cluster k's result. Each cluster is
    independent of the others, so an engine may run them anywhere (graph/engine/detect.py: Spark tasks)."""

    data: DetectionInput
    config: DetectionConfig
    bucket_minutes: int
    context: Context
    cluster_edges: ClusterEdges
    ids: list[str]
    groups: list[np.ndarray]
    member_ids: list[list[str]]

    def __len__(self) -> int:
        return len(self.groups)

    def __call__(self, k: int) -> ClusterResult:
        data, config, group = self.data, self.config, self.groups[k]
        # A cluster too small to reach `review` whatever its signals (size factor below the threshold) gets
        # only the identifier signals that say why it holds together.
        reachable = size_factor(group.size, config) >= config.review_threshold
        signals, mitigation = cluster_signals(self.context, group, full=reachable)
        verdict = score_cluster(len(group), signals, mitigation, config)
        if verdict.verdict != "benign":
            held = cohesion(self.cluster_edges, group)
            if held is not None:
                verdict.evidence.insert(len(verdict.evidence) - 1, cohesion_evidence(held, group.size))
        by_name = {s.name: s for s in signals}
        capabilities = ([c["capability"] for c in by_name["capability_focus"].metrics["top_capabilities"]]
                        if "capability_focus" in by_name else [])
        proxies = [p["name"] for p in
                   by_name["proxy_network"].metrics["proxy_networks"]] if "proxy_network" in by_name else []
        positions = csr_positions(data.activity_indptr, group)
        buckets = data.activity_bucket[positions]
        first = _bucket_time(int(buckets.min()), self.bucket_minutes) if buckets.size else None
        last = _bucket_time(int(buckets.max()), self.bucket_minutes) if buckets.size else None
        return ClusterResult(self.ids[k], self.member_ids[k], verdict.score, verdict.verdict, verdict.evidence,
                             verdict.signals, capabilities, proxies, first, last,
                             summed_activity(buckets, data.activity_count[positions]))


def detect_clusters(data: DetectionInput, config: DetectionConfig, bucket_minutes: int,
                    previous: dict[str, str] | None = None,
                    timings: dict[str, float] | None = None,
                    engine: LinkEngine = EMBEDDED) -> tuple[list[ClusterResult], int, int, int]:
    """The in-memory part of detection: clusters with ids, scores, verdicts and evidence (candidate scoring
    and connected components on `engine`)."""
    timings = timings if timings is not None else {}
    data.bucket_minutes = bucket_minutes
    started = time.perf_counter()
    links = build_links(data, config, engine)
    timings["links"] = time.perf_counter() - started

    started = time.perf_counter()
    edges = np.concatenate([links.glue, links.pairs]) if links.pairs.size else links.glue
    labels = engine.component_labels(data.n_accounts, edges)
    groups = clusters_from_labels(labels)
    member_ids = [[data.account_ids[i] for i in group] for group in groups]
    ids = assign_ids(member_ids, previous or {})
    timings["clusters"] = time.perf_counter() - started

    started = time.perf_counter()
    in_step = np.zeros(data.n_accounts, dtype=bool)
    in_step[links.pairs[links.timing >= links.threshold].ravel()] = True
    context = Context.build(data, config, links.cohorts, links.model.activity if links.model else None, in_step)
    work = ClusterWork(data, config, bucket_minutes, context, ClusterEdges(links, labels), ids, groups,
                       member_ids)
    results = engine.map_clusters(work)
    timings["signals"] = time.perf_counter() - started
    return results, links.candidates, len(links.pairs), len(links.glue)


def run_detection(database: Database, config: DetectionConfig | None = None,
                  progress: Progress | None = None, window: Window | None = None,
                  batch_size: int | None = None, alerts: bool = True, engine: LinkEngine = EMBEDDED,
                  read: Callable[[], DetectionInput] | None = None,
                  save_inputs: Callable[[DetectionInput], None] | None = None) -> DetectionSummary:
    """Detect clusters in the loaded graph (within `window`) and write them as a new detection run that
    takes effect in one switch; then clean older runs' leftovers and send alerts (when configured).

    `read` replaces the graph read (a Parquet snapshot: graph/detect/snapshot.py), `save_inputs` receives
    what was read, `engine` runs candidate scoring and connected components (graph/engine/detect.py)."""
    config = config or DetectionConfig()
    window = window or Window()
    report = progress or (lambda _: None)
    rows_per_write = batch_size or database.settings.detect_batch_size
    timings: dict[str, float] = {}
    run = start_run(database, config=config, window=window)
    report(f"run {run.run_id}" + (f" (after {run.previous_run_id})" if run.previous_run_id else " (first run)"))
    try:
        if run.abandoned:
            report(f"cleaning up after interrupted runs: {', '.join(run.abandoned)}")
            cleanup_runs(database, batch_size=rows_per_write)
        started = time.perf_counter()
        report("reading the graph")
        data = read() if read is not None else read_inputs(database, window, progress=report)
        if save_inputs is not None:
            save_inputs(data)
        previous = read_previous_membership(database)
        previous_clusters = read_previous_clusters(database)
        timings["read"] = time.perf_counter() - started
        report(f"linking {data.n_accounts:,} accounts")
        clusters, candidates, links, glue = detect_clusters(
            data, config, database.settings.activity_bucket_minutes, previous, timings, engine)
        if not window.is_open:  # the members' activity was read in part: their timeline stays computed live
            for cluster in clusters:
                cluster.activity = None
        changes = classify_changes([(c.cluster_id, c.members) for c in clusters], previous, previous_clusters)
        found = {c.cluster_id: c for c in clusters}
        for change in changes:
            if change.found:
                change.score, change.verdict = found[change.cluster_id].score, found[change.cluster_id].verdict
        started = time.perf_counter()
        report(f"writing {len(clusters):,} clusters")
        members = stage_run(database, run.run_id, clusters, changes, batch_size=rows_per_write, progress=report)
        summary = DetectionSummary(data.n_accounts, clusters, candidates, links, glue, timings, run, changes)
        update_run(database, run.run_id, run_facts(summary, members))
        timings["write"] = time.perf_counter() - started
        started = time.perf_counter()
        report("switching to the new run")
        switch_run(database, run, members=members, clusters=len(clusters))
        timings["switch"] = time.perf_counter() - started
    except BaseException as error:  # the run in force stays; this run is marked so it can never switch
        # The database may be why it failed: then the next run abandons this one anyway.
        with contextlib.suppress(Exception):
            fail_run(database, run.run_id, f"{type(error).__name__}: {error}")
        raise
    started = time.perf_counter()
    large = [c.cluster_id for c in clusters if len(c.members) >= config.store_infrastructure_min_size]
    report(f"storing the shared infrastructure of {len(large):,} large clusters")
    try:  # the run is in force; a cluster without it is computed live by the API
        store_infrastructure(database, run.run_id, large)
    except LinkageError as error:
        report(f"storing infrastructure stopped ({error}); those clusters are computed live")
    timings["infrastructure"] = time.perf_counter() - started
    started = time.perf_counter()
    report("cleaning up older runs")
    try:  # the run is in force now: leftovers are only space, and the next run continues the cleanup
        summary.cleaned = cleanup_runs(database, batch_size=rows_per_write)
    except LinkageError as error:
        report(f"cleanup stopped ({error}); the next run continues it")
    timings["cleanup"] = time.perf_counter() - started
    if alerts and database.settings.alert_webhook_url:
        started = time.perf_counter()
        chosen = select_alerts(run.run_id, clusters, changes, previous_clusters,
                               database.settings.alert_growth_share)
        report(f"sending {len(chosen):,} alerts")
        summary.alerts = deliver_alerts(database.settings, chosen)
        timings["alerts"] = time.perf_counter() - started
    with contextlib.suppress(LinkageError):  # facts only; the run is in force either way
        update_run(database, run.run_id, {"seconds": [round(timings.get(stage, 0.0), 3) for stage in STAGES],
                                          **{f"alerts_{k}": v for k, v in summary.alerts.items()}})
    return summary


STAGES = ("read", "links", "clusters", "signals", "write", "switch", "infrastructure", "cleanup", "alerts")


def run_facts(summary: DetectionSummary, members: int) -> dict[str, object]:
    """What a run records about its result (before the switch): counts by verdict and by change."""
    verdicts = summary.count_by_verdict()
    changes = summary.count_changes()
    return {"accounts": summary.accounts, "clusters": len(summary.clusters), "members": members,
            **{f"verdict_{name}": count for name, count in verdicts.items()},
            **{f"changes_{name}": count for name, count in changes.items()}}
