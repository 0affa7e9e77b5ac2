"""Opaque identifiers (account ids, payment fingerprints, key ids) formatted without per-row Python.

All identifiers of one kind share one shape (prefix + fixed number of hex digits drawn from the seeded
generator), so nothing in an id tells a campaign account from a legitimate one.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def format_hex_ids(prefix: str, values: np.ndarray, digits: int) -> np.ndarray:
    """Format uint64 `values` as `prefix` + `digits` lowercase hex digits (a fixed-width bytes array)."""
    v = np.asarray(values, dtype=np.uint64).reshape(-1)
    shifts = (np.arange(digits - 1, -1, -1, dtype=np.uint64) * np.uint64(4))[None, :]
    nibbles = ((v[:, None] >> shifts) & np.uint64(15)).astype(np.intp)
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    out = np.empty((v.size, head.size + digits), dtype=np.uint8)
    out[:, : head.size] = head
    out[:, head.size :] = _HEX[nibbles]
    return out.view(f"S{head.size + digits}").reshape(-1)


def to_string_array(values: np.ndarray) -> pa.Array:
    """A fixed-width bytes array (ASCII) as an Arrow string array."""
    return pa.array(values, type=pa.binary()).cast(pa.string())
