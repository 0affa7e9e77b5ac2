"""Detection's results in the graph: cluster ids kept stable across runs, and clusters read back for export.

A cluster keeps the id of the previous run's cluster it overlaps most (Jaccard ≥ 0.5, each old id used
once), so rerunning on the same data gives the same ids and adding data keeps the ids of clusters whose
membership mostly persists — and with them their case status and notes. A new cluster's id is derived
from its smallest member account id. `graph/detect/changes.py` reports, with the same overlaps, which
clusters are new, grew, shrank, merged, split or retired; `graph/detect/runs.py` writes a run's results and
switches them in at once.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.db import Database
from graph.detect.changes import PreviousCluster
from graph.queries import get_query


@dataclass
class ClusterResult:
    cluster_id: str
    members: list[str]
    score: float
    verdict: str
    evidence: list[dict[str, Any]]
    signals: list[str]
    capabilities: list[str]
    proxy_networks: list[str]
    first_seen: datetime | None
    last_seen: datetime | None
    # the members' requests summed per activity bucket (sorted buckets, their counts), stored on the cluster so
    # its timeline costs one node read; None when the run read a window of the activity, not all of it
    activity: tuple[list[int], list[int]] | None = None


def new_cluster_id(smallest_member: str) -> str:
    return "cl_" + hashlib.blake2b(smallest_member.encode(), digest_size=6).hexdigest()


def assign_ids(clusters: Sequence[Sequence[str]], previous: Mapping[str, str]) -> list[str]:
    """Stable ids for clusters given as member-id lists (each sorted), from the previous membership.

    >>> assign_ids([["a", "b"], ["c", "d"]], {"a": "cl_old", "b": "cl_old", "x": "cl_gone"})
    ['cl_old', 'cl_ff08fffb1947']
    """
    old_sizes = Counter(previous.values())
    candidates: list[tuple[int, int, str]] = []
    for position, members in enumerate(clusters):
        overlaps = Counter(previous[m] for m in members if m in previous)
        for old_id, overlap in overlaps.items():
            union = len(members) + old_sizes[old_id] - overlap
            if overlap / union >= 0.5:
                candidates.append((overlap, position, old_id))
    ids: list[str | None] = [None] * len(clusters)
    used: set[str] = set()
    for _, position, old_id in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if ids[position] is None and old_id not in used:
            ids[position] = old_id
            used.add(old_id)
    for position, members in enumerate(clusters):
        if ids[position] is None:
            candidate = new_cluster_id(members[0])
            suffix = 1
            while candidate in used:
                candidate = f"{new_cluster_id(members[0])}_{suffix}"
                suffix += 1
            ids[position] = candidate
            used.add(candidate)
    return [i for i in ids if i is not None]


def read_previous_membership(database: Database) -> dict[str, str]:
    """The run in force's membership: account id → cluster id (live clusters only)."""
    rows = database.run(get_query("detect_existing_memberships"), timeout=database.settings.write_timeout_s)
    return {row["account_id"]: row["cluster_id"] for row in rows}


def read_previous_clusters(database: Database) -> dict[str, PreviousCluster]:
    """The run in force's live clusters with score, verdict and case status (changes and alerts)."""
    rows = database.run(get_query("detect_previous_clusters"), timeout=database.settings.write_timeout_s)
    return {row["cluster_id"]: PreviousCluster(row["cluster_id"], row.get("size"), row.get("score"),
                                               row.get("verdict"), row.get("case_status")) for row in rows}


def read_cluster_members(database: Database) -> list[dict[str, Any]]:
    """Every live cluster's members with the cluster's score and verdict, ordered by cluster and account."""
    return database.run(get_query("detect_cluster_members"), timeout=database.settings.write_timeout_s)


def read_cluster_detail(database: Database, cluster_id: str) -> dict[str, Any] | None:
    """One cluster with its evidence and the identifiers its members use (for STIX), or None."""
    rows = database.run(get_query("detect_cluster_detail"), {"cluster_id": cluster_id})
    return rows[0] if rows else None
