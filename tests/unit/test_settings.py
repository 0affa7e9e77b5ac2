from __future__ import annotations

import pytest
from pydantic import ValidationError

from graph.settings import DEVELOPMENT_PASSWORD, Settings


def test_defaults_point_at_the_local_server(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE", "LINKAGE_ENV"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.neo4j_uri == "bolt://127.0.0.1:7687"
    assert settings.bolt_port == 7687
    assert settings.is_local_server
    assert settings.neo4j_database == "neo4j"
    assert settings.browser_url == "http://127.0.0.1:7474/browser/"


def test_standard_neo4j_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "neo4j://graph.example.internal:7999")
    monkeypatch.setenv("NEO4J_USER", "analyst")
    monkeypatch.setenv("NEO4J_PASSWORD", "a-long-secret")
    monkeypatch.setenv("NEO4J_DATABASE", "fraud")
    monkeypatch.setenv("LINKAGE_NEO4J_HTTP_PORT", "8474")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.neo4j_user, settings.neo4j_database, settings.bolt_port) == ("analyst", "fraud", 7999)
    assert settings.neo4j_password.get_secret_value() == "a-long-secret"
    assert not settings.is_local_server
    assert settings.neo4j_http_port == 8474
    assert "a-long-secret" not in repr(settings)


def test_production_refuses_the_development_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    monkeypatch.setenv("LINKAGE_ENV", "production")
    with pytest.raises(ValidationError, match="development default"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.setenv("NEO4J_PASSWORD", DEVELOPMENT_PASSWORD + "-changed")
    with pytest.raises(ValidationError, match="LINKAGE_HASH_KEY"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.setenv("LINKAGE_HASH_KEY", "a-provider-secret-key")
    assert Settings(_env_file=None).env == "production"  # type: ignore[call-arg]


def test_short_password_is_rejected() -> None:
    with pytest.raises(ValidationError, match="at least 8"):
        Settings(_env_file=None, neo4j_password="short")  # type: ignore[call-arg]


def test_dotenv_file_is_read(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    env_file = Path(str(tmp_path)) / ".env"
    env_file.write_text("NEO4J_URI=bolt://127.0.0.1:9687\nLINKAGE_NEO4J_HOME=/tmp/other-home\n")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.delenv("LINKAGE_NEO4J_HOME", raising=False)
    settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    assert settings.bolt_port == 9687
    assert str(settings.neo4j_home) == "/tmp/other-home"
