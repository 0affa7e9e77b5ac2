"""Neo4j access: one driver per process, named queries, managed transactions, timeouts, errors mapped once.

One way to run a query, here and in the async twin (`graph.aio`): `run(query, params)` with a `Query` from
the registry (`graph.queries.get_query`). The query's header decides how it runs: `read` and `write` in a
managed transaction of that kind (retried by the driver on transient errors, so the query must be
idempotent), `autocommit` outside one (schema statements, `CALL { … } IN TRANSACTIONS`). Every query
carries a timeout: the caller's, else `query_timeout_s` for reads and `write_timeout_s` for the rest.

    with connect(settings) as database:
        rows = database.run(get_query("detect_cluster_detail"), {"cluster_id": "cl_a69d20a055df"})

Values always travel as parameters; query text is a `LiteralString` (a file under `queries/`). Several
statements that must commit together (the loader's ledgered batches) go through `execute_write(work)`,
whose transaction function may be retried and so must be idempotent too. Logs carry the query's name and
timing, never parameter values.

The same code serves a standalone server (`bolt://`) and a cluster or Aura (`neo4j://`, `neo4j+s://`):
every session names the database (NEO4J_DATABASE) instead of relying on the user's home database, reads
run as read transactions (routed to a reader), writes and autocommit statements with write access (the
writer), and the sessions of one `Database` share a bookmark manager, so a read sees what this process
wrote before it even when a lagging reader serves it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
from neo4j import GraphDatabase
from neo4j import exceptions as neo4j_errors

from graph.errors import DatabaseError, DatabaseMemoryError, DatabaseUnavailableError, LinkageError
from graph.queries import Query
from graph.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
Record = dict[str, Any]


class NotRetried(Exception):
    """Carries a driver error out of a managed transaction so the driver does not retry it."""

    def __init__(self, error: neo4j_errors.Neo4jError) -> None:
        super().__init__(str(error))
        self.error = error


# What the driver raises that `map_driver_error` translates (NotRetried: one it must not retry).
DRIVER_ERRORS = (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError, NotRetried)


def exceeds_transaction_memory(error: BaseException) -> bool:
    """True for the server's refusal of one transaction above `db.memory.transaction.max`. The driver calls
    it transient, but the same query fails the same way again, so it is never retried. (Running out of the
    shared pool, `db.memory.transaction.total.max`, depends on the others and stays retryable.)"""
    if not isinstance(error, neo4j_errors.Neo4jError):
        return False
    # Neo4j 5 reports both limits as MemoryPoolOutOfMemoryError and names the one reached in the message.
    return (error.code or "").endswith("TransactionOutOfMemoryError") or \
        "db.memory.transaction.max threshold" in (error.message or "")


def map_driver_error(error: Exception, *, what: str = "query") -> LinkageError:
    """Translate a driver exception into linkage's hierarchy (the one place this happens)."""
    if isinstance(error, NotRetried):
        error = error.error
    if exceeds_transaction_memory(error):
        return DatabaseMemoryError(f"{what} needed more memory than one transaction may use "
                                   "(db.memory.transaction.max)")
    if isinstance(error, neo4j_errors.AuthError):
        return DatabaseError(
            "Neo4j refused the credentials (check NEO4J_USER / NEO4J_PASSWORD)"
        )
    if isinstance(error, neo4j_errors.ServiceUnavailable | neo4j_errors.SessionExpired | OSError):
        return DatabaseUnavailableError(f"Neo4j is not reachable: {error}")
    if isinstance(error, neo4j_errors.DatabaseUnavailable):  # the server is up, the database is not (stopping)
        return DatabaseUnavailableError(f"Neo4j's database is not available: {error.message}")
    if isinstance(error, neo4j_errors.ClientError) and "TransactionTimedOut" in (error.code or ""):
        return DatabaseError(f"{what} timed out")
    if isinstance(error, neo4j_errors.Neo4jError):
        return DatabaseError(f"{what} failed: {error.code}: {error.message}")
    if isinstance(error, neo4j_errors.DriverError):
        return DatabaseError(f"{what} failed: {error}")
    raise error


def query_timeout(query: Query, settings: Settings, *, timeout: float | None = None,
                  read_timeout: float | None = None) -> float:
    """The timeout a query runs with: the caller's, else the read timeout for reads, the write timeout for
    writes and autocommit statements (bulk work).

    >>> from graph.queries import inline_query
    >>> settings = Settings(_env_file=None)
    >>> query_timeout(inline_query("RETURN 1"), settings), query_timeout(inline_query("RETURN 1"), settings, timeout=5)
    (60.0, 5)
    >>> query_timeout(inline_query("CREATE ()", mode="write"), settings)
    600.0
    """
    if timeout:
        return timeout
    if query.mode == "read":
        return read_timeout or settings.query_timeout_s
    return settings.write_timeout_s


