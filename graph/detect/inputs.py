"""Detection's input: the loaded graph read in bulk into index arrays.

Detection never expands account pairs in Cypher; it reads each account–identifier relationship once
("stars") and does the combinatorics in numpy/scipy. Every table is optional: a provider that loaded only
accounts and payment methods gets empty request-log inputs and the signals those support.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from neo4j.time import DateTime as Neo4jDateTime

from graph.db import Database
from graph.queries import get_query

log = logging.getLogger(__name__)


def to_epoch(value: Any) -> float:
    """Seconds since the epoch for a driver or Python datetime (NaN when absent)."""
    if value is None:
        return float("nan")
    if isinstance(value, Neo4jDateTime):
        value = value.to_native()
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value)
    return float("nan")


@dataclass
class Incidence:
    """Account → identifier relationships of one kind, as parallel arrays (one entry per pair)."""

    kind: str
    account: np.ndarray  # int32 index into DetectionInput.account_ids
    ident: np.ndarray  # int32 index into `names`
    requests: np.ndarray  # float64
    names: list[str]
    ident_attrs: dict[str, np.ndarray] = field(default_factory=dict)  # per identifier
    edge_attrs: dict[str, np.ndarray] = field(default_factory=dict)  # per pair

    @property
    def n_idents(self) -> int:
        return len(self.names)

    def degrees(self) -> np.ndarray:
        """Number of distinct accounts per identifier."""
        return np.bincount(self.ident, minlength=self.n_idents)

    def is_empty(self) -> bool:
        return self.account.size == 0


@dataclass
class DetectionInput:
    account_ids: list[str]
    created_at: np.ndarray  # epoch seconds, NaN unknown
    requests: np.ndarray  # float64 total requests per account
    org: np.ndarray  # int32 org index, -1 none
    activity_indptr: np.ndarray  # CSR over accounts
    activity_bucket: np.ndarray  # int64 bucket index since the epoch
    activity_count: np.ndarray  # float64 requests in the bucket
    incidences: dict[str, Incidence]
    bucket_minutes: int = 10  # width of an activity bucket

    @classmethod
    def from_activity(cls, activity: Mapping[int, Iterable[int]], n_accounts: int | None = None,
                      bucket_minutes: int = 10) -> DetectionInput:
        """Accounts `acct_00000`… with the given active buckets and nothing else (examples and tests)."""
        n = n_accounts if n_accounts is not None else (max(activity) + 1 if activity else 0)
        lists = [sorted(set(activity.get(i, ()))) for i in range(n)]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum([len(buckets) for buckets in lists], out=indptr[1:])
        buckets = np.asarray([b for row in lists for b in row], dtype=np.int64)
        return cls(account_ids=[f"acct_{i:05d}" for i in range(n)], created_at=np.full(n, np.nan),
                   requests=np.full(n, 10.0), org=np.full(n, -1, dtype=np.int32), activity_indptr=indptr,
                   activity_bucket=buckets, activity_count=np.ones(buckets.size), incidences={},
                   bucket_minutes=bucket_minutes)

    @property
    def n_accounts(self) -> int:
        return len(self.account_ids)

    def incidence(self, kind: str) -> Incidence:
        """The relationships of `kind`, or an empty incidence when that table was not loaded."""
        found = self.incidences.get(kind)
        if found is not None:
            return found
        empty = np.zeros(0, dtype=np.int32)
        return Incidence(kind, empty, empty, np.zeros(0), [])


@dataclass(frozen=True)
class IncidenceSource:
    """Where one kind of incidence is read from: a query listing its identifier nodes (with their attributes
    and degrees) and one returning the relationships of a chunk of them, both as parallel lists."""

    nodes: str
    edges: str
    ident_attrs: tuple[str, ...] = ()
    edge_attrs: tuple[str, ...] = ()


INCIDENCE_SOURCES: Mapping[str, IncidenceSource] = {
    "payment": IncidenceSource("detect_payment_nodes", "detect_payment_edges", ("kind",)),
    "ip": IncidenceSource("detect_ip_nodes", "detect_ip_edges", ("kind", "proxy_network", "anonymous")),
    "signup_ip": IncidenceSource("detect_signup_nodes", "detect_signup_edges", ("kind", "proxy_network", "anonymous")),
    "client": IncidenceSource("detect_client_nodes", "detect_client_edges"),
    "api_key": IncidenceSource("detect_key_nodes", "detect_key_edges"),
    "email_domain": IncidenceSource("detect_email_domain_nodes", "detect_email_domain_edges"),
    "template": IncidenceSource("detect_template_nodes", "detect_template_edges"),
    "capability": IncidenceSource("detect_capability_nodes", "detect_capability_edges"),
    "model": IncidenceSource("detect_model_nodes", "detect_model_edges", ("model_first_seen",), ("first_seen",)),
}
IDENT_ATTRS = {kind: source.ident_attrs for kind, source in INCIDENCE_SOURCES.items() if source.ident_attrs}
EDGE_ATTRS = {kind: source.edge_attrs for kind, source in INCIDENCE_SOURCES.items() if source.edge_attrs}
# Relationships (or activity entries) per chunk query: bounds the server's and the driver's memory per result
# while keeping the number of round trips small.
READ_CHUNK = 500_000


def build_incidence(kind: str, rows: Iterable[Mapping[str, Any]], account_index: Mapping[str, int]) \
        -> Incidence:
    """Index rows of (account_id, identifier, requests, attrs...); identifiers numbered in order of first
    appearance, repeated pairs summed."""
    ident_index: dict[str, int] = {}
    names: list[str] = []
    accounts: list[int] = []
    idents: list[int] = []
    requests: list[float] = []
    ident_attr_values: dict[str, list[Any]] = {name: [] for name in IDENT_ATTRS.get(kind, ())}
    edge_attr_values: dict[str, list[float]] = {name: [] for name in EDGE_ATTRS.get(kind, ())}
    for row in rows:
        account = account_index.get(row["account_id"])
        if account is None or row["identifier"] is None:
            continue
        ident = ident_index.get(row["identifier"])
        if ident is None:
            ident = ident_index[row["identifier"]] = len(names)
            names.append(row["identifier"])
            for name, values in ident_attr_values.items():
                value = row.get(name)
                values.append(to_epoch(value) if name.endswith("first_seen") else value)
        accounts.append(account)
        idents.append(ident)
        requests.append(float(row["requests"] or 0))
        for name, edge_values in edge_attr_values.items():
            edge_values.append(to_epoch(row.get(name)))
    return incidence_from_arrays(
        kind, np.asarray(accounts, dtype=np.int64), np.asarray(idents, dtype=np.int64),
        np.asarray(requests, dtype=np.float64), names,
        {name: np.asarray(values, dtype=object) for name, values in ident_attr_values.items()}, edge_attr_values,
    )


def build_accounts(rows: Iterable[Mapping[str, Any]]) -> tuple[DetectionInput, dict[str, int]]:
    """Accounts sorted by id (deterministic indices) with their activity lists as CSR arrays."""
    ordered = sorted(rows, key=lambda row: row["account_id"])
    account_ids = [row["account_id"] for row in ordered]
    index = {account_id: i for i, account_id in enumerate(account_ids)}
    org_index: dict[str, int] = {}
    orgs = [org_index.setdefault(row["org_id"], len(org_index)) if row["org_id"] else -1 for row in ordered]
    lengths = np.asarray([len(row["buckets"]) for row in ordered], dtype=np.int64)
    indptr = np.zeros(len(ordered) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    buckets = np.fromiter((b for row in ordered for b in row["buckets"]), dtype=np.int64, count=int(indptr[-1]))
    counts = np.fromiter((c for row in ordered for c in row["counts"]), dtype=np.float64, count=int(indptr[-1]))
    data = DetectionInput(
        account_ids=account_ids,
        created_at=np.asarray([to_epoch(row["created_at"]) for row in ordered], dtype=np.float64),
        requests=np.asarray([float(row["requests"] or 0) for row in ordered], dtype=np.float64),
        org=np.asarray(orgs, dtype=np.int32),
        activity_indptr=indptr, activity_bucket=buckets, activity_count=counts,
        incidences={},
    )
    return data, index


def read_inputs(database: Database, chunk: int = READ_CHUNK) -> DetectionInput:
    """Read everything detection needs from the graph.

    Each query returns one row of parallel lists (node ids, keys, numbers) instead of a record per
    relationship, so the driver decodes a few large lists rather than millions of records: the accounts,
    then for each kind its identifier nodes, then their relationships in chunks of about `chunk`. Accounts
    are ordered by id and identifiers by name, so the arrays do not depend on how the store lays out nodes.
    """
    started = time.perf_counter()
    data, accounts = read_accounts(database, chunk)
    log.info("read %d accounts (%d activity entries) in %.1f s", data.n_accounts, data.activity_bucket.size,
             time.perf_counter() - started)
    for kind, source in INCIDENCE_SOURCES.items():
        started = time.perf_counter()
        data.incidences[kind] = read_incidence(database, kind, source, accounts, chunk)
        log.info("read %d %s relationships in %.1f s", data.incidences[kind].account.size, kind,
                 time.perf_counter() - started)
    return data


@dataclass(frozen=True)
class AccountLookup:
    """Maps the accounts' node ids (as the read queries return them) to their index in DetectionInput."""

    node_ids: np.ndarray  # sorted
    index: np.ndarray  # account index of node_ids[k]

    @classmethod
    def build(cls, node_ids: np.ndarray) -> AccountLookup:
        order = np.argsort(node_ids, kind="stable")
        return cls(node_ids[order], order.astype(np.int64))

    def find(self, node_ids: np.ndarray) -> np.ndarray:
        """Account index per node id, -1 for a node that is not a (read) account."""
        at = np.minimum(np.searchsorted(self.node_ids, node_ids), max(self.node_ids.size - 1, 0))
        found = self.node_ids[at] == node_ids if self.node_ids.size else np.zeros(node_ids.size, dtype=bool)
        return np.where(found, self.index[at] if self.index.size else -1, -1)


