"""The registry of named Cypher queries: one `queries/<name>.cypher` file per query, with a comment header.

    // name: api_cluster_by_ids
    // description: Clusters by id, in one round trip (the API's DataLoader).
    // mode: read
    // param ids: list[str]
    MATCH (c:Cluster) WHERE c.cluster_id IN $ids
    RETURN c

The header is validated (unknown keys, a missing name or mode, a duplicated param are errors), the file name
must equal `name`, and `tests/unit/test_queries.py` checks that the declared params are exactly the `$params`
the text uses and that every label and relationship type is declared in `graph/schema.py`. The same files
are what an analyst pastes into Neo4j Browser.

`mode` says how `graph.db.Database.run` and `graph.aio.AsyncDatabase.run` run the query: `read` and `write`
in a managed transaction of that kind (retried on transient errors, so the query must be idempotent), and
`autocommit` outside one, for what Neo4j refuses inside a managed transaction (schema statements,
`CALL { … } IN TRANSACTIONS`):

    >>> query = get_query("api_cluster_by_ids")
    >>> query.mode, sorted(query.params)
    ('read', ['ids'])
    >>> inline_query("RETURN $x AS x").mode
    'read'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal, LiteralString, TypeGuard, cast

from graph.errors import LinkageError

QUERIES_DIR = Path(__file__).resolve().parents[1] / "queries"
_HEADER_LINE = re.compile(
    r"^//\s*(?P<key>[a-z_]+)(?:\s+(?P<arg>[A-Za-z_][A-Za-z0-9_]*))?\s*:\s*(?P<value>.*)$")
_PARAM_USE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STRING_OR_COMMENT = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//[^\n]*")
_NAME = r"!?[A-Za-z_][A-Za-z0-9_]*"
# `[r:TYPE]`, `[:A|B*1..4]`: relationship types.
_REL_PATTERN = re.compile(rf"\[\s*(?:[A-Za-z_][A-Za-z0-9_]*)?\s*:\s*({_NAME}(?:\s*\|\s*:?{_NAME})*)")
# `(n:Label)`, `(:A:B)`, `(n: Label)` and predicates such as `WHERE n:Label|Other` (a map key is always written
# `key: value`, with a space, so it never reads as a label).
_NODE_PATTERN = re.compile(rf"\(\s*(?:[A-Za-z_][A-Za-z0-9_]*)?\s*:\s*({_NAME}(?:\s*[|&:]\s*{_NAME})*)")
_LABEL_PREDICATE = re.compile(rf"(?<![\w$.])[A-Za-z_][A-Za-z0-9_]*:({_NAME}(?:[|&:]{_NAME})*)")
_KNOWN_KEYS = frozenset({"name", "description", "mode", "param"})
Mode = Literal["read", "write", "autocommit"]
MODES: tuple[Mode, ...] = ("read", "write", "autocommit")


class QueryFileError(LinkageError):
    """A `queries/*.cypher` file whose header cannot be read."""

    code = "QUERY_FILE_ERROR"


@dataclass(frozen=True)
class Query:
    """One named query: its text (a LiteralString: it comes from our own files) and declared parameters."""

    name: str
    description: str
    mode: Mode
    text: LiteralString
    params: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    def used_params(self) -> set[str]:
        """The `$name` parameters the text uses (string literals and comments ignored)."""
        return set(_PARAM_USE.findall(_code(self.text)))

    def used_rel_types(self) -> set[str]:
        """The relationship types the text's patterns name.

        >>> inline_query("MATCH (a)-[r:PAID_WITH|USED_IP]->(x) RETURN r").used_rel_types() == {"PAID_WITH", "USED_IP"}
        True
        """
        return {name for match in _REL_PATTERN.finditer(_code(self.text)) for name in _split_names(match[1])}

    def used_labels(self) -> set[str]:
        """The node labels the text names, in patterns and in label predicates.

        >>> query = inline_query("MATCH (a:Account)-[:PAID_WITH]->(p) WHERE p:PaymentMethod RETURN {n: 1}")
        >>> sorted(query.used_labels())
        ['Account', 'PaymentMethod']
        """
        code = _REL_PATTERN.sub("[]", _code(self.text))
        return {name for pattern in (_NODE_PATTERN, _LABEL_PREDICATE) for match in pattern.finditer(code)
                for name in _split_names(match[1])}


def is_mode(value: str) -> TypeGuard[Mode]:
    """Whether `value` is a query mode (`read`, `write` or `autocommit`)."""
    return value in MODES


def _code(text: str) -> str:
    """`text` with string literals and comments blanked out."""
    return _STRING_OR_COMMENT.sub("''", text)


def _split_names(expression: str) -> set[str]:
    """The names in a label or type expression such as `A|!B` or `:A:B`."""
    return {part.strip().lstrip("!") for part in re.split(r"[|&:]", expression) if part.strip()}


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
    mode = header["mode"]
    if not is_mode(mode):
        raise QueryFileError(f"{where}: mode must be one of {', '.join(MODES)}, not {mode!r}")
    text = "\n".join(body).strip()
    if not text:
        raise QueryFileError(f"{where}: no Cypher after the header")
    return Query(
        name=header["name"],
        description=header["description"],
        mode=mode,
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


def inline_query(text: LiteralString, *, mode: Mode = "read", name: str = "inline") -> Query:
    """A query written in place rather than in `queries/`: for tests, benchmarks and statements generated
    from `graph/schema.py`. Product code runs the named files, so analysts can read what it runs."""
    if not is_mode(mode):
        raise QueryFileError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    return Query(name=name, description=name, mode=mode, text=text)
