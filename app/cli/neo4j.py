"""`linkage neo4j start|stop|status`: the local Neo4j server."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.common import console, err_console, load_settings_or_exit, print_json, reports_errors
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
    status = start_server(settings, echo=err_console.print)
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
def status(as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON on stdout.")] = False) \
        -> None:
    """Say whether the local server runs and answers on Bolt; exit 1 when it does not."""
    settings = load_settings_or_exit()
    current = server_status(settings)
    if as_json:
        print_json({"running": current.running, "pid": current.pid, "bolt_answers": current.bolt_answers,
                    "home": str(current.home), "bolt_uri": f"bolt://127.0.0.1:{current.bolt_port}",
                    "browser_url": settings.browser_url})
    else:
        console.print(current.describe())
    if not (current.running and current.bolt_answers):
        raise typer.Exit(1)
