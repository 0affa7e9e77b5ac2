"""Detecting card numbers (PANs) where a tokenized payment fingerprint was expected.

A payment fingerprint must be an opaque token; a value that is nothing but 13–19 decimal digits and
separators, and whose digits pass the Luhn check, is most likely a real card number, which must never
reach the graph. Separators are anything that is neither a letter nor a digit once the value is NFKC
normalised: spaces and every other Unicode whitespace, dots, dashes, slashes, underscores, any other
punctuation or symbol, modifier letters (the katakana long mark), invisible format characters. Digits
are any Unicode decimal digits (full-width, Arabic-Indic, ...). A letter anywhere makes the value a
token, not a card number.

    >>> looks_like_pan("4111 1111 1111 1111"), looks_like_pan("4111.1111/1111_1111")
    (True, True)
    >>> looks_like_pan("４１１１\\u00a01111\\u20031111\\u200b1111"), looks_like_pan("pm_5a55c13db8e4e881")
    (True, False)

The loader runs this same function inside DuckDB (`graph.load.functions`), on payment fingerprints and
on every column kept with LINKAGE_KEEP_COLUMNS.
"""

from __future__ import annotations

import unicodedata

MIN_DIGITS, MAX_DIGITS = 13, 19


def luhn_valid(digits: str) -> bool:
    """True when a string of decimal digits passes the Luhn (mod 10) check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def pan_digits(value: str) -> str | None:
    """The ASCII digits of `value` when it is only digits and separators, else None.

    >>> pan_digits("(4111) 1111-1111"), pan_digits("tok_4111")
    ('411111111111', None)
    """
    digits = []
    for char in unicodedata.normalize("NFKC", value):
        category = unicodedata.category(char)
        if category == "Nd":
            digits.append(str(unicodedata.decimal(char)))
        elif category[0] in "LN" and category != "Lm":  # a letter (modifier letters such as ー separate),
            return None  # or a number that is not a plain digit (Ⅻ, ½)
    return "".join(digits)


def looks_like_pan(value: str) -> bool:
    """True when `value` looks like a primary account number: 13–19 digits passing Luhn, any separators."""
    digits = pan_digits(value)
    return digits is not None and MIN_DIGITS <= len(digits) <= MAX_DIGITS and luhn_valid(digits)


def looks_like_pan_sql(column: str) -> str:
    """The DuckDB SQL boolean expression `looks_like_pan(column)` (NULL for NULL), through the Python
    function registered by `graph.load.functions.register_functions`.

    `column` is an identifier or expression written by our code, never input.
    """
    return f"linkage_looks_like_pan({column})"
