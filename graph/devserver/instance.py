"""One local Neo4j instance: its configuration, start, stop and status, through Neo4j's own launcher.

Each instance has its own home (`LINKAGE_NEO4J_HOME`: conf, data, logs, run) and ports, so a test server
and a developer's server run side by side. Start, stop and status go through Neo4j's own launcher
(`org.neo4j.server.startup.Neo4jCommand`), which reads the JVM flags of the official distribution from the
rendered neo4j.conf.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from graph.db import Database, make_driver
from graph.devserver.assemble import assemble_server, find_deploy_dir, require_tool, server_dist_dir
from graph.errors import LocalServerError
from graph.queries import get_query
from graph.settings import Settings

LAUNCHER = "org.neo4j.server.startup.Neo4jCommand"
ADMIN = "org.neo4j.server.startup.Neo4jAdminCommand"


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    bolt_answers: bool
    home: Path
    bolt_port: int
    http_port: int

    def describe(self) -> str:
        if self.running:
            state = f"running (pid {self.pid})" + ("" if self.bolt_answers else ", Bolt not answering yet")
        else:
            state = "stopped"
        return f"Neo4j at {self.home}: {state}; bolt://127.0.0.1:{self.bolt_port}, " \
               f"http://127.0.0.1:{self.http_port}/browser/"


def require_local_server(settings: Settings, action: str) -> None:
    """Refuse to `action` the server NEO4J_URI names unless it is the local one (`Settings.is_local_server`):
    a cluster or Aura (`neo4j+s://…`) is never started, stopped, inspected or imported into from here."""
    if not settings.is_local_server:
        raise LocalServerError(f"NEO4J_URI={settings.neo4j_uri} is not a local server; nothing to {action} "
                               "(`linkage neo4j` and bulk import manage only the local one)")


def conf_text(settings: Settings, dist: Path) -> str:
    """deploy/neo4j/neo4j.conf with this instance's values filled in."""
    home = settings.neo4j_home.resolve()
    template_path = find_deploy_dir() / "neo4j.conf"
    try:
        return Template(template_path.read_text()).substitute(
            lib_dir=dist / "lib", plugins_dir=dist / "plugins", home=home,
            bolt_port=settings.bolt_port, http_port=settings.neo4j_http_port, heap=settings.neo4j_heap,
            pagecache=settings.neo4j_pagecache, tx_memory=settings.neo4j_tx_memory,
            tx_max=settings.neo4j_tx_max, api_port=settings.api_port,
        )
    except (KeyError, ValueError) as error:
        raise LocalServerError(f"{template_path}: bad placeholder: {error}") from error


def conf_is_current(settings: Settings) -> bool:
    """True when the instance's rendered neo4j.conf is what the template and settings say now."""
    dist = server_dist_dir(settings, find_deploy_dir())
    path = settings.neo4j_home.resolve() / "conf" / "neo4j.conf"
    return path.is_file() and path.read_text() == conf_text(settings, dist)


def render_conf(settings: Settings, dist: Path) -> Path:
    """Write HOME/conf/neo4j.conf from deploy/neo4j/neo4j.conf with this instance's values."""
    home = settings.neo4j_home.resolve()
    text = conf_text(settings, dist)
    conf_dir = home / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    for sub in ("data", "logs", "run", "import"):
        (home / sub).mkdir(exist_ok=True)
    path = conf_dir / "neo4j.conf"
    path.write_text(text)
    return path


def _java_env(settings: Settings) -> dict[str, str]:
    home = settings.neo4j_home.resolve()
    env = dict(os.environ)
    env.update({"NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")})
    return env


