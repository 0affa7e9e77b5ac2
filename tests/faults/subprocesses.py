"""Running the real `linkage` command in a child process against the test server, to kill it with -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from graph.settings import Settings

LINKAGE = Path(sys.executable).with_name("linkage")


def linkage_environment(settings: Settings, audit_log: Path, **extra: str) -> dict[str, str]:
    """The parent's environment pointed at the test server, with its own audit log and no alert webhook."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("LINKAGE_ALERT_", "NEO4J_"))}
    env.update({
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "NEO4J_DATABASE": settings.neo4j_database,
        "LINKAGE_ENV": "test",
        "LINKAGE_HASH_KEY": settings.hash_key.get_secret_value(),
        "LINKAGE_AUDIT_LOG": str(audit_log),
        **extra,
    })
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start `linkage ARGS` with stdout and stderr going to `log`."""
    with log.open("ab") as output:
        return subprocess.Popen([str(LINKAGE), *args], env=env, stdout=output, stderr=subprocess.STDOUT,
                                cwd=log.parent)


def kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], *, timeout_s: float = 300,
              poll_s: float = 0.02, while_waiting: Callable[[], None] | None = None) -> bool:
    """SIGKILL the process as soon as `ready()` holds; False when it exited (or timed out) first."""
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if ready():
                os.kill(process.pid, signal.SIGKILL)
                return True
            if while_waiting is not None:
                while_waiting()
            time.sleep(poll_s)
        return False
    finally:
        if process.poll() is None and time.monotonic() >= deadline:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(60)
