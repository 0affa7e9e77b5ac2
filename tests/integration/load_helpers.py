"""Shared by the loader's integration tests: a canonical, order-free dump of the graph."""

from __future__ import annotations

import hashlib
import json
from typing import Any, LiteralString

from graph.db import Database
from graph.schema import LABELS_BY_NAME, NODE_LABELS, REL_TYPES
from tests.cypher import read

LEDGER = frozenset({"LoadBatch", "LoadedFile"})
# first_file_id records which input file created a template: ledger information, not data.
IGNORED_PROPERTIES = frozenset({"first_file_id"})


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items()) if k not in IGNORED_PROPERTIES}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


def canonical_dump(database: Database) -> dict[str, tuple[int, str]]:
    """Per label and relationship type: (count, SHA-256 of the sorted rows of key + properties)."""
    dump: dict[str, tuple[int, str]] = {}
    for label in NODE_LABELS:
        if label.name in LEDGER:
            continue
        query: LiteralString = "MATCH (n:" + label.name + ") RETURN properties(n) AS p"  # type: ignore[assignment]
        rows = sorted(json.dumps(_plain(r["p"]), sort_keys=True) for r in read(database, query, timeout=300))
        dump[label.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    for rel in REL_TYPES:
        start, end = LABELS_BY_NAME[rel.start], LABELS_BY_NAME[rel.end]
        query = (
            "MATCH (a:" + start.name + ")-[r:" + rel.name + "]->(b:" + end.name + ") "  # type: ignore[assignment]
            "RETURN a." + start.key + " AS a, b." + end.key + " AS b, properties(r) AS p"
        )
        rows = sorted(
            json.dumps([r["a"], r["b"], _plain(r["p"])], sort_keys=True)
            for r in read(database, query, timeout=300)
        )
        dump[rel.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return dump


def count(database: Database, query: LiteralString, **params: Any) -> int:
    return int(read(database, query, params)[0]["n"])
