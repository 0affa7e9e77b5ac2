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


class _BundleBuilder:
    """The objects of one cluster's bundle, in order; every object carries the TLP marking and the producer."""

    def __init__(self, cluster: dict[str, Any], *, tlp: str, producer: str) -> None:
        self.common: dict[str, Any] = {"object_marking_refs": [TLP[tlp]]}
        self.first_seen, self.last_seen = _when(cluster.get("first_seen")), _when(cluster.get("last_seen"))
        if self.last_seen < self.first_seen:
            self.last_seen = self.first_seen
        self.identity = stix2.Identity(name=producer, identity_class="organization", **self.common)
        self.objects: list[Any] = [self.identity]

    def add(self, *objects: Any) -> None:
        self.objects.extend(objects)

    def relate(self, source: Any, kind: str, target: Any) -> None:
        self.add(stix2.Relationship(source_ref=source.id, relationship_type=kind, target_ref=target.id,
                                    created_by_ref=self.identity.id, **self.common))

    def indicator(self, name: str, pattern: str) -> Any:
        return stix2.Indicator(name=name, pattern=pattern, pattern_type="stix", valid_from=self.first_seen,
                               indicator_types=["anomalous-activity"], created_by_ref=self.identity.id,
                               **self.common)

    def campaign(self, detail: dict[str, Any]) -> Any:
        """The cluster as a campaign: its evidence in words, accounts and cards only as SHA-256."""
        cluster = detail["cluster"]
        evidence = json.loads(cluster.get("evidence") or "[]")
        description = (f"Coordinated account cluster {cluster['cluster_id']}: {cluster.get('size', 0)} accounts, "
                       f"verdict {cluster.get('verdict')}, score {cluster.get('score')}. Evidence: "
                       + "; ".join(f"{e['signal']}: {e['summary']}" for e in evidence if e.get("summary")))
        campaign = stix2.Campaign(
            name=f"{NAMESPACE_NOTE} cluster {cluster['cluster_id']}", description=description,
            first_seen=self.first_seen, last_seen=self.last_seen, created_by_ref=self.identity.id,
            allow_custom=True, x_linkage_score=cluster.get("score"), x_linkage_verdict=cluster.get("verdict"),
            x_linkage_account_sha256=sorted(_sha256(a) for a in detail.get("accounts", [])),
            x_linkage_payment_fingerprint_sha256=sorted(
                _sha256(p["fingerprint"]) for p in detail.get("payment_methods", [])),
            **self.common,
        )
        self.add(campaign)
        return campaign

    def proxy_networks(self, campaign: Any, ips: list[dict[str, Any]]) -> None:
        """Each proxy network behind the members' IPs, as anonymisation infrastructure the campaign uses."""
        for name in sorted({ip["proxy_network"] for ip in ips if ip.get("proxy_network")}):
            infrastructure = stix2.Infrastructure(name=name, infrastructure_types=["anonymization"],
                                                  created_by_ref=self.identity.id, **self.common)
            self.add(infrastructure)
            self.relate(campaign, "uses", infrastructure)

    def ip_indicators(self, campaign: Any, ips: list[dict[str, Any]]) -> None:
        """Each IP: an indicator, the observed address with its request volume, and a sighting."""
        for ip in ips:
            kind, pattern = _ip_pattern(ip["address"])
            indicator = self.indicator(f"IP used by {ip['accounts']} accounts of the cluster", pattern)
            observable = (stix2.IPv6Address if kind == "ipv6-addr" else stix2.IPv4Address)(value=ip["address"])
            count = max(int(ip.get("requests") or 1), 1)
            observed = stix2.ObservedData(first_observed=self.first_seen, last_observed=self.last_seen,
                                          number_observed=count, object_refs=[observable.id],
                                          created_by_ref=self.identity.id, **self.common)
            sighting = stix2.Sighting(sighting_of_ref=indicator.id, observed_data_refs=[observed.id], count=count,
                                      first_seen=self.first_seen, last_seen=self.last_seen,
                                      where_sighted_refs=[self.identity.id], created_by_ref=self.identity.id,
                                      **self.common)
            self.add(indicator, observable, observed, sighting)
            self.relate(indicator, "indicates", campaign)

    def network_indicators(self, campaign: Any, networks: list[dict[str, Any]]) -> None:
        """Each network the members' IPs fall in, then each AS number announcing one, as indicators."""
        for network in networks:
            _, pattern = _ip_pattern(network["cidr"])
            indicator = self.indicator(f"Network used by {network['accounts']} accounts of the cluster", pattern)
            self.add(indicator)
            self.relate(indicator, "indicates", campaign)
        numbers = set()
        for network in networks:
            digits = str(network.get("asn") or "").upper().removeprefix("AS")
            if digits.isdigit():
                numbers.add(int(digits))
        for number in sorted(numbers):
            system = stix2.AutonomousSystem(number=number)
            indicator = self.indicator(f"AS{number} announces networks used by the cluster",
                                       f"[autonomous-system:number = {number}]")
            self.add(system, indicator)
            self.relate(indicator, "indicates", campaign)


def build_bundle(detail: dict[str, Any], *, tlp: str = "amber", producer: str = "linkage") -> stix2.Bundle:
    """A STIX bundle from the `detect_cluster_detail` query's row."""
    builder = _BundleBuilder(detail["cluster"], tlp=tlp, producer=producer)
    campaign = builder.campaign(detail)
    builder.proxy_networks(campaign, detail.get("ips", []))
    builder.ip_indicators(campaign, detail.get("ips", []))
    builder.network_indicators(campaign, detail.get("networks", []))
    return stix2.Bundle(objects=builder.objects, allow_custom=True)