def _chunks(node_ids: np.ndarray, sizes: np.ndarray, chunk: int) -> Iterator[list[int]]:
    """Consecutive runs of node ids whose sizes add up to about `chunk` (at least one node each)."""
    ends = np.cumsum(sizes)
    start = 0
    while start < node_ids.size:
        stop = max(int(np.searchsorted(ends, ends[start] - sizes[start] + chunk, side="right")), start + 1)
        yield node_ids[start:stop].tolist()
        start = stop


def read_accounts(database: Database, chunk: int = READ_CHUNK) -> tuple[DetectionInput, AccountLookup]:
    """Accounts sorted by id (deterministic indices) with their activity lists as CSR arrays."""
    timeout = database.settings.write_timeout_s
    row = database.run(get_query("detect_accounts"), timeout=timeout)[0]
    ids = np.asarray(row["account_ids"], dtype=object)
    order = np.argsort(ids, kind="stable")
    node_ids = np.asarray(row["node_ids"], dtype=np.int64)[order]
    account_ids: list[str] = ids[order].tolist()
    org_names = np.asarray(row["org_ids"], dtype=object)[order]
    present = org_names != ""
    org = np.full(len(account_ids), -1, dtype=np.int32)
    if present.any():  # organisation index in order of first appearance, as build_accounts numbers them
        _, first, inverse = np.unique(org_names[present], return_index=True, return_inverse=True)
        org[present] = np.argsort(np.argsort(first, kind="stable"), kind="stable")[inverse]
    lookup = AccountLookup.build(node_ids)
    n = len(account_ids)
    lengths = np.zeros(n, dtype=np.int64)
    bucket_parts: list[np.ndarray] = []
    count_parts: list[np.ndarray] = []
    where: list[np.ndarray] = []
    # chunks in node-id order (the store's order: cheap seeks), sized by an estimate of 16 buckets an account
    by_node = lookup.node_ids
    for ids_chunk in _chunks(by_node, np.full(by_node.size, 16, dtype=np.int64), chunk):
        part = database.run(get_query("detect_account_activity"), {"node_ids": ids_chunk}, timeout=timeout)[0]
        accounts = lookup.find(np.asarray(part["node_ids"], dtype=np.int64))
        sizes = np.fromiter(map(len, part["buckets"]), dtype=np.int64, count=len(part["buckets"]))
        lengths[accounts] = sizes
        where.append(accounts)
        bucket_parts.append(np.fromiter(itertools.chain.from_iterable(part["buckets"]), dtype=np.int64,
                                        count=int(sizes.sum())))
        count_parts.append(np.fromiter(itertools.chain.from_iterable(part["counts"]), dtype=np.float64,
                                       count=int(sizes.sum())))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    buckets = np.zeros(int(indptr[-1]), dtype=np.int64)
    counts = np.zeros(int(indptr[-1]), dtype=np.float64)
    for accounts, part_buckets, part_counts in zip(where, bucket_parts, count_parts, strict=True):
        positions = csr_range(indptr, accounts)
        buckets[positions] = part_buckets
        counts[positions] = part_counts
    data = DetectionInput(
        account_ids=account_ids,
        created_at=np.asarray(row["created_at"], dtype=np.float64)[order],
        requests=np.asarray(row["requests"], dtype=np.float64)[order],
        org=org, activity_indptr=indptr, activity_bucket=buckets, activity_count=counts, incidences={},
    )
    return data, lookup


