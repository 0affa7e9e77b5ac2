"""CLI habits every command keeps: `-v/--verbose` after the subcommand too, choices listed in `--help`, and
error messages that a log or a pipe receives whole (never wrapped mid-sentence when not on a terminal)."""

from __future__ import annotations

import logging
import re

import pytest
import typer
from typer.testing import CliRunner

from app.cli import app

runner = CliRunner()


def leaf_commands() -> list[tuple[str, ...]]:
    """Every runnable command's words, e.g. ('export', 'graph')."""
    found: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        subcommands = getattr(command, "commands", None)  # a group (typer carries its own click)
        if subcommands is not None:
            for name, sub in subcommands.items():
                walk(sub, (*path, name))
        else:
            found.append(path)

    walk(typer.main.get_command(app), ())
    return found


COMMANDS = leaf_commands()


def test_the_walk_finds_the_commands() -> None:
    assert {("load",), ("report",), ("export", "graph"), ("keys", "list"), ("neo4j", "status")} <= set(COMMANDS)


@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_every_command_accepts_verbose(words: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*words, "--help"])
    assert result.exit_code == 0 and "--verbose" in result.output and "-v" in result.output


def test_verbose_after_the_subcommand_turns_on_debug_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "level", logging.WARNING)
    result = runner.invoke(app, ["browse", "-v", "cl_x"])
    assert result.exit_code == 0 and root.level == logging.DEBUG


@pytest.mark.parametrize(("words", "option", "choices"), [
    (("generate",), "--format", ("parquet", "csv", "jsonl")),
    (("generate",), "--prompts", ("text", "template")),
    (("export", "stix"), "--tlp", ("clear", "green", "amber", "red")),
    (("export", "graph"), "--format", ("graphml", "gexf")),
    (("export", "clusters"), "--format", ("csv", "json", "jsonl")),
    (("export", "clusters"), "--verdict", ("suspicious", "review", "benign")),
    (("export", "clusters"), "--case-status", ("open", "in_review", "confirmed", "dismissed")),
    (("keys", "create"), "--role", ("viewer", "analyst", "admin")),
    (("check",), "--fail-on", ("review", "block", "never")),
    (("generate",), "--scenario", ("classic", "full")),
])
def test_options_that_take_a_choice_list_them(words: tuple[str, ...], option: str, choices: tuple[str, ...]) -> None:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, [*words, "--help"])
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if re.match(rf"^\W*{option}\b", line))
    assert all(choice in line for choice in choices), line


def test_a_wrong_choice_names_the_choices() -> None:
    result = runner.invoke(app, ["generate", "--out", "x", "--format", "xml"])
    assert result.exit_code == 2 and all(c in result.output for c in ("parquet", "csv", "jsonl"))


def test_errors_are_one_line_when_not_on_a_terminal() -> None:
    """CliRunner's streams are not terminals, as a pipe or a CI log: the long message stays on one line."""
    value = "not-a-time-" + "x" * 150
    result = runner.invoke(app, ["detect", "--since", value])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert re.match(r"^error: .*such as 30d, 12h or 2w \(field '--since'\)$", lines[0]), lines[0]
