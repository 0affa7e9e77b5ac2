"""linkage's errors: one base class, mapped once from the driver's, shown once to the user.

    LinkageError                  base of everything linkage raises on purpose
    ├── ConfigurationError        settings that cannot work (bad URI, default secret in production)
    ├── LocalServerError          the local Neo4j cannot be assembled, started or stopped
    │   └── ToolMissingError      Java or Maven is not installed
    ├── DatabaseUnavailableError  Neo4j does not answer (wrong address, server down)
    ├── DatabaseError             Neo4j answered with an error (bad credentials, query failure, timeout)
    │   └── DatabaseMemoryError   a transaction needed more memory than the server allows it (not retried)
    ├── DeadlineExceededError     a request's time budget ran out before its queries finished
    ├── LimitExceededError        a request would cost more than allowed (query cost, number of queries)
    ├── InputError                an input file or row that cannot be read (names file, line, field)
    │   └── BadInputError         an API argument that cannot be used (code BAD_USER_INPUT)
    ├── NotFoundError             an id that is not in the graph
    ├── UnauthenticatedError      no API key, or one that is malformed, unknown or revoked (HTTP 401)
    ├── ForbiddenError            the API key's role does not allow the operation
    ├── ConflictError             a detection run that may not switch (another switched first, incomplete)
    └── AuditUnavailableError     the audit record cannot be written, so the action does not happen

The CLI turns each into a one-line message and an exit code; the API into a GraphQL error with a stable
`code` (the class's `code` attribute) and no internals.
"""

from __future__ import annotations


class LinkageError(Exception):
    """Base class; `code` is the stable machine-readable name shown by the API."""

    code = "LINKAGE_ERROR"
    exit_code = 2


class ConfigurationError(LinkageError):
    code = "CONFIGURATION_ERROR"


class LocalServerError(LinkageError):
    code = "LOCAL_SERVER_ERROR"


class ToolMissingError(LocalServerError):
    code = "TOOL_MISSING"


class DatabaseUnavailableError(LinkageError):
    code = "DATABASE_UNAVAILABLE"


class DatabaseError(LinkageError):
    code = "DATABASE_ERROR"


class DatabaseMemoryError(DatabaseError):
    """The server refused a transaction that needed more than `db.memory.transaction.max`; retrying the same
    query would fail the same way, so it never is."""

    code = "DATABASE_MEMORY_LIMIT"


class DeadlineExceededError(LinkageError):
    code = "DEADLINE_EXCEEDED"


class LimitExceededError(LinkageError):
    code = "COST_LIMIT_EXCEEDED"


class InputError(LinkageError):
    """A problem with an input file; `str()` names the file, and the line and field when known."""

    code = "INPUT_ERROR"

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.path, self.line, self.field = path, line, field
        where = ":".join(str(part) for part in (path, line) if part is not None)
        prefix = f"{where}: " if where else ""
        suffix = f" (field {field!r})" if field else ""
        super().__init__(f"{prefix}{message}{suffix}")


class NotFoundError(LinkageError):
    code = "NOT_FOUND"
    exit_code = 1


class BadInputError(InputError):
    code = "BAD_USER_INPUT"


class UnauthenticatedError(LinkageError):
    code = "UNAUTHENTICATED"


class ForbiddenError(LinkageError):
    code = "FORBIDDEN"


class ConflictError(LinkageError):
    code = "CONFLICT"


class AuditUnavailableError(LinkageError):
    code = "AUDIT_UNAVAILABLE"
