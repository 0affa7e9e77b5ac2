"""The Spark session of the Spark engine: one per process, built from the settings.

`LINKAGE_SPARK_MASTER` is a master URL (`local[N]`, `spark://host:7077`, `yarn`, `k8s://…`) or a Spark
Connect address (`sc://host:15002`). Sessions run in UTC (activity buckets and epoch times must not depend on
the machine's zone), without the web UI, with Arrow transfers to Python, and with the Neo4j Connector for
Apache Spark on the class path (`graph.engine.connector.connector_jar`: its shaded jar, fetched from Maven
Central once and checked against its digest; the published POM names an unpublished module, so Spark's own
package resolution cannot fetch it).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from graph.engine.connector import connector_jar
from graph.errors import ConfigurationError
from graph.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

INSTALL_HINT = "pip install 'linkage[spark]'"


def require_pyspark() -> None:
    """Raise ConfigurationError naming the install command when pyspark is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError as error:
        raise ConfigurationError(f"LINKAGE_ENGINE=spark needs Apache Spark for Python: {INSTALL_HINT}") from error


def local_parallelism(master: str) -> int | None:
    """The number of worker threads of a `local[N]` master (None for a cluster or `local[*]`).

        >>> local_parallelism("local[2]"), local_parallelism("local"), local_parallelism("spark://h:7077")
        (2, 1, None)
    """
    if master == "local":
        return 1
    if master.startswith("local[") and master.endswith("]") and master[6:-1].isdigit():
        return int(master[6:-1])
    return None


def spark_session(settings: Settings, app_name: str = "linkage") -> SparkSession:
    """The process's Spark session (created on first use, then shared)."""
    require_pyspark()
    from pyspark.sql import SparkSession

    master = settings.spark_master
    # Python workers run this interpreter, so they import the same numpy and linkage as the driver.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master.startswith("sc://"):
        builder = builder.remote(master)
    else:
        builder = builder.master(master).config("spark.driver.memory", settings.spark_driver_memory)
        threads = local_parallelism(master) or os.cpu_count() or 2
        # Few, larger shuffle partitions on one machine; a cluster sets its own (spark-defaults.conf).
        if master.startswith("local"):
            builder = builder.config("spark.sql.shuffle.partitions", str(max(2, 2 * threads)))
        local_dir = settings.spark_work_dir.absolute() / "tmp"
        local_dir.mkdir(parents=True, exist_ok=True)
        builder = builder.config("spark.local.dir", str(local_dir))
    jar = connector_jar(settings)
    if jar is not None:
        builder = builder.config("spark.jars", str(jar))
    return (
        builder.config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .getOrCreate()
    )
