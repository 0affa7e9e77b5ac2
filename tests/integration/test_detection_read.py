"""The detection read (parallel lists per chunk of identifier nodes, the window applied in numpy) gives the
same input, and the same clusters, ids and scores, as the row-per-relationship read it replaced, kept here as
the reference: one Cypher row per relationship with the window applied in Cypher."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from graph.db import Database
from graph.detect.config import DetectionConfig
from graph.detect.inputs import (
    DetectionInput,
    Incidence,
    Window,
    build_accounts,
    build_incidence,
    read_inputs,
)
from graph.detect.pipeline import detect_clusters
from tests.conftest import LoadDataset
from tests.cypher import read


def windowed(match: str, identifier: str, extra: str = "") -> str:
    """The row read of one relationship type with times (`match` binds a, r, x): one row per relationship
    that overlaps the window, its requests scaled by the share of its span inside the window; `extra`
    returns further columns."""
    columns = f",\n       {extra.strip()}" if extra else ""
    return f"""
MATCH {match}
WITH a, r, x, r.first_seen.epochSeconds AS first, r.last_seen.epochSeconds AS last
WHERE ($window_start IS NULL OR last IS NULL OR last >= $window_start)
  AND ($window_end IS NULL OR first IS NULL OR first < $window_end)
RETURN a.account_id AS account_id, {identifier} AS identifier,
       coalesce(r.requests, 0) * CASE
         WHEN first IS NULL OR last IS NULL OR last <= first THEN 1.0
         ELSE toFloat((CASE WHEN $window_end IS NOT NULL AND $window_end < last THEN $window_end ELSE last END)
                      - (CASE WHEN $window_start IS NOT NULL AND $window_start > first THEN $window_start
                              ELSE first END)) / (last - first)
       END AS requests{columns}
"""

# The read as it was: one record per relationship (queries/detect_*.cypher before the parallel-list read).
ROW_QUERIES: dict[str, Any] = {
    'accounts': """
MATCH (a:Account)
WHERE $window_end IS NULL OR a.created_at IS NULL OR a.created_at.epochSeconds < $window_end
WITH a, coalesce(a.activity_buckets, []) AS buckets, coalesce(a.activity_counts, []) AS counts
WITH a, buckets, counts,
     CASE WHEN $from_bucket IS NULL AND $to_bucket IS NULL THEN null
          ELSE [i IN range(0, size(buckets) - 1)
                WHERE ($from_bucket IS NULL OR buckets[i] >= $from_bucket)
                  AND ($to_bucket IS NULL OR buckets[i] < $to_bucket)] END AS kept
RETURN a.account_id AS account_id,
       a.created_at AS created_at,
       CASE WHEN kept IS NULL THEN coalesce(a.requests, 0)
            ELSE reduce(total = 0, i IN kept | total + counts[i]) END AS requests,
       [(a)-[:BELONGS_TO]->(o:Org) | o.org_id][0] AS org_id,
       CASE WHEN kept IS NULL THEN buckets ELSE [i IN kept | buckets[i]] END AS buckets,
       CASE WHEN kept IS NULL THEN counts ELSE [i IN kept | counts[i]] END AS counts
""",
    'payment': """
MATCH (a:Account)-[r:PAID_WITH]->(p:PaymentMethod)
WHERE $window_end IS NULL OR r.added_at IS NULL OR r.added_at.epochSeconds < $window_end
RETURN a.account_id AS account_id, p.fingerprint AS identifier, 1 AS requests,
       coalesce(p.kind, 'unknown') AS kind
""",
    'ip': windowed("(a:Account)-[r:USED_IP|SIGNED_UP_FROM]->(x:IP)", "x.address", """
coalesce(x.kind, 'unknown') AS kind, x.proxy_network AS proxy_network,
coalesce(x.is_vpn, false) OR coalesce(x.is_tor, false) AS anonymous"""),
    'signup_ip': """
MATCH (a:Account)-[:SIGNED_UP_FROM]->(ip:IP)
RETURN a.account_id AS account_id, ip.address AS identifier, 0 AS requests,
       coalesce(ip.kind, 'unknown') AS kind, ip.proxy_network AS proxy_network,
       coalesce(ip.is_vpn, false) OR coalesce(ip.is_tor, false) AS anonymous
""",
    'client': windowed("(a:Account)-[r:USED_CLIENT]->(x:ClientFingerprint)", "x.fingerprint"),
    'api_key': windowed("(a:Account)-[r:USED_KEY]->(x:ApiKey)", "x.key_id"),
    'email_domain': """
MATCH (a:Account)-[:HAS_EMAIL_DOMAIN]->(d:EmailDomain)
RETURN a.account_id AS account_id, d.domain AS identifier, 1 AS requests
""",
    'template': windowed("(a:Account)-[r:SENT_TEMPLATE]->(x:PromptTemplate)", "x.template_id"),
    'capability': windowed("(a:Account)-[r:USED_CAPABILITY]->(x:Capability)", "x.name"),
    'model': windowed("(a:Account)-[r:USED_MODEL]->(x:Model)", "x.name", """
