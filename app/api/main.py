"""The ASGI app: `create_app(settings)` builds FastAPI with the GraphQL router, /healthz and a request id.

    uvicorn --factory app.api.main:create_app_from_env      # or: linkage serve

The async Neo4j driver is made in the lifespan (one per process) and closed on shutdown.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from app.api import guide
from app.api.auth import Authenticator
from app.api.context import Context
from app.api.deps import DatabaseDep, get_context
from app.api.schema import build_schema
from app.audit import AuditLog
from graph.aio import AsyncDatabase, make_async_driver
from graph.errors import LinkageError
from graph.settings import Settings, load_settings

# API reads get a tighter timeout than batch jobs: an analyst's request should fail fast, not hang.
API_QUERY_TIMEOUT_S = 15.0
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class LinkageGraphQLRouter(GraphQLRouter[Context | None, None]):
    """Strawberry's router, plus a last pass over errors that never reached the masking extension
    (parse errors such as the token limit): a stable code and only the first line of the message."""

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        errors = cast(list[dict[str, Any]], response.get("errors") or [])
        for error in errors:
            extensions = error.setdefault("extensions", {})
            extensions.setdefault("code", "BAD_INPUT")
            error["message"] = str(error.get("message", "")).split("\n", 1)[0]
        return response


def create_app(settings: Settings) -> FastAPI:
    """The API for `settings`: GraphQL at /graphql (GraphiQL outside production), /healthz."""
    graphiql = settings.env != "production"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.audit.check_writable()  # refuse to serve when actions could not be audited
        database = AsyncDatabase(make_async_driver(settings), settings,
                                 timeout_s=min(settings.query_timeout_s, API_QUERY_TIMEOUT_S))
        app.state.database = database
        app.state.authenticator = Authenticator(database, settings)
        try:
            yield
        finally:
            await database.close()

    app = FastAPI(title="linkage", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.graphiql = graphiql
    app.state.audit = AuditLog(settings.audit_log)

    @app.middleware("http")
    async def request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        given = request.headers.get("x-request-id", "")
        request.state.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        response = await call_next(request)
        response.headers["X-Request-ID"] = request.state.request_id
        return response

    @app.get("/healthz", include_in_schema=False)
    async def healthz(database: DatabaseDep) -> JSONResponse:
        try:
            await database.ping()
        except LinkageError as error:
            return JSONResponse({"status": "unavailable", "code": error.code}, status_code=503)
        return JSONResponse({"status": "ok"})

    router = LinkageGraphQLRouter(
        build_schema(settings), context_getter=get_context, graphql_ide="graphiql" if graphiql else None,
        allow_queries_via_get=False, multipart_uploads_enabled=False,
    )
    app.include_router(router, prefix="/graphql")
    app.include_router(guide.router)  # Neo4j Browser guide and style (static, no data)
    return app


def create_app_from_env() -> FastAPI:
    """The app for settings read from the environment (uvicorn --factory)."""
    return create_app(load_settings())
