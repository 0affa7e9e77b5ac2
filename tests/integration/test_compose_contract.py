"""The compose contract: what `docker compose up` would run, run here without Docker against the test server.

* the API, started as the image starts it (the Dockerfile's CMD) with exactly the container's environment
  (the Dockerfile's ENV, then the `api` service's `environment` with its variables substituted), comes up
  healthy, and its bootstrap key works;
* the `neo4j` service's health check, run by a shell with exactly that service's environment, succeeds
  against a server with that password (and fails with another).

What Docker itself provides is emulated, and only that: the service name `neo4j` on the compose network
resolves to the test server, a named volume is a fresh folder, the published port is a free local one, the
container's `localhost:7687` is the test server's Bolt port (cypher-shell's NEO4J_ADDRESS), and PATH holds
the image's tools (the project's `linkage`, cypher-shell assembled from Maven Central).
"""

from __future__ import annotations

import secrets
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from graph.settings import Settings
from tests.compose import (
    MissingVariable,
    assemble_cypher_shell,
    dockerfile_cmd,
    dockerfile_env,
    healthcheck_command,
    load_compose,
    service_environment,
)
from tests.neo4j_harness import ROOT

VENV_BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _secrets(neo4j_settings: Settings) -> dict[str, str]:
    """What the operator exports before `docker compose up` (the password is the test server's)."""
    return {
        "NEO4J_PASSWORD": neo4j_settings.neo4j_password.get_secret_value(),
        "LINKAGE_HASH_KEY": secrets.token_hex(32),
        "LINKAGE_API_BOOTSTRAP_KEY": secrets.token_hex(32),
    }


def _post(url: str, body: dict[str, Any], key: str | None) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = httpx.post(url, json=body, headers=headers, timeout=30)
    return response.status_code, response.json()


@dataclass(frozen=True)
class RunningApi:
    base: str  # its URL
    given: dict[str, str]  # the operator's secrets
    volumes: dict[str, Path]  # mount point -> the folder standing in for the named volume
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture()
def api(neo4j_settings: Settings, tmp_path: Path) -> Iterator[RunningApi]:
    """The API as the compose file starts it."""
    compose = load_compose()
    given = _secrets(neo4j_settings)
    env = {**dockerfile_env(), **service_environment("api", given)}
    # the compose network: the service name `neo4j` on its Bolt port is the test server
    uri = urlsplit(env["NEO4J_URI"])
    assert uri.hostname in compose["services"] and any(
        port.endswith(f":{uri.port}") for port in compose["services"][uri.hostname]["ports"])
    env["NEO4J_URI"] = f"{uri.scheme}://127.0.0.1:{neo4j_settings.bolt_port}"
    # named volumes: fresh folders, at the same place relative to the mount point
    volumes: dict[str, Path] = {}
    for mount in compose["services"]["api"].get("volumes", []):
        name, target = mount.split(":")[:2]
        volumes[target] = tmp_path / "volumes" / name
        volumes[target].mkdir(parents=True)
    for variable, value in env.items():
        for target, folder in volumes.items():
            if value == target or value.startswith(target + "/"):
                env[variable] = str(folder) + value[len(target):]
    # the published port, and the image's tools on PATH
    command = dockerfile_cmd()
    port = _free_port()
    published = compose["services"]["api"]["ports"][0].rsplit(":", 1)[1]
    assert command[command.index("--port") + 1] == published
    command[command.index("--port") + 1] = str(port)
    command[command.index("--host") + 1] = "127.0.0.1"
    env["PATH"] = f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin"
    workdir = tmp_path / "srv"  # WORKDIR: the code only (no .env there)
    workdir.mkdir()
    log = (tmp_path / "api.log").open("w")
    process = subprocess.Popen(command, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield RunningApi(f"http://127.0.0.1:{port}", given, volumes, process, tmp_path / "api.log")
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _wait_healthy(api: RunningApi) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and api.process.poll() is None:
        try:
            response = httpx.get(f"{api.base}/healthz", timeout=5)
            if response.status_code == 200:
                body: dict[str, Any] = response.json()
                return body
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the API did not come up healthy (exit code {api.process.poll()}):\n{api.log.read_text()[-3000:]}")


def test_api_starts_healthy_with_exactly_the_compose_environment(api: RunningApi) -> None:
    base, given, volumes = api.base, api.given, api.volumes
    assert _wait_healthy(api) == {"status": "ok"}
    # the service's own health check (its 127.0.0.1:8000 is our published port)
    check = healthcheck_command("api").replace("127.0.0.1:8000", base.removeprefix("http://"))
    assert subprocess.run(["/bin/sh", "-c", check], env={"PATH": f"{VENV_BIN}:/usr/bin:/bin"},
                          timeout=60, check=False).returncode == 0
    # the bootstrap key is passed through and works; no key is refused
    status, body = _post(f"{base}/graphql", {"query": '{ check(input: {ip: "203.0.113.9"}) { verdict } }'},
                         given["LINKAGE_API_BOOTSTRAP_KEY"])
    assert status == 200 and body["data"]["check"]["verdict"] == "ALLOW", body
    status, _ = _post(f"{base}/graphql", {"query": "{ __typename }"}, None)
    assert status == 401
    # the audit trail lands in its volume, owner-only
    audit = volumes["/var/lib/linkage/audit"] / "audit.jsonl"
    assert '"operation":"check"' in audit.read_text()
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600


@pytest.mark.parametrize("missing", ["NEO4J_PASSWORD", "LINKAGE_HASH_KEY", "LINKAGE_API_BOOTSTRAP_KEY"])
def test_compose_refuses_to_start_without_a_secret(neo4j_settings: Settings, missing: str) -> None:
    given = {name: value for name, value in _secrets(neo4j_settings).items() if name != missing}
    with pytest.raises(MissingVariable, match=missing):
        service_environment("api", given)
    with pytest.raises(MissingVariable, match=missing):
        service_environment("api", {**given, missing: ""})


@pytest.fixture(scope="module")
def cypher_shell_bin() -> Path:
    return assemble_cypher_shell(ROOT / ".linkage")


def _run_neo4j_healthcheck(password: str, neo4j_settings: Settings,
                           shell_bin: Path) -> subprocess.CompletedProcess[str]:
    env = service_environment("neo4j", {"NEO4J_PASSWORD": password})
    env["PATH"] = f"{shell_bin}:/usr/bin:/bin"  # the image's cypher-shell
    env["NEO4J_ADDRESS"] = f"bolt://127.0.0.1:{neo4j_settings.bolt_port}"  # the container's localhost:7687
    return subprocess.run(["/bin/sh", "-c", healthcheck_command("neo4j")], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_neo4j_healthcheck_succeeds_with_the_service_environment(neo4j_settings: Settings,
                                                                  cypher_shell_bin: Path) -> None:
    password = neo4j_settings.neo4j_password.get_secret_value()
    done = _run_neo4j_healthcheck(password, neo4j_settings, cypher_shell_bin)
    assert done.returncode == 0, done.stdout + done.stderr
    refused = _run_neo4j_healthcheck("not-the-password", neo4j_settings, cypher_shell_bin)
    assert refused.returncode != 0  # it really authenticates
    # the container has NEO4J_AUTH only: the check must not depend on a NEO4J_PASSWORD variable
    assert "NEO4J_PASSWORD" not in service_environment("neo4j", {"NEO4J_PASSWORD": password})
