"""The per-request GraphQL context: database, settings, caller, loaders, audit trail, request id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from strawberry.fastapi import BaseContext
from strawberry.types import Info

from app.api.auth import Principal
from app.api.errors import ForbiddenError
from app.audit import AuditLog
from app.credentials import Role
from graph.aio import AsyncDatabase
from graph.settings import Settings

if TYPE_CHECKING:  # annotation only: the loaders build GraphQL types, which import this module
    from app.api.loaders import Loaders


@dataclass
class Context(BaseContext):
    """What every resolver sees as `info.context`."""

    database: AsyncDatabase
    settings: Settings
    principal: Principal
    loaders: Loaders
    audit: AuditLog
    request_id: str

    def __post_init__(self) -> None:
        super().__init__()

    def require(self, role: Role) -> None:
        """ForbiddenError unless the caller's role is at least `role`."""
        if not self.principal.allows(role):
            raise ForbiddenError(f"this operation needs the {role.value} role "
                                 f"(your key has {self.principal.role.value})")

    def mutation_id(self, operation: str, subject: str) -> str:
        """The id of what this request's mutation writes (a CaseNote): see `mutation_id`."""
        return mutation_id(self.principal.key_id, self.request_id, operation, subject)

    def record(self, operation: str, outcome: str = "ok", **extra: str | int | float | None) -> None:
        """Append an audit record for this caller and request (no argument values); AuditUnavailableError
        when it cannot be written. An action records `started` before it takes effect (app/audit.py)."""
        self.audit.record(operation=operation, actor=self.principal.name, key_id=self.principal.key_id,
                          role=self.principal.role.value, request_id=self.request_id, outcome=outcome,
                          **extra)


def mutation_id(key_id: str | None, request_id: str, operation: str, subject: str) -> str:
    """The same id for a retry of the same request (same X-Request-ID, same key), so a retried mutation
    writes once; another request, key or subject gives another id.

    >>> mutation_id("k1", "req-12345678", "addNote", "cl_1") == mutation_id("k1", "req-12345678", "addNote", "cl_1")
    True
    >>> mutation_id("k1", "req-12345678", "addNote", "cl_1") == mutation_id("k1", "req-87654321", "addNote", "cl_1")
    False
    """
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"linkage:{key_id}:{request_id}:{operation}:{subject}"))


LinkageInfo = Info[Context, None]
