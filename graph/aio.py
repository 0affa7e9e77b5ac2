"""Async Neo4j access for the API: the async twin of `graph.db.Database`, with the same call shape.

    async with connect_async(settings) as database:
        rows = await database.run(get_query("api_cluster_by_ids"), {"ids": ["cl_a69d20a055df"]})

One `neo4j.AsyncDriver` per process (made in the API's lifespan). A query runs as its header's mode says
(see `graph.db`) with a timeout: the caller's, else `timeout_s` (the API's tighter read timeout) for reads
and `settings.write_timeout_s` for the rest. Driver errors are mapped by `graph.db.map_driver_error`, the
one place that happens. Logs carry the query name and timing, never parameter values.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import neo4j
from neo4j import AsyncGraphDatabase

from graph.db import DRIVER_ERRORS, Record, driver_options, log_timing, map_driver_error, query_timeout
from graph.queries import Query
from graph.settings import Settings


class AsyncDatabase:
    """An async driver bound to one database, with the timeouts from settings."""

    def __init__(self, driver: neo4j.AsyncDriver, settings: Settings, *,
                 timeout_s: float | None = None) -> None:
        self.driver = driver
        self.settings = settings
        self.name = settings.neo4j_database
        self.timeout_s = timeout_s or settings.query_timeout_s

    async def close(self) -> None:
        await self.driver.close()

    async def run(self, query: Query, params: Mapping[str, Any] | None = None, *,
                  timeout: float | None = None) -> list[Record]:
        """Run a named query as its header's mode says and return its records as dicts."""
        limit = query_timeout(query, self.settings, timeout=timeout, read_timeout=self.timeout_s)
        values = dict(params or {})

        @neo4j.unit_of_work(timeout=limit)
        async def work(tx: neo4j.AsyncManagedTransaction) -> list[Record]:
            result = await tx.run(query.text, values)
            return [record.data() async for record in result]

        started = time.perf_counter()
        try:
            async with self.driver.session(database=self.name) as session:
                if query.mode == "autocommit":
                    result = await session.run(neo4j.Query(query.text, timeout=limit), values)
                    rows = [record.data() async for record in result]
                elif query.mode == "write":
                    rows = await session.execute_write(work)
                else:
                    rows = await session.execute_read(work)
        except DRIVER_ERRORS as error:
            raise map_driver_error(error, what=query.name) from error
        log_timing(query.name, started)
        return rows

    async def ping(self) -> None:
        """Raise DatabaseUnavailableError/DatabaseError unless the server answers."""
        try:
            await self.driver.verify_connectivity()
        except DRIVER_ERRORS as error:
            raise map_driver_error(error, what="connect") from error


def make_async_driver(settings: Settings) -> neo4j.AsyncDriver:
    """The process's async driver (pool sized for a small API server)."""
    return AsyncGraphDatabase.driver(settings.neo4j_uri,
                                     **driver_options(settings, pool_size=32, acquisition_timeout_s=10.0))


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
