"""Mutations: `setCaseStatus` and `addNote` (analyst or admin; each recorded as a CaseNote and audited)."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime

import strawberry

from app.api.context import LinkageInfo
from app.api.resolvers.validation import require_id, require_text
from app.api.types.case import CaseChange
from app.api.types.cluster import CaseNote
from app.api.types.common import CaseStatus
from app.credentials import Role
from graph.errors import LinkageError, NotFoundError
from graph.queries import get_query


def _require_analyst(info: LinkageInfo, operation: str) -> None:
    try:
        info.context.require(Role.ANALYST)
    except LinkageError as error:
        info.context.record(operation, outcome=error.code)
        raise


async def _write_note(info: LinkageInfo, operation: str, query_name: str, cluster_id: str,
                      params: dict[str, object]) -> CaseChange:
    context = info.context
    try:
        require_id(cluster_id, "clusterId")
        context.record(operation, outcome="started", cluster_id=cluster_id)  # audit first (app/audit.py)
        rows = await context.database.run(get_query(query_name), {
            "cluster_id": cluster_id, "note_id": context.mutation_id(operation, cluster_id),
            "author": context.principal.name, "now": datetime.now(UTC), **params})
        if not rows:
            raise NotFoundError(f"no cluster {cluster_id!r}")
    except LinkageError as error:
        context.record(operation, outcome=error.code)
        raise
    context.record(operation, cluster_id=cluster_id)
    with suppress(KeyError):  # not loaded yet in this request
        context.loaders.cluster.clear(cluster_id)
    cluster = await context.loaders.cluster_or_stub(cluster_id)
    return CaseChange(note=CaseNote.from_row(rows[0]["note"]), cluster=cluster)


async def resolve_set_case_status(info: LinkageInfo, cluster_id: strawberry.ID, status: CaseStatus,
                                  note: str | None = None) -> CaseChange:
    """Change a cluster's case status; the change (who, when, optional note) becomes a CaseNote."""
    _require_analyst(info, "setCaseStatus")
    text = require_text(note, "note") if note is not None else f"status set to {status.value}"
    return await _write_note(info, "setCaseStatus", "api_case_set_status", str(cluster_id),
                             {"status": status.value, "text": text})


async def resolve_add_note(info: LinkageInfo, cluster_id: strawberry.ID, text: str) -> CaseChange:
    """Add an analyst's note to a cluster's case."""
    _require_analyst(info, "addNote")
    return await _write_note(info, "addNote", "api_case_add_note", str(cluster_id),
                             {"text": require_text(text, "text")})
