"""The CLI's audit trail: `keys create/revoke`, and exports are recorded with the operating-system user
before they happen; when the trail cannot be written they do not happen, and `serve` refuses to start
(`linkage detect`: tests/integration/test_detection_runs.py)."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from graph.db import Database
from graph.settings import Settings
from tests.api import graph_fixture as fx
from tests.api.test_api_audit import records, unwritable
from tests.cypher import read


@pytest.fixture()
def audit(neo4j_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit.jsonl"
    for name, value in (("NEO4J_URI", neo4j_settings.neo4j_uri),
                        ("NEO4J_PASSWORD", neo4j_settings.neo4j_password.get_secret_value()),
                        ("LINKAGE_ENV", "test"), ("LINKAGE_AUDIT_LOG", str(path))):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LINKAGE_ALERT_WEBHOOK_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def credentials(database: Database, name: str) -> list[dict[str, object]]:
    return read(database, "MATCH (k:ApiCredential {name: $n}) RETURN k.key_id AS key_id, k.revoked_at AS revoked",
                {"n": name})


def test_keys_are_audited_by_os_user_and_not_created_without_a_trail(fixture_graph: Database, audit: Path) -> None:
    with unwritable(audit):
        code, _, err = run("keys", "create", "--name", "audit-test-refused", "--role", "analyst")
    assert code == 2 and "audit log" in err
    assert credentials(fixture_graph, "audit-test-refused") == [], "no key without its audit record"

    code, out, _ = run("keys", "create", "--name", "audit-test", "--role", "analyst")
    assert code == 0
    key_id = credentials(fixture_graph, "audit-test")[0]["key_id"]
    token = out.strip().splitlines()[-1]
    with unwritable(audit):
        code, _, _ = run("keys", "revoke", str(key_id))
    assert code == 2 and credentials(fixture_graph, "audit-test")[0]["revoked"] is None
    assert run("keys", "revoke", str(key_id))[0] == 0
    trail = [(r["operation"], r["outcome"], r["actor"], r["target_key_id"]) for r in records(audit)]
    user = getpass.getuser()
    assert trail == [("cli.keys.create", "started", user, key_id), ("cli.keys.create", "ok", user, key_id),
                     ("cli.keys.revoke", "started", user, key_id), ("cli.keys.revoke", "ok", user, key_id)]
    assert token not in audit.read_text() and "audit-test" not in audit.read_text()


def test_exports_are_not_written_without_a_trail(fixture_graph: Database, audit: Path, tmp_path: Path) -> None:
    out = tmp_path / "clusters.csv"
    bundle = tmp_path / "bundle.json"
    with unwritable(audit):
        assert run("export", "clusters", "--out", str(out))[0] == 2
        assert run("export", "stix", fx.CAMPAIGN, "--out", str(bundle))[0] == 2
    assert not out.exists() and not bundle.exists()
    assert run("export", "clusters", "--out", str(out))[0] == 0 and out.exists()
    assert run("export", "stix", "nope", "--out", str(bundle))[0] == 1
    trail = [(r["operation"], r["outcome"], r.get("rows")) for r in records(audit)]
    rows = len(out.read_text().splitlines()) - 1
    assert trail == [("cli.export.clusters", "started", None), ("cli.export.clusters", "ok", rows),
                     ("cli.export.stix", "started", None), ("cli.export.stix", "NOT_FOUND", None)]
    assert all(r["actor"] == getpass.getuser() and r["via"] == "cli" for r in records(audit))


def test_serve_refuses_to_start_without_a_trail(audit: Path) -> None:
    with unwritable(audit):
        code, _, err = run("serve", "--port", "1")
    assert code == 2 and "audit log" in err

