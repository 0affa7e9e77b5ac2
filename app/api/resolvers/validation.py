"""Argument checks shared by resolvers: ids and free text are bounded, IPs and CIDRs canonical, assignees are
handles, ticket links are http(s) URLs."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

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


MAX_ASSIGNEE_LENGTH = 64
MAX_TICKET_URL_LENGTH = 2_000
_HANDLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def require_assignee(value: str) -> str:
    """A team handle such as `jdoe` or `tns-oncall`: letters, digits, `.`, `_`, `-`; no spaces or `@`, so it is
    never a person's full name or email address (the case history keeps it).

    >>> require_assignee(" j.doe ")
    'j.doe'
    >>> require_assignee("jane@example.com")
    Traceback (most recent call last):
    ...
    graph.errors.BadInputError: assignee must be a handle ... (field 'assignee')
    """
    handle = value.strip()
    if len(handle) > MAX_ASSIGNEE_LENGTH or not _HANDLE.fullmatch(handle):
        raise BadInputError(f"assignee must be a handle of 1-{MAX_ASSIGNEE_LENGTH} letters, digits, '.', '_' "
                            "or '-' (no email address)", field="assignee")
    return handle


def require_ticket_url(value: str) -> str:
    """An absolute http(s) link to a ticket, at most 2,000 characters, with a host and no user name or password.

    >>> require_ticket_url("https://tracker.example/browse/TNS-42")
    'https://tracker.example/browse/TNS-42'
    >>> require_ticket_url("javascript:alert(1)")
    Traceback (most recent call last):
    ...
    graph.errors.BadInputError: ticketUrl must be an http or https URL with a host (field 'ticketUrl')
    """
    url = value.strip()
    if not url or len(url) > MAX_TICKET_URL_LENGTH:
        raise BadInputError(f"ticketUrl must have 1-{MAX_TICKET_URL_LENGTH} characters", field="ticketUrl")
    if any(character.isspace() or not character.isprintable() for character in url):
        raise BadInputError("ticketUrl must not contain spaces or control characters", field="ticketUrl")
    try:
        parts = urlsplit(url)
        hostname, _port = parts.hostname, parts.port  # .port raises ValueError for a malformed port
    except ValueError:
        raise BadInputError("ticketUrl is not a valid URL", field="ticketUrl") from None
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        raise BadInputError("ticketUrl must be an http or https URL with a host", field="ticketUrl")
    if parts.username is not None or parts.password is not None:
        raise BadInputError("ticketUrl must not carry a user name or password", field="ticketUrl")
    return url
