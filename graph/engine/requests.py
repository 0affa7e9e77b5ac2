"""The request log on Spark: the loader's validation, quarantine and aggregates, from the same SQL.

The embedded loader stages a file in DuckDB (`graph.load.stage`), marks malformed addresses, gives prompts
their template ids and aggregates the valid requests (`graph.load.aggregate`). Here the same statements run
on Spark (`graph.engine.sql.to_dialect`), and only what must differ is written for Spark:

- reading the file (Spark's readers; every value as text, the 0-based row index in file order);
- the address lookup: dotted-quad IPv4 in SQL as in DuckDB, the rest (IPv6, garbage; few distinct values)
  through the same Python parser (`graph.load.addresses.parse_address`);
- template ids: Spark counts the distinct masked prompts, the driver runs the same assignment
  (`assign_template_ids`, earlier loads' templates folded in) and hands the map back to Spark.

What comes back to the loader is small: the aggregate tables (one row per account × identifier, never per
request), the rows to quarantine (and the multi-line rows, for physical line numbers) and the file's address
lookup, as Parquet in a private folder, then as DuckDB tables of the same names as the embedded loader's. From
there the load is the embedded one: ledgered, resumable batches into Neo4j.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd  # the Spark extra's; pyspark resolves the UDF's type hints from this module
import pyarrow as pa

from graph.db import Database
from graph.engine.spark import require_pyspark, spark_session
from graph.engine.sql import to_dialect
from graph.errors import InputError, LinkageError
from graph.load.addresses import IPV4_PATTERN, parse_address
from graph.load.aggregate import VALID, request_aggregates, request_steps, request_table_sql, stored_templates
from graph.load.fingerprints import assign_template_ids
from graph.load.inputs import InputFile
from graph.load.pipeline import PreparedRequests, RequestPreparer
from graph.load.stage import (
    _plan_requests,
    column_warnings,
    guard_checks,
    newline_count_sql,
    normalised_columns,
    stage_select_sql,
)
from graph.load.templates import mask_prompt
from graph.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

ROW = "_linkage_row"


def _sql(spark: SparkSession, sql: str) -> DataFrame:
    return spark.sql(to_dialect(sql, "spark"))


def read_input(spark: SparkSession, input_file: InputFile) -> DataFrame:
    """The file with every value as text and `_linkage_row`, the row's 0-based index in file order."""
    path = str(input_file.path)
    try:
        if input_file.format == "csv":
            # RFC 4180 as the embedded reader: quoted values may hold commas, quotes ("") and newlines.
            frame = spark.read.csv(path, header=True, inferSchema=False, multiLine=True, quote='"', escape='"',
                                   ignoreLeadingWhiteSpace=False, ignoreTrailingWhiteSpace=False)
        elif input_file.format == "jsonl":
            frame = spark.read.json(path, primitivesAsString=True, mode="FAILFAST")
        else:
            frame = spark.read.parquet(path)
            frame = frame.select([column(name).cast("string").alias(name) for name in frame.columns])
    except Exception as error:  # Spark raises its own analysis errors for unreadable input
        raise InputError(f"cannot read {input_file.format} on Spark: {str(error).splitlines()[0]}",
                         path=path) from error
    return with_row_index(frame)


def column(name: str) -> Column:
    """A column by its exact name, whatever it holds (backticks escaped, never parsed as an expression)."""
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def with_row_index(frame: DataFrame) -> DataFrame:
    """`frame` with `_linkage_row`, each row's 0-based index in file order, computed in the JVM.

    A file is read in blocks (a multi-line CSV in one); within a block rows keep the file's order and get
    consecutive `monotonically_increasing_id`s, but Spark packs blocks into tasks by size, not by offset. So
    each row's index is the rows in the blocks before its own (by offset; one small aggregate, collected) plus
    its place in its block.
    """
    from pyspark.sql import functions as F

    tagged = frame.select("*", F.col("_metadata.file_block_start").alias("_linkage_block"),
                          F.monotonically_increasing_id().alias("_linkage_id"))
    blocks = tagged.groupBy("_linkage_block").agg(F.count(F.lit(1)).alias("_rows"),
                                                  F.min("_linkage_id").alias("_first"))
    ordered = sorted((row["_linkage_block"], row["_rows"], row["_first"]) for row in blocks.collect())
    offsets, before = [], 0
    for block, rows, first in ordered:
        offsets.append((block, before, first))
        before += rows
    spark = frame.sparkSession
    table = spark.createDataFrame(offsets, "_linkage_block LONG, _before LONG, _first LONG")
    indexed = tagged.join(F.broadcast(table), "_linkage_block")
    return indexed.select(*[column(name) for name in frame.columns],
                          (F.col("_before") + F.col("_linkage_id") - F.col("_first")).alias(ROW))


