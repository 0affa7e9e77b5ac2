"""docs/cli.md is the CLI's `--help`, current: regenerate with `python -m app.cli.reference > docs/cli.md`."""

from __future__ import annotations

from pathlib import Path

from app.cli.reference import render_reference

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_is_current() -> None:
    written = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == render_reference(), "docs/cli.md is stale: python -m app.cli.reference > docs/cli.md"


def test_cli_reference_covers_every_command_with_its_choices() -> None:
    text = render_reference()
    for title in ("linkage load", "linkage detect", "linkage report", "linkage export graph",
                  "linkage export clusters", "linkage keys list", "linkage neo4j status", "linkage check"):
        assert f"## `{title}`" in text
    assert "graphml&#124;gexf" in text and "clear&#124;green&#124;amber&#124;red" in text
