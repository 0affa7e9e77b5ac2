"""Two folders loaded at the same time give the graph that loading them one after the other gives: no
account's activity update is lost (the loader merges activity under each account's write lock)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graph.db import Database
from graph.load import aggregate, load_directory
from tests.conftest import reset_database
from tests.cypher import read
from tests.integration.load_helpers import canonical_dump

ACCOUNTS = 120
HOUR_MS = 3_600_000
START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def _write_requests(folder: Path, *, offset_hours: int, per_account: int) -> None:
    """Requests of every account, some buckets shared with the other folder (offsets overlap)."""
    folder.mkdir(parents=True)
    rows: dict[str, list[Any]] = {"ts": [], "account_id": [], "ip": [], "input_tokens": [], "output_tokens": []}
    for account in range(ACCOUNTS):
        for k in range(per_account):
            rows["ts"].append(_iso(START_MS + (offset_hours + k) * HOUR_MS + account * 1000))
            rows["account_id"].append(f"acct_{account:04d}")
            rows["ip"].append(f"10.0.{account % 7}.{k % 5 + 1}")
            rows["input_tokens"].append(str(10 + k))
            rows["output_tokens"].append(str(account))
    pq.write_table(pa.table({name: pa.array(values, pa.string()) for name, values in rows.items()}),
                   folder / "requests.parquet")


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat()


def _activity(database: Database) -> dict[str, tuple[Any, ...]]:
    rows = read(database, "MATCH (a:Account) RETURN a.account_id AS id, a.activity_buckets AS b, "
                          "a.activity_counts AS c, a.requests AS r, a.input_tokens AS i")
    return {row["id"]: (row["b"], row["c"], row["r"], row["i"]) for row in rows}


def test_concurrent_loads_lose_no_activity(tmp_path: Path, clean_database: Database,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _write_requests(first, offset_hours=0, per_account=6)
    _write_requests(second, offset_hours=3, per_account=6)  # hours 3-5 fall in the same buckets as A's

    load_directory(clean_database, first, batch_size=20)
    load_directory(clean_database, second, batch_size=20)
    sequential = _activity(clean_database)
    sequential_dump = canonical_dump(clean_database)
    assert len(sequential) == ACCOUNTS
    assert all(len(buckets) == 9 and sum(counts) == 12 for buckets, counts, _, _ in sequential.values())

    reset_database(clean_database)
    # The worst interleaving, made certain: each load's activity batch waits, after it has read the stored
    # lists, until the other load has read them too (or 3 s passed, when the other is kept waiting on the
    # accounts' locks, as it must be).
    barrier = threading.Barrier(2, timeout=3)
    merge: Callable[..., Any] = aggregate.merge_stored_activity

    def merge_then_wait(tx: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        merged = merge(tx, rows)
        with contextlib.suppress(threading.BrokenBarrierError):  # the other load waits on the locks
            barrier.wait()
        return merged

    monkeypatch.setattr(aggregate, "merge_stored_activity", merge_then_wait)
    with ThreadPoolExecutor(max_workers=2) as pool:
        loads = [pool.submit(load_directory, clean_database, folder, batch_size=20) for folder in (first, second)]
        for load in loads:
            load.result(timeout=600)

    assert _activity(clean_database) == sequential
    assert canonical_dump(clean_database) == sequential_dump
