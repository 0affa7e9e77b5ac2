"""Mutations: `setCaseStatus` and `addNote` (analyst or admin; each recorded in the case history and audited).

A case decision changes what automated checks answer: a CONFIRMED cluster blocks its infrastructure, a
DISMISSED one stops counting at all. So a change into or out of CONFIRMED or DISMISSED needs a reason, and
one that weakens the checks — dismissing, or withdrawing a confirmation — needs the role
LINKAGE_API_DISMISS_ROLE names (admin unless set to analyst). Every change is a CaseNote in the cluster's
history: who (the key's name, id and role), when, why (the reason) and the status before and after. The
rule is applied inside the write query, against the status the cluster has when the change commits.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry

from app.api.context import LinkageInfo
from app.api.resolvers.validation import require_id, require_text
from app.api.types.case import CaseChange
from app.api.types.cluster import CaseNote
from app.api.types.common import CaseStatus
from app.credentials import Role
from graph.errors import BadInputError, ForbiddenError, LinkageError, NotFoundError
from graph.queries import get_query

REASON_HELP = ("Why (required to confirm or dismiss a cluster, or to undo either); kept in the case history — "
               "write no personal data here.")


def _require_analyst(info: LinkageInfo, operation: str) -> None:
    try:
        info.context.require(Role.ANALYST)
    except LinkageError as error:
        info.context.record(operation, outcome=error.code)
        raise


def _refusal(code: str | None, status: CaseStatus, previous: str, dismiss_role: str) -> LinkageError | None:
    if code == "FORBIDDEN":
        change = "dismissing a cluster" if status is CaseStatus.DISMISSED else "withdrawing a confirmation"
        return ForbiddenError(f"{change} weakens automated checks and needs the {dismiss_role} role "
                              "(LINKAGE_API_DISMISS_ROLE)")
    if code == "REASON_REQUIRED":
        return BadInputError(f"changing the case status from {previous} to {status.value} needs a reason "
                             "(confirming or dismissing changes what automated checks answer)", field="reason")
    return None


async def _write(info: LinkageInfo, operation: str, query_name: str, cluster_id: str,
                 params: dict[str, object]) -> dict[str, Any]:
    """Run a case write and return its row; NOT_FOUND for an unknown cluster; audited either way."""
    context = info.context
    principal = context.principal
    try:
        require_id(cluster_id, "clusterId")
        context.record(operation, outcome="started", cluster_id=cluster_id)  # audit first (app/audit.py)
        rows = await context.database.run(get_query(query_name), {
            "cluster_id": cluster_id, "note_id": context.mutation_id(operation, cluster_id),
            "author": principal.name, "author_key_id": principal.key_id, "author_role": principal.role.value,
            "now": datetime.now(UTC), **params})
        if not rows:
            raise NotFoundError(f"no cluster {cluster_id!r}")
    except LinkageError as error:
        context.record(operation, outcome=error.code)
        raise
    return rows[0]


async def _change(info: LinkageInfo, cluster_id: str, row: dict[str, Any]) -> CaseChange:
    with suppress(KeyError):  # not loaded yet in this request
        info.context.loaders.cluster.clear(cluster_id)
    cluster = await info.context.loaders.cluster_or_stub(cluster_id)
    return CaseChange(note=CaseNote.from_row(row["note"]), cluster=cluster)


async def resolve_set_case_status(
        info: LinkageInfo, cluster_id: strawberry.ID, status: CaseStatus,
        reason: Annotated[str | None, strawberry.argument(description=REASON_HELP)] = None) -> CaseChange:
    """Change a cluster's case status; the change (who, when, why, before and after) joins its history."""
    context = info.context
    _require_analyst(info, "setCaseStatus")
    try:
        text = require_text(reason, "reason") if reason is not None else None
    except LinkageError as error:
        context.record("setCaseStatus", outcome=error.code)
        raise
    dismiss_role = Role(context.settings.api_dismiss_role)
    row = await _write(info, "setCaseStatus", "api_case_set_status", str(cluster_id), {
        "status": status.value, "reason": text, "may_weaken": context.principal.allows(dismiss_role)})
    refusal = _refusal(row["refusal"], status, row["previous"], dismiss_role.value)
    if refusal is not None:
        context.record("setCaseStatus", outcome=refusal.code, cluster_id=str(cluster_id))
        raise refusal
    context.record("setCaseStatus", cluster_id=str(cluster_id), status=status.value,
                   previous_status=row["previous"])
    return await _change(info, str(cluster_id), row)


async def resolve_add_note(info: LinkageInfo, cluster_id: strawberry.ID, text: str) -> CaseChange:
    """Add an analyst's note to a cluster's case history."""
    _require_analyst(info, "addNote")
    try:
        note = require_text(text, "text")
    except LinkageError as error:
        info.context.record("addNote", outcome=error.code)
        raise
    row = await _write(info, "addNote", "api_case_add_note", str(cluster_id), {"text": note})
    info.context.record("addNote", cluster_id=str(cluster_id))
    return await _change(info, str(cluster_id), row)
