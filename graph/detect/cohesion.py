"""What holds a cluster together, and how much of it would fall apart without each of those identifiers.

A cluster is a connected component of glue (a shared payer or credential) and links (pairs with enough
evidence). An analyst needs to know whether it stands on many independent facts or on one: a card that
forty members share, a proxy exit half of them used. For the identifiers shared by the most members, the
cluster's edges that depend on the identifier are removed — its glue star, and every link whose evidence
without it falls below the threshold — and the largest part that stays connected is measured.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graph.detect.components import component_labels
from graph.detect.identifiers import PAIR_KINDS
from graph.detect.links import Links


class ClusterEdges:
    """The run's glue and links grouped by cluster (sorted once), so each cluster's subgraph is a slice."""

    def __init__(self, links: Links, labels: np.ndarray) -> None:
        self.links = links
        glue_order = np.argsort(labels[links.glue[:, 0]], kind="stable") if links.glue.size else np.zeros(0, int)
        pair_order = np.argsort(labels[links.pairs[:, 0]], kind="stable") if links.pairs.size else np.zeros(0, int)
        self.glue, self.glue_kind, self.glue_ident = (links.glue[glue_order], links.glue_kind[glue_order],
                                                      links.glue_ident[glue_order])
        self.pairs, self.weights = links.pairs[pair_order], links.weights[pair_order]
        self.glue_label = labels[self.glue[:, 0]] if self.glue.size else np.zeros(0, dtype=np.int64)
        self.pair_label = labels[self.pairs[:, 0]] if self.pairs.size else np.zeros(0, dtype=np.int64)
        self.labels = labels

    def of(self, label: int) -> tuple[slice, slice]:
        glue = slice(int(np.searchsorted(self.glue_label, label, "left")),
                     int(np.searchsorted(self.glue_label, label, "right")))
        pairs = slice(int(np.searchsorted(self.pair_label, label, "left")),
                      int(np.searchsorted(self.pair_label, label, "right")))
        return glue, pairs


def cohesion(edges: ClusterEdges, members: np.ndarray, top: int = 3) -> dict[str, Any] | None:
    """The identifiers the most members share, each with the share of the cluster left connected
    without it; None for clusters too small to ask. `members` is sorted (account indices)."""
    links = edges.links
    model = links.model
    if model is None or members.size < 3:
        return None
    glue_slice, pair_slice = edges.of(int(edges.labels[members[0]]))
    glue = np.searchsorted(members, edges.glue[glue_slice])
    glue_kind, glue_ident = edges.glue_kind[glue_slice], edges.glue_ident[glue_slice]
    pairs = np.searchsorted(members, edges.pairs[pair_slice])
    weights = edges.weights[pair_slice]
    shared: list[tuple[int, str, int]] = []  # (members holding, kind, identifier)
    member_holders = {}
    for kind in PAIR_KINDS:
        identifiers = model.identifiers.get(kind)
        if identifiers is None:
            continue
        member_holders[kind] = identifiers.holders[members].tocsc()
        held = np.diff(member_holders[kind].indptr)
        for ident in np.argsort(-held, kind="stable")[:top]:
            if held[ident] >= 2:
                shared.append((int(held[ident]), kind, int(ident)))
    shared.sort(key=lambda item: (-item[0], item[1], item[2]))
    report: list[dict[str, Any]] = []
    for holding, kind, ident in shared[:top]:
        identifiers = model.identifiers[kind]
        kind_index = PAIR_KINDS.index(kind)
        keep_glue = ~((glue_kind == kind_index) & (glue_ident == ident))
        column = member_holders[kind]
        holds = np.zeros(members.size, dtype=bool)
        holds[column.indices[column.indptr[ident]:column.indptr[ident + 1]]] = True
        both = holds[pairs[:, 0]] & holds[pairs[:, 1]] if len(pairs) else np.zeros(0, dtype=bool)
        keep_links = ~both | (weights - identifiers.nats[ident] >= links.threshold)
        kept = np.concatenate([glue[keep_glue], pairs[keep_links]]) if len(glue) or len(pairs) else glue
        labels = component_labels(members.size, kept)
        largest = int(np.bincount(labels).max())
        report.append({
            "kind": kind, "identifier": model.data.incidence(kind).names[ident],
            "members_holding": holding, "holders_in_population": int(identifiers.degrees[ident]),
            "largest_part_without": round(largest / members.size, 4),
        })
    if not report:
        return None
    weakest = min(report, key=lambda item: item["largest_part_without"])
    return {"identifiers": report, "depends_on": weakest if weakest["largest_part_without"] < 0.5 else None}
