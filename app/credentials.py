"""linkage's own API keys: format, hashing, and the admin operations behind `linkage keys`.

A key looks like `lk_<key_id>_<secret>`. Only `sha256("<key_id>:<secret>")` is stored (an `ApiCredential`
node keyed by `key_id`), so a leaked graph does not leak usable keys; the secret is printed once, at
creation. Verification looks the credential up by its id and compares hashes with `hmac.compare_digest`.

    >>> token = format_key("0123456789ab", "s3cret-s3cret-s3cret")
    >>> token
    'lk_0123456789ab_s3cret-s3cret-s3cret'
    >>> parse_key(token)
    ('0123456789ab', 's3cret-s3cret-s3cret')
    >>> parse_key("lk_0123456789ab_short") is None       # secrets have at least 16 characters
    True
    >>> hash_secret("0123456789ab", "s3cret-s3cret-s3cret") == hash_secret(*parse_key(token))
    True
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from graph.db import Database
from graph.errors import InputError, NotFoundError
from graph.queries import get_query

KEY_PREFIX = "lk"
_KEY_PATTERN = re.compile(r"^lk_(?P<key_id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{16,128})$")


class Role(StrEnum):
    """What a key may do: viewers read (and run checks), analysts also change cases, admins everything."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return {"viewer": 0, "analyst": 1, "admin": 2}[self.value]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


@dataclass(frozen=True)
class NewKey:
    """A freshly created key: `token` is shown once and never stored."""

    key_id: str
    name: str
    role: Role
    token: str


def format_key(key_id: str, secret: str) -> str:
    return f"{KEY_PREFIX}_{key_id}_{secret}"


def parse_key(token: str) -> tuple[str, str] | None:
    """(key_id, secret) of a well-formed key, else None."""
    match = _KEY_PATTERN.match(token.strip())
    return (match["key_id"], match["secret"]) if match else None


def hash_secret(key_id: str, secret: str) -> str:
    """The stored form of a key: SHA-256 over the key id prefix and the secret (hex)."""
    return hashlib.sha256(f"{key_id}:{secret}".encode()).hexdigest()


def generate_key(name: str, role: Role) -> tuple[NewKey, str]:
    """A new random key and the hash to store."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return NewKey(key_id=key_id, name=name, role=role, token=format_key(key_id, secret)), \
        hash_secret(key_id, secret)


def new_key(name: str, role: Role) -> tuple[NewKey, str]:
    """A new key for a valid name and the hash to store (nothing stored yet: the caller may audit first)."""
    if not name.strip() or len(name) > 100:
        raise InputError("a key needs a name of 1-100 characters", field="name")
    return generate_key(name.strip(), role)


def store_key(database: Database, key: NewKey, key_hash: str) -> NewKey:
    """Store a credential made by `new_key` (hash only)."""
    database.run(get_query("api_credential_create"), {"key_id": key.key_id, "key_hash": key_hash,
                                                       "role": key.role.value, "name": key.name,
                                                       "now": datetime.now(UTC)})
    return key


def create_key(database: Database, *, name: str, role: Role) -> NewKey:
    """Store a new credential (hash only) and return the key, whose token the caller shows once."""
    return store_key(database, *new_key(name, role))


def list_keys(database: Database) -> list[dict[str, Any]]:
    """Every credential's id, name, role, creation and revocation time (never the hash)."""
    return [row["credential"] for row in database.run(get_query("api_credential_list"))]


def revoke_key(database: Database, key_id: str) -> dict[str, Any]:
    """Mark a credential revoked; NotFoundError for an unknown id."""
    rows = database.run(get_query("api_credential_revoke"), {"key_id": key_id, "now": datetime.now(UTC)})
    if not rows:
        raise NotFoundError(f"no API key {key_id!r}")
    return dict(rows[0]["credential"])


def key_is_valid(database: Database, token: str) -> bool:
    """Whether `token` is a stored, unrevoked key (e.g. a key kept in a file from an earlier run)."""
    parsed = parse_key(token)
    if parsed is None:
        return False
    key_id, secret = parsed
    rows = database.run(get_query("api_credential_lookup"), {"key_id": key_id})
    return bool(rows) and not rows[0]["revoked"] and hmac.compare_digest(
        str(rows[0]["key_hash"]), hash_secret(key_id, secret))
