"""Finds a real Neo4j for the test session: NEO4J_URI if set, else testcontainers (when a Docker engine
answers), else the project's local server on its own ports and folder (so a developer's instance is
untouched). No test runs against a fake database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from graph.devserver import server_status, start_server, stop_server
from graph.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TEST_BOLT_PORT = int(os.environ.get("LINKAGE_TEST_BOLT_PORT", "17687"))
TEST_HTTP_PORT = int(os.environ.get("LINKAGE_TEST_HTTP_PORT", "17474"))
TEST_PASSWORD = "linkage-test-password"
# The image docker-compose.yml runs (tests/unit/test_compose.py keeps the two and deploy/neo4j/pom.xml equal).
NEO4J_IMAGE = "neo4j:5.26.19"


def local_test_settings(**overrides: object) -> Settings:
    """Settings of the local test server: its own home, ports and a small memory budget."""
    values: dict[str, object] = {
        "env": "test",
        "neo4j_uri": f"bolt://127.0.0.1:{TEST_BOLT_PORT}",
        "neo4j_password": TEST_PASSWORD,
        # One folder per port, so parallel test sessions on other ports never share a store.
        "neo4j_home": ROOT / ".linkage" / f"test-neo4j-{TEST_BOLT_PORT}",
        "neo4j_server_dir": ROOT / ".linkage" / "server",
        "neo4j_http_port": TEST_HTTP_PORT,
        "neo4j_heap": "2g",
        "neo4j_pagecache": "1g",
        "neo4j_tx_memory": "1g",
        "neo4j_tx_max": "512m",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def docker_engine_answers() -> bool:
    if not os.environ.get("DOCKER_HOST") and not Path("/var/run/docker.sock").exists():
        return False
    try:
        import docker  # installed with testcontainers

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no engine, no permission: both mean "no Docker here"
        return False


@contextmanager
def provide_neo4j() -> Iterator[Settings]:
    """Yield settings of a running Neo4j 5.26 server for the whole test session."""
    if os.environ.get("NEO4J_URI"):
        yield Settings(env="test")  # type: ignore[call-arg]
        return
    if docker_engine_answers():
        from testcontainers.neo4j import Neo4jContainer

        container = Neo4jContainer(NEO4J_IMAGE, password=TEST_PASSWORD)
        container.with_env("NEO4J_PLUGINS", '["apoc"]')
        container.with_env("NEO4J_db_memory_transaction_max", "512m")  # as the local test server
        with container:
            yield Settings(_env_file=None, env="test", neo4j_uri=container.get_connection_url(),  # type: ignore[call-arg]
                           neo4j_password=TEST_PASSWORD)
        return
    settings = local_test_settings()
    was_running = server_status(settings).running
    start_server(settings, echo=lambda message: print(message, flush=True))
    try:
        yield settings
    finally:
        if not was_running:
            stop_server(settings)
