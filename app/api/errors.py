"""How every error leaves the API: a message and a stable `extensions.code`.

The API's own error classes (UnauthenticatedError, ForbiddenError, BadInputError) live with the rest of the
hierarchy in graph/errors.py and are re-exported here.

`LinkageErrorMasking` replaces every error on the way out: linkage errors keep their message and code
(database errors are reworded so no Cypher or server detail leaks), GraphQL syntax and validation errors
keep their message with code BAD_INPUT, anything else becomes "Internal error" with code INTERNAL and the
request id; the full exception goes to the server log only.
"""

from __future__ import annotations

import logging

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from graph.errors import (
    BadInputError,
    DatabaseError,
    DatabaseUnavailableError,
    ForbiddenError,
    InputError,
    LinkageError,
    UnauthenticatedError,
)

__all__ = ["BadInputError", "ForbiddenError", "LinkageErrorMasking", "UnauthenticatedError", "describe_error"]

log = logging.getLogger(__name__)


def describe_error(error: GraphQLError) -> tuple[str, str]:
    """(message, code) that may be shown to a client for `error`."""
    original = error.original_error
    if original is None:
        return error.message, "BAD_INPUT"
    if isinstance(original, DatabaseUnavailableError):
        return "The graph database is not reachable; try again later", original.code
    if isinstance(original, DatabaseError):
        return "The graph database could not answer (failed or timed out)", original.code
    if isinstance(original, InputError):
        return str(original), "BAD_INPUT"
    if isinstance(original, LinkageError):
        return str(original), original.code
    return "Internal error", "INTERNAL"


class LinkageErrorMasking(MaskErrors):
    """Masks every error: safe message, stable `extensions.code`, no stack trace, no query text."""

    def __init__(self) -> None:
        super().__init__(error_message="Internal error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        message, code = describe_error(error)
        request_id = getattr(getattr(self.execution_context, "context", None), "request_id", None)
        if code in ("INTERNAL", "DATABASE_ERROR", "DATABASE_UNAVAILABLE"):
            log.error("request %s: %s", request_id, error.message, exc_info=error.original_error)
        extensions: dict[str, object] = {"code": code}
        if request_id:
            extensions["requestId"] = request_id
        return GraphQLError(message=message, nodes=error.nodes, source=error.source,
                            positions=error.positions, path=error.path, original_error=None,
                            extensions=extensions)
