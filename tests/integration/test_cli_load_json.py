"""`linkage load --json`: stdout is exactly one JSON document, progress goes to stderr. In a module of its
own: it empties the database, which the fixture graph of tests/integration/test_cli_json.py must not see
mid-module."""

from __future__ import annotations

import shutil
from pathlib import Path

from graph.db import Database
from tests.conftest import forget_graph_contents
from tests.cypher import read
from tests.integration.test_cli_json import BAD_INPUTS, run_json


def test_load_json_has_every_file_and_progress_stays_on_stderr(clean_database: Database, cli_env: Path) -> None:
    folder = cli_env / "bad"
    shutil.copytree(BAD_INPUTS, folder)
    forget_graph_contents()
    code, summary, stderr = run_json("load", str(folder), "--json")
    assert code == 0, stderr
    assert isinstance(summary, dict)
    tables = {row["table"]: row for row in summary["tables"]}
    assert {"accounts", "payment_methods", "requests", "ip_intel"} <= set(tables)
    for row in summary["tables"]:
        assert row["read"] == row["loaded"] + row["quarantined"]
    assert summary["quarantined"] > 0 and summary["loaded"] == sum(r["loaded"] for r in summary["tables"])
    accounts = read(clean_database, "MATCH (a:Account) RETURN count(a) AS n")[0]["n"]
    assert accounts == tables["accounts"]["loaded"]
    assert "accounts" in stderr  # the progress bars' labels
