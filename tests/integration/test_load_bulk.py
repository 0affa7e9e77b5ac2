"""The bulk first load (`linkage load --bulk`: neo4j-admin database import into an empty local server)
builds the transactional loader's graph: every node and relationship with every property, the same
ledger of loaded files, the same quarantine, and the same clusters from `linkage detect`.

The bulk side needs a server it may stop: a second local instance of its own (own home and ports, small
memory), started for this module. The transactional side is the session's test server.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.cli.bulk import plan_load
from graph.db import Database, connect
from graph.detect.pipeline import run_detection
from graph.devserver import server_status, start_server, stop_server
from graph.load import load_directory
from graph.maintenance import count_graph, delete_all_data
from graph.settings import Settings
from tests.conftest import GeneratedDataset, forget_graph_contents
from tests.cypher import read, write
from tests.integration.load_helpers import canonical_dump
from tests.neo4j_harness import TEST_BOLT_PORT, TEST_HTTP_PORT, local_test_settings

BAD_ACCOUNT = '"acct_bad_date","not-a-date","x@example.org","example.org","DE",,"free","10.0.0.1","active"\n'
BAD_PAYMENT = '"acct_d301f2f25c2e",,"card","DE","2026-10-03T07:39:07Z"\n'


@pytest.fixture(scope="module")
def bulk_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A second local server, stopped at the end of the module."""
    settings = local_test_settings(
        neo4j_home=tmp_path_factory.mktemp("bulk-neo4j"), neo4j_uri=f"bolt://127.0.0.1:{TEST_BOLT_PORT + 3}",
        neo4j_http_port=TEST_HTTP_PORT + 3, neo4j_heap="1g", neo4j_pagecache="256m", load_bulk_heap="512m",
        load_bulk_off_heap="512m")
    start_server(settings, echo=lambda _: None)
    try:
        yield settings
    finally:
        stop_server(settings)


