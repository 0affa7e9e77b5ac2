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
