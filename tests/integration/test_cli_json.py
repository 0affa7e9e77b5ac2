"""`--json` on the commands that print a result (db stats, keys create/list, neo4j status; detect and
check have their own tests): stdout is exactly one JSON document, progress and messages go to stderr. And
`linkage demo`'s analyst key, kept and reused while the graph accepts it."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.cli.demo import analyst_key
from app.credentials import revoke_key
from graph.db import Database
from graph.settings import Settings
from tests.cypher import read

BAD_INPUTS = Path(__file__).resolve().parents[1] / "fixtures" / "load" / "bad"


def run_json(*args: str) -> tuple[int, object, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, json.loads(result.stdout), result.stderr


def test_db_stats_json(fixture_graph: Database, cli_env: Path) -> None:
    code, counts, _ = run_json("db", "stats", "--json")
    assert code == 0 and isinstance(counts, dict)
    expected = read(fixture_graph, "MATCH (c:Cluster) RETURN count(c) AS n")[0]["n"]
    assert counts["nodes"]["Cluster"] == expected and counts["relationships"]["MEMBER_OF"] > 0


def test_keys_create_and_list_json(fixture_graph: Database, cli_env: Path) -> None:
    code, created, _ = run_json("keys", "create", "--name", "json-test", "--role", "analyst", "--json")
    assert code == 0 and isinstance(created, dict)
    assert created["role"] == "analyst" and created["token"].startswith(f"lk_{created['key_id']}_")
    code, keys, _ = run_json("keys", "list", "--json")
    assert code == 0 and isinstance(keys, list)
    mine = next(k for k in keys if k["key_id"] == created["key_id"])
    assert mine["name"] == "json-test" and mine["revoked_at"] is None and "token" not in mine
    assert not any("hash" in key for k in keys for key in k)


def test_neo4j_status_json(neo4j_settings: Settings, database: Database, cli_env: Path) -> None:
    if not neo4j_settings.is_local_server:
        pytest.skip("the server is not the local managed one (NEO4J_URI or testcontainers)")
    code, status, _ = run_json("neo4j", "status", "--json")
    assert code == 0 and isinstance(status, dict)
    assert status["running"] is True and status["bolt_answers"] is True
    assert status["bolt_uri"].endswith(f":{neo4j_settings.bolt_port}")


def test_demo_reuses_its_analyst_key_while_the_graph_accepts_it(fixture_graph: Database, tmp_path: Path) -> None:
    key_file = tmp_path / "demo" / "analyst.key"
    first, fresh = analyst_key(fixture_graph, key_file)
    assert fresh and key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again, fresh = analyst_key(fixture_graph, key_file)
    assert again == first and not fresh
    revoke_key(fixture_graph, first.split("_")[1])
    replaced, fresh = analyst_key(fixture_graph, key_file)
    assert fresh and replaced != first and key_file.read_text().strip() == replaced
