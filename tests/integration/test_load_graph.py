"""The loader against the real Neo4j on 10,000 generated accounts: counts, aggregates, idempotency.

Incremental loads and quarantine, on small folders and an empty graph, are in test_load_folders.py."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from graph.load import load_directory
from tests.conftest import LoadDataset, LoadedDataset
from tests.cypher import read
from tests.integration.load_helpers import canonical_dump, count

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "load" / "bad"


@pytest.fixture()
def loaded_10k(loaded_dataset: LoadDataset) -> LoadedDataset:
    return loaded_dataset(10_000, 7)


def test_generated_data_loads_without_quarantine(loaded_10k: LoadedDataset) -> None:
    assert all(t.status == "loaded" and t.quarantined == 0 for t in loaded_10k.summary.tables)


def _ts_ms(values: pa.ChunkedArray) -> pa.Array:
    return pc.cast(
        pc.strptime(values, format="%Y-%m-%dT%H:%M:%SZ", unit="ms", error_is_null=False), pa.int64()
    )


def test_counts_per_label_match_the_input(loaded_10k: LoadedDataset) -> None:
    db, dataset_10k = loaded_10k.database, loaded_10k.folder
    accounts = pacsv.read_csv(dataset_10k / "accounts.csv")
    payments = pacsv.read_csv(dataset_10k / "payment_methods.csv")
    intel = pacsv.read_csv(dataset_10k / "ip_intel.csv")
    requests = pq.read_table(dataset_10k / "requests.parquet")
    account_ids = set(accounts["account_id"].to_pylist()) | set(requests["account_id"].to_pylist())
    assert count(db, "MATCH (a:Account) RETURN count(a) AS n") == len(account_ids)
    assert count(db, "MATCH (p:PaymentMethod) RETURN count(p) AS n") == len(
        set(payments["fingerprint"].to_pylist())
    )
    ips = set(requests["ip"].to_pylist()) | set(accounts["signup_ip"].to_pylist())
    assert count(db, "MATCH (i:IP) RETURN count(i) AS n") == len(ips)
    assert count(db, "MATCH (n:Network) RETURN count(n) AS n") == intel.num_rows
    for label, column in (
        ("Model", "model"),
        ("Capability", "capability"),
        ("ApiKey", "api_key_id"),
        ("ClientFingerprint", "client_fingerprint"),
    ):
        query = "MATCH (n:" + label + ") RETURN count(n) AS n"  # type: ignore[operator]
        assert count(db, query) == len(set(requests[column].drop_null().to_pylist())), label
    pairs = set(zip(requests["account_id"].to_pylist(), requests["ip"].to_pylist(), strict=True))
    assert count(db, "MATCH ()-[r:USED_IP]->() RETURN count(r) AS n") == len(pairs)
    links = set(zip(payments["account_id"].to_pylist(), payments["fingerprint"].to_pylist(), strict=True))
    assert count(db, "MATCH ()-[r:PAID_WITH]->() RETURN count(r) AS n") == len(links)
    assert count(db, "MATCH (a:Account) RETURN sum(a.requests) AS n") == requests.num_rows
    assert count(db, "MATCH ()-[r:SENT_TEMPLATE]->() RETURN sum(r.requests) AS n") == requests.num_rows
    assert count(db, "MATCH (f:LoadedFile) RETURN count(f) AS n") == 4  # labels.csv is never loaded
    assert (
        count(
            db, "MATCH (a:Account) WHERE a.campaign IS NOT NULL OR a.email IS NOT NULL RETURN count(a) AS n"
        )
        == 0
    )
    # every IP inside an ip_intel network is linked to one, with its kind copied
    assert (
        count(db, "MATCH (i:IP)-[:IN_NETWORK]->(n:Network) WHERE i.kind <> n.kind RETURN count(i) AS n") == 0
    )
    assert count(db, "MATCH (i:IP) WHERE size([(i)-[:IN_NETWORK]->() | 1]) > 1 RETURN count(i) AS n") == 0


def test_one_account_aggregates_match_a_hand_computation(loaded_10k: LoadedDataset) -> None:
    db, dataset_10k = loaded_10k.database, loaded_10k.folder
    requests = pq.read_table(dataset_10k / "requests.parquet")
    busiest = Counter(requests["account_id"].to_pylist()).most_common(1)[0][0]
    mine = requests.filter(pc.equal(requests["account_id"], busiest))
    ts = _ts_ms(mine["ts"]).to_pylist()
    ips = mine["ip"].to_pylist()
    graph = read(
        db,
        "MATCH (a:Account {account_id: $id}) RETURN a.requests AS requests, a.first_seen AS first, "
        "a.last_seen AS last, a.input_tokens AS input_tokens, a.activity_buckets AS buckets, "
        "a.activity_counts AS counts",
        {"id": busiest},
    )[0]
    assert graph["requests"] == mine.num_rows
    assert graph["first"].to_native() == datetime.fromtimestamp(min(ts) / 1000, UTC)
    assert graph["last"].to_native() == datetime.fromtimestamp(max(ts) / 1000, UTC)
    assert graph["input_tokens"] == sum(mine["input_tokens"].to_pylist())
    buckets = Counter(t // 600_000 for t in ts)
    assert graph["buckets"] == sorted(buckets)
    assert graph["counts"] == [buckets[b] for b in sorted(buckets)]
    per_ip = read(
        db,
        "MATCH (:Account {account_id: $id})-[r:USED_IP]->(i:IP) RETURN i.address AS ip, r.requests AS n, "
        "r.first_seen AS first, r.output_tokens AS out",
        {"id": busiest},
    )
    assert {r["ip"]: r["n"] for r in per_ip} == dict(Counter(ips))
    for row in per_ip:
        mask = [ip == row["ip"] for ip in ips]
        assert row["first"].to_native() == datetime.fromtimestamp(
            min(t for t, m in zip(ts, mask, strict=True) if m) / 1000, UTC
        )
        assert row["out"] == sum(o for o, m in zip(mine["output_tokens"].to_pylist(), mask, strict=True) if m)


def test_loading_the_same_directory_twice_changes_nothing(loaded_10k: LoadedDataset) -> None:
    db = loaded_10k.database
    before = canonical_dump(db)
    summary = load_directory(db, loaded_10k.folder)
    assert {t.status for t in summary.tables} == {"skipped"}
    assert canonical_dump(db) == before
