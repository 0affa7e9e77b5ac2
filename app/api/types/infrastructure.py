"""A piece of infrastructure (IP, network, proxy, payment method, client, template) and who is behind it."""

from __future__ import annotations

import strawberry

from app.api.types.account import Account
from app.api.types.cluster import Cluster
from app.api.types.common import InfrastructureKind, MetricEntry, PageInfo


@strawberry.type(description="A page of accounts.")
class AccountConnection:
    total_count: int
    nodes: list[Account]
    page_info: PageInfo


@strawberry.type(description="A cluster behind a piece of infrastructure.")
class InfrastructureCluster:
    cluster: Cluster
    accounts: int = strawberry.field(description="Accounts of the cluster that use this infrastructure.")


@strawberry.type(description="Infrastructure and the accounts and clusters behind it.")
class Infrastructure:
    kind: InfrastructureKind
    value: str
    properties: list[MetricEntry]
    accounts: AccountConnection
    clusters: list[InfrastructureCluster]
