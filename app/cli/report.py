"""`linkage report CLUSTER_ID --out report.html`: one cluster as a self-contained HTML page (audited before
it is written, like every export)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.audit import audited_cli
from app.cli.common import err_console, load_settings_or_exit, open_database, reports_errors
from app.report import build_report, render_report
from app.report.sample import REPORT_MEMBERS


@reports_errors
def report(
    cluster_id: Annotated[str, typer.Argument(help="The cluster to report on.")],
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write ('-' for stdout).")],
    members: Annotated[int, typer.Option(
        "--members", min=1, max=300, help="Members drawn in the picture (the most active first).")] = REPORT_MEMBERS,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was written as JSON on stdout.")] = False,
) -> None:
    """Write one HTML file with the cluster's verdict, score and evidence (with its numbers), a picture of its
    sample (members and the cards, IPs, networks, proxy networks, clients and templates they share), its
    activity against the population's rhythm, its history across runs and its STIX ids when exported.

    The page fetches nothing when opened (inline CSS and SVG, no script): attach it to a ticket or send it.
    """
    settings = load_settings_or_exit()
    with audited_cli(settings.audit_log, "cli.report", cluster_id=cluster_id) as audit:
        with open_database(settings) as database:
            content = build_report(database, cluster_id, members=members)
        page = render_report(content)
        if str(out) == "-":
            typer.echo(page, nl=False)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(page, encoding="utf-8")
        audit["nodes"] = len(content.sample.nodes)
    summary = {"cluster_id": cluster_id, "out": str(out), "bytes": len(page.encode()),
               "nodes": len(content.sample.nodes), "edges": len(content.sample.edges),
               "timeline_points": len(content.timeline), "verdict": content.cluster.get("verdict"),
               "score": content.cluster.get("score")}
    if as_json and str(out) != "-":
        typer.echo(json.dumps(summary))
    else:
        err_console.print(f"report of {cluster_id} ({summary['nodes']} nodes drawn, {summary['bytes']:,} bytes) "
                          f"→ {out}")