def csr_range(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The positions of CSR rows `rows` (in that order), concatenated.

    >>> csr_range(np.array([0, 2, 2, 5]), np.array([2, 0])).tolist()
    [2, 3, 4, 0, 1]
    """
    starts = indptr[rows]
    sizes = indptr[rows + 1] - starts
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(sizes)[:-1])), sizes)
    return offsets + np.arange(int(sizes.sum()), dtype=np.int64)


def read_incidence(database: Database, kind: str, source: IncidenceSource, accounts: AccountLookup,
                   chunk: int = READ_CHUNK) -> Incidence:
    """One kind's account → identifier relationships: identifiers numbered in name order, pairs sorted by
    (account, identifier), repeated pairs summed (earliest times kept)."""
    timeout = database.settings.write_timeout_s
    nodes = database.run(get_query(source.nodes), timeout=timeout)[0]
    node_ids = np.asarray(nodes["node_ids"], dtype=np.int64)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in ("accounts", "idents", "requests", *source.edge_attrs)}
    for ids_chunk in _chunks(node_ids, np.asarray(nodes["degrees"], dtype=np.int64), chunk):
        row = database.run(get_query(source.edges), {"node_ids": ids_chunk}, timeout=timeout)[0]
        parts["accounts"].append(np.asarray(row["accounts"], dtype=np.int64))
        parts["idents"].append(np.asarray(row["idents"], dtype=np.int64))
        parts["requests"].append(np.asarray(row["requests"], dtype=np.float64))
        for name in source.edge_attrs:
            parts[name].append(np.asarray(row[name], dtype=np.float64))
    joined = {name: np.concatenate(arrays) if arrays else np.zeros(0) for name, arrays in parts.items()}
    account = accounts.find(joined["accounts"].astype(np.int64))
    node_order = np.argsort(node_ids, kind="stable")
    node_at = node_order[np.searchsorted(node_ids, joined["idents"].astype(np.int64), sorter=node_order)] \
        if node_ids.size else np.zeros(0, dtype=np.int64)
    keep = account >= 0
    # identifiers that have an account relationship, numbered in name order
    used = np.unique(node_at[keep])
    names = np.asarray(nodes["names"], dtype=object)[used]
    by_name = np.argsort(names, kind="stable")
    rank = np.empty(used.size, dtype=np.int64)
    rank[by_name] = np.arange(used.size)
    ident = rank[np.searchsorted(used, node_at[keep])]
    return incidence_from_arrays(
        kind, account[keep], ident, joined["requests"][keep], names[by_name].tolist(),
        {name: np.asarray(nodes[name], dtype=object)[used][by_name] for name in source.ident_attrs},
        {name: joined[name][keep] for name in source.edge_attrs},
    )


def incidence_from_arrays(kind: str, account: np.ndarray, ident: np.ndarray, requests: np.ndarray, names: list[str],
                          ident_values: Mapping[str, np.ndarray], edge_values: Mapping[str, np.ndarray]) -> Incidence:
    """An Incidence from one entry per relationship: pairs sorted by (account, identifier), repeated pairs
    summed (an IP that is both the signup IP and a request IP), edge times the earliest; identifier
    attributes typed as `build_incidence` types them."""
    edge_arrays = {name: np.asarray(values, dtype=np.float64) for name, values in edge_values.items()}
    if account.size:
        pair = account.astype(np.int64) * max(len(names), 1) + ident
        order = np.argsort(pair, kind="stable")
        pair_sorted = pair[order]
        starts = np.flatnonzero(np.r_[True, pair_sorted[1:] != pair_sorted[:-1]])
        requests = np.add.reduceat(requests[order], starts)
        edge_arrays = {name: np.fmin.reduceat(values[order], starts) for name, values in edge_arrays.items()}
        account = account[order][starts]
        ident = ident[order][starts]
    ident_arrays: dict[str, np.ndarray] = {}
    for name, values in ident_values.items():
        if name == "anonymous":
            ident_arrays[name] = np.asarray([bool(v) for v in values], dtype=bool)
        elif name.endswith("first_seen"):
            ident_arrays[name] = np.asarray(values, dtype=np.float64)
        else:
            ident_arrays[name] = np.asarray([v if v is not None else "" for v in values], dtype=object)
    return Incidence(kind, np.asarray(account, dtype=np.int32), np.asarray(ident, dtype=np.int32),
                     np.asarray(requests, dtype=np.float64), names, ident_arrays, edge_arrays)
