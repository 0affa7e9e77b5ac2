from __future__ import annotations

from typer.testing import CliRunner

from app.cli import app

runner = CliRunner()


def test_help_lists_the_command_groups() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("neo4j", "db"):
        assert command in result.output


def test_neo4j_help_lists_start_stop_status() -> None:
    result = runner.invoke(app, ["neo4j", "--help"])
    assert result.exit_code == 0
    for command in ("start", "stop", "status"):
        assert command in result.output


def test_reset_refuses_without_confirmation() -> None:
    result = runner.invoke(app, ["db", "reset"])
    assert result.exit_code == 1
    assert "--yes" in result.output


def test_unreachable_neo4j_is_one_line_and_exit_2(monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")  # nothing listens on port 1
    result = runner.invoke(app, ["db", "stats"])
    assert result.exit_code == 2
    assert "not reachable" in result.output
    assert "Traceback" not in result.output


def test_generate_builds_the_chosen_composition(tmp_path: object) -> None:
    import csv
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    result = runner.invoke(app, ["generate", "--out", str(tmp_path), "--accounts", "1000", "--scenario", "classic",
                                 "--traps", "platform_billing", "--campaigns", "relay-farm,campaign-2"])
    assert result.exit_code == 0, result.output
    with (tmp_path / "labels.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["campaign"] for r in rows if r["campaign"]} == {"relay-farm", "campaign-2"}
    assert "platform_billing" in {r["population"] for r in rows}
    assert "scheduled_jobs" not in {r["population"] for r in rows}


def test_generate_names_the_option_of_an_unknown_component(tmp_path: object) -> None:
    result = runner.invoke(app, ["generate", "--out", str(tmp_path), "--campaigns", "campaign-9"])
    assert result.exit_code != 0
    assert "unknown campaign 'campaign-9'" in result.output and "--campaigns" in result.output
