"""Who is calling: `Authorization: Bearer <key>` → a Principal (key id, name, role), or 401.

Keys are verified against their stored hash with `hmac.compare_digest`; the optional bootstrap key from
`LINKAGE_API_BOOTSTRAP_KEY` is an admin. What a lookup found is remembered for `LINKAGE_API_AUTH_CACHE_SECONDS`
(default 5): a verified credential, so a revocation takes effect within that time without a database round
trip on every request, and an unknown key id too (negative caching), so a flood of requests with a made-up
key costs one lookup, not one per request. Concurrent requests for the same key id share one lookup.

Lookups run on their own small driver (`LINKAGE_API_AUTH_POOL_SIZE` connections), so queries that hold every
connection of the main pool never starve authentication. When Neo4j cannot be asked, the caller gets
DatabaseUnavailableError (HTTP 503), never a pass: a credential older than the cache time is not trusted.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections import OrderedDict
from dataclasses import dataclass

from app.api.errors import UnauthenticatedError
from app.credentials import Role, hash_secret, parse_key
from graph.aio import AsyncDatabase
from graph.queries import get_query
from graph.settings import Settings

MAX_CACHED = 10_000


class LookupRefused(Exception):
    """A key that would need a database lookup, asked for where lookups are not allowed right now."""


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


@dataclass(frozen=True)
class _Entry:
    stored: _Stored | None  # None: no such key id
    expires: float


class Authenticator:
    """Verifies bearer keys; one per app (holds the credential cache). `lookups` counts database lookups."""

    def __init__(self, database: AsyncDatabase, settings: Settings) -> None:
        self.database = database
        self.cache_s = settings.api_auth_cache_s
        bootstrap = settings.api_bootstrap_key
        self._bootstrap = bootstrap.get_secret_value() if bootstrap else None
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._pending: dict[str, asyncio.Task[_Stored | None]] = {}
        self.lookups = 0

    async def authenticate(self, authorization: str | None, *, may_look_up: bool = True) -> Principal:
        """The Principal behind an Authorization header value; UnauthenticatedError otherwise (and
        DatabaseUnavailableError/DatabaseError when the key cannot be checked). Without `may_look_up`, only a
        key the cache knows is accepted; one that would need a lookup raises LookupRefused."""
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
        stored = await self._lookup(key_id, may_look_up=may_look_up)
        if stored is None or stored.revoked or not hmac.compare_digest(
                hash_secret(key_id, secret).encode(), stored.key_hash.encode()):
            raise UnauthenticatedError("invalid API key")
        return Principal(key_id=key_id, name=stored.name, role=stored.role)

    async def _lookup(self, key_id: str, *, may_look_up: bool = True) -> _Stored | None:
        cached = self._cache.get(key_id)
        if cached is not None and cached.expires > time.monotonic():
            return cached.stored
        if not may_look_up:
            raise LookupRefused(key_id)
        pending = self._pending.get(key_id)
        if pending is None:
            pending = asyncio.ensure_future(self._fetch(key_id))
            self._pending[key_id] = pending
            pending.add_done_callback(lambda task: self._done(key_id, task))
        # Shielded: a caller that gives up does not cancel the lookup the others wait for.
        return await asyncio.shield(pending)

    def _done(self, key_id: str, task: asyncio.Task[_Stored | None]) -> None:
        self._pending.pop(key_id, None)
        if not task.cancelled():
            task.exception()  # retrieved here, so an error nobody waited for is not reported as lost

    async def _fetch(self, key_id: str) -> _Stored | None:
        self.lookups += 1
        rows = await self.database.run(get_query("api_credential_lookup"), {"key_id": key_id})
        stored = None
        if rows:
            row = rows[0]
            stored = _Stored(key_hash=row["key_hash"], role=Role(row["role"]), name=row["name"],
                             revoked=bool(row["revoked"]))
        self._cache[key_id] = _Entry(stored=stored, expires=time.monotonic() + self.cache_s)
        self._cache.move_to_end(key_id)
        while len(self._cache) > MAX_CACHED:  # the least recently looked up go first
            self._cache.popitem(last=False)
        return stored
