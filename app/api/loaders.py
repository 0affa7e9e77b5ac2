"""DataLoaders: every nested field of a page is fetched for all its parents in one query.

A page of N clusters asking for members, infrastructure, timeline and notes costs one query per field,
not N. Each loader's batch function runs one named query with `UNWIND $ids`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader

from graph.aio import AsyncDatabase
from graph.queries import get_query
from graph.settings import Settings

NOTES_PER_CLUSTER = 100
IDENTIFIERS_PER_KIND = 100

MemberKey = tuple[str, str | None, int]      # cluster id, after, limit
TopKey = tuple[str, int]                       # cluster id, top N
TimelineKey = tuple[str, int]                  # cluster id, step minutes


@dataclass
class Loaders:
    """One set per request (DataLoader caches must not outlive a request)."""

    cluster: DataLoader[str, dict[str, Any] | None]
    account: DataLoader[str, dict[str, Any] | None]
    account_identifiers: DataLoader[str, dict[str, Any] | None]
    account_clusters: DataLoader[str, list[dict[str, Any]]]
    cluster_members: DataLoader[MemberKey, dict[str, Any]]
    cluster_infrastructure: DataLoader[TopKey, dict[str, Any] | None]
    cluster_timeline: DataLoader[TimelineKey, list[dict[str, Any]]]
    cluster_notes: DataLoader[str, list[dict[str, Any]]]


def _unique(keys: Sequence[Any]) -> list[Any]:
    return list(dict.fromkeys(keys))


def make_loaders(database: AsyncDatabase, settings: Settings) -> Loaders:
    """Fresh loaders bound to the app's database."""

    async def clusters(ids: Sequence[str]) -> list[dict[str, Any] | None]:
        rows = await database.run(get_query("api_cluster_by_ids"), {"ids": _unique(ids)})
        found = {row["cluster"]["cluster_id"]: row["cluster"] for row in rows}
        return [found.get(ident) for ident in ids]

    async def accounts(ids: Sequence[str]) -> list[dict[str, Any] | None]:
        rows = await database.run(get_query("api_account_by_ids"), {"ids": _unique(ids)})
        found = {row["account"]["account_id"]: row["account"] for row in rows}
        return [found.get(ident) for ident in ids]

    async def identifiers(ids: Sequence[str]) -> list[dict[str, Any] | None]:
        rows = await database.run(get_query("api_account_identifiers"),
                                  {"ids": _unique(ids), "top": IDENTIFIERS_PER_KIND})
        found = {row["account_id"]: row for row in rows}
        return [found.get(ident) for ident in ids]

    async def memberships(ids: Sequence[str]) -> list[list[dict[str, Any]]]:
        rows = await database.run(get_query("api_account_clusters"), {"ids": _unique(ids)})
        found = {row["account_id"]: row["memberships"] for row in rows}
        return [found.get(ident, []) for ident in ids]

    async def members(keys: Sequence[MemberKey]) -> list[dict[str, Any]]:
        requests = [{"cluster_id": c, "after": after, "limit": limit}
                    for c, after, limit in _unique(keys)]
        rows = await database.run(get_query("api_cluster_members"), {"requests": requests})
        found = {(row["cluster_id"], row["after"], row["limit"]): row for row in rows}
        return [found.get(key, {"total": 0, "members": []}) for key in keys]

    async def infrastructure(keys: Sequence[TopKey]) -> list[dict[str, Any] | None]:
        found: dict[TopKey, dict[str, Any]] = {}
        for top in {top for _, top in keys}:  # one query per distinct N (normally one)
            ids = _unique([c for c, n in keys if n == top])
            rows = await database.run(get_query("api_cluster_infrastructure"), {"ids": ids, "top": top})
            found.update({(row["cluster_id"], top): row for row in rows})
        return [found.get(key) for key in keys]

    async def timelines(keys: Sequence[TimelineKey]) -> list[list[dict[str, Any]]]:
        requests = [{"cluster_id": c, "step_minutes": step} for c, step in _unique(keys)]
        rows = await database.run(get_query("api_cluster_timeline"),
                                  {"requests": requests, "bucket_minutes": settings.activity_bucket_minutes})
        found = {(row["cluster_id"], row["step_minutes"]): row["points"] for row in rows}
        return [found.get(key, []) for key in keys]

    async def notes(ids: Sequence[str]) -> list[list[dict[str, Any]]]:
        rows = await database.run(get_query("api_cluster_notes"),
                                  {"ids": _unique(ids), "limit": NOTES_PER_CLUSTER})
        found = {row["cluster_id"]: row["notes"] for row in rows}
        return [found.get(ident, []) for ident in ids]

    return Loaders(
        cluster=DataLoader(clusters), account=DataLoader(accounts),
        account_identifiers=DataLoader(identifiers), account_clusters=DataLoader(memberships),
        cluster_members=DataLoader(members), cluster_infrastructure=DataLoader(infrastructure),
        cluster_timeline=DataLoader(timelines), cluster_notes=DataLoader(notes),
    )
