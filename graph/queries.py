"""The registry of named Cypher queries: one `queries/<name>.cypher` file per query, with a comment header.

    // name: api_cluster_by_ids
    // description: Clusters by id, in one round trip (the API's DataLoader).
    // mode: read
    // param ids: list[str]
    MATCH (c:Cluster) WHERE c.cluster_id IN $ids
    RETURN c

The header is validated (unknown keys, a missing name or mode, a duplicated param are errors), the file name
must equal `name`, and `tests/unit/test_queries.py` checks that the declared params are exactly the `$params`
the text uses. The same files are what an analyst pastes into Neo4j Browser.

    >>> get_query("api_cluster_by_ids").mode                       # doctest: +SKIP
    'read'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal, LiteralString, cast

from graph.errors import LinkageError

QUERIES_DIR = Path(__file__).resolve().parents[1] / "queries"
_HEADER_LINE = re.compile(
    r"^//\s*(?P<key>[a-z_]+)(?:\s+(?P<arg>[A-Za-z_][A-Za-z0-9_]*))?\s*:\s*(?P<value>.*)$")
_PARAM_USE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STRING_OR_COMMENT = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//[^\n]*")
_KNOWN_KEYS = frozenset({"name", "description", "mode", "param"})


class QueryFileError(LinkageError):
    """A `queries/*.cypher` file whose header cannot be read."""

    code = "QUERY_FILE_ERROR"


@dataclass(frozen=True)
class Query:
    """One named query: its text (a LiteralString: it comes from our own files) and declared parameters."""

    name: str
    description: str
    mode: Literal["read", "write"]
    text: LiteralString
    params: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    def used_params(self) -> set[str]:
        """The `$name` parameters the text uses (string literals and comments ignored)."""
        return set(_PARAM_USE.findall(_STRING_OR_COMMENT.sub("", self.text)))


def parse_query(source: str, *, path: Path | None = None) -> Query:
    """Parse one query file: a header of `// key: value` lines, then the Cypher text."""
    where = str(path) if path else "<query>"
    header: dict[str, str] = {}
    params: dict[str, str] = {}
    body: list[str] = []
    in_header = True
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if in_header and stripped.startswith("//"):
            match = _HEADER_LINE.match(stripped)
            if match is None or match["key"] not in _KNOWN_KEYS:
                raise QueryFileError(f"{where}:{number}: not a header line: {stripped!r}")
            key, arg, value = match["key"], match["arg"], match["value"].strip()
            if key == "param":
                if not arg or arg in params:
                    raise QueryFileError(f"{where}:{number}: param needs a unique name")
                params[arg] = value
            elif key in header:
                raise QueryFileError(f"{where}:{number}: duplicate header {key!r}")
            else:
                header[key] = value
            continue
        if in_header and not stripped:
            continue
        in_header = False
        body.append(line)
    for required in ("name", "description", "mode"):
        if not header.get(required):
            raise QueryFileError(f"{where}: header lacks {required!r}")
    if header["mode"] not in ("read", "write"):
        raise QueryFileError(f"{where}: mode must be read or write, not {header['mode']!r}")
    text = "\n".join(body).strip()
    if not text:
        raise QueryFileError(f"{where}: no Cypher after the header")
    return Query(
        name=header["name"],
        description=header["description"],
        mode=cast(Literal["read", "write"], header["mode"]),
        # The text comes from a file in this repository, never from a request: a literal in effect.
        text=cast(LiteralString, text),
        params=params,
        path=path,
    )


@cache
def load_queries(directory: Path = QUERIES_DIR) -> dict[str, Query]:
    """Every query under `directory`, by name; duplicate names and name/file mismatches are errors."""
    queries: dict[str, Query] = {}
    for path in sorted(directory.glob("*.cypher")):
        query = parse_query(path.read_text(encoding="utf-8"), path=path)
        if query.name != path.stem:
            raise QueryFileError(f"{path}: name {query.name!r} differs from the file name")
        if query.name in queries:
            raise QueryFileError(f"{path}: duplicate query name {query.name!r}")
        queries[query.name] = query
    return queries


def get_query(name: str) -> Query:
    """The query called `name` (KeyError-free: an unknown name is a programming error we report clearly)."""
    try:
        return load_queries()[name]
    except KeyError:
        raise QueryFileError(f"no query named {name!r} in {QUERIES_DIR}") from None
