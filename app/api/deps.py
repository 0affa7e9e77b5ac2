"""FastAPI dependencies: the app's database and settings, the caller, the request id, the GraphQL context.

The caller is found before GraphQL runs, and every refusal there is GraphQL-shaped (`errors.Refusal`): 401
UNAUTHENTICATED (no key, or a malformed, unknown or revoked one), 429 RATE_LIMITED with `Retry-After` (a
key over its rate, or a key that would need a lookup, sent from an address that already sent many invalid
ones), 503 DATABASE_UNAVAILABLE when the key cannot be checked because Neo4j does not answer.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Depends, Request

from app.api.auth import Authenticator, LookupRefused, Principal
from app.api.context import Context
from app.api.errors import Refusal, UnauthenticatedError
from app.api.limits import RateLimiter
from app.api.loaders import make_loaders
from app.audit import AuditLog
from graph.aio import AsyncDatabase
from graph.errors import DatabaseError, DatabaseUnavailableError
from graph.settings import Settings

# Invalid keys from one client address: this many per second on average, in bursts of up to FAILED_BURST.
FAILED_RATE = 5.0
FAILED_BURST = 30


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> AsyncDatabase:
    database: AsyncDatabase = request.app.state.database
    return database


def get_request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[AsyncDatabase, Depends(get_database)]
RequestIdDep = Annotated[str, Depends(get_request_id)]


def _retry_after(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


async def get_principal(request: Request) -> Principal | None:
    """The caller, or a Refusal (401, 429, 503). Only the GraphiQL page itself (a GET without a query, in
    development) is served without one — it then sends the key the analyst types in its headers pane."""
    state = request.app.state
    header = request.headers.get("authorization")
    if header is None and request.method == "GET" and state.graphiql and "query" not in request.query_params:
        return None
    address = request.client.host if request.client else "-"
    failed: RateLimiter = state.failed_auth
    wait = failed.wait_s(address)
    authenticator: Authenticator = state.authenticator
    try:
        # An address over its budget of invalid keys gets no more lookups; keys the cache knows still pass.
        principal = await authenticator.authenticate(header, may_look_up=not wait)
    except LookupRefused:
        raise Refusal(429, "RATE_LIMITED", "too many requests with invalid API keys from this address; "
                      f"retry in {wait:.1f} s", headers=_retry_after(wait)) from None
    except UnauthenticatedError as error:
        failed.acquire(address)
        raise Refusal(401, error.code, str(error), headers={"WWW-Authenticate": "Bearer"}) from None
    except DatabaseUnavailableError as error:
        raise Refusal(503, error.code, "The graph database is not reachable, so the API key cannot be "
                      "checked; try again later", headers=_retry_after(5)) from None
    except DatabaseError as error:
        raise Refusal(503, error.code, "The API key could not be checked (the graph database failed or "
                      "timed out); try again later", headers=_retry_after(5)) from None
    limiter: RateLimiter = state.rate_limiter
    if wait := limiter.acquire(principal.key_id or f"name:{principal.name}"):
        raise Refusal(429, "RATE_LIMITED", f"this API key is over its rate ({limiter.rate:g} requests per "
                      f"second, bursts of {limiter.burst}); retry in {wait:.1f} s", headers=_retry_after(wait))
    return principal


PrincipalDep = Annotated[Principal | None, Depends(get_principal)]


async def get_context(principal: PrincipalDep, database: DatabaseDep, settings: SettingsDep,
                      request_id: RequestIdDep, request: Request) -> Context | None:
    """A fresh GraphQL context (and fresh DataLoaders) per request."""
    if principal is None:
        return None
    audit: AuditLog = request.app.state.audit
    return Context(database=database, settings=settings, principal=principal,
                   loaders=make_loaders(database, settings), audit=audit, request_id=request_id)
