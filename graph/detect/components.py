"""Clusters: connected components over glue and kept links (deterministic, linear time)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components


def component_labels(n_accounts: int, edges: np.ndarray) -> np.ndarray:
    """Component label per account (accounts without edges get their own label)."""
    if n_accounts == 0:
        return np.zeros(0, dtype=np.int64)
    if edges.size == 0:
        return np.arange(n_accounts, dtype=np.int64)
    ones = np.ones(len(edges), dtype=np.int8)
    graph = sp.coo_matrix((ones, (edges[:, 0], edges[:, 1])), shape=(n_accounts, n_accounts)).tocsr()
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def clusters_from_labels(labels: np.ndarray, min_size: int = 2) -> list[np.ndarray]:
    """Member index arrays of every component with at least `min_size` accounts, ordered by their
    smallest member (account indices are in account-id order, so the order is deterministic)."""
    if labels.size == 0:
        return []
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    groups = np.split(order, starts[1:])
    kept = [np.sort(group) for group in groups if group.size >= min_size]
    kept.sort(key=lambda members: int(members[0]))
    return kept

