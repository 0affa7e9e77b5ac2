"""`linkage demo`: the whole pipeline on generated data, then serve until Ctrl-C."""

from __future__ import annotations

import time

import typer

from app.cli.common import console, load_settings_or_exit, open_database, reports_errors
from graph.maintenance import apply_schema
from graph.server import start_server


@reports_errors
def demo() -> None:
    """Start the local Neo4j (assembling it on first run), apply the schema, and keep serving.

    Prints where to look (Neo4j Browser) and keeps running until Ctrl-C.
    """
    settings = load_settings_or_exit()
    started = time.perf_counter()
    if settings.is_local_server:
        console.rule("Neo4j")
        console.print(start_server(settings, echo=console.print).describe())
    with open_database(settings) as database:
        console.rule("Schema")
        console.print(f"{apply_schema(database)} constraints and indexes in place")
    console.rule("Ready")
    console.print(f"Pipeline ready in {time.perf_counter() - started:.1f}s")
    console.print(f"Neo4j Browser: {settings.browser_url}  (user {settings.neo4j_user}, "
                  "password from NEO4J_PASSWORD or the development default)")
    console.print("Press Ctrl-C to stop (the Neo4j server keeps running: `linkage neo4j stop`).")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
