"""MinHash, once for every stage that needs it: prompt templates at load time (near-duplicate prompts) and
detection (accounts with similar activity).

The permutations are the multiply-shift family h(x) = ((a·x + b) mod 2⁶⁴) >> 32 with a odd. Their
parameters come from BLAKE2b of a label (`permutations("scheme", n)`), never from a random generator whose
stream a library may change between builds: the same label gives the same signatures on every machine and
every version, which stored band keys and stable cluster ids rely on.
"""

from __future__ import annotations

import hashlib

import numba
import numpy as np
from numba import prange

EMPTY = np.uint32(0xFFFFFFFF)  # the signature value of a set without elements


def seed64(label: str) -> int:
    """A stable 64-bit value for a label.

    >>> seed64("mh1:a:0") == seed64("mh1:a:0")
    True
    """
    return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=8).digest(), "little")


def permutations(scheme: str, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) parameters of `count` hash functions named by `scheme` (a odd)."""
    a = np.array([seed64(f"{scheme}:a:{i}") | 1 for i in range(count)], dtype=np.uint64)
    b = np.array([seed64(f"{scheme}:b:{i}") for i in range(count)], dtype=np.uint64)
    return a, b


@numba.njit(cache=True, nogil=True, parallel=True)
def _signatures(indptr: np.ndarray, tokens: np.ndarray, a: np.ndarray, b: np.ndarray,  # pragma: no cover
                out: np.ndarray) -> None:
    permutations = a.size
    for row in prange(indptr.size - 1):
        for position in range(indptr[row], indptr[row + 1]):
            token = tokens[position]
            for p in range(permutations):
                value = np.uint32((token * a[p] + b[p]) >> np.uint64(32))
                if value < out[row, p]:
                    out[row, p] = value


def signatures(indptr: np.ndarray, tokens: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One row of MinHash values per CSR row of uint64 tokens (all EMPTY for an empty row).

    >>> a, b = permutations("example", 8)
    >>> sig = signatures(np.array([0, 2, 4, 4]), np.array([1, 2, 2, 1], dtype=np.uint64), a, b)
    >>> bool((sig[0] == sig[1]).all()), bool((sig[2] == EMPTY).all())
    (True, True)
    """
    out = np.full((indptr.size - 1, a.size), EMPTY, dtype=np.uint32)
    _signatures(np.asarray(indptr, dtype=np.int64), np.asarray(tokens, dtype=np.uint64),
                np.asarray(a, dtype=np.uint64), np.asarray(b, dtype=np.uint64), out)
    return out
