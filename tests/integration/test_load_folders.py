"""The loader against the real Neo4j on small folders and an empty graph: two folders equal their union
(incremental loads), bad rows are quarantined with file, line and reason while good rows load."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from graph.db import Database
from graph.load import load_directory
from graph.synthetic import generate_dataset
from tests.conftest import reset_database
from tests.cypher import read
from tests.integration.load_helpers import canonical_dump, count

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "load" / "bad"


def _split_by_time(source: Path, first: Path, second: Path) -> None:
    """first = the small tables + the earlier half of the requests; second = the later half."""
    first.mkdir()
    second.mkdir()
    for name in ("accounts.csv", "payment_methods.csv", "ip_intel.csv"):
        shutil.copy(source / name, first / name)
    requests = pq.read_table(source / "requests.parquet")
    cut = sorted(requests["ts"].to_pylist())[requests.num_rows // 2]
    pq.write_table(requests.filter(pc.less(requests["ts"], cut)), first / "requests.parquet")
    pq.write_table(requests.filter(pc.greater_equal(requests["ts"], cut)), second / "requests.parquet")


def test_two_directories_equal_their_union(tmp_path: Path, clean_database: Database) -> None:
    union = tmp_path / "union"
    generate_dataset(union, accounts=2_000, seed=11, prompts="template")
    _split_by_time(union, tmp_path / "a", tmp_path / "b")
    load_directory(clean_database, tmp_path / "a")
    load_directory(clean_database, tmp_path / "b")
    split = canonical_dump(clean_database)
    reset_database(clean_database)
    load_directory(clean_database, union)
    assert canonical_dump(clean_database) == split
    # the merge really happened: some accounts' activity lists combine both halves
    assert count(clean_database, "MATCH (a:Account) WHERE a.requests > 0 RETURN count(a) AS n") > 0


def test_bad_rows_are_quarantined_and_good_rows_loaded(tmp_path: Path, clean_database: Database) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(FIXTURES, folder)
    summary = load_directory(clean_database, folder)
    by_table = {t.table: t for t in summary.tables}
    assert {t: (s.read, s.loaded, s.quarantined) for t, s in by_table.items()} == {
        "ip_intel": (5, 3, 2),
        "accounts": (7, 2, 5),
        "payment_methods": (5, 2, 3),
        "requests": (7, 3, 4),
    }
    reasons = pacsv.read_csv(folder / "quarantine" / "requests.csv").to_pylist()
    assert {(r["line"], r["field"], r["reason"]) for r in reasons} == {
        (4, "ts", "not an ISO 8601 timestamp"),
        (5, "account_id", "missing account_id"),
        (6, "ip", "malformed IP address"),
        (7, "input_tokens", "negative token count"),
    }
    kinds = pacsv.read_csv(folder / "quarantine" / "payment_methods.csv").to_pylist()
    assert any(r["field"] == "kind" and r["value"] == "voucher" for r in kinds)
    db = clean_database
    assert sorted(r["id"] for r in read(db, "MATCH (a:Account) RETURN a.account_id AS id")) == [
        "acct_a",
        "acct_b",
    ]
    assert (
        count(
            db,
            "MATCH (:Account)-[:PAID_WITH]->(p:PaymentMethod {fingerprint: 'pm_shared'}) "
            "RETURN count(p) AS n",
        )
        == 2
    )
    assert count(db, "MATCH (p:PaymentMethod) WHERE p.fingerprint CONTAINS '4111' RETURN count(p) AS n") == 0
    ip = read(
        db,
        "MATCH (i:IP {address: '5.6.7.8'})-[:IN_NETWORK]->(n) RETURN n.cidr AS cidr, "
        "i.proxy_network AS proxy, i.kind AS kind, i.requests AS requests"
    )[0]
    assert ip == {"cidr": "5.6.7.0/24", "proxy": "ExampleProxy", "kind": "residential", "requests": 2}
    assert (
        read(db, "MATCH (i:IP {address: '2001:db8::1'})-[:IN_NETWORK]->(n) RETURN n.cidr AS c")[0]["c"]
        == "2001:db8::/32"
    )
    templates = read(
        db,
        "MATCH (:Account {account_id: 'acct_a'})-[r:SENT_TEMPLATE]->(t) "
        "RETURN t.skeleton AS skeleton, r.requests AS n"
    )
    assert templates == [{"skeleton": "explain <str> to <name> in <num> steps", "n": 2}]
    assert count(db, "MATCH (t:PromptTemplate {template_id: 'tpl_given'}) RETURN count(t) AS n") == 1
    activity = read(
        db,
        "MATCH (a:Account {account_id: 'acct_a'}) RETURN a.activity_buckets AS b, a.activity_counts AS c"
    )[0]
    start = int(datetime(2026, 10, 1, tzinfo=UTC).timestamp()) // 600
    assert activity == {"b": [start], "c": [2]}


def test_requests_without_addresses_load_activity_and_no_ip(tmp_path: Path, clean_database: Database) -> None:
    """`ip` is optional: a log without the column, or a row with it empty, still counts as activity."""
    db = clean_database
    no_column = tmp_path / "no_column"
    no_column.mkdir()
    (no_column / "accounts.csv").write_text("account_id,created_at\nw1,2026-10-01\nw2,2026-10-01\n")
    (no_column / "requests.csv").write_text(
        "ts,account_id,prompt\n"
        "2026-10-01T00:01:00Z,w1,Explain quicksort to Alice in 3 steps\n"
        "2026-10-01T00:02:00Z,w1,Explain mergesort to Bob in 4 steps\n"
        "2026-10-01T00:31:00Z,w2,hello\n"
    )
    summary = load_directory(db, no_column)
    requests = next(t for t in summary.tables if t.table == "requests")
    assert (requests.read, requests.loaded, requests.quarantined) == (3, 3, 0)
    assert count(db, "MATCH (i:IP) RETURN count(i) AS n") == 0
    assert {r["id"]: r["n"] for r in read(db, "MATCH (a:Account) RETURN a.account_id AS id, a.requests AS n")} == {
        "w1": 2,
        "w2": 1,
    }
    assert count(db, "MATCH (:Account {account_id: 'w1'})-[r:SENT_TEMPLATE]->() RETURN sum(r.requests) AS n") == 2

    some_empty = tmp_path / "some_empty"
    some_empty.mkdir()
    (some_empty / "requests.csv").write_text(
        "ts,account_id,ip\n2026-10-02T00:00:00Z,w2,5.6.7.8\n2026-10-02T00:01:00Z,w2,\n2026-10-02T00:02:00Z,w2,5.6.7\n"
    )
    summary = load_directory(db, some_empty)
    requests = next(t for t in summary.tables if t.table == "requests")
    assert (requests.read, requests.loaded, requests.quarantined) == (3, 2, 1)
    assert read(db, "MATCH (i:IP) RETURN i.address AS a, i.requests AS n") == [{"a": "5.6.7.8", "n": 1}]
    assert count(db, "MATCH (a:Account {account_id: 'w2'}) RETURN a.requests AS n") == 3
