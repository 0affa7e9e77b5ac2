"""Async Neo4j access for the API: the async twin of `graph.db.Database`, with the same call shape.

    async with connect_async(settings) as database:
        rows = await database.run(get_query("api_cluster_by_ids"), {"ids": ["cl_a69d20a055df"]})

One `neo4j.AsyncDriver` per purpose and process (made in the API's lifespan). A query runs as its header's
mode says (see `graph.db`, also for how a cluster routes it) with a timeout: the caller's, else `timeout_s`
(the API's tighter read timeout) for reads and `settings.write_timeout_s` for the rest. Driver errors are
mapped by `graph.db.map_driver_error`, the one place that happens. Logs carry the query name and timing,
never parameter values.

A request's queries can share one budget (`query_budget`): a deadline, which shortens every query's
server-side timeout to the time left (so Neo4j stops the work when the request gives up), and a number of
queries. The budget travels in a context variable, so queries run by tasks the request starts (DataLoader
batches, `asyncio.gather`) draw from it too.

    >>> with query_budget(seconds=5.0, max_queries=2) as budget:
    ...     budget.take("a") <= 5.0, budget.take("b") <= 5.0
    (True, True)
    >>> with query_budget(seconds=5.0, max_queries=2) as budget:
    ...     budget.queries = 2
    ...     budget.take("c")
    Traceback (most recent call last):
    ...
    graph.errors.LimitExceededError: this request needs more than 2 database queries; ask for less at once
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j import AsyncGraphDatabase
from neo4j import exceptions as neo4j_errors

from graph.db import (
    DRIVER_ERRORS,
    NotRetried,
    Record,
    driver_options,
    exceeds_transaction_memory,
    log_timing,
    map_driver_error,
    query_timeout,
)
from graph.errors import DeadlineExceededError, LimitExceededError
from graph.queries import Query
from graph.settings import Settings


@dataclass
class QueryBudget:
    """What the queries of one request may still use: time (until `deadline`, monotonic seconds) and count."""

    deadline: float
    max_queries: int
    seconds: float
    queries: int = 0

    def remaining_s(self) -> float:
        return self.deadline - time.monotonic()

    def take(self, name: str) -> float:
        """Count one more query and return its timeout (the time left); DeadlineExceededError or
        LimitExceededError when the budget is spent."""
        left = self.remaining_s()
        if left <= 0:
            raise DeadlineExceededError(f"the request ran out of its {self.seconds:g} s deadline")
        if self.queries >= self.max_queries:
            raise LimitExceededError(f"this request needs more than {self.max_queries} database queries; "
                                     "ask for less at once")
        self.queries += 1
        return left


_BUDGET: ContextVar[QueryBudget | None] = ContextVar("linkage_query_budget", default=None)


@contextmanager
def query_budget(*, seconds: float, max_queries: int) -> Iterator[QueryBudget]:
    """Queries run inside (and in tasks started inside) share this budget."""
    budget = QueryBudget(deadline=time.monotonic() + seconds, max_queries=max_queries, seconds=seconds)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def current_budget() -> QueryBudget | None:
    """The budget of the request being served, if any."""
    return _BUDGET.get()


def _timed_out(error: BaseException) -> bool:
    return isinstance(error, neo4j_errors.Neo4jError) and "TransactionTimedOut" in (error.code or "")


class AsyncDatabase:
    """An async driver bound to one database, with the timeouts from settings. `queries_run` counts the
    queries sent to the server (monitoring and tests).

    Cancelling `run` (a request's deadline, or GraphQL dropping a field whose sibling failed) cancels the
    query when it already holds a connection: the driver closes it and Neo4j ends the transaction at once.
    A query still opening its connection is left to finish on its own — the driver cannot be cancelled
    cleanly there (it would leave the socket open) — and its server-side timeout, never later than the
    request's deadline, bounds it."""

    def __init__(self, driver: neo4j.AsyncDriver, settings: Settings, *,
                 timeout_s: float | None = None) -> None:
        self.driver = driver
        self.settings = settings
        self.name = settings.neo4j_database
        self.timeout_s = timeout_s or settings.query_timeout_s
        # As in `graph.db.Database`: a read after a write (a case note, then the case) sees it on any reader.
        self.bookmarks = AsyncGraphDatabase.bookmark_manager()
        self.queries_run = 0
        self._detached: set[asyncio.Task[list[Record]]] = set()

    async def close(self) -> None:
        if self._detached:  # queries their callers gave up on end by their own timeouts
            await asyncio.wait(self._detached, timeout=self.timeout_s)
        await self.driver.close()

    async def run(self, query: Query, params: Mapping[str, Any] | None = None, *,
                  timeout: float | None = None) -> list[Record]:
        """Run a named query as its header's mode says and return its records as dicts."""
        limit = query_timeout(query, self.settings, timeout=timeout, read_timeout=self.timeout_s)
        budget = _BUDGET.get()
        bound_by_deadline = False
        if budget is not None:
            left = budget.take(query.name)
            bound_by_deadline = left < limit
            limit = min(limit, left)
        connected = asyncio.Event()
        self.queries_run += 1
        task = asyncio.ensure_future(self._run(query, dict(params or {}), limit, connected))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if connected.is_set():
                task.cancel()
            self._detached.add(task)
            task.add_done_callback(self._forget)
            raise
        except DRIVER_ERRORS as error:
            if bound_by_deadline and budget is not None and _timed_out(error):
                raise DeadlineExceededError(f"the request ran out of its {budget.seconds:g} s deadline") \
                    from error
            raise map_driver_error(error, what=query.name) from error

    def _forget(self, task: asyncio.Task[list[Record]]) -> None:
        self._detached.discard(task)
        if not task.cancelled():
            task.exception()  # nobody waits for it any more; its error is not news

    async def _run(self, query: Query, values: dict[str, Any], limit: float,
                   connected: asyncio.Event) -> list[Record]:
        @neo4j.unit_of_work(timeout=limit)
        async def work(tx: neo4j.AsyncManagedTransaction) -> list[Record]:
            connected.set()
            try:
                result = await tx.run(query.text, values)
                return [record.data() async for record in result]
            except neo4j_errors.Neo4jError as error:
                if exceeds_transaction_memory(error):
                    raise NotRetried(error) from error
                raise

        started = time.perf_counter()
        async with self.driver.session(database=self.name, bookmark_manager=self.bookmarks,
                                       default_access_mode=neo4j.WRITE_ACCESS) as session:
            if query.mode == "autocommit":
                result = await session.run(neo4j.Query(query.text, timeout=limit), values)
                connected.set()
                rows = [record.data() async for record in result]
            elif query.mode == "write":
                rows = await session.execute_write(work)
            else:
                rows = await session.execute_read(work)
        log_timing(query.name, started)
        return rows

    async def ping(self) -> None:
        """Raise DatabaseUnavailableError/DatabaseError unless the server answers."""
        try:
            await self.driver.verify_connectivity()
        except DRIVER_ERRORS as error:
            raise map_driver_error(error, what="connect") from error


def make_async_driver(settings: Settings, *, pool_size: int = 32, acquisition_timeout_s: float = 10.0,
                      max_retry_s: float | None = None) -> neo4j.AsyncDriver:
    """An async driver (pool sized for a small API server unless told otherwise)."""
    return AsyncGraphDatabase.driver(settings.neo4j_uri, **driver_options(
        settings, pool_size=pool_size, acquisition_timeout_s=acquisition_timeout_s, max_retry_s=max_retry_s))


@asynccontextmanager
async def connect_async(settings: Settings, *, check: bool = True) -> AsyncIterator[AsyncDatabase]:
    """Open an async driver, verify the server answers, close it on exit."""
    database = AsyncDatabase(make_async_driver(settings), settings)
    try:
        if check:
            await database.ping()
        yield database
    finally:
        await database.close()
