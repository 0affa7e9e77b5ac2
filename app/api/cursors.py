"""Opaque, stable page cursors: base64 of a small JSON list. A cursor from another ordering is BAD_USER_INPUT.

    >>> decode_cursor(encode_cursor("SCORE_DESC", 0.9, "c-1"), "SCORE_DESC")
    (0.9, 'c-1')
"""

from __future__ import annotations

import base64
import binascii
import json

from app.api.errors import BadInputError


def encode_cursor(order: str, key: float | None, ident: str) -> str:
    raw = json.dumps([order, key, ident], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str, order: str) -> tuple[float | None, str]:
    """(sort key, id) of a cursor made for `order`; BadInputError otherwise."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        cursor_order, key, ident = decoded
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadInputError("invalid cursor", field="after") from None
    if cursor_order != order or not isinstance(ident, str) or not (
            key is None or isinstance(key, int | float)):
        raise BadInputError("cursor does not belong to this ordering", field="after")
    return (None if key is None else float(key)), ident


def page_size(first: int | None, cap: int, default: int = 20) -> int:
    """The page size asked for, capped; BadInputError for a negative one."""
    if first is None:
        return min(default, cap)
    if first < 0:
        raise BadInputError("first must not be negative", field="first")
    return min(first, cap)
