"""Every queries/*.cypher file parses, names are unique and match the file, and declared params are
exactly the `$params` the text uses (BloodHound-style query library checks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.queries import QUERIES_DIR, QueryFileError, get_query, load_queries, parse_query

FILES = sorted(QUERIES_DIR.glob("*.cypher"))


def test_every_file_parses_and_names_are_unique() -> None:
    queries = load_queries()
    assert len(queries) == len(FILES)
    assert set(queries) == {path.stem for path in FILES}


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_declared_params_are_the_used_params(path: Path) -> None:
    query = parse_query(path.read_text(encoding="utf-8"), path=path)
    assert set(query.params) == query.used_params(), query.name
    assert query.description and query.mode in ("read", "write")


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