@pytest.fixture(scope="module")
def folder(generated_dataset: GeneratedDataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated world with bad rows added, so both loads also quarantine."""
    target = tmp_path_factory.mktemp("bulk-input") / "data"
    shutil.copytree(generated_dataset(1_000, 11), target)
    with (target / "accounts.csv").open("a") as accounts:
        accounts.write(BAD_ACCOUNT)
    header = (target / "payment_methods.csv").read_text().splitlines()[0]
    assert header.count(",") == BAD_PAYMENT.count(","), header  # the bad row has the file's columns
    with (target / "payment_methods.csv").open("a") as payments:
        payments.write(BAD_PAYMENT)
    return target


def clusters(database: Database) -> list[tuple[str, list[str], float, str, list[str]]]:
    summary = run_detection(database, alerts=False)
    return sorted((c.cluster_id, sorted(c.members), round(c.score, 9), c.verdict, sorted(c.signals))
                  for c in summary.clusters)


def ledger(database: Database) -> list[dict[str, Any]]:
    return read(database, "MATCH (f:LoadedFile) RETURN f.file_id AS id, f.name AS name, f.table AS table, "
                          "f.rows AS rows, f.loaded AS loaded, f.quarantined AS quarantined ORDER BY id")


def quarantine(path: Path) -> dict[str, str]:
    return {file.name: file.read_text() for file in sorted(path.iterdir())}


def test_bulk_load_builds_the_transactional_graph(
    clean_database: Database, bulk_settings: Settings, folder: Path, tmp_path: Path
) -> None:
    forget_graph_contents()
    load_directory(clean_database, folder, quarantine_dir=tmp_path / "q-transactional")

    runner = CliRunner()
    env = {"NEO4J_URI": bulk_settings.neo4j_uri, "NEO4J_PASSWORD": bulk_settings.neo4j_password.get_secret_value(),
           "LINKAGE_NEO4J_HOME": str(bulk_settings.neo4j_home),
           "LINKAGE_NEO4J_HTTP_PORT": str(bulk_settings.neo4j_http_port), "LINKAGE_NEO4J_HEAP": "1g",
           "LINKAGE_NEO4J_PAGECACHE": "256m", "LINKAGE_LOAD_BULK_HEAP": "512m",
           "LINKAGE_LOAD_BULK_OFF_HEAP": "512m", "LINKAGE_AUDIT_LOG": str(tmp_path / "audit.jsonl")}
    result = runner.invoke(app, ["load", str(folder), "--bulk", "--json", "--quarantine", str(tmp_path / "q-bulk")],
                           env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["mode"] == "bulk" and "neo4j-admin" in summary["mode_reason"]
    assert {row["table"]: row["quarantined"] for row in summary["tables"]} == {
        "ip_intel": 0, "accounts": 1, "payment_methods": 1, "requests": 0}
    assert server_status(bulk_settings).bolt_answers  # running again after the import

    with connect(bulk_settings) as bulk:
        transactional_counts, bulk_counts = count_graph(clean_database), count_graph(bulk)
        assert transactional_counts["nodes"].pop("LoadBatch") > 0 and bulk_counts["nodes"].pop("LoadBatch") == 0
        assert bulk_counts == transactional_counts
        assert bulk_counts["nodes"]["Account"] == 1_000 and bulk_counts["relationships"]["SENT_TEMPLATE"] > 0
        assert canonical_dump(bulk) == canonical_dump(clean_database)  # every property of every entity
        assert ledger(bulk) == ledger(clean_database) and len(ledger(bulk)) == 4
        assert quarantine(tmp_path / "q-bulk") == quarantine(tmp_path / "q-transactional")
        # the schema is in place: a duplicate key is refused
        constraints = read(bulk, "SHOW CONSTRAINTS YIELD name RETURN count(*) AS n")[0]["n"]
        assert constraints == read(clean_database, "SHOW CONSTRAINTS YIELD name RETURN count(*) AS n")[0]["n"] > 0

        found = clusters(bulk)
        assert any(verdict == "suspicious" for _, _, _, verdict, _ in found)
        assert found == clusters(clean_database)

        # the same folder again: every file is already loaded, the graph is not empty → transactions, no change
        before = count_graph(bulk)
        again = runner.invoke(app, ["load", str(folder), "--json", "--quarantine", str(tmp_path / "q-again")],
                              env=env)
        assert again.exit_code == 0, again.output
        repeat = json.loads(again.stdout)
        assert repeat["mode"] == "transactional" and "already holds" in repeat["mode_reason"]
        assert {row["status"] for row in repeat["tables"]} == {"skipped"}
        assert count_graph(bulk) == before
        delete_all_data(bulk)


def test_plan_says_why_the_load_is_transactional(bulk_settings: Settings, folder: Path) -> None:
    with connect(bulk_settings) as bulk:
        delete_all_data(bulk)
        assert plan_load(bulk, folder, bulk=True).bulk
        assert not plan_load(bulk, folder, bulk=False).bulk
        small = plan_load(bulk, folder)  # default: by size; the 1,000-account folder is under 32 MB
        assert not small.bulk and "LINKAGE_LOAD_BULK_MIN_BYTES" in small.reason
        bulk.settings = bulk_settings.model_copy(update={"load_bulk_min_bytes": 1})
        assert plan_load(bulk, folder).bulk
        write(bulk, "CREATE (:ApiCredential {key_id: 'k1'})")  # anything at all in the graph, even a key
        held = plan_load(bulk, folder, bulk=True)
        assert not held.bulk and "already holds 1 node" in held.reason
        delete_all_data(bulk)
    stopped = bulk_settings.model_copy(update={"neo4j_home": bulk_settings.neo4j_home / "elsewhere"})
    with connect(bulk_settings) as bulk:
        bulk.settings = stopped  # the server answering is not the instance managed in this home
        unmanaged = plan_load(bulk, folder, bulk=True)
        assert not unmanaged.bulk and "not the instance managed" in unmanaged.reason
    remote = Settings(_env_file=None, neo4j_uri="neo4j+s://graph.example.com:7687")  # type: ignore[call-arg]
    elsewhere = plan_load(Database(None, remote), folder, bulk=True)  # type: ignore[arg-type]
    assert not elsewhere.bulk and "not on this machine" in elsewhere.reason
