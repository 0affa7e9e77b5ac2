"""MinHash signatures and LSH banding over sets stored as CSR arrays: similar sets meet in a band bucket,
so candidate pairs are found without comparing all pairs."""

from __future__ import annotations

import numpy as np

from graph import minhash
from graph.detect.blocks import EMPTY_PAIRS, block_pairs, distinct


def minhash_signatures(indptr: np.ndarray, tokens: np.ndarray, permutations: int, seed: int) -> np.ndarray:
    """One row of `permutations` MinHash values per CSR row (graph.minhash: stable across builds).

    >>> sig = minhash_signatures(np.array([0, 2, 4]), np.array([1, 2, 1, 2]), 8, seed=1)
    >>> bool((sig[0] == sig[1]).all())
    True
    """
    a, b = minhash.permutations(f"detect:{seed}", permutations)
    return minhash.signatures(indptr, np.asarray(tokens).astype(np.uint64), a, b)


def band_keys(signatures: np.ndarray, rows: np.ndarray, rows_per_band: int) -> np.ndarray:
    """(bands, len(rows)) bucket keys: row `rows[k]` falls in bucket `keys[b, k]` of band `b`."""
    bands = signatures.shape[1] // rows_per_band
    mixers = minhash.permutations("detect:bands", rows_per_band)[0]
    keys = np.empty((bands, rows.size), dtype=np.uint64)
    for band in range(bands):
        part = signatures[rows, band * rows_per_band:(band + 1) * rows_per_band].astype(np.uint64)
        with np.errstate(over="ignore"):
            keys[band] = (part * mixers[None, :]).sum(axis=1, dtype=np.uint64)
    return keys


def band_candidate_pairs(signatures: np.ndarray, eligible: np.ndarray, rows_per_band: int,
                         max_bucket: int) -> np.ndarray:
    """Pairs (i, j), i < j, of eligible rows that share at least one band.

    Buckets up to `max_bucket` rows yield all their pairs; larger ones (many identical sets) a chain of
    neighbours plus skip links (graph.detect.blocks), which keeps them connected at linear cost.
    """
    rows = np.flatnonzero(eligible)
    if rows.size < 2:
        return EMPTY_PAIRS
    pairs: list[np.ndarray] = []
    for keys in band_keys(signatures, rows, rows_per_band):
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, sorted_keys.size])
        band_pairs, _ = block_pairs(starts, sizes, rows[order].astype(np.int64), max_bucket)
        pairs.append(band_pairs)
    if not pairs:
        return EMPTY_PAIRS
    stacked = np.concatenate(pairs)
    scale = np.int64(signatures.shape[0])
    keys = distinct(stacked[:, 0] * scale + stacked[:, 1])  # 1-D keys sort far faster than rows
    return np.stack([keys // scale, keys % scale], axis=1)
