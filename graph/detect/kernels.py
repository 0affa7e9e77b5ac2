"""Compiled inner loops (numba): what numpy cannot vectorise without materialising every pair's rows.

Each kernel walks two sorted CSR rows at once, so a pair costs the length of its two rows, and millions of
candidate pairs take seconds instead of the row gathers and element-wise products scipy would allocate.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange


@numba.njit(cache=True, nogil=True, parallel=True)
def _row_products(indptr_a: np.ndarray, indices_a: np.ndarray, data_a: np.ndarray,  # pragma: no cover
                  indptr_b: np.ndarray, indices_b: np.ndarray, data_b: np.ndarray,
                  left: np.ndarray, right: np.ndarray, total: np.ndarray, strongest: np.ndarray) -> None:
    for p in prange(left.size):
        i, i_end = indptr_a[left[p]], indptr_a[left[p] + 1]
        j, j_end = indptr_b[right[p]], indptr_b[right[p] + 1]
        acc = 0.0
        best = 0.0
        while i < i_end and j < j_end:
            a, b = indices_a[i], indices_b[j]
            if a == b:
                value = data_a[i] * data_b[j]
                acc += value
                if value > best:
                    best = value
                i += 1
                j += 1
            elif a < b:
                i += 1
            else:
                j += 1
        total[p] = acc
        strongest[p] = best


def row_products(left_matrix, right_matrix, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pair (u, v): Σ_k L[u,k]·R[v,k] and max_k L[u,k]·R[v,k] over CSR matrices with sorted
    indices.

    >>> import scipy.sparse as sp
    >>> m = sp.csr_matrix(np.array([[1.0, 2.0, 0.0], [3.0, 0.0, 1.0]]))
    >>> total, strongest = row_products(m, m, np.array([[0, 1], [0, 0]]))
    >>> total.tolist(), strongest.tolist()
    ([3.0, 5.0], [3.0, 4.0])
    """
    total = np.zeros(len(pairs))
    strongest = np.zeros(len(pairs))
    if len(pairs) == 0:
        return total, strongest
    left_matrix = _canonical(left_matrix)
    right_matrix = _canonical(right_matrix)
    _row_products(np.asarray(left_matrix.indptr, dtype=np.int64), np.asarray(left_matrix.indices, dtype=np.int64),
                  np.asarray(left_matrix.data, dtype=np.float64), np.asarray(right_matrix.indptr, dtype=np.int64),
                  np.asarray(right_matrix.indices, dtype=np.int64), np.asarray(right_matrix.data, dtype=np.float64),
                  np.ascontiguousarray(pairs[:, 0], dtype=np.int64),
                  np.ascontiguousarray(pairs[:, 1], dtype=np.int64), total, strongest)
    return total, strongest


def _canonical(matrix):
    if not matrix.has_sorted_indices:
        matrix = matrix.sorted_indices()
    return matrix


@numba.njit(cache=True, nogil=True, parallel=True)
def _binned_overlap_surprise(indptr: np.ndarray, indices: np.ndarray, item_bin: np.ndarray,  # pragma: no cover
                             counts: np.ndarray, bin_log_miss: np.ndarray, bin_size: np.ndarray,
                             left: np.ndarray, right: np.ndarray, shared_total: np.ndarray,
                             result: np.ndarray) -> None:
    n_bins = bin_size.size
    for p in prange(left.size):
        u, v = left[p], right[p]
        observed = np.zeros(n_bins)
        i, i_end = indptr[u], indptr[u + 1]
        j, j_end = indptr[v], indptr[v + 1]
        total = 0.0
        while i < i_end and j < j_end:
            a, b = indices[i], indices[j]
            if a == b:
                observed[item_bin[a]] += 1.0
                total += 1.0
                i += 1
                j += 1
            elif a < b:
                i += 1
            else:
                j += 1
        shared_total[p] = total
        if total == 0.0:
            result[p] = 0.0
            continue
        surprise = 0.0
        for k in range(n_bins):
            expected = bin_size[k] * (-np.expm1(counts[u] * bin_log_miss[k])) * (-np.expm1(counts[v] * bin_log_miss[k]))
            o = observed[k]
            if o > expected and o > 0.0:
                e = max(expected, 1e-12)
                surprise += o * np.log(o / e) - (o - e)
        result[p] = surprise


