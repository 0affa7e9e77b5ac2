"""Cluster, its evidence, members, shared infrastructure, timeline and case notes.

Fields fetch through the request's DataLoaders (`app/api/loaders.py`), never the database directly.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types.nodes import SelectedField
from strawberry.utils.str_converters import to_camel_case

from app.api.context import LinkageInfo
from app.api.cursors import decode_cursor, encode_cursor, page_size
from app.api.errors import BadInputError
from app.api.types.common import (
    CaseField,
    CasePriority,
    CaseStatus,
    Long,
    MetricEntry,
    PageInfo,
    TimelineResolution,
    Verdict,
    to_datetime,
)
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


def _priority(value: Any) -> CasePriority | None:
    return CasePriority(value) if value in CasePriority._value2member_map_ else None


@strawberry.type(description="An entry of a cluster's case history: an analyst's note, or a change of one case "
                             "field (status, assignee, priority, ticket link) with its value before and after.")
class CaseNote:
    id: strawberry.ID
    text: str = strawberry.field(description="The note, the reason given for a status change, or which field "
                                             "changed.")
    author: str = strawberry.field(description="The name of the API key that wrote it.")
    author_role: str | None = strawberry.field(description="That key's role when it wrote it.")
    created_at: datetime | None
    field: CaseField | None = strawberry.field(description="The case field changed (none for a note).")
    before: str | None = strawberry.field(description="The field's value before the change (none: unset).")
    after: str | None = strawberry.field(description="The field's value after the change (none: cleared).")
    status: CaseStatus | None = strawberry.field(description="The status set (status changes only).")
    previous_status: CaseStatus | None = strawberry.field(description="The status before the change.")

    @staticmethod
    def from_row(row: dict[str, Any]) -> CaseNote:
        field, status, previous = row.get("field"), _status(row.get("status")), _status(row.get("previous_status"))
        if field is None and status is not None:  # a status change recorded before fields were named
            field, row = "STATUS", {**row, "before": row.get("previous_status"), "after": row.get("status")}
        return CaseNote(id=strawberry.ID(row["note_id"]), text=row.get("text") or "",
                        author=row.get("author") or "", author_role=row.get("author_role"),
                        created_at=to_datetime(row.get("created_at")),
                        field=CaseField(field) if field in CaseField._value2member_map_ else None,
                        before=row.get("before"), after=row.get("after"),
                        status=status, previous_status=previous)


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


INFRASTRUCTURE_KINDS = ("payment_methods", "ips", "proxy_networks", "client_fingerprints", "templates",
                        "capabilities")
_KIND_OF_FIELD = {to_camel_case(name): name for name in INFRASTRUCTURE_KINDS}


def requested_kinds(info: LinkageInfo) -> set[str]:
    """The infrastructure kinds the query selects (through fragments too): only those are computed."""
    kinds: set[str] = set()

    def visit(selections: Sequence[Any]) -> None:
        for selection in selections:
            if isinstance(selection, SelectedField):
                if selection.name in _KIND_OF_FIELD:
                    kinds.add(_KIND_OF_FIELD[selection.name])
            else:  # a fragment spread or an inline fragment
                visit(selection.selections)

    for field in info.selected_fields:
        visit(field.selections)
    return kinds


@strawberry.type(description="Requests of all members in one time step.")
class TimelinePoint:
    start: datetime
    requests: Long


@strawberry.type(description="A member account and how strongly it belongs.")
class Member:
    account_id: strawberry.Private[str]
    weight: float | None

    @strawberry.field
    async def account(self, info: LinkageInfo) -> AccountRef:
        return await info.context.loaders.account_or_stub(self.account_id)


MEMBER_ORDER = "MEMBERS_BY_ACCOUNT_ID"  # the members' cursors' ordering (app/api/cursors.py)


@strawberry.type
class MemberEdge:
    cursor: str
    node: Member


@strawberry.type(description="A page of a cluster's members, ordered by account id.")
class MemberConnection:
    total_count: int
    edges: list[MemberEdge]
    page_info: PageInfo

    @strawberry.field(description="The edges' nodes (a shortcut when the cursors are not needed).")
    def nodes(self) -> list[Member]:
        return [edge.node for edge in self.edges]


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
    assignee: str | None = strawberry.field(description="Who works the case (a team handle).")
    priority: CasePriority | None = strawberry.field(description="How urgent the case is.")
    ticket_url: str | None = strawberry.field(description="The case's ticket in an external tracker.")
    case_updated_at: datetime | None = strawberry.field(description="When a case field last changed.")
    growth: int | None = strawberry.field(description=(
        "Size change in the last detection run that took effect (a new cluster grew from 0, a retired one "
        "shrank to 0); none before the cluster's first run with this field."))
    last_changed_at: datetime | None = strawberry.field(description=(
        "When a detection run last changed the cluster's members or verdict, or retired it (before the "
        "first run that records it: when detection last wrote it)."))
    retired: bool = strawberry.field(description="No longer found by detection (kept for its case history).")

    @staticmethod
    def from_row(row: dict[str, Any]) -> Cluster:
        verdict, status = row.get("verdict"), row.get("case_status")
        growth = row.get("growth")
        return Cluster(
            row=row, id=strawberry.ID(row["cluster_id"]), size=int(row.get("size") or 0),
            score=float(row.get("score") or 0.0),
            verdict=Verdict(verdict) if verdict in Verdict._value2member_map_ else None,
            signals=list(row.get("signals") or []), capabilities=list(row.get("capabilities") or []),
            proxy_networks=list(row.get("proxy_networks") or []),
            first_seen=to_datetime(row.get("first_seen")), last_seen=to_datetime(row.get("last_seen")),
            detected_at=to_datetime(row.get("detected_at")),
            case_status=CaseStatus(status) if status in CaseStatus._value2member_map_ else None,
            assignee=row.get("case_assignee"), priority=_priority(row.get("case_priority")),
            ticket_url=row.get("case_ticket_url"), case_updated_at=to_datetime(row.get("case_updated_at")),
            growth=None if growth is None else int(growth),
            last_changed_at=to_datetime(row.get("changed_at") or row.get("detected_at")),
            retired=bool(row.get("retired")),
        )

    @strawberry.field(description="Detection's signals, strongest first.")
    def evidence(self) -> list[Evidence]:
        return parse_evidence(self.row.get("evidence"))

    @strawberry.field(description="Member accounts, a page at a time (ordered by account id).")
    async def members(self, info: LinkageInfo, first: int | None = 20, after: str | None = None) \
            -> MemberConnection:
        limit = page_size(first, info.context.settings.api_page_cap)
        after_id = decode_cursor(after, MEMBER_ORDER)[1] if after else None
        page = await info.context.loaders.cluster_members.load((str(self.id), after_id, limit + 1))
        rows = page["members"]
        edges = [MemberEdge(cursor=encode_cursor(MEMBER_ORDER, None, row["account_id"]),
                            node=Member(account_id=row["account_id"], weight=row.get("weight")))
                 for row in rows[:limit]]
        return MemberConnection(
            total_count=int(page["total"]), edges=edges,
            page_info=PageInfo(has_next_page=len(rows) > limit, end_cursor=edges[-1].cursor if edges else None))

    @strawberry.field(description="What the members share: the top values per kind with member counts.")
    async def infrastructure(self, info: LinkageInfo, top: int = 10) -> SharedInfrastructure:
        if not 1 <= top <= MAX_TOP:
            raise BadInputError(f"top must be between 1 and {MAX_TOP}", field="top")
        kinds = tuple(sorted(requested_kinds(info)))
        row = await info.context.loaders.cluster_infrastructure.load((str(self.id), top, kinds)) or {}
        return SharedInfrastructure(**{name: SharedValue.from_rows(row.get(name) or [])
                                       for name in INFRASTRUCTURE_KINDS})

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
                              requests=Long(int(point["requests"]))) for point in points]

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
