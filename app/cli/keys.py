"""`linkage keys create|list|revoke`: API keys of linkage's own API (only their hashes are stored)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from app.cli.common import console, load_settings_or_exit, open_database, reports_errors
from app.credentials import Role, create_key, list_keys, revoke_key

app = typer.Typer(help="Create, list and revoke API keys (viewer, analyst, admin).", no_args_is_help=True)


@app.command("create")
@reports_errors
def create(name: str = typer.Option(..., "--name", help="Who or what uses the key (shown in the audit log)."),
           role: Annotated[Role, typer.Option("--role", help="viewer, analyst or admin.")] = Role.VIEWER) \
        -> None:
    """Create a key and print its secret once (it cannot be shown again)."""
    settings = load_settings_or_exit()
    with open_database(settings) as database:
        key = create_key(database, name=name, role=role)
    console.print(f"key id {key.key_id} ({key.role.value}, {key.name}); the secret is shown only now:")
    typer.echo(key.token)


@app.command("list")
@reports_errors
def list_() -> None:
    """List keys: id, name, role, created, revoked (never secrets or hashes)."""
    settings = load_settings_or_exit()
    with open_database(settings) as database:
        rows = list_keys(database)
    table = Table("key id", "name", "role", "created", "revoked")
    for row in rows:
        table.add_row(row["key_id"], row["name"], row["role"], str(row.get("created_at") or ""),
                      str(row.get("revoked_at") or ""))
    console.print(table)


@app.command("revoke")
@reports_errors
def revoke(key_id: str = typer.Argument(..., help="The key id (from `linkage keys list`).")) -> None:
    """Revoke a key (the API refuses it within seconds; the record stays)."""
    settings = load_settings_or_exit()
    with open_database(settings) as database:
        row = revoke_key(database, key_id)
    console.print(f"revoked {row['key_id']} ({row['name']}) at {row['revoked_at']}")
