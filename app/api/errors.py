"""How every error leaves the API: a message and a stable `extensions.code`, in the GraphQL shape.

The API's own error classes (UnauthenticatedError, ForbiddenError, BadInputError) live with the rest of the
hierarchy in graph/errors.py and are re-exported here.

`LinkageErrorMasking` replaces every error on the way out: linkage errors keep their message and code
(database errors are reworded so no Cypher or server detail leaks), GraphQL syntax and validation errors and
variables of the wrong type keep the first line of their message with code BAD_USER_INPUT, anything else
becomes "Internal error" with code INTERNAL and the request id; the full exception goes to the server log
only. Refusals before GraphQL runs (no key, too many requests, a body too large, a malformed request) have
the same shape, built by `error_body`:

    >>> error_body("an API key is required", "UNAUTHENTICATED", request_id="r-1")["errors"]
    [{'message': 'an API key is required', 'extensions': {'code': 'UNAUTHENTICATED', 'requestId': 'r-1'}}]
"""

from __future__ import annotations

import logging
from typing import Any

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from graph.errors import (
    AuditUnavailableError,
    BadInputError,
    DatabaseError,
    DatabaseMemoryError,
    DatabaseUnavailableError,
    ForbiddenError,
    InputError,
    LinkageError,
    UnauthenticatedError,
)

__all__ = ["BadInputError", "ForbiddenError", "LinkageErrorMasking", "Refusal", "UnauthenticatedError",
           "describe_error", "error_body"]

log = logging.getLogger(__name__)
BAD_USER_INPUT = "BAD_USER_INPUT"
# Codes whose cause is on the server's side: logged with the request id.
LOGGED_CODES = frozenset({"INTERNAL", "DATABASE_ERROR", "DATABASE_UNAVAILABLE", "DATABASE_MEMORY_LIMIT",
                          "AUDIT_UNAVAILABLE"})
# Codes that mean the server cannot serve now (HTTP 503 with Retry-After), not that the request was wrong.
UNAVAILABLE_CODES = frozenset({"DATABASE_UNAVAILABLE", "AUDIT_UNAVAILABLE"})
MAX_MESSAGE = 300


def client_message(text: str) -> str:
    """The part of a GraphQL library message a client sees: its first line, at most 300 characters (a bad
    variable's message quotes the value it got).

    >>> client_message("Variable '$id' got invalid value 1.5; ID cannot represent value: 1.5\\nGraphQL request:1:7")
    "Variable '$id' got invalid value 1.5; ID cannot represent value: 1.5"
    """
    first = text.split("\n", 1)[0]
    return first if len(first) <= MAX_MESSAGE else first[:MAX_MESSAGE - 1] + "…"


def describe_error(error: GraphQLError) -> tuple[str, str]:
    """(message, code) that may be shown to a client for `error`."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        # Syntax, validation, a variable of the wrong type: the client's own request, described by graphql-core.
        return client_message(error.message), BAD_USER_INPUT
    if isinstance(original, DatabaseUnavailableError):
        return "The graph database is not reachable; try again later", original.code
    if isinstance(original, AuditUnavailableError):
        return "The action could not be recorded in the audit trail, so it was not done; try again later", \
            original.code
    if isinstance(original, DatabaseMemoryError):
        return "The request needed more database memory than one request may use; ask for less", original.code
    if isinstance(original, DatabaseError):
        return "The graph database could not answer (failed or timed out)", original.code
    if isinstance(original, InputError):
        return str(original), BAD_USER_INPUT
    if isinstance(original, LinkageError):
        return str(original), original.code
    return "Internal error", "INTERNAL"


def error_body(message: str, code: str, *, request_id: str | None = None,
               **extensions: Any) -> dict[str, Any]:
    """A GraphQL-shaped response body with one error (for refusals outside GraphQL execution)."""
    extra: dict[str, Any] = {"code": code, **extensions}
    if request_id:
        extra["requestId"] = request_id
    return {"data": None, "errors": [{"message": message, "extensions": extra}]}


class Refusal(Exception):
    """A request refused before GraphQL runs; the app answers it with `status` and `error_body`."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


class LinkageErrorMasking(MaskErrors):
    """Masks every error: safe message, stable `extensions.code`, no stack trace, no query text."""

    def __init__(self) -> None:
        super().__init__(error_message="Internal error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        message, code = describe_error(error)
        request_id = getattr(getattr(self.execution_context, "context", None), "request_id", None)
        if code in LOGGED_CODES:
            log.error("request %s: %s", request_id, error.message, exc_info=error.original_error)
        extensions: dict[str, object] = {"code": code}
        if request_id:
            extensions["requestId"] = request_id
        return GraphQLError(message=message, nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path, original_error=None,
                            extensions=extensions)
