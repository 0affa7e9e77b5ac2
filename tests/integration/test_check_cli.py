"""`linkage check` end to end against the real server: exit codes and JSONL output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from graph.db import Database
from graph.settings import Settings
from tests.api import graph_fixture as fx


@pytest.fixture()
def env(neo4j_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.neo4j_uri)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.neo4j_password.get_secret_value())
    monkeypatch.setenv("LINKAGE_ENV", "test")
    monkeypatch.setenv("LINKAGE_HASH_KEY", neo4j_settings.hash_key.get_secret_value())
    monkeypatch.setenv("LINKAGE_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.chdir(tmp_path)  # no stray .env
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_campaign_account_is_flagged(fixture_graph: Database, env: Path) -> None:
    code, out, _ = run("check", "--account", "acct-camp-007")
    assert code == 1
    line = json.loads(out)
    assert line["verdict"] == "block" and line["matched_clusters"][0]["cluster_id"] == fx.CAMPAIGN


def test_clean_account_passes(fixture_graph: Database, env: Path) -> None:
    code, out, _ = run("check", "--account", fx.ALICE, "--fail-on", "review")
    assert code == 0 and json.loads(out)["verdict"] == "allow"


def test_unknown_account_is_an_error(fixture_graph: Database, env: Path) -> None:
    code, _, err = run("check", "--account", "nope")
    assert code == 2 and "no account 'nope'" in err


def test_batch_file_with_out(fixture_graph: Database, env: Path) -> None:
    signups = env / "signups.jsonl"
    signups.write_text("\n".join(json.dumps(row) for row in [
        {"ref": "s1", "payment_fingerprint": "pm-tok-4f1a9c", "email": "new1@mailbox-temp.io"},
        {"ref": "s2", "ip": fx.CGNAT_IP, "email": "someone@gmail.com"},
        {"ref": "s3", "account_id": "acct-acme-02"},
        {"ref": "s4", "account_id": "missing"},
    ]) + "\n")
    out = env / "verdicts.jsonl"
    code, _, err = run("check", "--input", str(signups), "--out", str(out), "--fail-on", "block")
    assert code == 2 and "1 of 4 subjects name no account" in err  # s4: no answer, so not a clean pass
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line.get("verdict") for line in lines] == ["block", "allow", "allow", None]
    assert lines[3]["error"]["code"] == "NOT_FOUND"
    assert "new1@" not in out.read_text()  # emails leave only as hashes
    audit = (env / "audit.jsonl").read_text()
    assert '"operation":"cli.check"' in audit and "pm-tok" not in audit


def test_clean_batch_exits_zero(fixture_graph: Database, env: Path) -> None:
    signups = env / "clean.jsonl"
    signups.write_text(json.dumps({"ip": fx.CGNAT_IP}) + "\n")
    code, out, _ = run("check", "--input", str(signups), "--fail-on", "review")
    assert code == 0 and json.loads(out)["verdict"] == "allow"


def test_malformed_line_is_named(fixture_graph: Database, env: Path) -> None:
    signups = env / "bad.jsonl"
    signups.write_text(json.dumps({"ip": fx.CGNAT_IP}) + "\n" + '{"ip": "1.2.3.4", "emial": "x"}\n')
    code, out, err = run("check", "--input", str(signups))
    assert code == 2
    assert "bad.jsonl:2" in err and "emial" in err
    assert out == ""
