"""Who is calling: `Authorization: Bearer <key>` → a Principal (key id, name, role), or 401.

Keys are verified against their stored hash with `hmac.compare_digest`; the optional bootstrap key from
`LINKAGE_API_BOOTSTRAP_KEY` is an admin. Verified credentials are cached for `CACHE_SECONDS`, so a
revocation takes effect within that time without a database round trip on every request.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass

from app.api.errors import UnauthenticatedError
from app.credentials import Role, hash_secret, parse_key
from graph.aio import AsyncDatabase
from graph.queries import get_query
from graph.settings import Settings

CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    key_id: str | None
    name: str
    role: Role

    def allows(self, needed: Role) -> bool:
        return self.role.allows(needed)


@dataclass(frozen=True)
class _Stored:
    key_hash: str
    role: Role
    name: str
    revoked: bool
    expires: float


class Authenticator:
    """Verifies bearer keys; one per app (holds the small credential cache)."""

    def __init__(self, database: AsyncDatabase, settings: Settings) -> None:
        self.database = database
        bootstrap = settings.api_bootstrap_key
        self._bootstrap = bootstrap.get_secret_value() if bootstrap else None
        self._cache: dict[str, _Stored] = {}

    async def authenticate(self, authorization: str | None) -> Principal:
        """The Principal behind an Authorization header value; UnauthenticatedError otherwise."""
        if not authorization:
            raise UnauthenticatedError("an API key is required (Authorization: Bearer <key>)")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise UnauthenticatedError("use Authorization: Bearer <key>")
        if self._bootstrap and hmac.compare_digest(token.encode(), self._bootstrap.encode()):
            return Principal(key_id=None, name="bootstrap", role=Role.ADMIN)
        parsed = parse_key(token)
        if parsed is None:
            raise UnauthenticatedError("invalid API key")
        key_id, secret = parsed
        stored = await self._lookup(key_id)
        if stored is None or stored.revoked or not hmac.compare_digest(
                hash_secret(key_id, secret).encode(), stored.key_hash.encode()):
            raise UnauthenticatedError("invalid API key")
        return Principal(key_id=key_id, name=stored.name, role=stored.role)

    async def _lookup(self, key_id: str) -> _Stored | None:
        now = time.monotonic()
        cached = self._cache.get(key_id)
        if cached is not None and cached.expires > now:
            return cached
        rows = await self.database.run(get_query("api_credential_lookup"), {"key_id": key_id})
        if not rows:
            self._cache.pop(key_id, None)
            return None
        row = rows[0]
        stored = _Stored(key_hash=row["key_hash"], role=Role(row["role"]), name=row["name"],
                         revoked=bool(row["revoked"]), expires=now + CACHE_SECONDS)
        if len(self._cache) > 10_000:  # bounded: unknown ids never enter, so this is only many real keys
            self._cache.clear()
        self._cache[key_id] = stored
        return stored
