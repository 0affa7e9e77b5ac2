"""Detecting card numbers (PANs) where a tokenized payment fingerprint was expected.

A payment fingerprint must be an opaque token; a value of 13–19 digits (spaces and dashes ignored) that
passes the Luhn check is most likely a real card number, which must never reach the graph.

    >>> looks_like_pan("4111 1111 1111 1111"), looks_like_pan("pm_5a55c13db8e4e881")
    (True, False)
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[ -]")
_PAN_DIGITS = re.compile(r"[0-9]{13,19}")


def luhn_valid(digits: str) -> bool:
    """True when a string of decimal digits passes the Luhn (mod 10) check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def looks_like_pan(value: str) -> bool:
    """True when `value` looks like a primary account number: 13–19 digits passing Luhn."""
    digits = _SEPARATORS.sub("", value)
    return _PAN_DIGITS.fullmatch(digits) is not None and luhn_valid(digits)


def looks_like_pan_sql(column: str) -> str:
    """The DuckDB SQL boolean expression equivalent to `looks_like_pan(column)` (NULL for NULL).

    `column` is an identifier or expression written by our code, never input.
    """
    digits = f"regexp_replace({column}, '[ -]', '', 'g')"
    digit = f"CAST(substr(reverse({digits}), i + 1, 1) AS INTEGER)"
    luhn = (
        f"list_sum(list_transform(range(length({digits})), lambda i: CASE WHEN i % 2 = 1 "
        f"THEN 2 * {digit} - CASE WHEN {digit} > 4 THEN 9 ELSE 0 END ELSE {digit} END)) % 10 = 0"
    )
    # CASE, not AND: SQL does not promise to short-circuit, and the digit casts must only see digits
    return f"(CASE WHEN regexp_full_match({digits}, '[0-9]{{13,19}}') THEN {luhn} ELSE false END)"
