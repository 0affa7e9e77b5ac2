"""Account activity per time bucket: two parallel sorted lists, merged by summing per bucket.

The merge with the stored lists happens inside the batch's write transaction, after that transaction has
taken each account's write lock (`load_account_activity_lock`): two loads of different folders running
at the same time serialise per account, and the second reads the first's committed lists, so no
update is lost.

>>> merge_activity([10, 12], [1, 2], [11, 12], [5, 5])
([10, 11, 12], [1, 5, 7])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import neo4j

from graph.queries import get_query


def merge_activity(
    old_buckets: Sequence[int],
    old_counts: Sequence[int],
    new_buckets: Sequence[int],
    new_counts: Sequence[int],
) -> tuple[list[int], list[int]]:
    """Sum two (buckets, counts) list pairs per bucket; the result's buckets are sorted and unique."""
    if len(old_buckets) != len(old_counts) or len(new_buckets) != len(new_counts):
        raise ValueError("buckets and counts must have the same length")
    totals: dict[int, int] = {}
    for bucket, count in zip(old_buckets, old_counts, strict=True):
        totals[int(bucket)] = totals.get(int(bucket), 0) + int(count)
    for bucket, count in zip(new_buckets, new_counts, strict=True):
        totals[int(bucket)] = totals.get(int(bucket), 0) + int(count)
    buckets = sorted(totals)
    return buckets, [totals[bucket] for bucket in buckets]


def merge_stored_activity(tx: neo4j.ManagedTransaction, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Inside a batch's transaction: lock the batch's accounts, then merge each row's new buckets into the
    account's stored lists."""
    ids = sorted(row["account_id"] for row in rows)
    stored = {
        record["account_id"]: (record["buckets"], record["counts"])
        for record in tx.run(get_query("load_account_activity_lock").text, {"ids": ids})
        if record["buckets"] is not None
    }
    if not stored:
        return rows
    merged = []
    for row in rows:
        if row["account_id"] in stored:
            old_buckets, old_counts = stored[row["account_id"]]
            buckets, counts = merge_activity(old_buckets, old_counts, row["buckets"], row["counts"])
            row = {**row, "buckets": buckets, "counts": counts}
        merged.append(row)
    return merged
