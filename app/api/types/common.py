"""Enums, scalars-by-convention and small shared types of the GraphQL schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import Enum
from typing import Any, NewType

import strawberry


@strawberry.enum(description="Detection's verdict on a cluster.")
class Verdict(Enum):
    SUSPICIOUS = "suspicious"
    REVIEW = "review"
    BENIGN = "benign"


@strawberry.enum(description="Where an analyst's case on a cluster stands.")
class CaseStatus(Enum):
    OPEN = "OPEN"
    IN_REVIEW = "IN_REVIEW"
    CONFIRMED = "CONFIRMED"
    DISMISSED = "DISMISSED"


@strawberry.enum(description="How urgent an analyst's case on a cluster is.")
class CasePriority(Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


@strawberry.enum(description="A field of a cluster's case, as named in its history.")
class CaseField(Enum):
    STATUS = "STATUS"
    ASSIGNEE = "ASSIGNEE"
    PRIORITY = "PRIORITY"
    TICKET_URL = "TICKET_URL"


@strawberry.enum(description="Orderings of the cluster list (each descending, ties by cluster id).")
class ClusterOrder(Enum):
    SCORE_DESC = "SCORE_DESC"
    SIZE_DESC = "SIZE_DESC"
    LAST_SEEN_DESC = "LAST_SEEN_DESC"
    GROWTH_DESC = strawberry.enum_value("GROWTH_DESC", description=(
        "Largest size change from the run before first (a new cluster grew from 0; shrunk ones last)."))


@strawberry.enum(description="Time step of an activity timeline.")
class TimelineResolution(Enum):
    BUCKET = "BUCKET"
    HOUR = "HOUR"
    DAY = "DAY"


@strawberry.enum(description="Identifiers through which accounts link to each other.")
class IdentifierKind(Enum):
    PAYMENT_METHOD = "PAYMENT_METHOD"
    IP = "IP"
    EMAIL_DOMAIN = "EMAIL_DOMAIN"
    ORG = "ORG"
    API_KEY = "API_KEY"
    CLIENT_FINGERPRINT = "CLIENT_FINGERPRINT"
    TEMPLATE = "TEMPLATE"


@strawberry.enum(description="Infrastructure an analyst can look up.")
class InfrastructureKind(Enum):
    IP = "IP"
    NETWORK = "NETWORK"
    PROXY_NETWORK = "PROXY_NETWORK"
    PAYMENT_METHOD = "PAYMENT_METHOD"
    CLIENT_FINGERPRINT = "CLIENT_FINGERPRINT"
    TEMPLATE = "TEMPLATE"


# Identifier kind -> the relationship types (from graph/schema.py) that reach it from an account.
REL_TYPES_BY_KIND: dict[IdentifierKind, tuple[str, ...]] = {
    IdentifierKind.PAYMENT_METHOD: ("PAID_WITH",),
    IdentifierKind.IP: ("SIGNED_UP_FROM", "USED_IP"),
    IdentifierKind.EMAIL_DOMAIN: ("HAS_EMAIL_DOMAIN",),
    IdentifierKind.ORG: ("BELONGS_TO",),
    IdentifierKind.API_KEY: ("USED_KEY",),
    IdentifierKind.CLIENT_FINGERPRINT: ("USED_CLIENT",),
    IdentifierKind.TEMPLATE: ("SENT_TEMPLATE",),
}
KIND_BY_LABEL: dict[str, str] = {
    "Account": "ACCOUNT", "PaymentMethod": "PAYMENT_METHOD", "IP": "IP", "EmailDomain": "EMAIL_DOMAIN",
    "Org": "ORG", "ApiKey": "API_KEY", "ClientFingerprint": "CLIENT_FINGERPRINT",
    "PromptTemplate": "TEMPLATE", "Network": "NETWORK", "ProxyNetwork": "PROXY_NETWORK",
}


# A count that may pass 2^31 (tokens, requests): GraphQL's Int is 32-bit, so these are the Long scalar
# (`LONG_SCALAR`, registered in the schema's StrawberryConfig.scalar_map), exact integers in JSON.
Long = NewType("Long", int)
LONG_SCALAR = strawberry.scalar(
    name="Long",
    description="A whole number up to 2^63 - 1 (counts such as tokens or requests that may pass 2^31), "
                "sent as a JSON number; exact in clients that read JSON numbers as 64-bit integers, and in "
                "JavaScript up to 2^53.",
    serialize=int, parse_value=int)


def to_long(value: Any) -> Long | None:
    """A count from the graph as a Long (None stays None).

    >>> to_long(5_000_000_000), to_long(None)
    (5000000000, None)
    """
    return None if value is None else Long(int(value))


@strawberry.type(description="Relay-style page information.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="One named number, text or list (evidence metrics, node properties).")
class MetricEntry:
    key: str
    value: str = strawberry.field(description="The value as text (lists and numbers JSON-encoded).")
    number: float | None = strawberry.field(description="The value when it is a number.")

    @staticmethod
    def from_items(items: dict[str, Any]) -> list[MetricEntry]:
        entries = []
        for key, value in items.items():
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            text = value if isinstance(value, str) else json.dumps(to_plain(value))
            entries.append(MetricEntry(key=key, value=text, number=float(value) if is_number else None))
        return entries


def to_datetime(value: Any) -> datetime | None:
    """A neo4j temporal (or Python datetime) as an aware Python datetime."""
    if value is None:
        return None
    native = value.to_native() if hasattr(value, "to_native") else value
    if isinstance(native, datetime):
        return native if native.tzinfo else native.replace(tzinfo=UTC)
    return None


def to_plain(value: Any) -> Any:
    """A property value made JSON-friendly (temporal values as ISO text)."""
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    return value
