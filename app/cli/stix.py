"""`linkage export stix CLUSTER_ID`: one cluster as a STIX 2.1 bundle for other providers."""

from __future__ import annotations

from pathlib import Path

import typer

from app.audit import audited_cli
from app.cli.common import console, load_settings_or_exit, open_database, reports_errors
from graph.detect.persist import read_cluster_detail
from graph.detect.stix import TLP, build_bundle
from graph.errors import InputError, NotFoundError


@reports_errors
def export_stix(cluster_id: str = typer.Argument(..., help="The cluster to share."),
                out: Path = typer.Option(..., "--out", help="The bundle's JSON file."),
                tlp: str = typer.Option("amber", help=f"TLP marking: {', '.join(TLP)}.")) -> None:
    """A STIX 2.1 bundle of one cluster (campaign, proxy-network infrastructure, IP/network/ASN indicators,
    observed volumes, sightings; account ids and payment fingerprints only as SHA-256)."""
    if tlp not in TLP:
        raise InputError(f"unknown TLP {tlp!r} (use {', '.join(TLP)})", field="tlp")
    settings = load_settings_or_exit()
    with audited_cli(settings.audit_log, "cli.export.stix", cluster_id=cluster_id, tlp=tlp) as audit:
        with open_database(settings) as database:
            detail = read_cluster_detail(database, cluster_id)
        if detail is None:
            raise NotFoundError(f"no cluster {cluster_id!r}")
        bundle = build_bundle(detail, tlp=tlp)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(bundle.serialize(pretty=True) + "\n", encoding="utf-8")
        audit["objects"] = len(bundle.objects)
    console.print(f"STIX bundle with {len(bundle.objects)} objects → {out}")
