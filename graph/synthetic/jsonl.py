"""Vectorised JSON Lines encoding of Arrow tables (Arrow has a JSON reader but no writer)."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Order matters: backslashes first, so the escapes added later are not escaped again.
_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))


def encode_json_values(column: pa.Array) -> pa.Array:
    """Each value of `column` as JSON text (strings, integers and booleans; null becomes `null`)."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        if pc.any(pc.match_substring_regex(column, r"[\x00-\x08\x0b\x0c\x0e-\x1f]")).as_py():
            raise ValueError("control characters other than \\n, \\r and \\t are not supported")
        text = column
        for old, new in _ESCAPES:
            text = pc.replace_substring(text, old, new)
        quoted = pc.binary_join_element_wise('"', text, '"', "")
    elif pa.types.is_boolean(column.type):
        quoted = pc.if_else(column, "true", "false")
    elif pa.types.is_integer(column.type):
        quoted = pc.cast(column, pa.string())
    else:
        raise TypeError(f"unsupported column type for JSON Lines: {column.type}")
    return pc.fill_null(quoted, "null")


def encode_jsonl(table: pa.Table) -> bytes:
    """The table as JSON Lines (one object per row, keys in column order, `\\n` after every line)."""
    if table.num_rows == 0:
        return b""
    pieces: list[pa.Array | str] = []
    for i, name in enumerate(table.column_names):
        pieces.append(("{" if i == 0 else ",") + json.dumps(name) + ":")
        pieces.append(encode_json_values(table.column(name).combine_chunks()))
    pieces.append("}\n")
    lines = pc.binary_join_element_wise(*pieces, "").cast(pa.large_string())
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset : lines.offset + len(lines) + 1]
    return bytes(memoryview(lines.buffers()[2])[int(offsets[0]) : int(offsets[-1])])
