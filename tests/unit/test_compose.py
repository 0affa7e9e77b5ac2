"""docker-compose.yml, the Dockerfile and .dockerignore, read as Docker would read them (no engine here; what
they run is exercised by tests/integration/test_compose_contract.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.compose import (
    dockerfile_env,
    dockerfile_instructions,
    dockerignored,
    load_compose,
    read_dockerignore,
    service_environment,
)
from tests.neo4j_harness import NEO4J_IMAGE

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"NEO4J_PASSWORD": "a-password", "LINKAGE_HASH_KEY": "k" * 64, "LINKAGE_API_BOOTSTRAP_KEY": "b" * 64}


def test_services_images_and_healthchecks() -> None:
    services = load_compose()["services"]
    assert set(services) == {"neo4j", "api"}
    neo4j = services["neo4j"]
    assert "apoc" in neo4j["environment"]["NEO4J_PLUGINS"]
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert "RETURN 1" in " ".join(neo4j["healthcheck"]["test"])
    api = services["api"]
    assert api["build"] == "."
    assert (ROOT / "Dockerfile").is_file()
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert "healthcheck" in api


def test_neo4j_image_is_pinned_to_the_assembled_version() -> None:
    pom = (ROOT / "deploy" / "neo4j" / "pom.xml").read_text()
    version = re.search(r"<neo4j.version>([^<]+)</neo4j.version>", pom)
    assert version is not None
    assert load_compose()["services"]["neo4j"]["image"] == f"neo4j:{version[1]}" == NEO4J_IMAGE


def test_ports_bound_to_loopback_and_no_default_secrets() -> None:
    compose = load_compose()
    for service in compose["services"].values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port
    text = (ROOT / "docker-compose.yml").read_text()
    for variable in ("NEO4J_PASSWORD", "LINKAGE_HASH_KEY", "LINKAGE_API_BOOTSTRAP_KEY"):
        assert "${" + variable + ":?" in text, variable
    assert compose["services"]["neo4j"]["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD:?")
    assert "neo4j-data" in compose["volumes"]
    assert "neo4j-data:/data" in compose["services"]["neo4j"]["volumes"]


def _conf_settings() -> dict[str, str]:
    conf = (ROOT / "deploy" / "neo4j" / "neo4j.conf").read_text().replace("${api_port}", "8000")
    return dict(line.split("=", 1) for line in conf.splitlines() if line and not line.startswith("#")
                and "=" in line and not line.startswith("server.jvm"))


def _setting_name(variable: str) -> str:
    """The Neo4j image's rule: NEO4J_ prefix dropped, `__` is `_`, `_` is `.`."""
    return variable.removeprefix("NEO4J_").replace("__", "\0").replace("_", ".").replace("\0", "_")


def test_neo4j_settings_match_the_local_server() -> None:
    """Browser's guide and style, telemetry, APOC and memory are configured as the local server configures
    them (deploy/neo4j/neo4j.conf), so Docker users get the same Browser experience."""
    environment = service_environment("neo4j", SECRETS)
    settings = {_setting_name(name): value for name, value in environment.items()
                if name not in ("NEO4J_AUTH", "NEO4J_PLUGINS")}
    conf = _conf_settings()
    for name in ("browser.post_connect_cmd", "browser.remote_content_hostname_whitelist", "client.allow_telemetry",
                 "dbms.security.procedures.unrestricted", "dbms.security.procedures.allowlist",
                 "dbms.usage_report.enabled"):
        assert " ".join(settings[name].split()) == " ".join(conf[name].split()), name
    assert all(name in conf or name.startswith("server.memory") or name.startswith("db.memory")
               for name in settings), sorted(set(settings) - set(conf))


def test_image_user_owns_the_audit_folder() -> None:
    instructions = dockerfile_instructions()
    user = [arguments for instruction, arguments in instructions if instruction == "USER"][-1]
    assert user == "linkage"
    audit_log = service_environment("api", SECRETS)["LINKAGE_AUDIT_LOG"]
    assert dockerfile_env()["LINKAGE_AUDIT_LOG"] == audit_log
    audit_folder = str(Path(audit_log).parent)
    # a named volume is mounted there, and the image creates that folder owned by the service user, private
    assert any(mount.split(":")[1] == audit_folder for mount in load_compose()["services"]["api"]["volumes"])
    created = [arguments for instruction, arguments in instructions if instruction == "RUN"]
    assert any(re.search(rf"install -d -o {user} -g {user} -m 0700 .*{re.escape(audit_folder)}(\s|$)", run)
               for run in created), created


@pytest.mark.parametrize("path", [".env", ".env.production", "data/accounts.csv", "mydata/requests.jsonl.gz",
                                  "exports/requests.parquet", "input/quarantine/accounts.csv", ".linkage/audit.jsonl",
                                  ".venv/bin/python", ".git/config", "certs/server.pem", "bench/real/data/x.csv",
                                  "tests/fixtures/load/bad/accounts.csv"])
def test_dockerignore_keeps_secrets_and_data_out(path: str) -> None:
    assert dockerignored(read_dockerignore(), path)


def test_dockerignore_keeps_what_the_image_copies() -> None:
    copied = [arguments.split()[:-1] for instruction, arguments in dockerfile_instructions() if instruction == "COPY"]
    files = [path for sources in copied for source in sources
             for path in ([ROOT / source] if (ROOT / source).is_file() else (ROOT / source).rglob("*"))
             if path.is_file() and "__pycache__" not in path.parts]
    assert len(files) > 50
    kept_out = [path for path in files if dockerignored(read_dockerignore(), str(path.relative_to(ROOT)))]
    assert not kept_out
