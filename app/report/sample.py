"""A cluster's drawable sample: its most active members and the identifiers at least two accounts share,
bounded like the Browser queries whatever the cluster's size (`queries/report_cluster_sample.cypher`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from graph.db import Database
from graph.errors import InputError, NotFoundError
from graph.queries import get_query

# Report pictures: 50 members and at most 155 identifier nodes (the browse_cluster bound); exports may ask
# for more members, never more than this.
REPORT_MEMBERS = 50
MAX_MEMBERS = 5_000
KINDS = ("Cluster", "Account", "PaymentMethod", "IP", "Network", "ProxyNetwork", "ClientFingerprint",
         "PromptTemplate")


@dataclass
class GraphSample:
    """Nodes (`key`, `kind`, `label`, optional `detail` and `requests`) and edges (`source`, `target`, `type`,
    optional `requests`) of one cluster's sample, and how many members the cluster has in all."""

    cluster: dict[str, Any]
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    members_total: int = 0

    def count_by_kind(self) -> dict[str, int]:
        """How many nodes of each kind the sample holds (every kind, zero included)."""
        counts = Counter(node["kind"] for node in self.nodes)
        return {kind: counts.get(kind, 0) for kind in KINDS}


def sample_from_row(row: dict[str, Any]) -> GraphSample:
    """The query's row as nodes and edges: the cluster in the middle, each member linked to it, every
    identifier once, edges only between nodes the sample holds.

    >>> row = {"cluster": {"cluster_id": "cl_x", "verdict": "review", "score": 0.5, "size": 2},
    ...        "members": [{"key": "Account:a", "kind": "Account", "label": "a"},
    ...                    {"key": "Account:b", "kind": "Account", "label": "b"}],
    ...        "payment_methods": [{"node": {"key": "PaymentMethod:p", "kind": "PaymentMethod", "label": "p"},
    ...                             "edges": [{"source": "Account:a", "target": "PaymentMethod:p",
    ...                                        "type": "PAID_WITH"},
    ...                                       {"source": "Account:b", "target": "PaymentMethod:p",
    ...                                        "type": "PAID_WITH"}]}],
    ...        "members_total": 2}
    >>> sample = sample_from_row(row)
    >>> [n["key"] for n in sample.nodes], len(sample.edges)
    (['Cluster:cl_x', 'Account:a', 'Account:b', 'PaymentMethod:p'], 4)
    """
    cluster = row["cluster"]
    cluster_key = f"Cluster:{cluster['cluster_id']}"
    sample = GraphSample(cluster=cluster, members_total=int(row.get("members_total") or 0))
    sample.nodes.append({"key": cluster_key, "kind": "Cluster", "label": cluster["cluster_id"],
                         "detail": cluster.get("verdict")})
    for member in row.get("members") or []:
        sample.nodes.append(member)
        sample.edges.append({"source": member["key"], "target": cluster_key, "type": "MEMBER_OF",
                             "requests": None})
    for group in ("payment_methods", "ips", "networks", "clients", "templates"):
        for entry in row.get(group) or []:
            sample.nodes.append(entry["node"])
            if entry.get("proxy"):
                sample.nodes.append(entry["proxy"])
            sample.edges.extend(entry.get("edges") or [])
    unique: dict[str, dict[str, Any]] = {}
    for node in sample.nodes:
        unique.setdefault(node["key"], node)
    sample.nodes = list(unique.values())
    seen: set[tuple[str, str, str]] = set()
    edges = []
    for edge in sample.edges:
        identity = (edge["source"], edge["target"], edge["type"])
        if identity not in seen and edge["source"] in unique and edge["target"] in unique:
            seen.add(identity)
            edges.append(edge)
    sample.edges = edges
    return sample


def read_sample(database: Database, cluster_id: str, members: int = REPORT_MEMBERS) -> GraphSample:
    """The cluster's sample with up to `members` members (NotFoundError for an unknown cluster)."""
    if not 1 <= members <= MAX_MEMBERS:
        raise InputError(f"members must be between 1 and {MAX_MEMBERS:,}", field="--members")
    rows = database.run(get_query("report_cluster_sample"), {"cluster_id": cluster_id, "members": members})
    if not rows:
        raise NotFoundError(f"no cluster {cluster_id!r}")
    return sample_from_row(rows[0])
