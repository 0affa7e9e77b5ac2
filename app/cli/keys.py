"""`linkage keys create|list|revoke`: API keys of linkage's own API (only their hashes are stored)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from app.audit import audited_cli
from app.cli.common import console, err_console, load_settings_or_exit, open_database, print_json, reports_errors
from app.credentials import Role, list_keys, new_key, revoke_key, store_key

app = typer.Typer(help="Create, list and revoke API keys (viewer, analyst, admin).", no_args_is_help=True)


@app.command("create")
@reports_errors
def create(name: str = typer.Option(..., "--name", help="Who or what uses the key (shown in the audit log)."),
           role: Annotated[Role, typer.Option("--role", help="What the key may do.")] = Role.VIEWER,
           as_json: Annotated[bool, typer.Option("--json", help="Print the key as JSON on stdout.")] = False) \
        -> None:
    """Create a key and print its secret once (it cannot be shown again). Audited (by OS user) before the key
    is stored."""
    settings = load_settings_or_exit()
    key, key_hash = new_key(name, role)
    with open_database(settings) as database, \
            audited_cli(settings.audit_log, "cli.keys.create", target_key_id=key.key_id, key_role=role.value):
        store_key(database, key, key_hash)
    if as_json:
        print_json({"key_id": key.key_id, "name": key.name, "role": key.role.value, "token": key.token})
        return
    err_console.print(f"key id {key.key_id} ({key.role.value}, {key.name}); the secret is shown only now:")
    typer.echo(key.token)


@app.command("list")
@reports_errors
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print the keys as JSON on stdout.")] = False) \
        -> None:
    """List keys: id, name, role, created, revoked (never secrets or hashes)."""
    settings = load_settings_or_exit()
    with open_database(settings) as database:
        rows = list_keys(database)
    if as_json:
        print_json([{"key_id": row["key_id"], "name": row["name"], "role": row["role"],
                     "created_at": row.get("created_at"), "revoked_at": row.get("revoked_at")} for row in rows])
        return
    table = Table("key id", "name", "role", "created", "revoked")
    for row in rows:
        table.add_row(row["key_id"], row["name"], row["role"], str(row.get("created_at") or ""),
                      str(row.get("revoked_at") or ""))
    console.print(table)


@app.command("revoke")
@reports_errors
def revoke(key_id: str = typer.Argument(..., help="The key id (from `linkage keys list`).")) -> None:
    """Revoke a key (the API refuses it within seconds; the record stays). Audited (by OS user) before the
    key is revoked."""
    settings = load_settings_or_exit()
    with open_database(settings) as database, \
            audited_cli(settings.audit_log, "cli.keys.revoke", target_key_id=key_id):
        row = revoke_key(database, key_id)
    console.print(f"revoked {row['key_id']} ({row['name']}) at {row['revoked_at']}")
