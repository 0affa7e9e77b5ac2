"""Argument checks shared by resolvers: ids and free text are bounded, IPs and CIDRs canonical."""

from __future__ import annotations

import ipaddress

from app.api.errors import BadInputError

MAX_ID_LENGTH = 200
MAX_NOTE_LENGTH = 10_000


def require_id(value: str, field: str) -> str:
    """A non-empty id of reasonable length (it only ever reaches Cypher as a parameter)."""
    if not value or len(value) > MAX_ID_LENGTH:
        raise BadInputError(f"{field} must have 1-{MAX_ID_LENGTH} characters", field=field)
    return value


def require_text(value: str, field: str) -> str:
    text = value.strip()
    if not text or len(text) > MAX_NOTE_LENGTH:
        raise BadInputError(f"{field} must have 1-{MAX_NOTE_LENGTH} characters", field=field)
    return text


def canonical_ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise BadInputError("not an IP address", field="value") from None


def canonical_network(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        raise BadInputError("not a network in CIDR notation", field="value") from None
