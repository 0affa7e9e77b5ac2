"""Cluster, its evidence, members, shared infrastructure, timeline and case notes.

Fields fetch through the request's DataLoaders (`app/api/loaders.py`), never the database directly.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from app.api.context import LinkageInfo
from app.api.cursors import page_size
from app.api.errors import BadInputError
from app.api.types.common import CaseStatus, MetricEntry, PageInfo, TimelineResolution, Verdict, to_datetime
from app.api.types.runs import ClusterChange

if TYPE_CHECKING:  # annotations only: account.py imports this module, never the other way round
    from app.api.types.account import Account

AccountRef = Annotated["Account", strawberry.lazy("app.api.types.account")]
MAX_TOP = 50


def bucket_range(start: datetime | None, end: datetime | None, bucket_minutes: int) -> tuple[int | None, int | None]:
    """Activity bucket indices [first, end) for a time range (a bucket counts when it starts inside it).

    >>> bucket_range(datetime(2025, 3, 1, tzinfo=UTC), None, 60)
    (483552, None)
    """
    if start is not None and end is not None and start >= end:
        raise BadInputError("from must be before to", field="from")
    width = bucket_minutes * 60
    first = math.ceil(to_aware(start).timestamp() / width) if start is not None else None
    last = math.ceil(to_aware(end).timestamp() / width) if end is not None else None
    return first, last


def to_aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@strawberry.type(description="One detection signal behind a cluster's score.")
class Evidence:
    signal: str
    score: float
    summary: str
    metrics: list[MetricEntry]


def parse_evidence(raw: Any) -> list[Evidence]:
    """Detection's evidence JSON as typed entries (malformed evidence yields none rather than an error)."""
    try:
        items = json.loads(raw) if isinstance(raw, str) else (raw or [])
    except ValueError:
        return []
    evidence = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            raw_metrics = item.get("metrics")
            metrics = raw_metrics if isinstance(raw_metrics, dict) else {}
            evidence.append(Evidence(signal=str(item.get("signal", "")), score=float(item.get("score") or 0),
                                     summary=str(item.get("summary", "")),
                                     metrics=MetricEntry.from_items(metrics)))
    return evidence


def _status(value: Any) -> CaseStatus | None:
    return CaseStatus(value) if value in CaseStatus._value2member_map_ else None


@strawberry.type(description="An entry of a cluster's case history: an analyst's note or a status change.")
class CaseNote:
    id: strawberry.ID
    text: str = strawberry.field(description="The note, or the reason given for the status change.")
    author: str = strawberry.field(description="The name of the API key that wrote it.")
    author_role: str | None = strawberry.field(description="That key's role when it wrote it.")
    created_at: datetime | None
    status: CaseStatus | None = strawberry.field(description="The status set (status changes only).")
    previous_status: CaseStatus | None = strawberry.field(description="The status before the change.")

    @staticmethod
    def from_row(row: dict[str, Any]) -> CaseNote:
        return CaseNote(id=strawberry.ID(row["note_id"]), text=row.get("text") or "",
                        author=row.get("author") or "", author_role=row.get("author_role"),
                        created_at=to_datetime(row.get("created_at")), status=_status(row.get("status")),
                        previous_status=_status(row.get("previous_status")))


@strawberry.type(description="A value the members share, with how many member accounts use it.")
class SharedValue:
    value: str
    member_count: int
    detail: str | None = strawberry.field(description="Kind of IP or payment method, template skeleton.")
    proxy_network: str | None = None

    @staticmethod
    def from_rows(rows: list[dict[str, Any]]) -> list[SharedValue]:
        return [SharedValue(value=str(row["value"]), member_count=int(row["members"]),
                            detail=row.get("detail"), proxy_network=row.get("proxy_network"))
                for row in rows]


@strawberry.type(description="Infrastructure shared by a cluster's members (top values per kind).")
class SharedInfrastructure:
    payment_methods: list[SharedValue]
    ips: list[SharedValue]
    proxy_networks: list[SharedValue]
    client_fingerprints: list[SharedValue]
    templates: list[SharedValue]
    capabilities: list[SharedValue]


@strawberry.type(description="Requests of all members in one time step.")
class TimelinePoint:
    start: datetime
    requests: int


@strawberry.type(description="A member account and how strongly it belongs.")
class Member:
    account_id: strawberry.Private[str]
    weight: float | None

    @strawberry.field
    async def account(self, info: LinkageInfo) -> AccountRef:
        return await info.context.loaders.account_or_stub(self.account_id)


@strawberry.type(description="A page of a cluster's members, ordered by account id.")
class MemberConnection:
    total_count: int
    nodes: list[Member]
    page_info: PageInfo


