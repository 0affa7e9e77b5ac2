"""The local server manager on the real thing: a second instance beside the test server, with its own
home and ports; status tells the truth after start and stop."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.devserver import bolt_answers, server_status, start_server, stop_server
from graph.settings import Settings
from tests.cypher import read
from tests.neo4j_harness import local_test_settings


@pytest.fixture()
def second_instance(tmp_path: Path, neo4j_settings: Settings) -> Settings:
    if not neo4j_settings.is_local_server:
        pytest.skip("the session uses an external Neo4j; the local manager is not in play")
    return local_test_settings(neo4j_uri="bolt://127.0.0.1:17688", neo4j_http_port=17475,
                               neo4j_home=tmp_path / "second", neo4j_heap="512m", neo4j_pagecache="128m",
                               neo4j_tx_memory="256m")


def test_two_instances_side_by_side_and_truthful_status(second_instance: Settings,
                                                        neo4j_settings: Settings) -> None:
    import urllib.request

    assert not server_status(second_instance).running
    try:
        started = start_server(second_instance, echo=lambda _: None)
        assert started.running and started.bolt_answers
        assert bolt_answers(neo4j_settings), "the session's server must keep running beside it"
        with urllib.request.urlopen("http://127.0.0.1:17475/browser/", timeout=10) as response:
            assert b"Neo4j Browser" in response.read()
        from graph.db import connect

        with connect(second_instance) as db:
            assert read(db, "RETURN apoc.version() AS v")[0]["v"].startswith("5.26")
    finally:
        stopped = stop_server(second_instance)
    assert not stopped.running and not stopped.bolt_answers
    assert not server_status(second_instance).running
    assert bolt_answers(neo4j_settings)


def test_start_refuses_a_port_taken_by_another_program(tmp_path: Path, neo4j_settings: Settings) -> None:
    from graph.errors import LocalServerError

    if not neo4j_settings.is_local_server:
        pytest.skip("the session uses an external Neo4j")
    # The session server holds its Bolt port; a new home on the same port must not start.
    clash = local_test_settings(neo4j_uri=neo4j_settings.neo4j_uri, neo4j_http_port=17476,
                                neo4j_home=tmp_path / "clash")
    with pytest.raises(LocalServerError, match="already in use"):
        start_server(clash, echo=lambda _: None)
