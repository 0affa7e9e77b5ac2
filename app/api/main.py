"""The ASGI app: `create_app(settings)` builds FastAPI with the GraphQL router, /healthz and a request id.

    uvicorn --factory app.api.main:create_app_from_env      # or: linkage serve

Two async Neo4j drivers are made in the lifespan (one per process each) and closed on shutdown: the main one
for queries (`LINKAGE_API_POOL_SIZE` connections) and a small one for API-key lookups, so authentication
always has a connection. Every request passes, in order: the body size cap (413), the caller's key and its
rate (401, 429, 503 — `deps.py`), the GraphQL gate (`schema.py`: tokens, depth, aliases, cost) and then
runs under its deadline and query budget (DEADLINE_EXCEEDED, COST_LIMIT_EXCEEDED): when the deadline
passes, the request's task is cancelled, which closes its Neo4j connections, and every query it sent had a
server-side timeout no later than the deadline. Every answer, refusals included, is GraphQL-shaped.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import WebSocketRoute
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from app.api import guide
from app.api.auth import Authenticator
from app.api.context import Context
from app.api.deps import FAILED_BURST, FAILED_RATE, DatabaseDep, get_context
from app.api.errors import UNAVAILABLE_CODES, Refusal, error_body
from app.api.limits import BodySizeLimit, RateLimiter
from app.api.schema import build_schema
from app.audit import AuditLog
from graph.aio import AsyncDatabase, make_async_driver, query_budget
from graph.errors import LinkageError
from graph.settings import Settings, load_settings

# API reads get a tighter timeout than batch jobs: an analyst's request should fail fast, not hang.
API_QUERY_TIMEOUT_S = 15.0
# A transaction that failed transiently (the server restarting, a lost connection) is retried this long.
API_RETRY_S = 3.0
# API-key lookups: each query's timeout, and how long to wait for one of their connections.
AUTH_TIMEOUT_S = 3.0
log = logging.getLogger(__name__)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_STATUS_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 415: "BAD_REQUEST"}


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


class LinkageGraphQLRouter(GraphQLRouter[Context | None, None]):
    """Strawberry's router without its WebSocket route (the API has no subscriptions, so an upgrade is
    refused), with every request under a deadline and a query budget, HTTP errors as GraphQL-shaped JSON,
    503 when the database was unreachable, and a last pass over errors that never reached the masking
    extension (parse errors such as the token limit): a stable code and only the first line of the message."""

    def __init__(self, schema: Any, *, settings: Settings, **kwargs: Any) -> None:
        super().__init__(schema, subscription_protocols=(), **kwargs)
        self.settings = settings
        for route in [route for route in self.routes if isinstance(route, WebSocketRoute)]:
            self.routes.remove(route)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            return await super().run(request, context, root_value)
        except HTTPException as error:
            code = _STATUS_CODES.get(error.status_code, "BAD_REQUEST")
            return JSONResponse(error_body(error.reason, code, request_id=_request_id(request)),
                                status_code=error.status_code)

    async def execute_single(self, request: Request, request_adapter: AsyncHTTPRequestAdapter,
                             sub_response: Response, context: Context | None, root_value: None,
                             request_data: GraphQLRequestData) -> ExecutionResult:
        seconds = self.settings.api_deadline_s
        with query_budget(seconds=seconds, max_queries=self.settings.api_max_queries):
            try:
                async with asyncio.timeout(seconds):
                    result = await super().execute_single(request, request_adapter, sub_response, context,
                                                          root_value, request_data)
            except TimeoutError:
                result = ExecutionResult(data=None, errors=[GraphQLError(
                    f"the request ran out of its {seconds:g} s deadline; ask for less at once",
                    extensions={"code": "DEADLINE_EXCEEDED", "requestId": _request_id(request)})])
        codes = {(error.extensions or {}).get("code") for error in result.errors or []}
        if codes & UNAVAILABLE_CODES:
            sub_response.status_code = 503
            sub_response.headers["Retry-After"] = "5"
        return result

    async def process_result(self, request: Request,
                             result: ExecutionResult | GraphQLExecutionResult) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)  # type: ignore[arg-type]
        errors = cast(list[dict[str, Any]], response.get("errors") or [])
        for error in errors:
            extensions = error.setdefault("extensions", {})
            extensions.setdefault("code", "BAD_USER_INPUT")
            error["message"] = str(error.get("message", "")).split("\n", 1)[0]
        return response


def create_app(settings: Settings) -> FastAPI:
    """The API for `settings`: GraphQL at /graphql (GraphiQL outside production), /healthz."""
    graphiql = settings.env != "production"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.audit.check_writable()  # refuse to serve when actions could not be audited
        database = AsyncDatabase(
            make_async_driver(settings, pool_size=settings.api_pool_size,
                              acquisition_timeout_s=min(10.0, settings.api_deadline_s), max_retry_s=API_RETRY_S),
            settings, timeout_s=min(settings.query_timeout_s, API_QUERY_TIMEOUT_S))
        auth_database = AsyncDatabase(
            make_async_driver(settings, pool_size=settings.api_auth_pool_size,
                              acquisition_timeout_s=AUTH_TIMEOUT_S, max_retry_s=1.0),
            settings, timeout_s=AUTH_TIMEOUT_S)
        app.state.database = database
        app.state.authenticator = Authenticator(auth_database, settings)
        try:
            yield
        finally:
            await auth_database.close()
            await database.close()

    app = FastAPI(title="linkage", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.graphiql = graphiql
    app.state.audit = AuditLog(settings.audit_log)
    app.state.rate_limiter = RateLimiter(rate=settings.api_rate_per_s, burst=settings.api_rate_burst)
    app.state.failed_auth = RateLimiter(rate=FAILED_RATE, burst=FAILED_BURST)

    app.add_middleware(BodySizeLimit, max_bytes=settings.api_max_body_bytes)

    @app.middleware("http")
    async def request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        given = request.headers.get("x-request-id", "")
        request.state.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        response = await call_next(request)
        response.headers["X-Request-ID"] = request.state.request_id
        return response

    @app.exception_handler(Refusal)
    async def refused(request: Request, error: Exception) -> JSONResponse:
        refusal = cast(Refusal, error)
        return JSONResponse(error_body(refusal.message, refusal.code, request_id=_request_id(request)),
                            status_code=refusal.status, headers=refusal.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: Exception) -> JSONResponse:
        status = cast(StarletteHTTPException, error).status_code
        code = _STATUS_CODES.get(status, "BAD_REQUEST")
        return JSONResponse(error_body(code.replace("_", " ").lower(), code, request_id=_request_id(request)),
                            status_code=status)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception) -> JSONResponse:
        log.error("request %s: unhandled error", _request_id(request), exc_info=error)
        return JSONResponse(error_body("Internal error", "INTERNAL", request_id=_request_id(request)),
                            status_code=500)

    @app.get("/healthz", include_in_schema=False)
    async def healthz(database: DatabaseDep) -> JSONResponse:
        try:
            await database.ping()
        except LinkageError as error:
            return JSONResponse({"status": "unavailable", "code": error.code}, status_code=503)
        return JSONResponse({"status": "ok"})

    router = LinkageGraphQLRouter(
        build_schema(settings), settings=settings, context_getter=get_context,
        graphql_ide="graphiql" if graphiql else None, allow_queries_via_get=False, multipart_uploads_enabled=False,
    )
    app.include_router(router, prefix="/graphql")
    app.include_router(guide.router)  # Neo4j Browser guide and style (static, no data)
    return app


def create_app_from_env() -> FastAPI:
    """The app for settings read from the environment (uvicorn --factory)."""
    return create_app(load_settings())
