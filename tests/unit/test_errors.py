from __future__ import annotations

from neo4j import exceptions as neo4j_errors

from graph.db import map_driver_error
from graph.errors import DatabaseError, DatabaseUnavailableError, InputError, LinkageError


def test_input_error_names_file_line_and_field() -> None:
    error = InputError("not an ISO 8601 timestamp", path="in/requests.csv", line=17, field="ts")
    assert str(error) == "in/requests.csv:17: not an ISO 8601 timestamp (field 'ts')"
    assert isinstance(error, LinkageError) and error.code == "INPUT_ERROR"


def test_driver_errors_map_to_our_hierarchy() -> None:
    assert isinstance(map_driver_error(neo4j_errors.ServiceUnavailable("down")), DatabaseUnavailableError)
    auth = map_driver_error(neo4j_errors.AuthError("bad"))
    assert isinstance(auth, DatabaseError) and "credentials" in str(auth)