def _run_java(settings: Settings, dist: Path, main_class: str, *args: str, timeout: float | None = 300,
              extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    java = require_tool("java", "run Neo4j")
    command = [java, "-cp", str(dist / "lib" / "*"), main_class, *args]
    return subprocess.run(command, capture_output=True, text=True, env={**_java_env(settings), **(extra_env or {})},
                          timeout=timeout, check=False, cwd=settings.neo4j_home.resolve())


def _set_initial_password(settings: Settings, dist: Path) -> None:
    """Set NEO4J_PASSWORD on an instance that has no auth store yet (before its first start or tool run)."""
    if (settings.neo4j_home.resolve() / "data" / "dbms").exists():
        return
    result = _run_java(settings, dist, ADMIN, "dbms", "set-initial-password",
                       settings.neo4j_password.get_secret_value())
    if result.returncode != 0:
        raise LocalServerError(f"could not set the initial password: {result.stderr.strip()[-500:]}")


def run_admin(settings: Settings, *args: str, heap: str | None = None,
              timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    """`neo4j-admin ARGS` on this instance (its conf and data), with the tool's JVM heap set to `heap`."""
    require_local_server(settings, "run neo4j-admin on")
    dist = assemble_server(settings)
    render_conf(settings, dist)
    _set_initial_password(settings, dist)  # as on a first start: the auth store before any database
    return _run_java(settings, dist, ADMIN, *args, timeout=timeout,
                     extra_env={"HEAP_SIZE": heap} if heap else None)


def import_full(settings: Settings, *, nodes: list[tuple[str, Path, Path]],
                relationships: list[tuple[str, Path, Path]], multiline: list[Path], folder: Path,
                threads: int | None = None) -> None:
    """Build the instance's database from CSV files with `neo4j-admin database import full` (the instance
    must be stopped; its database is replaced). `nodes`/`relationships` are (label or type, header file, data
    file); empty data files are left out. The tool's report and output are written to `folder`; a failure
    raises LocalServerError naming it."""
    args = ["database", "import", "full", settings.neo4j_database, "--overwrite-destination=true",
            f"--threads={threads or os.cpu_count() or 2}", f"--max-off-heap-memory={settings.load_bulk_off_heap}",
            "--array-delimiter=;", f"--report-file={folder / 'import.report'}"]
    if multiline:
        args += ["--multiline-fields-format=v2", f"--multiline-fields={','.join(map(str, multiline))}"]
    for option, files in (("--nodes", nodes), ("--relationships", relationships)):
        args += [f"{option}={name}={header},{data}" for name, header, data in files if data.stat().st_size]
    result = run_admin(settings, *args, heap=settings.load_bulk_heap)
    (folder / "import.stdout").write_text(result.stdout)
    (folder / "import.stderr").write_text(result.stderr)
    if result.returncode != 0:
        raise LocalServerError(
            f"neo4j-admin database import failed (exit {result.returncode}); its files and output are in "
            f"{folder}:\n{(result.stdout + result.stderr).strip()[-2000:]}")


def read_pid(settings: Settings) -> int | None:
    pid_file = settings.neo4j_home.resolve() / "run" / "neo4j.pid"
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def bolt_answers(settings: Settings) -> bool:
    """True when the server accepts our credentials and runs a query."""
    if not port_open(settings.bolt_port):
        return False
    database = Database(make_driver(settings), settings)
    try:
        database.run(get_query("db_ping"))
        return True
    except Exception:  # any failure means "not ready yet" here; start() reports the cause
        return False
    finally:
        database.close()


def server_status(settings: Settings) -> ServerStatus:
    require_local_server(settings, "report on")
    pid = read_pid(settings)
    return ServerStatus(
        running=pid is not None, pid=pid, bolt_answers=pid is not None and bolt_answers(settings),
        home=settings.neo4j_home.resolve(), bolt_port=settings.bolt_port,
        http_port=settings.neo4j_http_port,
    )


def _log_tail(settings: Settings, lines: int = 20) -> str:
    log_file = settings.neo4j_home.resolve() / "logs" / "neo4j.log"
    if not log_file.is_file():
        return "(no neo4j.log yet)"
    interesting = [line for line in log_file.read_text(errors="replace").splitlines()
                   if "ERROR" in line or "Caused by" in line or "Exception" in line]
    return "\n".join((interesting or log_file.read_text(errors="replace").splitlines())[-lines:])


def start_server(settings: Settings, *, echo: Callable[[str], None] = print) -> ServerStatus:
    """Assemble if needed, configure, set the password before first start, start, wait for Bolt. A running
    instance is restarted when its configuration is no longer what the template and settings render."""
    require_local_server(settings, "start")
    current = server_status(settings)
    if current.running and not conf_is_current(settings):
        # Started from an older template or other settings (a memory limit added since, say): a server
        # that silently runs without them is worse than a restart.
        echo(f"Neo4j at {current.home} runs with an outdated neo4j.conf; restarting it")
        stop_server(settings)
        current = server_status(settings)
    if current.running:
        if not current.bolt_answers:
            _wait_for_bolt(settings)
        return server_status(settings)
    for port in (settings.bolt_port, settings.neo4j_http_port):
        if port_open(port):
            raise LocalServerError(f"port {port} is already in use by another program; "
                                   "choose other ports (NEO4J_URI, LINKAGE_NEO4J_HTTP_PORT)")
    dist = assemble_server(settings, echo=echo)
    render_conf(settings, dist)
    home = settings.neo4j_home.resolve()
    _set_initial_password(settings, dist)
    result = _run_java(settings, dist, LAUNCHER, "start")
    if result.returncode != 0:
        raise LocalServerError(f"Neo4j did not start (see {home / 'logs'}):\n{_log_tail(settings)}")
    _wait_for_bolt(settings)
    return server_status(settings)


def _wait_for_bolt(settings: Settings) -> None:
    deadline = time.monotonic() + settings.neo4j_start_timeout_s
    while time.monotonic() < deadline:
        if bolt_answers(settings):
            return
        if read_pid(settings) is None:
            raise LocalServerError(f"Neo4j exited during start-up:\n{_log_tail(settings)}")
        time.sleep(0.5)
    raise LocalServerError(
        f"Neo4j did not answer on Bolt port {settings.bolt_port} within "
        f"{settings.neo4j_start_timeout_s:.0f}s (wrong NEO4J_PASSWORD for an existing data folder?)\n"
        f"{_log_tail(settings)}"
    )


def stop_server(settings: Settings) -> ServerStatus:
    """Stop the instance if it runs (through the launcher, which waits for a clean shutdown)."""
    require_local_server(settings, "stop")
    if read_pid(settings) is not None:
        dist = server_dist_dir(settings, find_deploy_dir())
        result = _run_java(settings, dist, LAUNCHER, "stop")
        if result.returncode != 0 and read_pid(settings) is not None:
            raise LocalServerError(f"Neo4j did not stop: {result.stdout.strip()} {result.stderr.strip()}")
    return server_status(settings)
