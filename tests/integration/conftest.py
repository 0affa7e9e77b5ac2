"""Fixtures of the integration tests that run the CLI in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.settings import Settings


@pytest.fixture()
def cli_env(neo4j_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI's environment pointing at the test server, an audit trail and a working folder of the test's own."""
    for name, value in (("NEO4J_URI", neo4j_settings.neo4j_uri),
                        ("NEO4J_PASSWORD", neo4j_settings.neo4j_password.get_secret_value()),
                        ("LINKAGE_ENV", "test"), ("LINKAGE_AUDIT_LOG", str(tmp_path / "audit.jsonl")),
                        ("LINKAGE_NEO4J_HOME", str(neo4j_settings.neo4j_home)),
                        ("LINKAGE_NEO4J_HTTP_PORT", str(neo4j_settings.neo4j_http_port))):
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return tmp_path
