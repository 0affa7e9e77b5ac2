"""Activity lists merge per bucket, sorted; batching is exact and deterministic."""

from __future__ import annotations

import pyarrow as pa
import pytest

from graph.load.activity import merge_activity
from graph.load.batches import iter_exact_batches


def test_merge_sums_per_bucket_and_sorts() -> None:
    assert merge_activity([3, 7], [1, 1], [1, 7, 9], [2, 5, 1]) == ([1, 3, 7, 9], [2, 1, 6, 1])
    assert merge_activity([], [], [4], [2]) == ([4], [2])


def test_merge_is_commutative_and_associative() -> None:
    a, b, c = ([1, 2], [1, 1]), ([2, 3], [4, 4]), ([1, 9], [7, 7])
    ab_c = merge_activity(*merge_activity(*a, *b), *c)
    a_bc = merge_activity(*a, *merge_activity(*b, *c))
    assert ab_c == a_bc == merge_activity(*merge_activity(*c, *b), *a)


def test_merge_rejects_mismatched_lists() -> None:
    with pytest.raises(ValueError):
        merge_activity([1], [], [], [])


def test_exact_batches_regardless_of_input_chunks() -> None:
    table = pa.table({"k": list(range(25))})
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=7))
    sizes = [t.num_rows for t in iter_exact_batches(reader, 10)]
    assert sizes == [10, 10, 5]
