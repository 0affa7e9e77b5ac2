"""One linkage check against the graph: on the sync database (the CLI) or the async one (the API)."""

from __future__ import annotations

from graph.aio import AsyncDatabase
from graph.check.model import CheckResult, CheckSignals
from graph.check.parameters import query_for
from graph.check.scoring import result_from_rows
from graph.db import Database
from graph.queries import get_query


def run_check(database: Database, signals: CheckSignals) -> CheckResult:
    """Run one linkage check synchronously (the CLI)."""
    name, params = query_for(signals, hash_key=database.settings.hash_key.get_secret_value())
    return result_from_rows(signals, database.run(get_query(name), params))


async def run_check_async(database: AsyncDatabase, signals: CheckSignals) -> CheckResult:
    """Run one linkage check on the async database (the API)."""
    name, params = query_for(signals, hash_key=database.settings.hash_key.get_secret_value())
    return result_from_rows(signals, await database.run(get_query(name), params))
