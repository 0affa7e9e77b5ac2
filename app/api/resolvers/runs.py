"""`detectionRuns(status, first, after)` and `clusterChanges(since, kinds, first, after)`."""

from __future__ import annotations

from datetime import datetime

from app.api.context import LinkageInfo
from app.api.cursors import decode_cursor, encode_cursor, page_size
from app.api.types.common import PageInfo
from app.api.types.runs import (
    ClusterChange,
    ClusterChangeConnection,
    ClusterChangeEdge,
    ClusterChangeKind,
    DetectionRun,
    DetectionRunConnection,
    DetectionRunEdge,
    RunStatus,
)
from graph.queries import get_query

RUNS_ORDER = "RUNS_STARTED_DESC"
CHANGES_ORDER = "CHANGES_RUN_DESC"
CHANGED = [kind for kind in ClusterChangeKind if kind is not ClusterChangeKind.UNCHANGED]


async def resolve_detection_runs(info: LinkageInfo, status: RunStatus | None = None, first: int | None = 20,
                                 after: str | None = None) -> DetectionRunConnection:
    """Detection runs, newest first (keyset-paginated: stable while new runs start)."""
    limit = page_size(first, info.context.settings.api_page_cap)
    after_key, after_id = decode_cursor(after, RUNS_ORDER) if after else (None, None)
    rows = await info.context.database.run(get_query("api_detection_runs_page"), {
        "status": status.value if status else None, "after_key": after_key, "after_id": after_id,
        "limit": limit + 1})
    edges = [DetectionRunEdge(cursor=encode_cursor(RUNS_ORDER, row["sort_key"], row["run"]["run_id"]),
                              node=DetectionRun.from_row(row["run"])) for row in rows[:limit]]
    return DetectionRunConnection(edges=edges, page_info=PageInfo(
        has_next_page=len(rows) > limit, end_cursor=edges[-1].cursor if edges else None))


async def resolve_cluster_changes(info: LinkageInfo, since: datetime, kinds: list[ClusterChangeKind] | None = None,
                                  first: int | None = 50, after: str | None = None) -> ClusterChangeConnection:
    """What changed in the runs that took effect after `since`, each against the run before it; every kind
    but UNCHANGED unless `kinds` says otherwise."""
    limit = page_size(first, info.context.settings.api_page_cap)
    after_key, after_id = decode_cursor(after, CHANGES_ORDER) if after else (None, None)
    rows = await info.context.database.run(get_query("api_cluster_changes_page"), {
        "since": since, "kinds": [kind.value for kind in (kinds if kinds is not None else CHANGED)],
        "after_key": after_key, "after_id": after_id, "limit": limit + 1})
    edges = [ClusterChangeEdge(cursor=encode_cursor(CHANGES_ORDER, row["sort_key"], row["change"]["snapshot_id"]),
                               node=ClusterChange.from_row(row["change"], row["run"])) for row in rows[:limit]]
    return ClusterChangeConnection(edges=edges, page_info=PageInfo(
        has_next_page=len(rows) > limit, end_cursor=edges[-1].cursor if edges else None))
