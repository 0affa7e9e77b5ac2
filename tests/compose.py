"""What Docker Compose and the Docker build would do with our files, for machines without a Docker engine:
read docker-compose.yml, substitute its variables (Compose's rules), read the Dockerfile's ENV/USER/CMD,
match .dockerignore patterns, and assemble cypher-shell (the tool the Neo4j image's health check runs).

    >>> interpolate("neo4j/${PASSWORD:?set PASSWORD}", {"PASSWORD": "s3cret-pw"})
    'neo4j/s3cret-pw'
    >>> interpolate("$${NEO4J_AUTH#*/} ${MISSING:-default} $$HOME", {})
    '${NEO4J_AUTH#*/} default $HOME'
    >>> dockerignored(["**/*.csv", "!keep/*.csv"], "data/accounts.csv"), dockerignored(["**/*.csv"], "app/x.py")
    (True, False)
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHELL_POM = ROOT / "deploy" / "neo4j" / "cypher-shell" / "pom.xml"
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)


class MissingVariable(Exception):
    """A `${VAR:?message}` whose variable is unset or empty: Compose refuses to start."""


def interpolate(text: str, env: dict[str, str]) -> str:
    """Substitute variables as Compose does: `$$` is a literal `$`; `${V}`, `$V`; `${V:-d}`/`${V-d}` default
    when unset (or empty, with `:`); `${V:?m}`/`${V?m}` refuse; `${V:+r}`/`${V+r}` replace when set."""

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["named"]
        value = env.get(name)
        op, arg = match["op"], match["arg"] or ""
        unset = value is None or (op is not None and op.startswith(":") and value == "")
        if op in (":-", "-"):
            return arg if unset else str(value)
        if op in (":?", "?"):
            if unset:
                raise MissingVariable(f"required variable {name} is missing a value: {arg}")
            return str(value)
        if op in (":+", "+"):
            return "" if unset else arg
        return value or ""

    return _VARIABLE.sub(substitute, text)


def load_compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return compose


def service_environment(service: str, env: dict[str, str]) -> dict[str, str]:
    """A service's `environment`, variables substituted from `env` (raises MissingVariable like Compose)."""
    environment = load_compose()["services"][service].get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {name: interpolate(str(value), env) for name, value in environment.items()}


def healthcheck_command(service: str) -> str:
    """The shell command of a service's `CMD-SHELL` health check, as Compose hands it to the container."""
    test = load_compose()["services"][service]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL", test
    return interpolate(test[1], {})


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(instruction, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, arguments = line.partition(" ")
            instructions.append((instruction.upper(), arguments.strip()))
    return instructions


def dockerfile_env() -> dict[str, str]:
    """The image's ENV (`ENV A=1 B=2` form)."""
    env: dict[str, str] = {}
    for instruction, arguments in dockerfile_instructions():
        if instruction == "ENV":
            for item in arguments.split():
                name, _, value = item.partition("=")
                env[name] = value
    return env


def dockerfile_cmd() -> list[str]:
    command = [arguments for instruction, arguments in dockerfile_instructions() if instruction == "CMD"][-1]
    parsed: list[str] = json.loads(command)
    return parsed


def dockerignored(patterns: list[str], path: str) -> bool:
    """Whether the Docker build leaves `path` (relative to the context) out: the last matching pattern wins,
    `!` re-includes, `**` spans folders, and a pattern matching a folder excludes everything under it."""
    excluded = False
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for raw in patterns:
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        regex = re.compile(_glob_regex(pattern))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            excluded = not negated
    return excluded


def _glob_regex(pattern: str) -> str:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return out


def read_dockerignore() -> list[str]:
    return (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()


def assemble_cypher_shell(home: Path) -> Path:
    """Build (once per descriptor) cypher-shell's jars with Maven under `home`; return a folder holding an
    executable `cypher-shell` to put on PATH."""
    digest = hashlib.sha256(SHELL_POM.read_bytes()).hexdigest()[:16]
    folder = home / f"cypher-shell-{digest}"
    launcher = folder / "bin" / "cypher-shell"
    if launcher.is_file():
        return launcher.parent
    mvn, java = shutil.which("mvn"), shutil.which("java")
    if mvn is None or java is None:
        raise RuntimeError("java and mvn are needed to assemble cypher-shell (the Neo4j test server needs them too)")
    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    completed = subprocess.run([mvn, "-B", "-q", "-f", str(SHELL_POM), "package", f"-Dlinkage.shell.dir={staging}"],
                               capture_output=True, text=True, check=False, timeout=900)
    if completed.returncode != 0:
        raise RuntimeError(f"Maven could not assemble cypher-shell:\n{completed.stdout}{completed.stderr}")
    (staging / "bin").mkdir()
    script = staging / "bin" / "cypher-shell"
    script.write_text(f'#!/bin/sh\nexec "{java}" -cp "{folder}/lib/*" org.neo4j.shell.Main "$@"\n')
    script.chmod(0o755)
    staging.rename(folder)
    return launcher.parent
