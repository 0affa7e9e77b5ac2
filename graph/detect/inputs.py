"""Detection's input: the loaded graph read in bulk into index arrays.

Detection never expands account pairs in Cypher; it reads each account–identifier relationship once
("stars") and does the combinatorics in numpy/scipy. Every table is optional: a provider that loaded only
accounts and payment methods gets empty request-log inputs and the signals those support.

A `Window` restricts what is read to a period, so last year's activity does not decide today: accounts
created before its end, activity buckets inside it, request-log relationships whose first/last seen overlap
it (their requests scaled to the share of their active period inside it), payment methods added before its
end, and a model's first use only when it falls inside (an earlier pivot is not one of this period).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from neo4j.time import DateTime as Neo4jDateTime

from graph.db import Database
from graph.queries import get_query


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


INCIDENCE_QUERIES: Mapping[str, str] = {
    "payment": "detect_payment_edges",
    "ip": "detect_ip_edges",
    "signup_ip": "detect_signup_edges",
    "client": "detect_client_edges",
    "api_key": "detect_key_edges",
    "email_domain": "detect_email_domain_edges",
    "template": "detect_template_edges",
    "capability": "detect_capability_edges",
    "model": "detect_model_edges",
}
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
    account_arr = np.asarray(accounts, dtype=np.int64)
    ident_arr = np.asarray(idents, dtype=np.int64)
    request_arr = np.asarray(requests, dtype=np.float64)
    edge_arrays = {name: np.asarray(values, dtype=np.float64) for name, values in edge_attr_values.items()}
    if account_arr.size:
        # Sum duplicates (an IP that is both the signup IP and a request IP), keep the earliest times.
        pair = account_arr * max(len(names), 1) + ident_arr
        order = np.argsort(pair, kind="stable")
        pair_sorted = pair[order]
        starts = np.flatnonzero(np.r_[True, pair_sorted[1:] != pair_sorted[:-1]])
        request_arr = np.add.reduceat(request_arr[order], starts)
        edge_arrays = {name: np.fmin.reduceat(values[order], starts) for name, values in edge_arrays.items()}
        account_arr = account_arr[order][starts]
        ident_arr = ident_arr[order][starts]
    ident_arrays: dict[str, np.ndarray] = {}
    for name, ident_values in ident_attr_values.items():
        if name == "anonymous":
            ident_arrays[name] = np.asarray([bool(v) for v in ident_values], dtype=bool)
        elif name.endswith("first_seen"):
            ident_arrays[name] = np.asarray(ident_values, dtype=np.float64)
        else:
            ident_arrays[name] = np.asarray([v if v is not None else "" for v in ident_values], dtype=object)
    return Incidence(kind, account_arr.astype(np.int32), ident_arr.astype(np.int32), request_arr, names,
                     ident_arrays, edge_arrays)


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


def read_inputs(database: Database, window: Window | None = None) -> DetectionInput:
    """Read everything detection needs from the graph (within `window`), one bulk query per relationship
    type."""
    timeout = database.settings.write_timeout_s
    params = (window or Window()).params(database.settings.activity_bucket_minutes)
    accounts_query = get_query("detect_accounts")
    accounts = database.run(accounts_query, {name: params[name] for name in accounts_query.params},
                            timeout=timeout)
    data, index = build_accounts(accounts)
    for kind, query_name in INCIDENCE_QUERIES.items():
        query = get_query(query_name)
        rows = database.run(query, {name: params[name] for name in query.params}, timeout=timeout)
        data.incidences[kind] = build_incidence(kind, rows, index)
    return data
