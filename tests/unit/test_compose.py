"""docker-compose.yml cannot run here (no Docker engine); its structure is checked instead."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_images_and_healthchecks() -> None:
    services = _compose()["services"]
    assert set(services) == {"neo4j", "api"}
    neo4j = services["neo4j"]
    assert neo4j["image"] == "neo4j:5.26"
    assert "apoc" in neo4j["environment"]["NEO4J_PLUGINS"]
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert "RETURN 1" in " ".join(neo4j["healthcheck"]["test"])
    api = services["api"]
    assert api["build"] == "."
    assert (ROOT / "Dockerfile").is_file()
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert "healthcheck" in api


def test_ports_bound_to_loopback_and_no_default_password() -> None:
    compose = _compose()
    for service in compose["services"].values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port
    text = (ROOT / "docker-compose.yml").read_text()
    assert "${NEO4J_PASSWORD:?" in text
    assert compose["services"]["neo4j"]["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD:?")
    assert "neo4j-data" in compose["volumes"]
    assert "neo4j-data:/data" in compose["services"]["neo4j"]["volumes"]
