"""Account: identifiers with sharing counts, activity summary, clusters and linked accounts.

Fields fetch through the request's DataLoaders (`app/api/loaders.py`), never the database directly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry

from app.api.context import LinkageInfo
from app.api.cursors import page_size
from app.api.errors import BadInputError
from app.api.types.cluster import Cluster
from app.api.types.common import KIND_BY_LABEL, REL_TYPES_BY_KIND, IdentifierKind, to_datetime

# Identifiers shared by more accounts than this are hubs: not followed unless asked.
HUB_DEGREE = 50
# Even when hubs are asked for, nothing wider than this is expanded (a mail provider's domain); `hubDegree`
# above it is refused.
MAX_HUB_DEGREE = 1_000


@strawberry.type(description="A payment method of the account and how many accounts use it.")
class PaymentMethodUse:
    fingerprint: str
    kind: str | None
    issuer_country: str | None
    shared_by: int


@strawberry.type(description="An IP the account signed up from or sent requests from.")
class IpUse:
    address: str
    kind: str | None
    proxy_network: str | None
    is_vpn: bool | None
    is_tor: bool | None
    signup: bool
    requests: int
    shared_by: int


@strawberry.type(description="An identifier the account used: its requests, how many accounts use it.")
class IdentifierUse:
    value: str
    requests: int | None
    shared_by: int
    detail: str | None


@strawberry.type(description="When and how much the account was active.")
class ActivitySummary:
    requests: int | None
    input_tokens: int | None
    output_tokens: int | None
    first_seen: datetime | None
    last_seen: datetime | None
    active_buckets: int
    peak_bucket_requests: int
    first_active: datetime | None
    last_active: datetime | None


@strawberry.type(description="An identifier through which two accounts link.")
class LinkIdentifier:
    kind: str
    value: str
    shared_by: int = strawberry.field(description="Accounts connected to it (a degree).")


@strawberry.type(description="An account linked to another, and the identifiers each link goes through.")
class LinkedAccount:
    account_id: strawberry.Private[str]
    via: list[LinkIdentifier]
    strength: float = strawberry.field(description="Sum of 1/sharedBy over the identifiers (rare count).")

    @strawberry.field
    async def account(self, info: LinkageInfo) -> Account:
        return await info.context.loaders.account_or_stub(self.account_id)


@strawberry.type(description="A cluster the account belongs to.")
class ClusterMembership:
    cluster: Cluster
    weight: float | None


def _uses(rows: list[dict[str, Any]]) -> list[IdentifierUse]:
    return [IdentifierUse(value=str(row["value"]), requests=row.get("requests"),
                          shared_by=int(row.get("shared_by") or 0), detail=row.get("detail")) for row in rows]


@strawberry.type(description="A customer account of the API.")
class Account:
    row: strawberry.Private[dict[str, Any]]
    id: strawberry.ID
    created_at: datetime | None
    country: str | None
    tier: str | None
    status: str | None
    email_domain: str | None
    org: str | None

    @staticmethod
    def from_row(row: dict[str, Any]) -> Account:
        return Account(row=row, id=strawberry.ID(row["account_id"]),
                       created_at=to_datetime(row.get("created_at")),
                       country=row.get("country"), tier=row.get("tier"), status=row.get("status"),
                       email_domain=row.get("email_domain"), org=row.get("org_id"))

    async def _identifiers(self, info: LinkageInfo, name: str) -> list[dict[str, Any]]:
        row = await info.context.loaders.account_identifiers.load(str(self.id))
        return list((row or {}).get(name) or [])

    @strawberry.field
    def activity(self, info: LinkageInfo) -> ActivitySummary:
        minutes = info.context.settings.activity_bucket_minutes

        def bucket_time(bucket: int | None) -> datetime | None:
            return None if bucket is None else datetime.fromtimestamp(bucket * minutes * 60, UTC)

        row = self.row
        return ActivitySummary(
            requests=row.get("requests"), input_tokens=row.get("input_tokens"),
            output_tokens=row.get("output_tokens"), first_seen=to_datetime(row.get("first_seen")),
            last_seen=to_datetime(row.get("last_seen")), active_buckets=int(row.get("active_buckets") or 0),
            peak_bucket_requests=int(row.get("peak_bucket_requests") or 0),
            first_active=bucket_time(row.get("first_bucket")),
            last_active=bucket_time(row.get("last_bucket")))

    @strawberry.field
    async def payment_methods(self, info: LinkageInfo) -> list[PaymentMethodUse]:
        return [PaymentMethodUse(fingerprint=row["value"], kind=row.get("detail"),
                                 issuer_country=row.get("issuer_country"), shared_by=int(row["shared_by"]))
                for row in await self._identifiers(info, "payment_methods")]

    @strawberry.field
    async def ips(self, info: LinkageInfo) -> list[IpUse]:
        return [IpUse(address=row["value"], kind=row.get("detail"), proxy_network=row.get("proxy_network"),
                      is_vpn=row.get("is_vpn"), is_tor=row.get("is_tor"), signup=bool(row.get("signup")),
                      requests=int(row.get("requests") or 0), shared_by=int(row["shared_by"]))
                for row in await self._identifiers(info, "ips")]

    @strawberry.field
    async def api_keys(self, info: LinkageInfo) -> list[IdentifierUse]:
        return _uses(await self._identifiers(info, "api_keys"))

    @strawberry.field
    async def client_fingerprints(self, info: LinkageInfo) -> list[IdentifierUse]:
        return _uses(await self._identifiers(info, "client_fingerprints"))

    @strawberry.field
    async def templates(self, info: LinkageInfo) -> list[IdentifierUse]:
        return _uses(await self._identifiers(info, "templates"))

    @strawberry.field
    async def capabilities(self, info: LinkageInfo) -> list[IdentifierUse]:
        return _uses(await self._identifiers(info, "capabilities"))

    @strawberry.field
    async def models(self, info: LinkageInfo) -> list[IdentifierUse]:
        return _uses(await self._identifiers(info, "models"))

    @strawberry.field(description="Clusters the account is a member of, strongest first.")
    async def clusters(self, info: LinkageInfo) -> list[ClusterMembership]:
        rows = await info.context.loaders.account_clusters.load(str(self.id))
        return [ClusterMembership(cluster=Cluster.from_row(row["cluster"]), weight=row.get("weight"))
                for row in rows]

    @strawberry.field(description="Accounts sharing identifiers with this one, strongest link first. "
                                  "Identifiers shared by more than `hubDegree` (1-1000) accounts are "
                                  "skipped unless includeHubs; none wider than 1000 is ever expanded.")
    async def linked_accounts(self, info: LinkageInfo, via: list[IdentifierKind] | None = None,
                              first: int | None = 20, include_hubs: bool = False,
                              hub_degree: int = HUB_DEGREE) -> list[LinkedAccount]:
        if not 1 <= hub_degree <= MAX_HUB_DEGREE:
            raise BadInputError(f"hubDegree must be between 1 and {MAX_HUB_DEGREE}", field="hubDegree")
        kinds = via or list(IdentifierKind)
        rel_types = tuple(sorted({rel for kind in kinds for rel in REL_TYPES_BY_KIND[kind]}))
        rows = await info.context.loaders.account_links.load((
            str(self.id), rel_types, MAX_HUB_DEGREE if include_hubs else hub_degree,
            page_size(first, info.context.settings.api_page_cap)))
        return [LinkedAccount(account_id=row["account_id"], strength=float(row["strength"]),
                              via=[LinkIdentifier(kind=KIND_BY_LABEL.get(v["kind"], v["kind"]),
                                                  value=str(v["value"]), shared_by=int(v["shared_by"]))
                                   for v in row["via"]])
                for row in rows]
