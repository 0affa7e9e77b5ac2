"""Detection's input: the loaded graph read in bulk into index arrays.

Detection never expands account pairs in Cypher; it reads each account–identifier relationship once
("stars") and does the combinatorics in numpy/scipy. Every table is optional: a provider that loaded only
accounts and payment methods gets empty request-log inputs and the signals those support.

The read returns one row of parallel lists per query (numeric node ids, no record per relationship), the
relationships of each identifier kind in chunks of identifier nodes; accounts are indexed in id order and
identifiers in name order, so the arrays do not depend on how the store lays nodes out.

A `Window` restricts what is read to a period, so last year's activity does not decide today: accounts
created before its end, activity buckets inside it, request-log relationships whose first/last seen overlap
it (their requests scaled to the share of their active period inside it), payment methods added before its
end, and a model's first use only when it falls inside (an earlier pivot is not one of this period).
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from neo4j.time import DateTime as Neo4jDateTime

from graph.db import Database
from graph.minhash import seed64
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
    _account_keys: np.ndarray | None = field(default=None, repr=False, compare=False)

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

    def account_keys(self) -> np.ndarray:
        """A stable 64-bit hash of each account id (uint64). Samples drawn in a hashed order use it, not the
        account's index, so adding or removing other accounts does not change which partners an account is
        compared with."""
        if self._account_keys is None or self._account_keys.size != self.n_accounts:
            self._account_keys = np.fromiter((seed64(account_id) for account_id in self.account_ids),
                                             dtype=np.uint64, count=self.n_accounts)
        return self._account_keys

    def incidence(self, kind: str) -> Incidence:
        """The relationships of `kind`, or an empty incidence when that table was not loaded."""
        found = self.incidences.get(kind)
        if found is not None:
            return found
        empty = np.zeros(0, dtype=np.int32)
        return Incidence(kind, empty, empty, np.zeros(0), [])


@dataclass(frozen=True)
class IncidenceSource:
    """Where one kind of incidence is read from: `detect_<name>_nodes` lists its identifier nodes (key,
    attributes, degree), `detect_<name>_edges` the relationships of a chunk of them; both return one row of
    parallel lists. `window` says which relationship times a `Window` filters on: "span" (first/last seen:
    overlap, requests scaled to the share inside), "added" (added before the end) or None (always counts)."""

    name: str
    window: str | None = None


INCIDENCE_SOURCES: Mapping[str, IncidenceSource] = {
    "payment": IncidenceSource("payment", "added"),
    "ip": IncidenceSource("ip", "span"),
    "signup_ip": IncidenceSource("signup"),
    "client": IncidenceSource("client", "span"),
    "api_key": IncidenceSource("key", "span"),
    "email_domain": IncidenceSource("email_domain"),
    "template": IncidenceSource("template", "span"),
    "capability": IncidenceSource("capability", "span"),
    "model": IncidenceSource("model", "span"),
}
# Relationships (or activity entries) per chunk query: bounds the server's and the driver's memory per result
# while keeping round trips few.
READ_CHUNK = 500_000
IDENT_ATTRS = {"payment": ("kind",), "ip": ("kind", "proxy_network", "anonymous"),
               "signup_ip": ("kind", "proxy_network", "anonymous"),
               "model": ("model_first_seen",)}
EDGE_ATTRS = {"model": ("first_seen",)}


def build_incidence(kind: str, rows: Iterable[Mapping[str, Any]], account_index: Mapping[str, int]) \
        -> Incidence:
    """Index rows of (account_id, identifier, requests, attrs...); repeated pairs are summed."""
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
    # Identifiers numbered in sorted order, not in the order the rows arrived: the server returns rows in
    # no guaranteed order, and the same graph must give the same numbering, hence the same clusters.
    by_name = sorted(range(len(names)), key=names.__getitem__)
    rank = np.empty(len(names), dtype=np.int64)
    rank[by_name] = np.arange(len(names))
    ident_arr = rank[np.asarray(idents, dtype=np.int64)] if idents else np.zeros(0, dtype=np.int64)
    ident_values = {name: np.asarray([values[i] for i in by_name], dtype=object)
                    for name, values in ident_attr_values.items()}
    edge_arrays = {name: np.asarray(values, dtype=np.float64) for name, values in edge_attr_values.items()}
    return incidence_from_arrays(kind, np.asarray(accounts, dtype=np.int64), ident_arr,
                                 np.asarray(requests, dtype=np.float64), [names[i] for i in by_name],
                                 ident_values, edge_arrays)


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


@dataclass(frozen=True)
class Window:
    """The period detection looks at: [since, until), either end open when None.

    >>> window = Window(datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC))
    >>> window.params(60) == {"window_start": 1740787200.0, "window_end": 1740873600.0,
    ...                       "from_bucket": 483552, "to_bucket": 483576}
    True
    >>> Window().is_open, Window().params(10)["from_bucket"] is None
    (True, True)
    """

    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                object.__setattr__(self, name, value.replace(tzinfo=UTC))
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise ValueError("the window's start must be before its end")

    @property
    def is_open(self) -> bool:
        """True when the window restricts nothing."""
        return self.since is None and self.until is None

    def params(self, bucket_minutes: int) -> dict[str, float | int | None]:
        """The read queries' window parameters: epoch seconds, and activity bucket indices (a bucket counts
        when it starts inside the window)."""
        start = self.since.timestamp() if self.since else None
        end = self.until.timestamp() if self.until else None
        width = bucket_minutes * 60
        return {"window_start": start, "window_end": end,
                "from_bucket": math.ceil(start / width) if start is not None else None,
                "to_bucket": math.ceil(end / width) if end is not None else None}


def read_inputs(database: Database, window: Window | None = None, chunk: int = READ_CHUNK,
                progress: Callable[[str], None] | None = None) -> DetectionInput:
    """Read everything detection needs from the graph (within `window`).

    Each query returns one row of parallel lists (node ids, keys, numbers) instead of a record per
    relationship, so the driver decodes a few large lists rather than millions of records: the accounts,
    then for each kind its identifier nodes, then their relationships in chunks of about `chunk`. Accounts
    are ordered by id and identifiers by name, so the arrays never depend on how the store lays out nodes.
    The window is applied here, to the relationships' times the queries return. `progress` gets a line per
    chunk read: the kind, relationships read of its total, the rate and the time left.
    """
    window = window or Window()
    params = window.params(database.settings.activity_bucket_minutes)
    started = time.perf_counter()
    data, accounts = read_accounts(database, params, chunk)
    log.info("read %d accounts (%d activity entries) in %.1f s", data.n_accounts, data.activity_bucket.size,
             time.perf_counter() - started)
    for kind, source in INCIDENCE_SOURCES.items():
        started = time.perf_counter()
        data.incidences[kind] = read_incidence(database, kind, source, accounts, params, chunk, progress)
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
        """Account index per node id, -1 for a node that is not a (read) account.

        >>> AccountLookup.build(np.array([30, 10, 20])).find(np.array([20, 99, 30, 5])).tolist()
        [2, -1, 0, -1]
        """
        if not self.node_ids.size:
            return np.full(node_ids.size, -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.node_ids, node_ids), self.node_ids.size - 1)
        return np.where(self.node_ids[at] == node_ids, self.index[at], -1)


def _chunks(node_ids: np.ndarray, sizes: np.ndarray, chunk: int) -> Iterator[list[int]]:
    """Consecutive runs of node ids whose sizes add up to about `chunk` (at least one node each).

    >>> list(_chunks(np.array([1, 2, 3, 4]), np.array([5, 5, 20, 1]), 10))
    [[1, 2], [3], [4]]
    """
    ends = np.cumsum(sizes)
    start = 0
    while start < node_ids.size:
        stop = max(int(np.searchsorted(ends, ends[start] - sizes[start] + chunk, side="right")), start + 1)
        yield node_ids[start:stop].tolist()
        start = stop


def _flat(lists: list[list[Any]], dtype: type, count: int) -> np.ndarray:
    return np.fromiter(itertools.chain.from_iterable(lists), dtype=dtype, count=count)


def read_accounts(database: Database, params: Mapping[str, Any], chunk: int = READ_CHUNK) \
        -> tuple[DetectionInput, AccountLookup]:
    """Accounts sorted by id (deterministic indices) with their activity lists as CSR arrays; within a
    window only activity buckets inside it, and an account's requests are theirs."""
    timeout = database.settings.write_timeout_s
    row = database.run(get_query("detect_accounts"), {"window_end": params["window_end"]}, timeout=timeout,
                       plain=True)[0]
    ids = np.asarray(row["account_ids"], dtype=object)
    order = np.argsort(ids, kind="stable")
    node_ids = np.asarray(row["node_ids"], dtype=np.int64)[order]
    account_ids: list[str] = ids[order].tolist()
    org_names = np.asarray(row["org_ids"], dtype=object)[order]
    present = org_names != ""
    org = np.full(len(account_ids), -1, dtype=np.int32)
    if present.any():  # organisations numbered in order of first appearance, as build_accounts numbers them
        _, first, inverse = np.unique(org_names[present], return_index=True, return_inverse=True)
        org[present] = np.argsort(np.argsort(first, kind="stable"), kind="stable")[inverse]
    lookup = AccountLookup.build(node_ids)
    n = len(account_ids)
    lengths = np.zeros(n, dtype=np.int64)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    from_bucket, to_bucket = params["from_bucket"], params["to_bucket"]
    # chunks in node-id order (the store's order: cheap seeks), sized by an estimate of 16 buckets an account
    for ids_chunk in _chunks(lookup.node_ids, np.full(n, 16, dtype=np.int64), chunk):
        part = database.run(get_query("detect_account_activity"), {"node_ids": ids_chunk}, timeout=timeout,
                            plain=True)[0]
        accounts = lookup.find(np.asarray(part["node_ids"], dtype=np.int64))
        sizes = np.fromiter(map(len, part["buckets"]), dtype=np.int64, count=len(part["buckets"]))
        owner = np.repeat(np.arange(sizes.size), sizes)
        buckets = _flat(part["buckets"], np.int64, int(sizes.sum()))
        counts = _flat(part["counts"], np.float64, int(sizes.sum()))
        keep = np.ones(buckets.size, dtype=bool)
        if from_bucket is not None:
            keep &= buckets >= from_bucket
        if to_bucket is not None:
            keep &= buckets < to_bucket
        sizes = np.bincount(owner[keep], minlength=sizes.size)
        lengths[accounts] = sizes
        parts.append((accounts, sizes, buckets[keep], counts[keep]))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    buckets = np.zeros(int(indptr[-1]), dtype=np.int64)
    counts = np.zeros(int(indptr[-1]), dtype=np.float64)
    for accounts, _, part_buckets, part_counts in parts:
        positions = csr_range(indptr, accounts)
        buckets[positions] = part_buckets
        counts[positions] = part_counts
    requests = np.asarray(row["requests"], dtype=np.float64)[order]
    if from_bucket is not None or to_bucket is not None:  # the requests in the window's buckets
        requests = np.add.reduceat(np.r_[counts, 0.0], indptr[:-1]) * (lengths > 0) if n else requests
    data = DetectionInput(
        account_ids=account_ids, created_at=np.asarray(row["created_at"], dtype=np.float64)[order],
        requests=requests, org=org, activity_indptr=indptr, activity_bucket=buckets, activity_count=counts,
        incidences={},
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


def window_share(first: np.ndarray, last: np.ndarray, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """For relationships active from `first` to `last` (epoch seconds, NaN unknown): which overlap the
    window, and the share of their active period inside it (1 when the period is unknown or a point).

    >>> keep, share = window_share(np.array([0.0, 0.0, 50.0, np.nan]), np.array([100.0, 10.0, 50.0, np.nan]),
    ...                            {"window_start": 25.0, "window_end": None})
    >>> keep.tolist(), share.tolist()
    ([True, False, True, True], [0.75, -1.5, 1.0, 1.0])
    """
    start, end = params["window_start"], params["window_end"]
    keep = np.ones(first.size, dtype=bool)
    if start is not None:
        keep &= ~(last < start)
    if end is not None:
        keep &= ~(first >= end)
    inside_end = np.minimum(last, end) if end is not None else last
    inside_start = np.maximum(first, start) if start is not None else first
    span = last - first
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(np.isnan(span) | (span <= 0), 1.0, (inside_end - inside_start) / span)
    return keep, share


def read_incidence(database: Database, kind: str, source: IncidenceSource, accounts: AccountLookup,
                   params: Mapping[str, Any], chunk: int = READ_CHUNK,
                   progress: Callable[[str], None] | None = None) -> Incidence:
    """One kind's account → identifier relationships within the window: identifiers numbered in name order,
    pairs sorted by (account, identifier), repeated pairs summed (earliest times kept)."""
    timeout = database.settings.write_timeout_s
    ident_attrs, edge_attrs = IDENT_ATTRS.get(kind, ()), EDGE_ATTRS.get(kind, ())
    times = {"span": ("first_s", "last_s"), "added": ("added_s",), None: ()}[source.window]
    nodes = database.run(get_query(f"detect_{source.name}_nodes"), timeout=timeout, plain=True)[0]
    node_ids = np.asarray(nodes["node_ids"], dtype=np.int64)
    columns: dict[str, list[np.ndarray]] = {name: [] for name in ("accounts", "idents", "requests", *times,
                                                                  *edge_attrs)}
    degrees = np.asarray(nodes["degrees"], dtype=np.int64)
    total, done, started = int(degrees.sum()), 0, time.perf_counter()
    for ids_chunk in _chunks(node_ids, degrees, chunk):
        row = database.run(get_query(f"detect_{source.name}_edges"), {"node_ids": ids_chunk}, timeout=timeout,
                           plain=True)[0]
        for name, values in columns.items():
            values.append(np.asarray(row[name], dtype=np.int64 if name in ("accounts", "idents") else np.float64))
        done += len(row["accounts"])
        if progress is not None:
            progress(read_progress(kind, done, total, time.perf_counter() - started))
    joined = {name: np.concatenate(values) if values else np.zeros(0) for name, values in columns.items()}
    account = accounts.find(joined["accounts"].astype(np.int64))
    keep = account >= 0
    requests = joined["requests"]
    if source.window == "span":
        inside, share = window_share(joined["first_s"], joined["last_s"], params)
        keep &= inside
        requests = requests * share
        if "first_seen" in joined and params["window_start"] is not None:  # a first use before: no pivot here
            joined["first_seen"] = np.where(joined["first_s"] >= params["window_start"], joined["first_seen"],
                                            np.nan)
    elif source.window == "added" and params["window_end"] is not None:
        keep &= ~(joined["added_s"] >= params["window_end"])
    node_order = np.argsort(node_ids, kind="stable")
    node_at = node_order[np.searchsorted(node_ids, joined["idents"].astype(np.int64), sorter=node_order)] \
        if node_ids.size else np.zeros(0, dtype=np.int64)
    # identifiers with a relationship that counts, numbered in name order
    used = np.unique(node_at[keep])
    names = np.asarray(nodes["names"], dtype=object)[used]
    by_name = np.argsort(names, kind="stable")
    rank = np.empty(used.size, dtype=np.int64)
    rank[by_name] = np.arange(used.size)
    ident = rank[np.searchsorted(used, node_at[keep])]
    return incidence_from_arrays(
        kind, account[keep], ident, requests[keep], names[by_name].tolist(),
        {name: np.asarray(nodes[name], dtype=object)[used][by_name] for name in ident_attrs},
        {name: joined[name][keep] for name in edge_attrs},
    )


def read_progress(kind: str, done: int, total: int, seconds: float) -> str:
    """One progress line of the graph read.

    >>> read_progress("ip", 250_000, 1_000_000, 5.0)
    'reading ip relationships 250,000/1,000,000 (50,000/s, about 15 s left)'
    """
    rate = done / seconds if seconds > 0 else 0.0
    left = f", about {(total - done) / rate:,.0f} s left" if rate > 0 and total > done else ""
    return f"reading {kind} relationships {done:,}/{total:,} ({rate:,.0f}/s{left})"


def incidence_from_arrays(kind: str, account: np.ndarray, ident: np.ndarray, requests: np.ndarray,
                          names: list[str], ident_values: Mapping[str, np.ndarray],
                          edge_values: Mapping[str, np.ndarray]) -> Incidence:
    """An Incidence from one entry per relationship: pairs sorted by (account, identifier), repeated pairs
    summed (an IP that is both the signup IP and a request IP), edge times the earliest; identifier
    attributes typed as `build_incidence` types them."""
    account = np.asarray(account, dtype=np.int64)
    ident = np.asarray(ident, dtype=np.int64)
    requests = np.asarray(requests, dtype=np.float64)
    edge_arrays = {name: np.asarray(values, dtype=np.float64) for name, values in edge_values.items()}
    if account.size:
        pair = account * max(len(names), 1) + ident
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
    return Incidence(kind, account.astype(np.int32), ident.astype(np.int32), requests, names, ident_arrays,
                     edge_arrays)