def log_timing(name: str, started: float) -> None:
    """Log a query's name and duration (never its parameter values)."""
    log.debug("%s took %.1f ms", name, (time.perf_counter() - started) * 1000)


class Database:
    """A driver bound to one database, with the timeouts from settings."""

    def __init__(self, driver: neo4j.Driver, settings: Settings) -> None:
        self.driver = driver
        self.settings = settings
        self.name = settings.neo4j_database
        # Causal consistency across this process's sessions: each transaction waits for the earlier ones.
        self.bookmarks = GraphDatabase.bookmark_manager()

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def run(self, query: Query, params: Mapping[str, Any] | None = None, *,
            timeout: float | None = None, plain: bool = False) -> list[Record]:
        """Run a named query as its header's mode says and return its records as dicts.

        Nodes, relationships and paths in a record become dicts; `plain=True` skips that conversion for a
        query that returns none (only numbers, strings, lists and maps): it walks every value of every list,
        ~1.7 s per 3.5 million list elements, more than the transfer itself.
        """
        limit = query_timeout(query, self.settings, timeout=timeout)
        values = dict(params or {})
        as_dict: Callable[[neo4j.Record], Record] = dict if plain else neo4j.Record.data
        if query.mode == "autocommit":
            return self._run_autocommit(query, values, limit)

        @neo4j.unit_of_work(timeout=limit)
        def work(tx: neo4j.ManagedTransaction) -> list[Record]:
            try:
                return [as_dict(record) for record in tx.run(query.text, values)]
            except neo4j_errors.Neo4jError as error:
                if exceeds_transaction_memory(error):
                    raise NotRetried(error) from error
                raise

        return self._execute(work, name=query.name, write=query.mode == "write")

    def execute_read(self, work: Callable[[neo4j.ManagedTransaction], T], *, name: str = "read") -> T:
        """Run a transaction function of several statements in one managed read transaction."""
        return self._execute(work, name=name, write=False)

    def execute_write(self, work: Callable[[neo4j.ManagedTransaction], T], *, name: str = "write") -> T:
        """Run a transaction function of several statements in one managed write transaction (retried on
        transient errors: it must be idempotent)."""
        return self._execute(work, name=name, write=True)

    def _execute(self, work: Callable[[neo4j.ManagedTransaction], T], *, name: str, write: bool) -> T:
        started = time.perf_counter()
        try:
            with self.driver.session(database=self.name, bookmark_manager=self.bookmarks) as session:
                result = session.execute_write(work) if write else session.execute_read(work)
        except DRIVER_ERRORS as error:
            raise map_driver_error(error, what=name) from error
        log_timing(name, started)
        return result

    def _run_autocommit(self, query: Query, params: dict[str, Any], timeout: float) -> list[Record]:
        started = time.perf_counter()
        try:
            # Schema statements and `CALL { … } IN TRANSACTIONS` write: on a cluster only the writer takes them.
            with self.driver.session(database=self.name, bookmark_manager=self.bookmarks,
                                     default_access_mode=neo4j.WRITE_ACCESS) as session:
                result = session.run(neo4j.Query(query.text, timeout=timeout), params)
                records = [record.data() for record in result]
        except DRIVER_ERRORS as error:
            raise map_driver_error(error, what=query.name) from error
        log_timing(query.name, started)
        return records

    def ping(self) -> None:
        """Raise DatabaseUnavailableError/DatabaseError unless the server answers a query."""
        try:
            self.driver.verify_connectivity()
        except DRIVER_ERRORS as error:
            raise map_driver_error(error, what="connect") from error


def driver_options(settings: Settings, *, pool_size: int, acquisition_timeout_s: float,
                   max_retry_s: float | None = None) -> dict[str, Any]:
    """The options of both drivers (sync and async): credentials, pool, and no server notifications; how long
    a managed transaction is retried on transient errors (the driver's default, 30 s, unless given)."""
    options: dict[str, Any] = {
        "auth": (settings.neo4j_user, settings.neo4j_password.get_secret_value()),
        "max_connection_pool_size": pool_size,
        "connection_acquisition_timeout": acquisition_timeout_s,
        "notifications_min_severity": "OFF",
    }
    if max_retry_s is not None:
        options["max_transaction_retry_time"] = max_retry_s
    return options


def make_driver(settings: Settings) -> neo4j.Driver:
    """The process's driver (one per process: it holds the connection pool)."""
    return GraphDatabase.driver(settings.neo4j_uri,
                                **driver_options(settings, pool_size=16, acquisition_timeout_s=30.0))


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
