"""Seeded random streams and vectorised hashing.

Every component draws from its own child stream, keyed by a fixed name, so that changing how one component
consumes randomness does not shift the numbers another component sees. Nothing here depends on Python's
`hash()` (randomised per process) or on the clock.
"""

from __future__ import annotations

import zlib

import numpy as np

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def make_rng(seed: int, stream: str, *extra: int) -> np.random.Generator:
    """A PCG64 generator for the named `stream` of `seed`, optionally sub-keyed by integers (e.g. a chunk)."""
    # crc32 is stable across processes and platforms, unlike hash().
    key = [zlib.crc32(stream.encode()), *extra]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy=seed, spawn_key=key)))


def mix64(values: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser applied element-wise: a cheap, well-spread hash of uint64 values.

    Used where a random value must be a pure function of (account, slot) so that it needs no storage.
    """
    z = np.asarray(values, dtype=np.uint64).reshape(-1) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return (z ^ (z >> np.uint64(31))) & _MASK64


def hash_unit(values: np.ndarray) -> np.ndarray:
    """Map uint64 values to floats in [0, 1) through `mix64`."""
    return (mix64(values) >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def draw_unique_ids(rng: np.random.Generator, count: int, bits: int) -> np.ndarray:
    """`count` distinct random integers below 2**bits (uint64), in random order."""
    values = rng.integers(0, 1 << bits, size=count, dtype=np.uint64)
    while True:
        _, first = np.unique(values, return_index=True)
        if first.size == count:
            return values
        duplicate = np.ones(count, dtype=bool)
        duplicate[first] = False
        values[duplicate] = rng.integers(0, 1 << bits, size=int(duplicate.sum()), dtype=np.uint64)


def pick_weighted(rng: np.random.Generator, weights: np.ndarray | list[float], size: int) -> np.ndarray:
    """`size` indices drawn with probability proportional to `weights`."""
    w = np.asarray(weights, dtype=np.float64)
    return rng.choice(w.size, size=size, p=w / w.sum())
