"""`clusters(filter, orderBy, first, after)` and `cluster(id)`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.api.context import LinkageInfo
from app.api.cursors import decode_cursor, encode_cursor, page_size
from app.api.resolvers.validation import require_id
from app.api.types.cluster import Cluster, ClusterConnection, ClusterEdge
from app.api.types.common import ClusterOrder, PageInfo, Verdict
from graph.errors import NotFoundError
from graph.queries import get_query


@strawberry.input(description="Cluster filters; all optional, combined with AND.")
class ClusterFilter:
    verdict: Verdict | None = None
    min_size: int | None = None
    min_score: float | None = None
    capability: str | None = None
    proxy_network: str | None = None
    seen_after: datetime | None = strawberry.field(default=None, description="Last seen at or after.")


async def resolve_clusters(info: LinkageInfo, filter: ClusterFilter | None = None,
                           order_by: ClusterOrder = ClusterOrder.SCORE_DESC, first: int | None = 20,
                           after: str | None = None) -> ClusterConnection:
    """A page of clusters, keyset-paginated on (sort key desc, cluster id): stable under inserts."""
    chosen = filter or ClusterFilter()
    limit = page_size(first, info.context.settings.api_page_cap)
    after_key, after_id = decode_cursor(after, order_by.value) if after else (None, None)
    filters = {"verdict": chosen.verdict.value if chosen.verdict else None, "min_size": chosen.min_size,
               "min_score": chosen.min_score, "capability": chosen.capability,
               "proxy_network": chosen.proxy_network, "seen_after": chosen.seen_after}
    rows = await info.context.database.run(get_query("api_clusters_page"), {
        **filters, "order": order_by.value, "after_key": after_key,
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
