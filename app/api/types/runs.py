"""Detection runs and what changed between them: `DetectionRun`, `ClusterChange`, `ClusterHistoryPoint`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from app.api.types.common import PageInfo, Verdict, to_datetime


@strawberry.enum(description="Where a detection run stands.")
class RunStatus(Enum):
    WRITING = "writing"
    CURRENT = "current"
    SUPERSEDED = "superseded"
    ABANDONED = "abandoned"
    FAILED = "failed"


@strawberry.enum(description="How a cluster changed from the run before (docs/detection.md).")
class ClusterChangeKind(Enum):
    NEW = "new"
    GROWN = "grown"
    SHRUNK = "shrunk"
    UNCHANGED = "unchanged"
    MERGED = "merged"
    SPLIT = "split"
    RETIRED = "retired"


@strawberry.type(description="Input files loaded between the run before and this one.")
class LoadedData:
    files: int
    rows: float = strawberry.field(description="Rows read (a count; Float so it cannot overflow).")
    loaded: float
    quarantined: float
    tables: list[str]


@strawberry.type(description="Clusters of a run by verdict.")
class VerdictCounts:
    suspicious: int
    review: int
    benign: int


@strawberry.type(description="Clusters of a run by change from the run before.")
class ChangeCounts:
    new: int
    grown: int
    shrunk: int
    merged: int
    split: int = strawberry.field(description="Clusters of the run before that split.")
    retired: int
    unchanged: int


def _int(value: Any) -> int:
    return int(value or 0)


def _verdict(value: Any) -> Verdict | None:
    return Verdict(value) if value in Verdict._value2member_map_ else None


@strawberry.type(description="One `linkage detect`: its window, settings, input and results.")
class DetectionRun:
    id: strawberry.ID
    status: RunStatus
    started_at: datetime | None
    switched_at: datetime | None = strawberry.field(description="When its results took effect.")
    previous_run_id: strawberry.ID | None
    window_since: datetime | None
    window_until: datetime | None
    settings_digest: str = strawberry.field(description="SHA-256 of the detection settings and bucket size.")
    loaded_since_previous_run: LoadedData
    accounts: int
    clusters: int
    members: int
    verdicts: VerdictCounts
    changes: ChangeCounts

    @staticmethod
    def from_row(row: dict[str, Any]) -> DetectionRun:
        previous = row.get("previous_run_id")
        return DetectionRun(
            id=strawberry.ID(row["run_id"]), status=RunStatus(row.get("status", "writing")),
            started_at=to_datetime(row.get("started_at")), switched_at=to_datetime(row.get("switched_at")),
            previous_run_id=strawberry.ID(previous) if previous else None,
            window_since=to_datetime(row.get("window_since")), window_until=to_datetime(row.get("window_until")),
            settings_digest=str(row.get("settings_digest") or ""),
            loaded_since_previous_run=LoadedData(
                files=_int(row.get("loaded_files")), rows=float(row.get("loaded_rows") or 0),
                loaded=float(row.get("loaded_accepted") or 0),
                quarantined=float(row.get("loaded_quarantined") or 0),
                tables=list(row.get("loaded_tables") or [])),
            accounts=_int(row.get("accounts")), clusters=_int(row.get("clusters")), members=_int(row.get("members")),
            verdicts=VerdictCounts(suspicious=_int(row.get("verdict_suspicious")),
                                   review=_int(row.get("verdict_review")), benign=_int(row.get("verdict_benign"))),
            changes=ChangeCounts(**{kind: _int(row.get(f"changes_{kind}")) for kind in (
                "new", "grown", "shrunk", "merged", "split", "retired", "unchanged")}),
        )


@strawberry.type(description="A cluster's change in one run: its values then, and before that run.")
class ClusterChange:
    cluster_id: strawberry.ID
    kind: ClusterChangeKind
    found: bool = strawberry.field(description="False for a cluster of the run before that ended in this one.")
    size: int
    previous_size: int | None
    score: float | None
    previous_score: float | None
    verdict: Verdict | None
    previous_verdict: Verdict | None
    related: list[strawberry.ID] = strawberry.field(
        description="MERGED: the clusters merged with it; SPLIT: the cluster it split from (or, ended, into); "
                    "NEW: a cluster that grew into it; RETIRED: where its members went.")
    run: DetectionRun

    @staticmethod
    def from_row(change: dict[str, Any], run: dict[str, Any]) -> ClusterChange:
        return ClusterChange(
            cluster_id=strawberry.ID(change["cluster_id"]), kind=ClusterChangeKind(change["change"]),
            found=bool(change.get("found")), size=_int(change.get("size")),
            previous_size=change.get("previous_size"), score=change.get("score"),
            previous_score=change.get("previous_score"), verdict=_verdict(change.get("verdict")),
            previous_verdict=_verdict(change.get("previous_verdict")),
            related=[strawberry.ID(r) for r in change.get("related") or []], run=DetectionRun.from_row(run))


@strawberry.type
class DetectionRunEdge:
    cursor: str
    node: DetectionRun


@strawberry.type(description="A page of detection runs, newest first.")
class DetectionRunConnection:
    edges: list[DetectionRunEdge]
    page_info: PageInfo


@strawberry.type
class ClusterChangeEdge:
    cursor: str
    node: ClusterChange


@strawberry.type(description="A page of cluster changes, newest run first.")
class ClusterChangeConnection:
    edges: list[ClusterChangeEdge]
    page_info: PageInfo
