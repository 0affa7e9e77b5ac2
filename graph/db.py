"""Neo4j access: one driver per process, managed transactions, timeouts, and errors mapped once.

    >>> from graph.settings import Settings
    >>> with connect(Settings()) as db:                      # doctest: +SKIP
    ...     db.read("RETURN $x AS x", {"x": 1})
    [{'x': 1}]

Query text is a `LiteralString` (a constant in our code or a file under `queries/`); values always travel
as parameters. Transaction functions passed to `execute_read`/`execute_write` may be retried by the
driver, so they must be idempotent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import GraphDatabase, Query
from neo4j import exceptions as neo4j_errors

from graph.errors import DatabaseError, DatabaseUnavailableError, LinkageError
from graph.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


def map_driver_error(error: Exception, *, what: str = "query") -> LinkageError:
    """Translate a driver exception into linkage's hierarchy (the one place this happens)."""
    if isinstance(error, neo4j_errors.AuthError):
        return DatabaseError(
            "Neo4j refused the credentials (check NEO4J_USER / NEO4J_PASSWORD)"
        )
    if isinstance(error, neo4j_errors.ServiceUnavailable | neo4j_errors.SessionExpired | OSError):
        return DatabaseUnavailableError(f"Neo4j is not reachable: {error}")
    if isinstance(error, neo4j_errors.ClientError) and "TransactionTimedOut" in (error.code or ""):
        return DatabaseError(f"{what} timed out")
    if isinstance(error, neo4j_errors.Neo4jError):
        return DatabaseError(f"{what} failed: {error.code}: {error.message}")
    if isinstance(error, neo4j_errors.DriverError):
        return DatabaseError(f"{what} failed: {error}")
    raise error


class Database:
    """A driver bound to one database, with the timeouts from settings."""

    def __init__(self, driver: neo4j.Driver, settings: Settings) -> None:
        self.driver = driver
        self.settings = settings
        self.name = settings.neo4j_database

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def read(self, text: LiteralString, params: Mapping[str, Any] | None = None, *,
             timeout: float | None = None, name: str = "query") -> list[dict[str, Any]]:
        """Run a read query in a managed transaction and return its records as dicts."""
        @neo4j.unit_of_work(timeout=timeout or self.settings.query_timeout_s)
        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(text, dict(params or {}))]

        return self.execute_read(work, name=name)

    def write(self, text: LiteralString, params: Mapping[str, Any] | None = None, *,
              timeout: float | None = None, name: str = "write") -> list[dict[str, Any]]:
        """Run a write query in a managed transaction (retried on transient errors)."""
        @neo4j.unit_of_work(timeout=timeout or self.settings.write_timeout_s)
        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(text, dict(params or {}))]

        return self.execute_write(work, name=name)

    def execute_read(self, work: Callable[[neo4j.ManagedTransaction], T], *, name: str = "read") -> T:
        return self._execute(work, name=name, write=False)

    def execute_write(self, work: Callable[[neo4j.ManagedTransaction], T], *, name: str = "write") -> T:
        return self._execute(work, name=name, write=True)

    def _execute(self, work: Callable[[neo4j.ManagedTransaction], T], *, name: str, write: bool) -> T:
        started = time.perf_counter()
        try:
            with self.driver.session(database=self.name) as session:
                result = session.execute_write(work) if write else session.execute_read(work)
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as error:
            raise map_driver_error(error, what=name) from error
        # Log the query's name and timing, never its parameter values.
        log.debug("%s took %.1f ms", name, (time.perf_counter() - started) * 1000)
        return result

    def run_autocommit(self, text: LiteralString, params: Mapping[str, Any] | None = None, *,
                       timeout: float | None = None, name: str = "autocommit") -> list[dict[str, Any]]:
        """Run a statement outside a managed transaction (schema DDL, `CALL { } IN TRANSACTIONS`)."""
        query = Query(text, timeout=timeout or self.settings.write_timeout_s)
        try:
            with self.driver.session(database=self.name) as session:
                return [record.data() for record in session.run(query, dict(params or {}))]
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as error:
            raise map_driver_error(error, what=name) from error

    def ping(self) -> None:
        """Raise DatabaseUnavailableError/DatabaseError unless the server answers a query."""
        try:
            self.driver.verify_connectivity()
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as error:
            raise map_driver_error(error, what="connect") from error


def make_driver(settings: Settings) -> neo4j.Driver:
    return GraphDatabase.driver(
        settings.neo4j_uri,
        auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
        max_connection_pool_size=16,
        connection_acquisition_timeout=30.0,
        notifications_min_severity="OFF",
    )


@contextmanager
def connect(settings: Settings, *, check: bool = True) -> Iterator[Database]:
    """Open the process's driver, verify the server answers, close it on exit."""
    database = Database(make_driver(settings), settings)
    try:
        if check:
            database.ping()
        yield database
    finally:
        database.close()
