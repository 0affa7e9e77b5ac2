"""`linkage serve`: run the GraphQL API with uvicorn (or print its schema)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.audit import AuditLog
from app.cli.common import console, load_settings_or_exit, reports_errors


@reports_errors
def serve(host: str | None = typer.Option(None, "--host", help="Bind address (default LINKAGE_API_HOST)."),
          port: int | None = typer.Option(None, "--port", help="Port (default LINKAGE_API_PORT)."),
          print_schema: bool = typer.Option(False, "--print-schema",
                                            help="Print the GraphQL SDL (app/schema.graphql) and exit."),
          write_schema: Annotated[Path | None, typer.Option(
              "--write-schema", help="Write the GraphQL SDL to this file and exit.")] = None) -> None:
    """Serve the analysts' GraphQL API at /graphql (GraphiQL outside production) and /healthz."""
    if print_schema or write_schema:
        from app.api import export_sdl

        if write_schema:
            write_schema.write_text(export_sdl(), encoding="utf-8")
        else:
            typer.echo(export_sdl(), nl=False)
        return
    import uvicorn

    from app.api import create_app

    settings = load_settings_or_exit()
    AuditLog(settings.audit_log).check_writable()  # refuse to serve when actions could not be audited
    bind_host, bind_port = host or settings.api_host, port or settings.api_port
    console.print(f"linkage API on http://{bind_host}:{bind_port}/graphql ({settings.env})")
    uvicorn.run(create_app(settings), host=bind_host, port=bind_port, log_level="info", access_log=False)
