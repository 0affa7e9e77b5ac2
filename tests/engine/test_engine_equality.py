"""The same request log through both engines gives the same aggregates and the same quarantine.

The loader's SQL is written once (DuckDB's dialect) and transpiled for Spark (graph/engine/sql.py); these
tests are what makes "the same" true rather than hoped: every aggregate table row for row (lists in their
order), and the quarantine file byte for byte, on a log with every kind of row the loader treats specially.
"""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from pathlib import Path

import pytest

from graph.db import Database, connect
from graph.engine.requests import spark_request_preparer
from graph.engine.sql import to_dialect
from graph.load.inputs import discover_inputs, inspect_file
from graph.load.pipeline import LoadRun, duckdb_session, prepare_file
from tests.engine.request_files import EDGE_ROWS, write_request_csv, write_request_jsonl


def prepared(database: Database, folder: Path, quarantine: Path, engine: str, work: Path) -> dict[str, list[tuple]]:
    """Every table the request file is written from, and its quarantine file, prepared on `engine`."""
    settings = database.settings.model_copy(
        update={"engine": engine, "spark_master": "local[1]", "spark_work_dir": work})
    [input_file] = discover_inputs(folder)
    with ExitStack() as stack:
        db = stack.enter_context(connect(settings))
        preparer, readable = None, []
        if engine == "spark":
            preparer, handover = stack.enter_context(spark_request_preparer(settings))
            readable = [handover]
        con = stack.enter_context(duckdb_session([input_file.path, *readable]))
        run = LoadRun(db, con, quarantine, 1000, None, preparer)
        _, steps, summary = prepare_file(run, input_file, inspect_file(input_file, max_decompressed=1 << 30))
        tables: dict[str, list[tuple]] = {
            step.table: sorted(con.execute(f"SELECT * FROM {step.table}").fetchall(), key=repr) for step in steps}
        tables["columns"] = [tuple(con.execute(f"SELECT * FROM {step.table} LIMIT 0").description or ())
                             for step in steps]
    tables["summary"] = [(summary.read, summary.loaded, summary.quarantined)]
    tables["quarantine"] = [(quarantine / "requests.csv").read_text(encoding="utf-8")]  # named after the table
    return tables


@pytest.mark.parametrize("form", ["csv", "jsonl"])
def test_request_aggregates_and_quarantine_are_identical_on_both_engines(
        spark, clean_database: Database, tmp_path: Path, form: str) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "input"
    folder.mkdir()
    source = write_request_csv(tmp_path / "source")
    if form == "csv":
        shutil.copy(source, folder / "requests.csv")
    else:
        write_request_jsonl(folder, source)
    # Small read blocks, so Spark reads the JSONL file in several (the row numbers must still follow the file).
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(64 * 1024))
    try:
        embedded = prepared(clean_database, folder, tmp_path / "q-duckdb", "duckdb", tmp_path / "spark")
        distributed = prepared(clean_database, folder, tmp_path / "q-spark", "spark", tmp_path / "spark")
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")

    assert embedded.keys() == distributed.keys()
    for table in embedded:
        assert embedded[table] == distributed[table], f"{table} differs between the engines"
    read, loaded, quarantined = embedded["summary"][0]
    assert read == loaded + quarantined and quarantined >= 8  # the edge rows the loader refuses
    assert len(embedded["step_account_activity"]) > 100 and len(embedded["step_sent_template"]) > 1000
    # The ordered lists kept their order on Spark (collect_list alone would not promise it).
    assert all(list(row[-2]) == sorted(row[-2]) for row in distributed["step_account_activity"])
    reasons = embedded["quarantine"][0]
    for reason in ("not an ISO 8601 timestamp", "negative token count", "not an integer", "malformed IP address",
                   "missing account_id"):
        assert reason in reasons
    assert len(EDGE_ROWS) <= 3000 // 100


@pytest.mark.parametrize("sql", [
    "SELECT string_agg(b, ',' ORDER BY b) FROM t",
    "SELECT list(b ORDER BY b DESC) FROM t",
    "SELECT regexp_replace(p, 'a', 'b') FROM t",
    "SELECT epoch_ms(n) FROM t",
])
def test_constructs_whose_meaning_would_change_are_refused(sql: str) -> None:
    from graph.engine.sql import UntranslatableError

    with pytest.raises(UntranslatableError):
        to_dialect(sql, "spark")


def test_a_log_of_only_bad_rows_loads_nothing_on_either_engine(spark, clean_database: Database,  # type: ignore[no-untyped-def]
                                                              tmp_path: Path) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "requests.csv").write_text("ts,account_id,input_tokens,prompt\nyesterday,a1,5,hi\n,a2,3,\n"
                                         "2025-03-01T10:00:00Z,,4,\"two\nlines\"\n2025-03-01T10:00:00Z,a3,-1,x\n")
    embedded = prepared(clean_database, folder, tmp_path / "q-duckdb", "duckdb", tmp_path / "spark")
    distributed = prepared(clean_database, folder, tmp_path / "q-spark", "spark", tmp_path / "spark")
    assert embedded == distributed
    assert embedded["summary"] == [(4, 0, 4)]
    assert all(embedded[table] == [] for table in embedded if table.startswith("step_"))
    # The multi-line row's physical line numbers count its embedded newline on both engines.
    assert '"requests.csv",6,"input_tokens","negative token count"' in distributed["quarantine"][0]
