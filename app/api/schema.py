"""The GraphQL schema: root Query and Mutation, and the extensions every request passes through.

`build_schema(settings)` adds the gate (parser and validation caches; depth, alias and token limits; the
cost limit (`cost.py`); error masking; no introspection in production); `build_schema()` without settings
is the bare schema, used to export `app/schema.graphql`.
"""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from app.api.cost import QueryCostLimiter
from app.api.errors import LinkageErrorMasking
from app.api.resolvers.accounts import resolve_account, resolve_linkage
from app.api.resolvers.cases import resolve_add_note, resolve_set_case_status
from app.api.resolvers.check import resolve_check
from app.api.resolvers.clusters import resolve_cluster, resolve_clusters
from app.api.resolvers.infrastructure import resolve_infrastructure
from app.api.resolvers.runs import resolve_cluster_changes, resolve_detection_runs
from app.api.types.account import Account
from app.api.types.case import CaseChange
from app.api.types.check import CheckResult
from app.api.types.cluster import Cluster, ClusterConnection
from app.api.types.infrastructure import Infrastructure
from app.api.types.linkage import Linkage
from app.api.types.runs import ClusterChangeConnection, DetectionRunConnection
from graph.settings import Settings


@strawberry.type(description="Read operations (any role).")
class Query:
    clusters: ClusterConnection = strawberry.field(
        resolver=resolve_clusters, description="Clusters, filtered and cursor-paginated.")
    cluster: Cluster = strawberry.field(resolver=resolve_cluster, description="One cluster by id.")
    account: Account = strawberry.field(resolver=resolve_account, description="One account by id.")
    linkage: Linkage = strawberry.field(resolver=resolve_linkage,
                                        description="How two accounts link (bounded shortest paths).")
    infrastructure: Infrastructure = strawberry.field(
        resolver=resolve_infrastructure, description="Accounts and clusters behind one identifier.")
    check: CheckResult = strawberry.field(
        resolver=resolve_check, description="Automated linkage check of an account or a new signup.")
    detection_runs: DetectionRunConnection = strawberry.field(
        resolver=resolve_detection_runs, description="Detection runs, newest first.")
    cluster_changes: ClusterChangeConnection = strawberry.field(
        resolver=resolve_cluster_changes, description="What changed in the runs that took effect after a time.")


@strawberry.type(description="Case changes (analyst or admin).")
class Mutation:
    set_case_status: CaseChange = strawberry.field(resolver=resolve_set_case_status)
    add_note: CaseChange = strawberry.field(resolver=resolve_add_note)


def gate_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """The gate every operation passes, in order (BloodHound-style: bounded before it runs).

    Factories, so each request gets fresh extension instances; the parser and validation caches are
    module-level LRU caches inside strawberry, shared across requests.
    """
    extensions: list[Callable[[], SchemaExtension]] = [
        LinkageErrorMasking,
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: MaxTokensLimiter(max_token_count=settings.api_max_tokens),
        lambda: QueryDepthLimiter(max_depth=settings.api_max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.api_max_aliases),
        lambda: QueryCostLimiter(max_cost=settings.api_max_cost, page_cap=settings.api_page_cap),
    ]
    if settings.env == "production":
        extensions.append(DisableIntrospection)
    return extensions


class LinkageSchema(strawberry.Schema):
    """Strawberry's schema, minus its logging of every error with a stack trace: a client's mistake is not
    the server's, and the masking extension logs (with the request id) those that are."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) \
            -> None:
        return None


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema; with settings, guarded by the gate extensions."""
    return LinkageSchema(
        query=Query, mutation=Mutation,
        extensions=gate_extensions(settings) if settings else [],
        config=StrawberryConfig(disable_field_suggestions=True),
    )


def export_sdl() -> str:
    """The schema in SDL, as committed in app/schema.graphql."""
    return build_schema().as_str() + "\n"
