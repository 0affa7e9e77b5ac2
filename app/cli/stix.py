"""`linkage export stix CLUSTER_ID`: one cluster as a STIX 2.1 bundle for other providers."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from app.audit import audited_cli
from app.cli.common import err_console, load_settings_or_exit, open_database, reports_errors
from graph.detect.persist import read_cluster_detail
from graph.detect.stix import build_bundle
from graph.errors import NotFoundError
from graph.queries import get_query


class Tlp(StrEnum):
    """The TLP markings graph/detect/stix.py knows (TLP 2.0 names; `clear` is TLP 1's white)."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@reports_errors
def export_stix(cluster_id: Annotated[str, typer.Argument(help="The cluster to share.")],
                out: Annotated[Path, typer.Option("--out", help="The bundle's JSON file ('-' for stdout).")],
                tlp: Annotated[Tlp, typer.Option("--tlp", help="TLP marking of every object.")] = Tlp.AMBER) -> None:
    """A STIX 2.1 bundle of one cluster (campaign, proxy-network infrastructure, IP/network/ASN indicators,
    observed volumes, sightings; account ids and payment fingerprints only as SHA-256). The bundle and
    campaign ids are remembered on the cluster (its report shows them)."""
    settings = load_settings_or_exit()
    with audited_cli(settings.audit_log, "cli.export.stix", cluster_id=cluster_id, tlp=tlp.value) as audit:
        with open_database(settings) as database:
            detail = read_cluster_detail(database, cluster_id)
            if detail is None:
                raise NotFoundError(f"no cluster {cluster_id!r}")
            bundle = build_bundle(detail, tlp=tlp.value)
            text = bundle.serialize(pretty=True) + "\n"
            if str(out) == "-":
                typer.echo(text, nl=False)
            else:
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(text, encoding="utf-8")
            campaign = next(o for o in bundle.objects if o.type == "campaign")
            database.run(get_query("export_stix_record"), {"cluster_id": cluster_id, "bundle_id": bundle.id,
                                                           "campaign_id": campaign.id, "tlp": tlp.value})
        audit.update({"objects": len(bundle.objects), "bundle_id": bundle.id})
    err_console.print(f"STIX bundle with {len(bundle.objects)} objects → {'stdout' if str(out) == '-' else out}")
