"""`linkage load --engine spark` and `linkage detect --engine spark` through the CLI, against the embedded
engine's results on the same data (the engines' own equality tests are in tests/engine)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from graph.db import Database
from tests.conftest import GeneratedDataset, LoadDataset, forget_graph_contents, reset_database
from tests.cypher import read

COUNTS = """
    MATCH (n) WITH labels(n)[0] AS label, count(*) AS nodes
    RETURN label, nodes ORDER BY label
"""
RELATIONSHIPS = """
    MATCH ()-[r]->() WITH type(r) AS type, count(*) AS n, sum(coalesce(r.requests, 0)) AS requests
    RETURN type, n, requests ORDER BY type
"""


def cli(*args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else {}


def graph_shape(database: Database) -> tuple[list[dict], list[dict]]:  # type: ignore[type-arg]
    return ([row for row in read(database, COUNTS) if row["label"] != "LoadBatch"],
            read(database, RELATIONSHIPS))


def test_load_on_spark_builds_the_same_graph(spark, clean_database: Database,  # type: ignore[no-untyped-def]
                                             generated_dataset: GeneratedDataset, cli_env: Path) -> None:
    folder = generated_dataset(1000, 8, "full")
    spark_run = cli("load", str(folder), "--engine", "spark", "--quarantine", str(cli_env / "q-spark"), "--json")
    on_spark = graph_shape(clean_database)
    reset_database(clean_database)
    embedded_run = cli("load", str(folder), "--engine", "duckdb", "--transactional",
                       "--quarantine", str(cli_env / "q-duckdb"), "--json")
    embedded = graph_shape(clean_database)
    forget_graph_contents()
    assert on_spark == embedded
    assert dict(on_spark[0][0])["nodes"] > 0 and len(on_spark[1]) >= 8
    tables = [(t["table"], t["read"], t["loaded"], t["quarantined"]) for t in spark_run["tables"]]
    assert tables == [(t["table"], t["read"], t["loaded"], t["quarantined"]) for t in embedded_run["tables"]]
    assert (cli_env / "q-spark" / "requests.csv").read_bytes() == (cli_env / "q-duckdb" / "requests.csv").read_bytes()


def test_detect_on_spark_and_from_saved_inputs(spark, loaded_dataset: LoadDataset,  # type: ignore[no-untyped-def]
                                               cli_env: Path) -> None:
    loaded_dataset(2000, 21, scenario="full")
    on_spark = cli("detect", "--engine", "spark", "--save-inputs", str(cli_env / "inputs"), "--json", "--no-alerts")
    again = cli("detect", "--engine", "duckdb", "--inputs", str(cli_env / "inputs"), "--json", "--no-alerts")
    forget_graph_contents()
    assert on_spark["clusters"] >= 10 and on_spark["verdicts"]["suspicious"] >= 3
    assert (again["clusters"], again["members"], again["verdicts"]) == \
           (on_spark["clusters"], on_spark["members"], on_spark["verdicts"])
    assert {change: n for change, n in again["changes"].items() if n} == {"unchanged": again["clusters"]}
    assert again["changed_clusters"] == []
    assert (cli_env / "inputs" / "input.json").exists()