@strawberry.type(description="A group of accounts detection links together, with why.")
class Cluster:
    row: strawberry.Private[dict[str, Any]]
    id: strawberry.ID
    size: int
    score: float
    verdict: Verdict | None
    signals: list[str]
    capabilities: list[str]
    proxy_networks: list[str]
    first_seen: datetime | None
    last_seen: datetime | None
    detected_at: datetime | None
    case_status: CaseStatus | None

    @staticmethod
    def from_row(row: dict[str, Any]) -> Cluster:
        verdict, status = row.get("verdict"), row.get("case_status")
        return Cluster(
            row=row, id=strawberry.ID(row["cluster_id"]), size=int(row.get("size") or 0),
            score=float(row.get("score") or 0.0),
            verdict=Verdict(verdict) if verdict in Verdict._value2member_map_ else None,
            signals=list(row.get("signals") or []), capabilities=list(row.get("capabilities") or []),
            proxy_networks=list(row.get("proxy_networks") or []),
            first_seen=to_datetime(row.get("first_seen")), last_seen=to_datetime(row.get("last_seen")),
            detected_at=to_datetime(row.get("detected_at")),
            case_status=CaseStatus(status) if status in CaseStatus._value2member_map_ else None,
        )

    @strawberry.field(description="Detection's signals, strongest first.")
    def evidence(self) -> list[Evidence]:
        return parse_evidence(self.row.get("evidence"))

    @strawberry.field(description="Member accounts, a page at a time (ordered by account id).")
    async def members(self, info: LinkageInfo, first: int | None = 20, after: str | None = None) \
            -> MemberConnection:
        limit = page_size(first, info.context.settings.api_page_cap)
        page = await info.context.loaders.cluster_members.load((str(self.id), after, limit + 1))
        rows = page["members"]
        nodes = [Member(account_id=row["account_id"], weight=row.get("weight")) for row in rows[:limit]]
        return MemberConnection(
            total_count=int(page["total"]), nodes=nodes,
            page_info=PageInfo(has_next_page=len(rows) > limit,
                               end_cursor=nodes[-1].account_id if nodes else None))

    @strawberry.field(description="What the members share: the top values per kind with member counts.")
    async def infrastructure(self, info: LinkageInfo, top: int = 10) -> SharedInfrastructure:
        if not 1 <= top <= MAX_TOP:
            raise BadInputError(f"top must be between 1 and {MAX_TOP}", field="top")
        row = await info.context.loaders.cluster_infrastructure.load((str(self.id), top)) or {}
        return SharedInfrastructure(**{name: SharedValue.from_rows(row.get(name) or []) for name in (
            "payment_methods", "ips", "proxy_networks", "client_fingerprints", "templates", "capabilities")})

    @strawberry.field(description="Members' requests summed per time step (the bucket, an hour or a day), "
                                  "optionally only from/to a time (steps that start in [from, to)).")
    async def timeline(self, info: LinkageInfo,
                       resolution: TimelineResolution = TimelineResolution.BUCKET,
                       from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
                       to: datetime | None = None) -> list[TimelinePoint]:
        bucket = info.context.settings.activity_bucket_minutes
        step = {TimelineResolution.BUCKET: bucket, TimelineResolution.HOUR: 60,
                TimelineResolution.DAY: 1440}[resolution]
        start, end = bucket_range(from_, to, bucket)
        points = await info.context.loaders.cluster_timeline.load((str(self.id), max(step, bucket), start, end))
        return [TimelinePoint(start=datetime.fromtimestamp(point["start"], UTC),
                              requests=int(point["requests"])) for point in points]

    @strawberry.field(description="Size, score and verdict per detection run that took effect, newest first, "
                                  "with the change each run recorded.")
    async def history(self, info: LinkageInfo, first: int = 20) -> list[ClusterChange]:
        rows = await info.context.loaders.cluster_history.load(str(self.id))
        return [ClusterChange.from_row(row["snapshot"], row["run"]) for row in rows[:max(first, 0)]]

    @strawberry.field(description="Case notes and status changes, newest first.")
    async def notes(self, info: LinkageInfo) -> list[CaseNote]:
        return [CaseNote.from_row(row) for row in await info.context.loaders.cluster_notes.load(str(self.id))]


@strawberry.type
class ClusterEdge:
    cursor: str
    node: Cluster


@strawberry.type(description="A page of clusters.")
class ClusterConnection:
    edges: list[ClusterEdge]
    page_info: PageInfo
    filters: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="How many clusters match the filters (one extra query, only when asked).")
    async def total_count(self, info: LinkageInfo) -> int:
        return await info.context.loaders.cluster_count.load(tuple(self.filters.items()))

    @strawberry.field
    def nodes(self) -> list[Cluster]:
        return [edge.node for edge in self.edges]