CASE WHEN $window_start IS NULL OR first >= $window_start THEN r.first_seen END AS first_seen,
x.first_seen AS model_first_seen"""),
}


def row_read(database: Database, window: Window) -> DetectionInput:
    params = window.params(database.settings.activity_bucket_minutes)
    data, index = build_accounts(read(database, ROW_QUERIES["accounts"], params))
    for kind, text in ROW_QUERIES.items():
        if kind != "accounts":
            data.incidences[kind] = build_incidence(kind, read(database, text, params), index)
    return data


def by_name(incidence: Incidence) -> Incidence:
    """The same relationships with identifiers renumbered in name order, pairs sorted (account, identifier)."""
    order = np.argsort(np.asarray(incidence.names, dtype=object), kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    ident = rank[incidence.ident]
    pairs = np.lexsort((ident, incidence.account))
    return Incidence(incidence.kind, incidence.account[pairs], ident[pairs].astype(np.int32),
                     incidence.requests[pairs], [incidence.names[i] for i in order.tolist()],
                     {name: values[order] for name, values in incidence.ident_attrs.items()},
                     {name: values[pairs] for name, values in incidence.edge_attrs.items()})


def assert_same_input(new: DetectionInput, old: DetectionInput) -> None:
    assert new.account_ids == old.account_ids
    for name in ("created_at", "requests", "org", "activity_indptr", "activity_bucket", "activity_count"):
        assert np.array_equal(getattr(new, name), getattr(old, name), equal_nan=True), name
    assert set(new.incidences) == set(old.incidences)
    for kind, incidence in new.incidences.items():
        reference = by_name(old.incidences[kind])
        assert incidence.names == reference.names, kind
        assert np.array_equal(incidence.account, reference.account), kind
        assert np.array_equal(incidence.ident, reference.ident), kind
        assert np.array_equal(incidence.requests, reference.requests), kind
        assert incidence.ident_attrs.keys() == reference.ident_attrs.keys(), kind
        for name, values in incidence.ident_attrs.items():
            equal_nan = values.dtype.kind == "f"
            assert np.array_equal(values, reference.ident_attrs[name], equal_nan=equal_nan), (kind, name)
        assert incidence.edge_attrs.keys() == reference.edge_attrs.keys(), kind
        for name, values in incidence.edge_attrs.items():
            assert np.array_equal(values, reference.edge_attrs[name], equal_nan=True), (kind, name)


@pytest.fixture()
def loaded(loaded_dataset: LoadDataset) -> Iterator[Database]:
    yield loaded_dataset(12_000, 5, detect=True).database


def windows(database: Database) -> list[Window]:
    span = read(database, "MATCH (a:Account) UNWIND a.activity_buckets AS b RETURN min(b) AS first, max(b) AS last")[0]
    bucket_s = database.settings.activity_bucket_minutes * 60
    middle = datetime.fromtimestamp((span["first"] + span["last"]) // 2 * bucket_s + 137, UTC)
    return [Window(), Window(since=middle), Window(until=middle),
            Window(since=middle - timedelta(days=3), until=middle + timedelta(hours=5))]


def test_read_equals_the_row_read_with_and_without_a_window(loaded: Database) -> None:
    for window in windows(loaded):
        new = read_inputs(loaded, window, chunk=2_000)  # small chunks: many queries per kind
        old = row_read(loaded, window)
        assert new.n_accounts > 0 and new.incidence("ip").account.size > 0
        assert_same_input(new, old)


def test_detection_on_the_read_gives_the_same_clusters_ids_and_scores(loaded: Database) -> None:
    config = DetectionConfig()
    minutes = loaded.settings.activity_bucket_minutes
    new, *new_counts = detect_clusters(read_inputs(loaded), config, minutes)
    reference = row_read(loaded, Window())
    old, *_ = detect_clusters(reference, config, minutes)
    assert len(new) > 0
    assert [(c.cluster_id, c.members, c.score, c.verdict, c.signals, c.proxy_networks, c.first_seen, c.last_seen)
            for c in new] == \
        [(c.cluster_id, c.members, c.score, c.verdict, c.signals, c.proxy_networks, c.first_seen, c.last_seen)
         for c in old]
    # The row read numbered identifiers in the order the store returned them, which the order of equally
    # ranked identifiers in evidence (and the MinHash tokens of the identifier sets) followed; with its
    # identifiers renumbered by name, as the new read numbers them, everything is identical.
    reference.incidences = {kind: by_name(incidence) for kind, incidence in reference.incidences.items()}
    canonical, *canonical_counts = detect_clusters(reference, config, minutes)
    assert new_counts == canonical_counts  # candidate pairs, links, glue edges
    for ours, theirs in zip(new, canonical, strict=True):
        assert ours.cluster_id == theirs.cluster_id and ours.capabilities == theirs.capabilities
        for item, expected in zip(ours.evidence, theirs.evidence, strict=True):
            assert item == expected, (ours.cluster_id, item, expected)
