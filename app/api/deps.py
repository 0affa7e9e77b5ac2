"""FastAPI dependencies: the app's database and settings, the caller, the request id, the GraphQL context."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from app.api.auth import Authenticator, Principal
from app.api.context import Context
from app.api.errors import UnauthenticatedError
from app.api.loaders import make_loaders
from app.audit import AuditLog
from graph.aio import AsyncDatabase
from graph.settings import Settings


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


async def get_principal(request: Request) -> Principal | None:
    """The caller; 401 without a valid key. Only the GraphiQL page itself (a GET without a query, in
    development) is served without one — it then sends the key the analyst types in its headers pane."""
    authenticator: Authenticator = request.app.state.authenticator
    header = request.headers.get("authorization")
    if header is None and request.method == "GET" and request.app.state.graphiql \
            and "query" not in request.query_params:
        return None
    try:
        return await authenticator.authenticate(header)
    except UnauthenticatedError as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail={"code": error.code, "message": str(error)},
                            headers={"WWW-Authenticate": "Bearer"}) from None


PrincipalDep = Annotated[Principal | None, Depends(get_principal)]


async def get_context(principal: PrincipalDep, database: DatabaseDep, settings: SettingsDep,
                      request_id: RequestIdDep, request: Request) -> Context | None:
    """A fresh GraphQL context (and fresh DataLoaders) per request."""
    if principal is None:
        return None
    audit: AuditLog = request.app.state.audit
    return Context(database=database, settings=settings, principal=principal,
                   loaders=make_loaders(database, settings), audit=audit, request_id=request_id)
