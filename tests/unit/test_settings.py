from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.cli.bulk import plan_load
from graph.db import Database
from graph.devserver import import_full, server_status, start_server, stop_server
from graph.errors import LocalServerError
from graph.settings import DEVELOPMENT_PASSWORD, Settings
from tests.neo4j_harness import local_test_settings


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
    env_file = Path(str(tmp_path)) / ".env"
    env_file.write_text("NEO4J_URI=bolt://127.0.0.1:9687\nLINKAGE_NEO4J_HOME=/tmp/other-home\n")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.delenv("LINKAGE_NEO4J_HOME", raising=False)
    settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    assert settings.bolt_port == 9687
    assert str(settings.neo4j_home) == "/tmp/other-home"


@pytest.mark.parametrize(("uri", "local"), [
    ("bolt://127.0.0.1:7687", True),
    ("neo4j://localhost:7687", True),  # routing to a standalone server on this machine
    ("neo4j+s://a1b2c3d4.databases.neo4j.io", False),  # Aura
    ("neo4j+ssc://graph.example.internal:7687", False),
    ("neo4j://graph.example.internal:7687", False),
    ("neo4j+s://127.0.0.1:7687", False),  # encrypted: a tunnel to a remote server, never the managed one
    ("bolt+ssc://localhost:7687", False),
])
def test_only_a_plain_uri_on_this_machine_is_the_local_server(uri: str, local: bool) -> None:
    assert Settings(_env_file=None, NEO4J_URI=uri).is_local_server is local  # type: ignore[call-arg]


def test_a_copy_with_another_uri_is_judged_by_that_uri() -> None:
    settings = Settings(_env_file=None, NEO4J_URI="bolt://127.0.0.1:7999")  # type: ignore[call-arg]
    assert settings.is_local_server and settings.bolt_port == 7999
    remote = settings.model_copy(update={"neo4j_uri": "neo4j+s://a1b2c3d4.databases.neo4j.io"})
    assert not remote.is_local_server and remote.bolt_port == 7687


def test_a_remote_server_is_never_managed_nor_bulk_imported_into(tmp_path: Path) -> None:
    home = tmp_path / "home"
    remote = local_test_settings(neo4j_uri="neo4j+s://a1b2c3d4.databases.neo4j.io", neo4j_home=home)
    actions = {"start": lambda: start_server(remote, echo=lambda _: None), "stop": lambda: stop_server(remote),
               "status": lambda: server_status(remote),
               "import": lambda: import_full(remote, nodes=[], relationships=[], multiline=[], folder=tmp_path)}
    for name, action in actions.items():
        with pytest.raises(LocalServerError, match="not a local server"):
            action()
        assert not home.exists(), name  # refused before anything was assembled, rendered or run
    plan = plan_load(Database(None, remote), tmp_path, bulk=True)  # type: ignore[arg-type]
    assert not plan.bulk and "not on this machine" in plan.reason
