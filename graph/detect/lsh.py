"""MinHash signatures and LSH banding over sets stored as CSR arrays: similar sets meet in a band bucket,
so candidate pairs are found without comparing all pairs."""

from __future__ import annotations

import numpy as np

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
    neighbours plus skip links, which keeps them connected at linear cost.
    """
    rows = np.flatnonzero(eligible)
    if rows.size < 2:
        return np.zeros((0, 2), dtype=np.int64)
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
        boundaries = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1], True])
        sizes = np.diff(boundaries)
        for start, size in zip(boundaries[:-1][sizes > 1], sizes[sizes > 1], strict=True):
            members = np.sort(rows[order[start:start + size]])
            if size <= max_bucket:
                i, j = np.triu_indices(size, k=1)
                pairs.append(np.stack([members[i], members[j]], axis=1))
            else:
                for skip in (1, 2, 5):
                    pairs.append(np.stack([members[:-skip], members[skip:]], axis=1))
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(pairs), axis=0)
