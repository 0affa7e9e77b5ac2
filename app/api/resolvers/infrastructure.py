"""`infrastructure(kind, value, first, after)`."""

from __future__ import annotations

from app.api.context import LinkageInfo
from app.api.cursors import decode_cursor, encode_cursor, page_size
from app.api.resolvers.validation import canonical_ip, canonical_network, require_id
from app.api.types.account import Account
from app.api.types.cluster import Cluster
from app.api.types.common import InfrastructureKind, MetricEntry, PageInfo, to_plain
from app.api.types.infrastructure import AccountConnection, AccountEdge, Infrastructure, InfrastructureCluster
from graph.errors import NotFoundError
from graph.queries import get_query

TOP_CLUSTERS = 20
ACCOUNT_ORDER = "ACCOUNTS_BY_ID"  # the accounts' cursors' ordering (app/api/cursors.py)
_HIDDEN_PROPERTIES = {"kind", "band_keys"}


async def resolve_infrastructure(info: LinkageInfo, kind: InfrastructureKind, value: str,
                                 first: int | None = 20, after: str | None = None) -> Infrastructure:
    """The accounts (a page) and clusters behind one identifier; NOT_FOUND when the graph lacks it."""
    value = require_id(value, "value")
    if kind is InfrastructureKind.IP:
        value = canonical_ip(value)
    elif kind is InfrastructureKind.NETWORK:
        value = canonical_network(value)
    limit = page_size(first, info.context.settings.api_page_cap)
    after_id = decode_cursor(after, ACCOUNT_ORDER)[1] if after else None
    rows = await info.context.database.run(get_query("api_infrastructure"), {
        "kind": kind.value, "value": value, "after": after_id, "limit": limit + 1,
        "top_clusters": TOP_CLUSTERS})
    if not rows:
        raise NotFoundError(f"no {kind.value.lower().replace('_', ' ')} {value!r}")
    row = rows[0]
    page_ids = row["page"]
    loaded = await info.context.loaders.account.load_many(page_ids[:limit])
    accounts = [found or Account.from_row({"account_id": ident})
                for ident, found in zip(page_ids[:limit], loaded, strict=True)]
    edges = [AccountEdge(cursor=encode_cursor(ACCOUNT_ORDER, None, str(account.id)), node=account)
             for account in accounts]
    properties = {key: to_plain(val) for key, val in sorted(row["node"].items())
                  if key not in _HIDDEN_PROPERTIES}
    return Infrastructure(
        kind=kind, value=value, properties=MetricEntry.from_items(properties),
        accounts=AccountConnection(total_count=int(row["total"]), edges=edges, page_info=PageInfo(
            has_next_page=len(page_ids) > limit, end_cursor=edges[-1].cursor if edges else None)),
        clusters=[InfrastructureCluster(cluster=Cluster.from_row(item["cluster"]),
                                        accounts=int(item["accounts"])) for item in row["clusters"]])
