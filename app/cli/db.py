"""`linkage db init|reset|stats`: the graph's schema and contents."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from app.cli.common import console, load_settings_or_exit, open_database, print_json, reports_errors
from graph.maintenance import apply_schema, count_graph, delete_all_data

app = typer.Typer(help="Create the schema, count or delete the graph's data.", no_args_is_help=True)


@app.command("init")
@reports_errors
def init() -> None:
    """Create every constraint and index from graph/schema.py (idempotent: IF NOT EXISTS)."""
    settings = load_settings_or_exit()
    with open_database(settings) as database:
        applied = apply_schema(database)
    console.print(f"Schema applied: {applied} constraints and indexes")


@app.command("reset")
@reports_errors
def reset(yes: bool = typer.Option(False, "--yes", help="Confirm: delete every node and relationship.")) \
        -> None:
    """Delete all data in batches (works on millions of nodes); the schema stays."""
    if not yes:
        console.print("Refusing to delete all data without --yes")
        raise typer.Exit(1)
    settings = load_settings_or_exit()
    with open_database(settings) as database:
        deleted = delete_all_data(database)
    console.print(f"Deleted {deleted:,} nodes; schema kept")


@app.command("stats")
@reports_errors
def stats(as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON on stdout.")] = False) \
        -> None:
    """Count nodes per label and relationships per type."""
    settings = load_settings_or_exit()
    with open_database(settings) as database:
        counts = count_graph(database)
    if as_json:
        print_json(counts)
        return
    table = Table("kind", "name", "count")
    for kind, per_name in counts.items():
        for name, count in sorted(per_name.items()):
            table.add_row(kind, name, f"{count:,}")
    console.print(table)
