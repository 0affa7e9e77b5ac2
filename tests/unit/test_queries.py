"""Every queries/*.cypher file parses, names are unique and match the file, declared params are exactly the
`$params` the text uses (BloodHound-style query library checks), and every label and relationship type a
query names is declared in graph/schema.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.queries import MODES, QUERIES_DIR, QueryFileError, get_query, inline_query, load_queries, parse_query
from graph.schema import LABELS_BY_NAME, NODE_LABELS, REL_TYPES, REL_TYPES_BY_NAME

FILES = sorted(QUERIES_DIR.glob("*.cypher"))


def test_every_file_parses_and_names_are_unique() -> None:
    queries = load_queries()
    assert len(queries) == len(FILES)
    assert set(queries) == {path.stem for path in FILES}


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_declared_params_are_the_used_params(path: Path) -> None:
    query = parse_query(path.read_text(encoding="utf-8"), path=path)
    assert set(query.params) == query.used_params(), query.name
    assert query.description and query.mode in MODES


def test_header_errors_are_reported() -> None:
    with pytest.raises(QueryFileError, match="lacks 'mode'"):
        parse_query("// name: x\n// description: d\nRETURN 1")
    with pytest.raises(QueryFileError, match="not a header line"):
        parse_query("// name: x\n// colour: blue\nRETURN 1")
    with pytest.raises(QueryFileError, match="unique name"):
        parse_query(
            "// name: x\n// description: d\n// mode: read\n// param a: int\n// param a: int\nRETURN $a"
        )
    with pytest.raises(QueryFileError, match="no query named"):
        get_query("no_such_query")


def test_params_inside_strings_and_comments_do_not_count() -> None:
    query = parse_query(
        "// name: x\n// description: d\n// mode: read\n// param a: int\n"
        "RETURN $a, '$not_a_param' AS s // $nor_this"
    )
    assert query.used_params() == {"a"}


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_labels_and_relationship_types_are_declared_in_the_schema(path: Path) -> None:
    query = parse_query(path.read_text(encoding="utf-8"), path=path)
    assert query.used_labels() <= set(LABELS_BY_NAME), \
        f"{query.name}: labels not in graph/schema.py: {sorted(query.used_labels() - set(LABELS_BY_NAME))}"
    assert query.used_rel_types() <= set(REL_TYPES_BY_NAME), \
        f"{query.name}: types not in graph/schema.py: {sorted(query.used_rel_types() - set(REL_TYPES_BY_NAME))}"


def test_the_library_names_every_label_and_type_it_is_checked_against() -> None:
    """The check above reads labels and types out of the text; across the library it must find them all."""
    queries = load_queries().values()
    assert set().union(*(query.used_labels() for query in queries)) == set(LABELS_BY_NAME)
    assert set().union(*(query.used_rel_types() for query in queries)) == set(REL_TYPES_BY_NAME)


def test_label_and_type_reading_ignores_strings_comments_and_map_keys() -> None:
    query = inline_query(
        "MATCH (a:Account)-[:PAID_WITH]->(p) // (x:Comment)-[:IN_COMMENT]->()\n"
        "WHERE p:PaymentMethod|Other AND NOT a:!Cluster\n"
        "RETURN {kind: 'x:NotALabel', n: COUNT { (:IP)<-[r:USED_IP|SIGNED_UP_FROM*1..2]-() }} AS m"
    )
    assert query.used_labels() == {"Account", "PaymentMethod", "Other", "Cluster", "IP"}
    assert query.used_rel_types() == {"PAID_WITH", "USED_IP", "SIGNED_UP_FROM"}


def test_count_graph_query_counts_every_label_and_type() -> None:
    query = get_query("db_count_graph")
    assert query.used_labels() == {label.name for label in NODE_LABELS}
    assert query.used_rel_types() == {rel.name for rel in REL_TYPES}
