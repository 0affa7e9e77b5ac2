"""A batch check's input: one JSON object per line, parsed into `CheckSignals` or an error naming the line.

    >>> parse_signals('{"ip": "81.2.69.160", "ref": "signup-7"}').ref
    'signup-7'
    >>> parse_signals('{"ip": "not an ip"}', path="signups.jsonl", line_number=3)
    Traceback (most recent call last):
    ...
    graph.errors.InputError: signups.jsonl:3: Value error, not an IP address (field 'ip')
"""

from __future__ import annotations

import json

from pydantic import ValidationError

from graph.check.model import CheckSignals
from graph.errors import InputError


def parse_signals(line: str, *, path: str | None = None, line_number: int | None = None) -> CheckSignals:
    """One JSONL input line as CheckSignals; an InputError naming the line when it is malformed."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON: {error.msg}", path=path, line=line_number) from None
    if not isinstance(data, dict):
        raise InputError("each line must be a JSON object", path=path, line=line_number)
    try:
        return CheckSignals.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field_name = ".".join(str(part) for part in first["loc"]) or None
        raise InputError(str(first["msg"]), path=path, line=line_number, field=field_name) from None