def binned_overlap_surprise(sets, item_bin: np.ndarray, counts: np.ndarray, bin_log_miss: np.ndarray,
                            bin_size: np.ndarray, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pair of rows of a binary CSR matrix: the number of items they share, and the sum over
    popularity bins of the Poisson surprise of the items shared in that bin against the number two rows with
    these sizes would share by chance (size_b · P(item | k_u) · P(item | k_v), P = 1 − (1 − π_b)^k)."""
    shared = np.zeros(len(pairs))
    result = np.zeros(len(pairs))
    if len(pairs) == 0:
        return shared, result
    sets = _canonical(sets)
    _binned_overlap_surprise(np.asarray(sets.indptr, dtype=np.int64), np.asarray(sets.indices, dtype=np.int64),
                             np.asarray(item_bin, dtype=np.int64), np.asarray(counts, dtype=np.float64),
                             np.asarray(bin_log_miss, dtype=np.float64), np.asarray(bin_size, dtype=np.float64),
                             np.ascontiguousarray(pairs[:, 0], dtype=np.int64),
                             np.ascontiguousarray(pairs[:, 1], dtype=np.int64), shared, result)
    return shared, result


@numba.njit(cache=True, nogil=True, parallel=True)
def _daily_synchrony(indptr: np.ndarray, buckets: np.ndarray, slots: int, day_offset: int,  # pragma: no cover
                     day_concentration: np.ndarray, habit_overlap: np.ndarray, day_cap: float,
                     left: np.ndarray, right: np.ndarray, overlap_total: np.ndarray, result: np.ndarray) -> None:
    for p in prange(left.size):
        i, i_end = indptr[left[p]], indptr[left[p] + 1]
        j, j_end = indptr[right[p]], indptr[right[p] + 1]
        total = 0.0
        shared = 0.0
        while i < i_end and j < j_end:
            day_u = buckets[i] // slots
            day_v = buckets[j] // slots
            if day_u < day_v:
                while i < i_end and buckets[i] // slots == day_u:
                    i += 1
                continue
            if day_v < day_u:
                while j < j_end and buckets[j] // slots == day_v:
                    j += 1
                continue
            i_stop = i
            while i_stop < i_end and buckets[i_stop] // slots == day_u:
                i_stop += 1
            j_stop = j
            while j_stop < j_end and buckets[j_stop] // slots == day_v:
                j_stop += 1
            observed = 0.0
            a, b = i, j
            while a < i_stop and b < j_stop:
                if buckets[a] == buckets[b]:
                    observed += 1.0
                    a += 1
                    b += 1
                elif buckets[a] < buckets[b]:
                    a += 1
                else:
                    b += 1
            if observed > 0.0:
                expected = (i_stop - i) * (j_stop - j) * day_concentration[day_u - day_offset]
                if habit_overlap[p] > expected:
                    expected = habit_overlap[p]
                if observed > expected:
                    e = max(expected, 1e-12)
                    llr = observed * np.log(observed / e) - (observed - e)
                    total += min(llr, day_cap)
                shared += observed
            i, j = i_stop, j_stop
        overlap_total[p] = shared
        result[p] = total


def daily_synchrony(indptr: np.ndarray, buckets: np.ndarray, slots: int, day_offset: int,
                    day_concentration: np.ndarray, habit_overlap: np.ndarray, day_cap: float,
                    pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pair: buckets both were active in, and Σ over days both were active of the Poisson surprise
    of that day's co-active buckets (against the larger of the day's rhythm, a·b·Σq², and the pair's habits),
    each day capped at `day_cap`: one shared event is one coincidence, however long it lasted."""
    overlap = np.zeros(len(pairs))
    result = np.zeros(len(pairs))
    if len(pairs) == 0:
        return overlap, result
    _daily_synchrony(np.asarray(indptr, dtype=np.int64), np.asarray(buckets, dtype=np.int64), int(slots),
                     int(day_offset), np.asarray(day_concentration, dtype=np.float64),
                     np.asarray(habit_overlap, dtype=np.float64), float(day_cap),
                     np.ascontiguousarray(pairs[:, 0], dtype=np.int64),
                     np.ascontiguousarray(pairs[:, 1], dtype=np.int64), overlap, result)
    return overlap, result