def stage(spark: SparkSession, input_file: InputFile, bucket_minutes: int) -> tuple[DataFrame, list[str]]:
    """The staged, checked rows (the embedded loader's stage table), and the column warnings."""
    raw = read_input(spark, input_file)
    present = [name for name in raw.columns if name != ROW]
    warnings = column_warnings(input_file, present, [])
    raw.createOrReplaceTempView("raw_requests")
    columns, checks = _plan_requests(bucket_minutes)
    register_mask(spark)
    columns = {**columns, "masked": "CASE WHEN prompt IS NOT NULL THEN linkage_mask_prompt(prompt) END"}
    first, last = guard_checks(present, [])
    select = stage_select_sql("raw_requests", ROW, newline_count_sql(input_file, present),
                              normalised_columns(input_file, present, []), (columns, [*first, *checks, *last]), [])
    return _sql(spark, select), warnings


def register_mask(spark: SparkSession) -> None:
    """`linkage_mask_prompt`: `mask_prompt` itself, over Arrow batches. The masking SQL transpiles, but Java's
    regular expressions and case mapping differ from RE2's and Python's on unusual text (line separators
    other than \\n, case-insensitive classes beyond ASCII, final sigma), and a prompt masked differently is a
    different template: so Spark runs the one Python definition."""
    from pyspark.sql.functions import pandas_udf

    def linkage_mask_prompt(prompts: pd.Series) -> pd.Series:
        return prompts.map(mask_prompt, na_action="ignore")

    spark.udf.register("linkage_mask_prompt", pandas_udf(linkage_mask_prompt, "string"))  # type: ignore[call-overload]


