"""The CLI reference (docs/cli.md), written from the commands' own declarations — the same text `--help`
shows — so it cannot drift: `tests/unit/test_cli_reference.py` fails when the file is not current.

    python -m app.cli.reference > docs/cli.md
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

import typer

HEADER = """# CLI reference

Generated from the commands' `--help` by `python -m app.cli.reference > docs/cli.md` (a test fails when this
file is not current). Every command also takes `-v/--verbose` (debug logs on stderr) and `-h/--help`;
results go to stdout, progress and messages to stderr. Settings come from the environment or `.env`
(README, "Settings").
"""


def _commands(command: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        return [(path, command)]
    found = [(path, command)] if path else []
    for name in subcommands:  # the order the CLI registers them (load → detect → serve)
        found += _commands(subcommands[name], (*path, name))
    return found


def _context(root: Any, path: tuple[str, ...]) -> Any:
    context = root.make_context("linkage", [], resilient_parsing=True)
    command = root
    for name in path:
        command = command.commands[name]
        context = command.make_context(name, [], parent=context, resilient_parsing=True)
    return context


def render_reference() -> str:
    """docs/cli.md's text."""
    from app.cli import app

    root = typer.main.get_command(app)
    parts = [HEADER]
    for path, command in _commands(root, ()):
        context = _context(root, path)
        title = " ".join(("linkage", *path))
        parts.append(f"\n## `{title}`\n")
        help_text = inspect.cleandoc(command.help or "")
        if help_text:
            parts.append("\n" + help_text + "\n")
        if getattr(command, "commands", None) is not None:
            names = ", ".join(f"`{name}`" for name in sorted(command.commands))
            parts.append(f"\nSubcommands: {names}.\n")
            continue
        pieces = " ".join(command.collect_usage_pieces(context))
        parts.append(f"\n```\n{title} {pieces}\n```\n")
        rows = []
        for param in command.get_params(context):
            if param.name in ("help", "verbose"):
                continue
            record = param.get_help_record(context)
            if record is None and param.param_type_name == "argument":
                record = (param.name.upper(), str(param.help or "") + ("  [required]" if param.required else ""))
            if record is not None:
                rows.append(record)
        if rows:
            parts.append("\n| argument or option | meaning |\n|---|---|\n")
            for label, text in rows:
                cell = " ".join(text.split()).replace("|", "\\|")
                parts.append(f"| `{label.replace('|', '&#124;')}` | {cell} |\n")
    return "".join(parts)


if __name__ == "__main__":
    sys.stdout.write(render_reference())
