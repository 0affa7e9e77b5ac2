"""Ad-hoc Cypher for tests: assertions read the graph with statements written in place (the product runs the
named files under `queries/`). Values still travel as parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, LiteralString

from graph.db import Database, Record
from graph.queries import inline_query


def read(database: Database, text: LiteralString, params: Mapping[str, Any] | None = None, *,
         timeout: float | None = None, name: str = "test read") -> list[Record]:
    """Run `text` in a managed read transaction and return its records as dicts."""
    return database.run(inline_query(text, name=name), params, timeout=timeout)


def write(database: Database, text: LiteralString, params: Mapping[str, Any] | None = None, *,
          name: str = "test write") -> list[Record]:
    """Run `text` in a managed write transaction and return its records as dicts."""
    return database.run(inline_query(text, mode="write", name=name), params)
