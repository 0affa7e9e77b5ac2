"""The audit trail: one JSON line per mutation, export, check and detection run, at `settings.audit_log`.

A record says who (the API key's id, name and role; on the command line the operating-system user), what
(operation name), when and under which request id, and the outcome; never argument values (emails,
fingerprints, note text) — those stay in the graph or nowhere.

**The audit record is part of the action.** An action that changes something or hands data out is written
to the trail *before* it happens (outcome `started`); when that write fails, the action does not happen
and the caller gets `AuditUnavailableError` (code AUDIT_UNAVAILABLE). After the action a second record with
the same request id gives the outcome (`ok`, or the error's code). So every action that took effect has at
least its `started` record; a `started` record without an outcome means the process stopped, or the trail
became unwritable, between the two. The API and the CLI check at start-up that the trail is writable and
refuse to serve otherwise. The file is created readable by its owner only.

    >>> import tempfile, json
    >>> path = Path(tempfile.mkdtemp()) / "audit.jsonl"
    >>> with audited_cli(path, "cli.example", rows=3) as facts:
    ...     facts["written"] = 3
    >>> [(r["operation"], r["outcome"], r.get("written")) for r in map(json.loads, path.read_text().splitlines())]
    [('cli.example', 'started', None), ('cli.example', 'ok', 3)]
"""

from __future__ import annotations

import getpass
import json
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.errors import AuditUnavailableError, LinkageError

Fact = str | int | float | None


class AuditLog:
    """Append-only JSONL writer, safe to share between requests of one process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def check_writable(self) -> None:
        """AuditUnavailableError unless a record could be appended now (creates the file, owner-only)."""
        with self._lock:
            self._append("")

    def record(self, *, operation: str, actor: str, key_id: str | None, role: str, request_id: str,
               outcome: str = "ok", **extra: Fact) -> None:
        """Append one record (AuditUnavailableError when it cannot be written); `extra` must hold only
        non-sensitive facts (counts, ids of our own)."""
        entry: dict[str, Any] = {
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": request_id, "operation": operation, "actor": actor, "key_id": key_id,
            "role": role, "outcome": outcome, **extra,
        }
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self._lock:
            self._append(line)

    def _append(self, line: str) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Owner-only (0600) from creation; never written through a symbolic link.
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                                 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
        except OSError as error:
            raise AuditUnavailableError(
                f"the audit log {self.path} cannot be written ({error.strerror or error}); "
                "nothing was done") from error


def cli_actor() -> str:
    """The operating-system user running the command (the actor of CLI records)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers): the numeric uid still names them
        return f"uid:{os.getuid()}"


def record_cli(path: Path, operation: str, *, outcome: str = "ok", request_id: str | None = None,
               **facts: Fact) -> str:
    """One audit record of a CLI command by the OS user (role admin: the CLI holds the database
    credentials); returns the request id."""
    return _record_cli(path, operation, outcome, request_id or uuid.uuid4().hex, facts)


def _record_cli(path: Path, operation: str, outcome: str, request_id: str, facts: dict[str, Fact]) -> str:
    AuditLog(path).record(operation=operation, actor=cli_actor(), key_id=None, role="admin",
                          request_id=request_id, outcome=outcome, via="cli", **facts)
    return request_id


@contextmanager
def audited_cli(path: Path, operation: str, **facts: Fact) -> Iterator[dict[str, Fact]]:
    """Audit a CLI action around its body: `started` first (the body does not run when that fails), then
    `ok` with the facts the body adds, or the error's code when it raises."""
    request = _record_cli(path, operation, "started", uuid.uuid4().hex, facts)
    added: dict[str, Fact] = {}
    try:
        yield added
    except BaseException as error:
        # The body's error is the one to report; a trail that fails now already holds `started`.
        with suppress(AuditUnavailableError):
            code = (error.code if isinstance(error, LinkageError)
                    else "INTERRUPTED" if isinstance(error, KeyboardInterrupt) else "INTERNAL")
            _record_cli(path, operation, code, request, facts)
        raise
    _record_cli(path, operation, "ok", request, {**facts, **added})
