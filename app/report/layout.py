"""The sample as a networkx graph (GraphML and GEXF writers, the layout) and positions for drawing it."""

from __future__ import annotations

import io
from typing import Any, Literal

import networkx as nx

from app.report.sample import GraphSample

GraphFormat = Literal["graphml", "gexf"]
GRAPH_FORMATS: tuple[GraphFormat, ...] = ("graphml", "gexf")
LAYOUT_SEED = 7


def to_networkx(sample: GraphSample) -> nx.MultiDiGraph:
    """A multigraph (an account may reach an IP both at signup and in requests): nodes keyed "Kind:id" with
    `kind`, `label` and (when known) `detail` and `requests`; edges with their `relationship` type (GEXF
    reserves `type`) and (when known) `requests`. Unknown values are left out (both formats want typed
    values).

    >>> from app.report.sample import GraphSample
    >>> sample = GraphSample({"cluster_id": "cl_x"}, nodes=[{"key": "Cluster:cl_x", "kind": "Cluster",
    ...     "label": "cl_x", "detail": None}, {"key": "Account:a", "kind": "Account", "label": "a",
    ...     "requests": 5}], edges=[{"source": "Account:a", "target": "Cluster:cl_x", "type": "MEMBER_OF"}])
    >>> graph = to_networkx(sample)
    >>> graph.nodes["Account:a"], graph.edges["Account:a", "Cluster:cl_x", 0]
    ({'kind': 'Account', 'label': 'a', 'requests': 5}, {'relationship': 'MEMBER_OF'})
    """
    graph = nx.MultiDiGraph(cluster_id=str(sample.cluster.get("cluster_id")), members_total=sample.members_total)
    for node in sample.nodes:
        graph.add_node(node["key"], **_attributes(node, ("kind", "label", "detail", "requests")))
    for edge in sample.edges:
        graph.add_edge(edge["source"], edge["target"],
                       **_attributes(edge, ("type", "requests"), rename={"type": "relationship"}))
    return graph


def _attributes(item: dict[str, Any], names: tuple[str, ...],
                rename: dict[str, str] | None = None) -> dict[str, Any]:
    values = {}
    for name in names:
        value = item.get(name)
        if value is not None:
            values[(rename or {}).get(name, name)] = int(value) if name == "requests" else str(value)
    return values


def write_graph(sample: GraphSample, fmt: GraphFormat) -> bytes:
    """The sample as a GraphML or GEXF 1.2 document (UTF-8), for Gephi, Cytoscape or yEd."""
    graph = to_networkx(sample)
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, buffer, encoding="utf-8", named_key_ids=True)
    elif fmt == "gexf":
        # GEXF readers take a node's label from `label`; keep our own label there and the kind as an attribute.
        nx.write_gexf(graph, buffer, encoding="utf-8", version="1.2draft")
    else:  # pragma: no cover - typer limits the choices
        raise ValueError(f"unknown graph format {fmt!r}")
    return buffer.getvalue()


def positions(sample: GraphSample) -> dict[str, tuple[float, float]]:
    """Positions in [0, 1]² of the members and identifiers (not the cluster node: every member links to it,
    which would pull the picture into a star) from a seeded force layout, so a sample is always drawn the
    same way."""
    graph = to_networkx(sample).to_undirected()
    graph.remove_nodes_from([key for key, kind in graph.nodes(data="kind") if kind == "Cluster"])
    if graph.number_of_nodes() == 0:
        return {}
    # A wider spacing than networkx's default (k = 1/√n): dense clusters share many identifiers, and the
    # picture should separate them rather than pile them into one knot.
    spacing = 2.5 / max(graph.number_of_nodes(), 1) ** 0.5
    placed = nx.spring_layout(graph, seed=LAYOUT_SEED, iterations=300, k=spacing)
    # Scale on the central 96 % so a few far outliers (a network one IP leads to) do not squeeze the rest;
    # the outliers sit on the border.
    xs = sorted(float(x) for x, _ in placed.values())
    ys = sorted(float(y) for _, y in placed.values())

    def bounds(values: list[float]) -> tuple[float, float]:
        cut = len(values) // 50
        low, high = values[cut], values[len(values) - 1 - cut]
        return low, (high - low) or 1.0

    (low_x, span_x), (low_y, span_y) = bounds(xs), bounds(ys)
    return {key: (min(max((float(x) - low_x) / span_x, 0.0), 1.0), min(max((float(y) - low_y) / span_y, 0.0), 1.0))
            for key, (x, y) in placed.items()}