def address_lookup(spark: SparkSession, staged: str) -> DataFrame:
    """(raw, address, version) for the distinct addresses of `staged`; malformed ones with a NULL address."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import IntegerType, StringType, StructField, StructType

    distinct = _sql(spark, f"SELECT DISTINCT ip AS raw FROM {staged} WHERE ip IS NOT NULL")
    distinct.createOrReplaceTempView("distinct_ips")
    ipv4 = _sql(spark, f"""
        SELECT raw, raw AS address, CAST(4 AS INTEGER) AS version FROM distinct_ips
        WHERE regexp_full_match(raw, '{IPV4_PATTERN}')
    """)
    others = _sql(spark, f"SELECT raw FROM distinct_ips WHERE NOT regexp_full_match(raw, '{IPV4_PATTERN}')")
    result = StructType([StructField("address", StringType()), StructField("version", IntegerType())])

    @F.udf(returnType=result)
    def parse(raw: str) -> tuple[str, int] | None:
        parsed = parse_address(raw)
        return (parsed[0], parsed[1]) if parsed else None

    parsed = others.select("raw", parse("raw").alias("p")).select("raw", "p.address", "p.version")
    return ipv4.unionByName(parsed)


def _write(frame: DataFrame, folder: Path, name: str) -> Path:
    path = folder / f"{name}.parquet"
    frame.write.mode("overwrite").parquet(str(path))
    return path


def _to_duckdb(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    # The path is bound, never written into the SQL; the loader's DuckDB may read only its own folders.
    con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_parquet($path)",
                {"path": str(path / "*.parquet")})


def prepare_requests_on_spark(spark: SparkSession, con: duckdb.DuckDBPyConnection, database: Database,
                              input_file: InputFile, file_id: str, folder: Path) -> PreparedRequests:
    """Stage, check and aggregate a request file on Spark; leave in DuckDB `con` the tables the embedded
    loader would have made: the step tables, `stage_requests` (only the bad and the multi-line rows, which is
    all quarantine reads) and `ip_lookup_requests`."""
    from pyspark import StorageLevel

    folder.mkdir(parents=True, exist_ok=True)
    staged, warnings = stage(spark, input_file, database.settings.activity_bucket_minutes)
    staged.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        staged.createOrReplaceTempView("staged_requests")
        lookup = address_lookup(spark, "staged_requests")
        lookup_path = _write(lookup, folder, "ip_lookup_requests")
        spark.read.parquet(str(lookup_path)).createOrReplaceTempView("ip_lookup_requests")
        # Malformed addresses, on rows no earlier check refused (the embedded loader's `mark_bad_addresses`
        # is an UPDATE; Spark's frames are immutable, so here it is a projection).
        kept = ", ".join(f"s.{name}" for name in staged.columns
                         if name not in ("_bad_field", "_bad_reason", "_bad_value"))
        malformed = "s._bad_field IS NULL AND s.ip IS NOT NULL AND l.address IS NULL"
        checked = _sql(spark, f"""
            SELECT {kept},
                   CASE WHEN {malformed} THEN 'ip' ELSE s._bad_field END AS _bad_field,
                   CASE WHEN {malformed} THEN 'malformed IP address' ELSE s._bad_reason END AS _bad_reason,
                   CASE WHEN {malformed} THEN s.ip ELSE s._bad_value END AS _bad_value
            FROM staged_requests s LEFT JOIN ip_lookup_requests l ON l.raw = s.ip
        """)
        checked_path = _write(checked, folder, "checked")
        spark.read.parquet(str(checked_path)).createOrReplaceTempView("stage_requests")
    finally:
        staged.unpersist()
    rows = spark.table("stage_requests").count()
    _template_tables(spark, database, file_id)
    req = _sql(spark, request_table_sql("stage_requests"))
    # The valid requests, read by every aggregate below.
    spark.read.parquet(str(_write(req, folder, "req"))).createOrReplaceTempView("req")
    loaded = spark.table("req").count()
    for table, sql in request_aggregates().items():
        _to_duckdb(con, table, _write(_sql(spark, sql), folder, table))
    quarantine = _sql(spark, "SELECT _row, _nl, _bad_ref_row, _bad_field, _bad_reason, _bad_value "
                             f"FROM stage_requests WHERE NOT ({VALID}) OR _nl > 0")
    _to_duckdb(con, "stage_requests", _write(quarantine, folder, "quarantine"))
    _to_duckdb(con, "ip_lookup_requests", lookup_path)
    for name in ("checked", "req"):  # the per-request copies; the aggregates stay until the load ends
        shutil.rmtree(folder / f"{name}.parquet", ignore_errors=True)
    return PreparedRequests(rows, loaded, request_steps(file_id), warnings)


def _template_tables(spark: SparkSession, database: Database, file_id: str) -> None:
    """Views `template_map` and `template_info`: the distinct masked prompts are counted on Spark, the ids
    assigned on the driver exactly as the embedded loader does (`assign_template_ids`)."""
    counts = _sql(spark, f"SELECT masked, count(*) AS n FROM stage_requests WHERE {VALID} AND masked IS NOT NULL "
                         "GROUP BY masked")
    frame: pd.DataFrame = counts.toPandas()
    masked_counts: dict[str, int] = dict(zip(frame["masked"].tolist(), frame["n"].tolist(), strict=True))
    stored = stored_templates(database) if masked_counts else []
    mapping, info = assign_template_ids(masked_counts, stored, file_id=file_id)
    template_map = pa.table({"masked": pa.array(list(mapping), pa.string()),
                             "template_id": pa.array(list(mapping.values()), pa.string())})
    template_info = pa.table({"template_id": pa.array(list(info), pa.string()),
                              "skeleton": pa.array([value[0] for value in info.values()], pa.string()),
                              "band_keys": pa.array([value[1] for value in info.values()], pa.list_(pa.string()))})
    for name, table in (("template_map", template_map), ("template_info", template_info)):
        frame_from_arrow(spark, table).createOrReplaceTempView(name)


def frame_from_arrow(spark: SparkSession, table: pa.Table) -> DataFrame:
    """A Spark frame of an Arrow table made on the driver (through pandas and Arrow, not row by row); its
    schema is the table's, so an empty table gives an empty frame of the right columns."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return spark.createDataFrame(table.to_pandas(), schema=from_arrow_schema(table.schema))


@contextmanager
def spark_request_preparer(settings: Settings) -> Iterator[tuple[RequestPreparer, Path]]:
    """For `load_directory`: request logs prepared on the settings' Spark, and the private folder (under
    LINKAGE_SPARK_WORK_DIR, removed afterwards) where Spark hands its results over to the loader's DuckDB."""
    require_pyspark()
    work = settings.spark_work_dir.absolute()  # Spark resolves relative paths against its own start folder
    work.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="load-", dir=work))

    def prepare(con: duckdb.DuckDBPyConnection, database: Database, input_file: InputFile,
                file_id: str) -> PreparedRequests:
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException

        try:
            return prepare_requests_on_spark(spark_session(settings), con, database, input_file, file_id,
                                             folder / file_id)
        except (PySparkException, Py4JError) as error:  # nothing was written: the load stops, named
            raise LinkageError(f"{input_file.path}: Spark could not prepare the request log: "
                               f"{str(error).strip().splitlines()[0]}") from error

    try:
        yield prepare, folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
