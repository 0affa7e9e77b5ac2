"""Async Neo4j access for the API: the async twin of `graph.db.Database`.

    >>> async with connect_async(settings) as db:               # doctest: +SKIP
    ...     await db.run(get_query("api_cluster_by_ids"), {"ids": ["c-1"]})

One `neo4j.AsyncDriver` per process (made in the API's lifespan). Every query runs in a managed
transaction with a timeout (the query's own, else `settings.query_timeout_s`); driver errors are mapped by
`graph.db.map_driver_error`, the one place that happens. Logs carry the query name and timing, never
parameter values.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, LiteralString

import neo4j
from neo4j import AsyncGraphDatabase
from neo4j import exceptions as neo4j_errors

from graph.db import map_driver_error
from graph.queries import Query
from graph.settings import Settings

log = logging.getLogger(__name__)


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
                  timeout: float | None = None) -> list[dict[str, Any]]:
        """Run a named query (read or write per its header) and return its records as dicts."""
        return await self.run_text(query.text, params, write=query.mode == "write",
                                   timeout=timeout, name=query.name)

    async def run_text(self, text: LiteralString, params: Mapping[str, Any] | None = None, *,
                       write: bool = False, timeout: float | None = None,
                       name: str = "query") -> list[dict[str, Any]]:
        """Run `text` in a managed (retried, hence idempotent-by-contract) transaction."""
        limit = timeout or (self.settings.write_timeout_s if write else self.timeout_s)

        @neo4j.unit_of_work(timeout=limit)
        async def work(tx: neo4j.AsyncManagedTransaction) -> list[dict[str, Any]]:
            result = await tx.run(text, dict(params or {}))
            return [record.data() async for record in result]

        started = time.perf_counter()
        try:
            async with self.driver.session(database=self.name) as session:
                if write:
                    rows = await session.execute_write(work)
                else:
                    rows = await session.execute_read(work)
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as error:
            raise map_driver_error(error, what=name) from error
        log.debug("%s took %.1f ms", name, (time.perf_counter() - started) * 1000)
        return rows

    async def ping(self) -> None:
        """Raise DatabaseUnavailableError/DatabaseError unless the server answers."""
        try:
            await self.driver.verify_connectivity()
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as error:
            raise map_driver_error(error, what="connect") from error


def make_async_driver(settings: Settings) -> neo4j.AsyncDriver:
    """The process's async driver (pool sized for a small API server)."""
    return AsyncGraphDatabase.driver(
        settings.neo4j_uri,
        auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
        max_connection_pool_size=32,
        connection_acquisition_timeout=10.0,
        notifications_min_severity="OFF",
    )


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
