"""How two accounts link: shared identifiers and shortest evidence paths."""

from __future__ import annotations

import strawberry

from app.api.types.account import Account, LinkIdentifier


@strawberry.type(description="One node on an evidence path: an account or an identifier.")
class PathStep:
    kind: str
    value: str
    shared_by: int | None = strawberry.field(description="For identifiers: accounts connected to it.")


@strawberry.type(description="A shortest chain account → identifier → account … linking the two.")
class EvidencePath:
    links: int = strawberry.field(description="Number of shared identifiers crossed.")
    steps: list[PathStep]


@strawberry.type(description="The evidence linking two accounts.")
class Linkage:
    a: Account
    b: Account
    shared: list[LinkIdentifier] = strawberry.field(description="Identifiers both use directly.")
    paths: list[EvidencePath]
    is_hub_excluded: bool = strawberry.field(description="True when hub identifiers were not crossed.")
