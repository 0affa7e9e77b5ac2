"""A piece of infrastructure (IP, network, proxy, payment method, client, template) and who is behind it."""

from __future__ import annotations

import strawberry

from app.api.types.account import Account
from app.api.types.cluster import Cluster
from app.api.types.common import InfrastructureKind, MetricEntry, PageInfo


@strawberry.type
class AccountEdge:
    cursor: str
    node: Account


@strawberry.type(description="A page of accounts, ordered by account id.")
class AccountConnection:
    total_count: int
    edges: list[AccountEdge]
    page_info: PageInfo

    @strawberry.field(description="The edges' nodes (a shortcut when the cursors are not needed).")
    def nodes(self) -> list[Account]:
        return [edge.node for edge in self.edges]


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
