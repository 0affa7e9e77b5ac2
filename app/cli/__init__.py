"""The `linkage` command: load → detect → serve, plus the local Neo4j server.

Each command group lives in its own module; this one only assembles them.
"""

from __future__ import annotations

import typer

from app.cli import db, keys, neo4j
from app.cli.browse import browse
from app.cli.check import check
from app.cli.common import VERBOSE_HELP, add_verbose_everywhere, configure_logging
from app.cli.demo import demo
from app.cli.detect import detect
from app.cli.evaluate import evaluate
from app.cli.export import export_app
from app.cli.generate import generate
from app.cli.load import load
from app.cli.report import report
from app.cli.serve import serve

app = typer.Typer(
    name="linkage",
    help="Uncover coordinated account networks abusing an AI model API, with Neo4j.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(neo4j.app, name="neo4j")
app.add_typer(db.app, name="db")
app.command("demo")(demo)
app.command("generate")(generate)
app.command("load")(load)
app.add_typer(keys.app, name="keys")
app.command("serve")(serve)
app.command("check")(check)
app.command("detect")(detect)
app.add_typer(export_app, name="export")
app.command("eval")(evaluate)
app.command("browse")(browse)
app.command("report")(report)
add_verbose_everywhere(app)  # `-v` before or after the subcommand


@app.callback()
def root(verbose: bool = typer.Option(False, "--verbose", "-v", help=VERBOSE_HELP)) -> None:
    """Settings come from the environment or a .env file: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD,
    NEO4J_DATABASE and LINKAGE_* (see README)."""
    configure_logging(verbose)


def main() -> None:
    app()
