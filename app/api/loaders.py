"""DataLoaders: every nested field of a page is fetched for all its parents in one query.

A page of N clusters asking for members, infrastructure, timeline and notes costs one query per field,
not N. Each loader's batch function runs one named query with `UNWIND` over its keys (only the cluster
count runs one query per distinct filter, concurrently; a request has few). Together with the root resolvers
(`resolvers/`), this module is where the API runs queries: the GraphQL types only shape what these return.
The `cluster` and `account` loaders return typed objects, so a type reaches another through the context
instead of importing it (`Member.account` in types/cluster.py gets its `Account` from here).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from strawberry.dataloader import DataLoader

from app.api.types.account import Account
from app.api.types.cluster import Cluster
from graph.aio import AsyncDatabase
from graph.queries import get_query
from graph.settings import Settings

# Server-side caps of the lists that take no page size (the query cost in cost.py counts them in full).
NOTES_PER_CLUSTER = 100
HISTORY_PER_CLUSTER = 100
IDENTIFIERS_PER_KIND = 50
MAX_ACCOUNT_CLUSTERS = 20
# linkedAccounts follows at most this many of an account's identifiers (the rarest).
LINKED_IDENTIFIERS = 200

MemberKey = tuple[str, str | None, int]      # cluster id, after, limit
TopKey = tuple[str, int, tuple[str, ...]]     # cluster id, top N, the kinds asked for
TimelineKey = tuple[str, int, int | None, int | None]  # cluster id, step minutes, from/to bucket
# account id, relationship types, largest degree of an identifier followed, limit
LinkedKey = tuple[str, tuple[str, ...], int, int]
# the cluster filters (app/api/resolvers/clusters.py `filter_params`; lists as tuples), by name
FilterKey = tuple[tuple[str, str | int | float | bool | datetime | tuple[str, ...] | None], ...]


@dataclass
class Loaders:
    """One set per request (DataLoader caches must not outlive a request)."""

    cluster: DataLoader[str, Cluster | None]
    account: DataLoader[str, Account | None]
    account_identifiers: DataLoader[str, dict[str, Any] | None]
    account_clusters: DataLoader[str, list[dict[str, Any]]]
    account_links: DataLoader[LinkedKey, list[dict[str, Any]]]
    cluster_members: DataLoader[MemberKey, dict[str, Any]]
    cluster_infrastructure: DataLoader[TopKey, dict[str, Any] | None]
    cluster_timeline: DataLoader[TimelineKey, list[dict[str, Any]]]
    cluster_notes: DataLoader[str, list[dict[str, Any]]]
    cluster_history: DataLoader[str, list[dict[str, Any]]]
    cluster_count: DataLoader[FilterKey, int]

    async def account_or_stub(self, account_id: str) -> Account:
        """The account, or one that carries only its id (a member whose node is gone)."""
        return await self.account.load(account_id) or Account.from_row({"account_id": account_id})

    async def cluster_or_stub(self, cluster_id: str) -> Cluster:
        """The cluster, or one that carries only its id."""
        return await self.cluster.load(cluster_id) or Cluster.from_row({"cluster_id": cluster_id})


def _unique(keys: Sequence[Any]) -> list[Any]:
    return list(dict.fromkeys(keys))


def stored_infrastructure(row: dict[str, Any], top: int, kinds: tuple[str, ...]) -> dict[str, Any]:
    """A stored infrastructure row (JSON, the top values of every kind, most shared first) as the live query
    answers: the asked kinds cut to `top`, the others empty.

        >>> stored = {"cluster_id": "cl_1", "infrastructure": '{"ips": [{"value": "a", "members": 3}, '
        ...           '{"value": "b", "members": 2}], "templates": [{"value": "t", "members": 9}]}'}
        >>> stored_infrastructure(stored, 1, ("ips",))
        {'cluster_id': 'cl_1', 'ips': [{'value': 'a', 'members': 3}], 'templates': []}
    """
    values = json.loads(row["infrastructure"])
    return {"cluster_id": row["cluster_id"],
            **{kind: (items[:top] if kind in kinds else []) for kind, items in values.items()}}


class BatchFunctions:
    """The loaders' batch functions, bound to the app's database: each gets keys, returns values in order."""

    def __init__(self, database: AsyncDatabase, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    async def clusters(self, ids: Sequence[str]) -> list[Cluster | None]:
        rows = await self.database.run(get_query("api_cluster_by_ids"), {"ids": _unique(ids)})
        found = {row["cluster"]["cluster_id"]: Cluster.from_row(row["cluster"]) for row in rows}
        return [found.get(ident) for ident in ids]

    async def accounts(self, ids: Sequence[str]) -> list[Account | None]:
        rows = await self.database.run(get_query("api_account_by_ids"), {"ids": _unique(ids)})
        found = {row["account"]["account_id"]: Account.from_row(row["account"]) for row in rows}
        return [found.get(ident) for ident in ids]

    async def identifiers(self, ids: Sequence[str]) -> list[dict[str, Any] | None]:
        rows = await self.database.run(get_query("api_account_identifiers"),
                                       {"ids": _unique(ids), "top": IDENTIFIERS_PER_KIND})
        found = {row["account_id"]: row for row in rows}
        return [found.get(ident) for ident in ids]

    async def memberships(self, ids: Sequence[str]) -> list[list[dict[str, Any]]]:
        rows = await self.database.run(get_query("api_account_clusters"),
                                       {"ids": _unique(ids), "limit": MAX_ACCOUNT_CLUSTERS})
        found = {row["account_id"]: row["memberships"] for row in rows}
        return [found.get(ident, []) for ident in ids]

    async def links(self, keys: Sequence[LinkedKey]) -> list[list[dict[str, Any]]]:
        requests = [{"account_id": account_id, "rel_types": list(rel_types), "hub_cap": hub_cap, "limit": limit}
                    for account_id, rel_types, hub_cap, limit in _unique(keys)]
        rows = await self.database.run(get_query("api_account_linked"),
                                       {"requests": requests, "max_identifiers": LINKED_IDENTIFIERS})
        found = {(row["account_id"], tuple(row["rel_types"]), row["hub_cap"], row["limit"]): row["linked"]
                 for row in rows}
        return [found.get(key, []) for key in keys]

    async def members(self, keys: Sequence[MemberKey]) -> list[dict[str, Any]]:
        found: dict[MemberKey, dict[str, Any]] = {}
        for limit in {limit for _, _, limit in keys}:  # one query per page size (normally one)
            requests = [{"cluster_id": c, "after": after} for c, after, n in _unique(keys) if n == limit]
            rows = await self.database.run(get_query("api_cluster_members"), {"requests": requests, "limit": limit})
            found.update({(row["cluster_id"], row["after"], limit): row for row in rows})
        return [found.get(key, {"total": 0, "members": []}) for key in keys]

    async def infrastructure(self, keys: Sequence[TopKey]) -> list[dict[str, Any] | None]:
        found: dict[TopKey, dict[str, Any]] = {}
        for top, kinds in {(top, kinds) for _, top, kinds in keys}:  # one shape per query (normally one)
            ids = _unique([c for c, n, k in keys if (n, k) == (top, kinds)])
            # Large clusters: what detection stored for the run in force; the rest are computed live.
            stored = await self.database.run(get_query("api_cluster_infrastructure_stored"), {"ids": ids, "top": top})
            for row in stored:
                found[(row["cluster_id"], top, kinds)] = stored_infrastructure(row, top, kinds)
            live = [ident for ident in ids if (ident, top, kinds) not in found]
            if live:
                rows = await self.database.run(get_query("api_cluster_infrastructure"),
                                               {"ids": live, "top": top, "kinds": list(kinds)})
                found.update({(row["cluster_id"], top, kinds): row for row in rows})
        return [found.get(key) for key in keys]

    async def timelines(self, keys: Sequence[TimelineKey]) -> list[list[dict[str, Any]]]:
        requests = [{"cluster_id": c, "step_minutes": step, "from_bucket": start, "to_bucket": end}
                    for c, step, start, end in _unique(keys)]
        rows = await self.database.run(get_query("api_cluster_timeline"), {
            "requests": requests, "bucket_minutes": self.settings.activity_bucket_minutes})
        found = {(row["cluster_id"], row["step_minutes"], row["from_bucket"], row["to_bucket"]): row["points"]
                 for row in rows}
        return [found.get(key, []) for key in keys]

    async def notes(self, ids: Sequence[str]) -> list[list[dict[str, Any]]]:
        rows = await self.database.run(get_query("api_cluster_notes"),
                                       {"ids": _unique(ids), "limit": NOTES_PER_CLUSTER})
        found = {row["cluster_id"]: row["notes"] for row in rows}
        return [found.get(ident, []) for ident in ids]

    async def history(self, ids: Sequence[str]) -> list[list[dict[str, Any]]]:
        rows = await self.database.run(get_query("api_cluster_history"),
                                       {"ids": _unique(ids), "limit": HISTORY_PER_CLUSTER})
        found = {row["cluster_id"]: row["history"] for row in rows}
        return [found.get(ident, []) for ident in ids]

    async def counts(self, keys: Sequence[FilterKey]) -> list[int]:
        query = get_query("api_clusters_count")
        unique = _unique(keys)
        results = await asyncio.gather(*(self.database.run(query, {
            name: list(value) if isinstance(value, tuple) else value for name, value in key}) for key in unique))
        found = {key: int(rows[0]["total"]) if rows else 0 for key, rows in zip(unique, results, strict=True)}
        return [found[key] for key in keys]


def make_loaders(database: AsyncDatabase, settings: Settings) -> Loaders:
    """Fresh loaders bound to the app's database."""
    batch = BatchFunctions(database, settings)
    return Loaders(
        cluster=DataLoader(batch.clusters), account=DataLoader(batch.accounts),
        account_identifiers=DataLoader(batch.identifiers), account_clusters=DataLoader(batch.memberships),
        account_links=DataLoader(batch.links), cluster_members=DataLoader(batch.members),
        cluster_infrastructure=DataLoader(batch.infrastructure), cluster_timeline=DataLoader(batch.timelines),
        cluster_notes=DataLoader(batch.notes), cluster_count=DataLoader(batch.counts),
        cluster_history=DataLoader(batch.history),
    )
