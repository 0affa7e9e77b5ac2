"""`account(id)` and `linkage(a, b)`."""

from __future__ import annotations

import strawberry

from app.api.context import LinkageInfo
from app.api.errors import BadInputError
from app.api.resolvers.validation import require_id
from app.api.types.account import HUB_DEGREE, MAX_HUB_DEGREE, Account, LinkIdentifier
from app.api.types.common import KIND_BY_LABEL
from app.api.types.linkage import EvidencePath, Linkage, PathStep
from graph.errors import NotFoundError
from graph.queries import get_query

MAX_LINKS = 4
MAX_PATHS = 5  # the query asks Neo4j for SHORTEST 5
MAX_SHARED = 50  # identifiers two accounts share directly, rarest first


async def load_account(info: LinkageInfo, account_id: str, field: str = "id") -> Account:
    """The account, or NOT_FOUND."""
    account = await info.context.loaders.account.load(require_id(account_id, field))
    if account is None:
        raise NotFoundError(f"no account {account_id!r}")
    return account


async def resolve_account(info: LinkageInfo, id: strawberry.ID) -> Account:
    return await load_account(info, str(id))


async def resolve_linkage(info: LinkageInfo, a: strawberry.ID, b: strawberry.ID, include_hubs: bool = False,
                          max_links: int = MAX_LINKS, paths: int = 3) -> Linkage:
    """Shortest evidence paths (≤ 4 shared identifiers, hubs excluded unless asked, and never identifiers
    wider than MAX_HUB_DEGREE) and direct sharing."""
    if str(a) == str(b):
        raise BadInputError("a and b must be different accounts", field="b")
    if not 1 <= max_links <= MAX_LINKS:
        raise BadInputError(f"maxLinks must be between 1 and {MAX_LINKS}", field="maxLinks")
    if not 1 <= paths <= MAX_PATHS:
        raise BadInputError(f"paths must be between 1 and {MAX_PATHS}", field="paths")
    first, second = await load_account(info, str(a), "a"), await load_account(info, str(b), "b")
    database = info.context.database
    shared_rows = await database.run(get_query("api_linkage_shared"),
                                     {"a": str(a), "b": str(b), "limit": MAX_SHARED})
    path_rows = await database.run(get_query("api_linkage_paths"), {
        "a": str(a), "b": str(b), "k": paths, "max_links": max_links,
        "hub_cap": MAX_HUB_DEGREE if include_hubs else HUB_DEGREE})
    return Linkage(
        a=first, b=second, is_hub_excluded=not include_hubs,
        shared=[LinkIdentifier(kind=KIND_BY_LABEL.get(row["kind"], str(row["kind"])), value=str(row["value"]),
                               shared_by=int(row["shared_by"])) for row in shared_rows],
        paths=[EvidencePath(links=(len(row["steps"]) - 1) // 2,
                            steps=[PathStep(kind=KIND_BY_LABEL.get(step["kind"], step["kind"]),
                                            value=str(step["value"]), shared_by=step["shared_by"])
                                   for step in row["steps"]]) for row in path_rows])
