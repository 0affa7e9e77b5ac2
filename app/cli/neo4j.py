"""`linkage neo4j start|stop|status`: the local Neo4j server."""

from __future__ import annotations

import typer

from app.cli.common import console, load_settings_or_exit, reports_errors
from graph.devserver import server_status, start_server, stop_server

app = typer.Typer(help="Manage the local Neo4j Community server (assembled from Maven Central, no Docker).",
                  no_args_is_help=True)


@app.command("start")
@reports_errors
def start() -> None:
    """Assemble (first time), configure and start the local server; wait until Bolt answers.

    Ports and folders come from NEO4J_URI, LINKAGE_NEO4J_HTTP_PORT and LINKAGE_NEO4J_HOME, so several
    instances can run side by side. The password (NEO4J_PASSWORD) is set before the first start.
    """
    settings = load_settings_or_exit()
    status = start_server(settings, echo=console.print)
    console.print(status.describe())
    console.print(f"Neo4j Browser: {settings.browser_url}  (user {settings.neo4j_user})")


@app.command("stop")
@reports_errors
def stop() -> None:
    """Stop the local server (a clean shutdown)."""
    status = stop_server(load_settings_or_exit())
    console.print(status.describe())


@app.command("status")
@reports_errors
def status() -> None:
    """Say whether the local server runs and answers on Bolt; exit 1 when it does not."""
    current = server_status(load_settings_or_exit())
    console.print(current.describe())
    if not (current.running and current.bolt_answers):
        raise typer.Exit(1)
