"""`clusters(filter, orderBy, first, after)` and `cluster(id)`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from app.api.context import LinkageInfo
from app.api.cursors import decode_cursor, encode_cursor, page_size
from app.api.errors import BadInputError
from app.api.resolvers.validation import require_assignee, require_id
from app.api.types.cluster import Cluster, ClusterConnection, ClusterEdge
from app.api.types.common import CasePriority, CaseStatus, ClusterOrder, PageInfo, Verdict
from graph.errors import NotFoundError
from graph.queries import get_query


@strawberry.input(description="Cluster filters; all optional, combined with AND. Ranges include both ends, "
                               "time ranges their start only ([after, before)).")
class ClusterFilter:
    verdict: Verdict | None = None
    case_status: list[CaseStatus] | None = strawberry.field(
        default=None, description="Any of these case statuses (a cluster without a case is OPEN).")
    assignee: str | None = strawberry.field(default=None, description="Cases assigned to this handle.")
    unassigned: bool = strawberry.field(default=False, description="Only cases nobody is assigned to.")
    priority: list[CasePriority] | None = strawberry.field(default=None, description="Any of these priorities.")
    min_size: int | None = None
    max_size: int | None = None
    min_score: float | None = None
    max_score: float | None = None
    capability: str | None = None
    proxy_network: str | None = None
    seen_after: datetime | None = strawberry.field(default=None, description="Last seen at or after.")
    first_seen_after: datetime | None = strawberry.field(default=None, description="First seen at or after.")
    first_seen_before: datetime | None = strawberry.field(default=None, description="First seen before.")
    changed_after: datetime | None = strawberry.field(
        default=None, description="Last changed by a detection run (lastChangedAt) at or after.")
    changed_before: datetime | None = strawberry.field(
        default=None, description="Last changed by a detection run before.")
    include_retired: bool = strawberry.field(
        default=False, description="Also clusters detection no longer finds (hidden by default).")


def _check_range(low: Any, high: Any, name: str) -> None:
    if low is not None and high is not None and low > high:
        raise BadInputError(f"min{name} must not be above max{name}", field=f"min{name}")


def filter_params(chosen: ClusterFilter) -> dict[str, Any]:
    """The filter as query parameters (validated: ranges ordered, sizes and scores in bounds)."""
    for name, value in (("minSize", chosen.min_size), ("maxSize", chosen.max_size)):
        if value is not None and value < 0:
            raise BadInputError(f"{name} must not be negative", field=name)
    for name, number in (("minScore", chosen.min_score), ("maxScore", chosen.max_score)):
        if number is not None and not 0.0 <= number <= 1.0:
            raise BadInputError(f"{name} must be between 0 and 1", field=name)
    _check_range(chosen.min_size, chosen.max_size, "Size")
    _check_range(chosen.min_score, chosen.max_score, "Score")
    for start, end, name in ((chosen.first_seen_after, chosen.first_seen_before, "firstSeenAfter"),
                             (chosen.changed_after, chosen.changed_before, "changedAfter")):
        if start is not None and end is not None and start >= end:
            raise BadInputError(f"{name} must be before {name.replace('After', 'Before')}", field=name)
    if chosen.assignee is not None and chosen.unassigned:
        raise BadInputError("give assignee or unassigned, not both", field="unassigned")
    return {
        "verdict": chosen.verdict.value if chosen.verdict else None,
        "case_statuses": tuple(s.value for s in chosen.case_status) if chosen.case_status else None,
        "assignee": require_assignee(chosen.assignee) if chosen.assignee is not None else None,
        "unassigned": chosen.unassigned,
        "priorities": tuple(p.value for p in chosen.priority) if chosen.priority else None,
        "min_size": chosen.min_size, "max_size": chosen.max_size,
        "min_score": chosen.min_score, "max_score": chosen.max_score,
        "capability": chosen.capability, "proxy_network": chosen.proxy_network,
        "seen_after": chosen.seen_after,
        "first_seen_after": chosen.first_seen_after, "first_seen_before": chosen.first_seen_before,
        "changed_after": chosen.changed_after, "changed_before": chosen.changed_before,
        "include_retired": chosen.include_retired,
    }


def query_params(filters: dict[str, Any]) -> dict[str, Any]:
    """Filters (hashable, for the count loader's key) as the driver takes them: tuples as lists."""
    return {name: list(value) if isinstance(value, tuple) else value for name, value in filters.items()}


async def resolve_clusters(info: LinkageInfo, filter: ClusterFilter | None = None,
                           order_by: ClusterOrder = ClusterOrder.SCORE_DESC, first: int | None = 20,
                           after: str | None = None) -> ClusterConnection:
    """A page of clusters, keyset-paginated on (sort key desc, cluster id): stable under inserts."""
    limit = page_size(first, info.context.settings.api_page_cap)
    after_key, after_id = decode_cursor(after, order_by.value) if after else (None, None)
    filters = filter_params(filter or ClusterFilter())
    # The default order reads the score index in order (a page costs about its size); the others sort all
    # matching clusters.
    by_score = order_by == ClusterOrder.SCORE_DESC
    query = get_query("api_clusters_page_by_score" if by_score else "api_clusters_page")
    rows = await info.context.database.run(query, {
        **query_params(filters), **({} if by_score else {"order": order_by.value}), "after_key": after_key,
        "after_id": after_id, "limit": limit + 1})
    edges = [ClusterEdge(cursor=encode_cursor(order_by.value, row["sort_key"], row["cluster"]["cluster_id"]),
                         node=Cluster.from_row(row["cluster"])) for row in rows[:limit]]
    for edge in edges:  # later `cluster(id)` lookups in the same request hit the cache
        info.context.loaders.cluster.prime(str(edge.node.id), edge.node)
    return ClusterConnection(edges=edges, filters=filters, page_info=PageInfo(
        has_next_page=len(rows) > limit, end_cursor=edges[-1].cursor if edges else None))


async def resolve_cluster(info: LinkageInfo, id: strawberry.ID) -> Cluster:
    """One cluster; NOT_FOUND for an unknown id."""
    cluster = await info.context.loaders.cluster.load(require_id(str(id), "id"))
    if cluster is None:
        raise NotFoundError(f"no cluster {str(id)!r}")
    return cluster
