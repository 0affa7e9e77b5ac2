"""The audit trail: one JSON line per mutation, export and check, at `settings.audit_log`.

A record says who (key id, name, role), what (operation name), when and under which request id, and the
outcome; never argument values (emails, fingerprints, note text) — those stay in the graph or nowhere.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class AuditLog:
    """Append-only JSONL writer, safe to share between requests of one process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, *, operation: str, actor: str, key_id: str | None, role: str, request_id: str,
               outcome: str = "ok", **extra: str | int | float | None) -> None:
        """Append one record; `extra` must hold only non-sensitive facts (counts, ids of our own)."""
        entry: dict[str, Any] = {
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": request_id, "operation": operation, "actor": actor, "key_id": key_id,
            "role": role, "outcome": outcome, **extra,
        }
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Owner-only (0600) from creation; never written through a symbolic link.
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                                 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
                handle.write(line)


def record_cli(path: Path, operation: str, **facts: str | int | float | None) -> None:
    """One audit record of a CLI command, whose operator is the machine's own admin (actor `cli`)."""
    AuditLog(path).record(operation=operation, actor="cli", key_id=None, role="admin",
                          request_id=uuid.uuid4().hex, outcome="ok", **facts)
