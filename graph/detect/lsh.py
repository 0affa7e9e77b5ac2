"""MinHash signatures and LSH banding over sets stored as CSR arrays: similar sets meet in a band bucket,
so candidate pairs are found without comparing all pairs."""

from __future__ import annotations

import numpy as np

from graph.detect.blocks import EMPTY_PAIRS, block_pairs

_MASK32 = np.uint64(0xFFFFFFFF)
_EMPTY = np.uint32(0xFFFFFFFF)


def minhash_signatures(indptr: np.ndarray, tokens: np.ndarray, permutations: int, seed: int,
                       chunk_tokens: int = 400_000) -> np.ndarray:
    """One row of `permutations` MinHash values per CSR row (multiply-shift hashing, fixed seed).

    >>> sig = minhash_signatures(np.array([0, 2, 4]), np.array([1, 2, 1, 2]), 8, seed=1)
    >>> bool((sig[0] == sig[1]).all())
    True
    """
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=permutations, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=permutations, dtype=np.uint64)
    n_rows = indptr.size - 1
    signatures = np.full((n_rows, permutations), _EMPTY, dtype=np.uint32)
    tokens64 = tokens.astype(np.uint64)
    row = 0
    while row < n_rows:
        # Take as many rows as fit in one chunk of tokens (at least one row).
        end = int(np.searchsorted(indptr, indptr[row] + chunk_tokens, side="right")) - 1
        end = max(end, row + 1)
        start_tok, end_tok = int(indptr[row]), int(indptr[end])
        if end_tok > start_tok:
            chunk = tokens64[start_tok:end_tok]
            with np.errstate(over="ignore"):
                hashed = ((chunk[:, None] * a[None, :] + b[None, :]) >> np.uint64(32)) & _MASK32
            hashed32 = hashed.astype(np.uint32)
            lengths = np.diff(indptr[row:end + 1])
            nonempty = np.flatnonzero(lengths > 0)
            offsets = (indptr[row:end] - start_tok)[nonempty]
            signatures[row + nonempty] = np.minimum.reduceat(hashed32, offsets, axis=0)
        row = end
    return signatures


def band_candidate_pairs(signatures: np.ndarray, eligible: np.ndarray, rows_per_band: int,
                         max_bucket: int) -> np.ndarray:
    """Pairs (i, j), i < j, of eligible rows that share at least one band.

    Buckets up to `max_bucket` rows yield all their pairs; larger ones (many identical sets) a chain of
    neighbours plus skip links (graph.detect.blocks), which keeps them connected at linear cost.
    """
    rows = np.flatnonzero(eligible)
    if rows.size < 2:
        return EMPTY_PAIRS
    permutations = signatures.shape[1]
    bands = permutations // rows_per_band
    rng = np.random.default_rng(7)
    mixers = rng.integers(1, 2**63, size=rows_per_band, dtype=np.uint64) | np.uint64(1)
    pairs: list[np.ndarray] = []
    for band in range(bands):
        part = signatures[rows, band * rows_per_band:(band + 1) * rows_per_band].astype(np.uint64)
        with np.errstate(over="ignore"):
            keys = (part * mixers[None, :]).sum(axis=1, dtype=np.uint64)
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
    keys = np.unique(stacked[:, 0] * scale + stacked[:, 1])  # 1-D keys sort far faster than rows
    return np.stack([keys // scale, keys % scale], axis=1)
