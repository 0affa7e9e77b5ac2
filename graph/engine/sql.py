"""SQL written once, in DuckDB's dialect, and run on either engine: `to_dialect` transpiles it to Spark SQL
with sqlglot, rewriting the constructs that would otherwise change meaning *silently* on the way.

A transpiler maps names; it does not promise the same answer. These are the differences that matter to the
loader, each either rewritten here (and covered by the engine-equality tests) or refused:

- `list(x ORDER BY k)` becomes Spark's `collect_list(x)`, which keeps no order. Rewritten to sort
  (k, x) structs and keep x; an order on several keys or descending is refused.
- `epoch_ms(timestamp)` (milliseconds since the epoch) is read by sqlglot as its inverse (milliseconds to a
  timestamp). Rewritten to `unix_millis`; `epoch_ms` of a number is refused.
- `isfinite(timestamp)`: Spark has no infinite timestamps (a cast of 'infinity' is NULL), so it is TRUE.
- `regexp_full_match` has no Spark twin (`rlike` finds anywhere): anchored as `rlike '^(?:p)$'`.
- `regexp_replace(…, 'g')`: Spark always replaces every match and writes group references as `$1`, not
  `\\1`. A replacement without 'g' (first match only) is refused.
- `string_agg(… ORDER BY …)` has no order-keeping Spark form: refused.

    >>> to_dialect("SELECT a, list(b ORDER BY b) AS bs FROM t GROUP BY a", "spark")
    'SELECT a, TRANSFORM(ARRAY_SORT(COLLECT_LIST(STRUCT(b AS k, b AS v))), x -> x.v) AS bs FROM t GROUP BY a'
    >>> to_dialect("SELECT epoch_ms(TRY_CAST(ts AS TIMESTAMPTZ)) FROM t", "spark")
    'SELECT UNIX_MILLIS(TRY_CAST(ts AS TIMESTAMP)) FROM t'
    >>> to_dialect("SELECT regexp_replace(p, 'a(b)', '\\\\1$', 'g') FROM t", "spark")
    "SELECT REGEXP_REPLACE(p, 'a(b)', '$1\\\\\\\\$') FROM t"
    >>> to_dialect("SELECT regexp_replace(regexp_replace(p, '(a)', '\\\\1', 'g'), '(b)', '\\\\1', 'g') FROM t", "spark")
    "SELECT REGEXP_REPLACE(REGEXP_REPLACE(p, '(a)', '$1'), '(b)', '$1') FROM t"
    >>> to_dialect("SELECT 1", "duckdb")
    'SELECT 1'
"""

from __future__ import annotations

import re
from typing import Literal

Dialect = Literal["duckdb", "spark"]


class UntranslatableError(ValueError):
    """SQL whose meaning would change on the target engine."""


def _is_timestamp(node: object) -> bool:
    from sqlglot import exp

    return isinstance(node, exp.Cast) and node.to.is_type(*exp.DataType.TEMPORAL_TYPES)


def _java_replacement(text: str) -> str:
    r"""An RE2 replacement (`\1` group references) as a Java one (`$1`, a literal `$` or `\` escaped).

        >>> _java_replacement(r"\1<s>$")
        '$1<s>\\$'
    """
    out = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "\\" and position + 1 < len(text) and text[position + 1].isdigit():
            out.append("$" + text[position + 1])
            position += 2
            continue
        out.append("\\" + char if char in "$\\" else char)
        position += 1
    return "".join(out)


def _rewrite_for_spark(node):  # sqlglot nodes, untyped here (sqlglot is imported lazily)
    from sqlglot import exp

    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order):
        order = node.this
        keys = order.expressions
        if len(keys) != 1 or keys[0].args.get("desc"):
            raise UntranslatableError(f"ordered list aggregate with this order has no Spark form: {node.sql()}")
        struct = exp.Struct(expressions=[exp.alias_(keys[0].this.copy(), "k"), exp.alias_(order.this.copy(), "v")])
        return exp.Transform(
            this=exp.ArraySort(this=exp.Anonymous(this="COLLECT_LIST", expressions=[struct])),
            expression=exp.Lambda(this=exp.Dot.build([exp.to_identifier("x"), exp.to_identifier("v")]),
                                  expressions=[exp.to_identifier("x")]),
        )
    if isinstance(node, exp.GroupConcat) and isinstance(node.this, exp.Order):
        raise UntranslatableError(f"ordered string aggregate has no order-keeping Spark form: {node.sql()}")
    if isinstance(node, exp.UnixToTime) and node.args.get("scale") is not None:
        if not _is_timestamp(node.this):
            raise UntranslatableError(f"epoch_ms of a non-timestamp is ambiguous across engines: {node.sql()}")
        return exp.Anonymous(this="UNIX_MILLIS", expressions=[node.this.copy()])
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "isfinite":
        if not _is_timestamp(node.expressions[0]):
            raise UntranslatableError(f"isfinite of a non-timestamp: {node.sql()}")
        return exp.true()
    if isinstance(node, exp.RegexpFullMatch):
        pattern = node.expression
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise UntranslatableError(f"regexp_full_match needs a literal pattern: {node.sql()}")
        return exp.RegexpLike(this=node.this.copy(), expression=exp.Literal.string(f"^(?:{pattern.this})$"))
    if isinstance(node, exp.RegexpReplace):
        modifiers = node.args.get("modifiers")
        if modifiers is None or "g" not in str(modifiers.this):
            raise UntranslatableError(f"regexp_replace of the first match only has no Spark form: {node.sql()}")
        replacement = node.args["replacement"]
        if not (isinstance(replacement, exp.Literal) and replacement.is_string):
            raise UntranslatableError(f"regexp_replace needs a literal replacement: {node.sql()}")
        if re.search(r"\(\?[a-z]*[^a-z:)]", str(node.expression.this)):
            raise UntranslatableError(f"unsupported regular-expression flag group: {node.sql()}")
        return exp.RegexpReplace(this=node.this.copy(), expression=node.expression.copy(),
                                 replacement=exp.Literal.string(_java_replacement(replacement.this)))
    return node


def to_dialect(sql: str, dialect: Dialect) -> str:
    """`sql` (DuckDB's dialect) for `dialect`; raises UntranslatableError where the meaning would change."""
    if dialect == "duckdb":
        return sql
    import sqlglot
    from sqlglot.errors import ErrorLevel

    tree = sqlglot.parse_one(sql, read="duckdb")
    # Children before parents (reversed pre-order), so a rewritten node's copies carry rewritten children.
    for node in reversed(list(tree.walk(bfs=False))):
        rewritten = _rewrite_for_spark(node)
        if rewritten is not node:
            if node is tree:
                tree = rewritten
            else:
                node.replace(rewritten)
    return tree.sql(dialect="spark", unsupported_level=ErrorLevel.RAISE)
