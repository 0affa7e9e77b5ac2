"""STIX 2.1 export of one cluster, for sharing indicators with other providers.

The bundle holds: the producing identity; a campaign for the cluster (verdict, score, evidence summaries);
an infrastructure object per proxy network; indicators for the cluster's IPs, networks and ASNs; IPv4/IPv6
and autonomous-system observables with observed-data (request volumes) and sightings; relationships tying
them together; and a TLP marking on every object. Only hashed identifiers leave the building: account ids
and payment fingerprints appear as SHA-256 digests, never raw.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from datetime import UTC, datetime
from typing import Any

import stix2

TLP = {"clear": stix2.TLP_WHITE, "green": stix2.TLP_GREEN, "amber": stix2.TLP_AMBER, "red": stix2.TLP_RED}
NAMESPACE_NOTE = "linkage"


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _when(value: Any) -> datetime:
    if value is None:
        return datetime.now(UTC)
    native = value.to_native() if hasattr(value, "to_native") else value
    return native if native.tzinfo else native.replace(tzinfo=UTC)


def _ip_pattern(address: str) -> tuple[str, str]:
    kind = "ipv6-addr" if ipaddress.ip_address(address.split("/")[0]).version == 6 else "ipv4-addr"
    return kind, f"[{kind}:value = '{address}']"


def build_bundle(detail: dict[str, Any], *, tlp: str = "amber", producer: str = "linkage") -> stix2.Bundle:
    """A STIX bundle from the `detect_cluster_detail` query's row."""
    cluster = detail["cluster"]
    marking = TLP[tlp]
    common: dict[str, Any] = {"object_marking_refs": [marking]}
    first_seen, last_seen = _when(cluster.get("first_seen")), _when(cluster.get("last_seen"))
    if last_seen < first_seen:
        last_seen = first_seen
    identity = stix2.Identity(name=producer, identity_class="organization", **common)
    evidence = json.loads(cluster.get("evidence") or "[]")
    description = (f"Coordinated account cluster {cluster['cluster_id']}: {cluster.get('size', 0)} accounts, "
                   f"verdict {cluster.get('verdict')}, score {cluster.get('score')}. Evidence: "
                   + "; ".join(f"{e['signal']}: {e['summary']}" for e in evidence if e.get("summary")))
    campaign = stix2.Campaign(
        name=f"{NAMESPACE_NOTE} cluster {cluster['cluster_id']}", description=description,
        first_seen=first_seen, last_seen=last_seen, created_by_ref=identity.id, allow_custom=True,
        x_linkage_score=cluster.get("score"), x_linkage_verdict=cluster.get("verdict"),
        x_linkage_account_sha256=sorted(_sha256(a) for a in detail.get("accounts", [])),
        x_linkage_payment_fingerprint_sha256=sorted(
            _sha256(p["fingerprint"]) for p in detail.get("payment_methods", [])),
        **common,
    )
    objects: list[Any] = [identity, campaign]

    def relate(source: Any, kind: str, target: Any) -> None:
        objects.append(stix2.Relationship(source_ref=source.id, relationship_type=kind, target_ref=target.id,
                                          created_by_ref=identity.id, **common))

    for name in sorted({ip["proxy_network"] for ip in detail.get("ips", []) if ip.get("proxy_network")}):
        infrastructure = stix2.Infrastructure(name=name, infrastructure_types=["anonymization"],
                                              created_by_ref=identity.id, **common)
        objects.append(infrastructure)
        relate(campaign, "uses", infrastructure)
    for ip in detail.get("ips", []):
        kind, pattern = _ip_pattern(ip["address"])
        indicator = stix2.Indicator(
            name=f"IP used by {ip['accounts']} accounts of the cluster", pattern=pattern, pattern_type="stix",
            valid_from=first_seen, indicator_types=["anomalous-activity"], created_by_ref=identity.id, **common)
        observable = (stix2.IPv6Address if kind == "ipv6-addr" else stix2.IPv4Address)(value=ip["address"])
        observed = stix2.ObservedData(first_observed=first_seen, last_observed=last_seen,
                                      number_observed=max(int(ip.get("requests") or 1), 1),
                                      object_refs=[observable.id], created_by_ref=identity.id, **common)
        sighting = stix2.Sighting(sighting_of_ref=indicator.id, observed_data_refs=[observed.id],
                                  count=max(int(ip.get("requests") or 1), 1), first_seen=first_seen,
                                  last_seen=last_seen, where_sighted_refs=[identity.id],
                                  created_by_ref=identity.id, **common)
        objects.extend([indicator, observable, observed, sighting])
        relate(indicator, "indicates", campaign)
    for network in detail.get("networks", []):
        _, pattern = _ip_pattern(network["cidr"])
        indicator = stix2.Indicator(
            name=f"Network used by {network['accounts']} accounts of the cluster", pattern=pattern,
            pattern_type="stix", valid_from=first_seen, indicator_types=["anomalous-activity"],
            created_by_ref=identity.id, **common)
        objects.append(indicator)
        relate(indicator, "indicates", campaign)
    numbers = set()
    for network in detail.get("networks", []):
        digits = str(network.get("asn") or "").upper().removeprefix("AS")
        if digits.isdigit():
            numbers.add(int(digits))
    for number in sorted(numbers):
        system = stix2.AutonomousSystem(number=number)
        indicator = stix2.Indicator(
            name=f"AS{number} announces networks used by the cluster",
            pattern=f"[autonomous-system:number = {number}]", pattern_type="stix", valid_from=first_seen,
            indicator_types=["anomalous-activity"], created_by_ref=identity.id, **common)
        objects.extend([system, indicator])
        relate(indicator, "indicates", campaign)
    return stix2.Bundle(objects=objects, allow_custom=True)
