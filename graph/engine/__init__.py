"""The engines linkage runs its bulk data work on: the embedded one (DuckDB and numpy in this process, the
default) or Apache Spark (`LINKAGE_ENGINE=spark`, `pip install 'linkage[spark]'`), following the pattern of
running one set of algorithms on a local SQL engine and on Spark at scale.

- `graph.engine.sql`: the request log's validation and aggregates, written once in DuckDB's dialect and
  transpiled to Spark SQL with sqlglot (per-dialect text only where the engines must differ).
- `graph.engine.spark`: the Spark session built from the settings.
- `graph.engine.requests`: the request log staged, checked, quarantined and aggregated on Spark.
- `graph.engine.detect`: detection's candidates, scores, connected components (large-star / small-star)
  and per-cluster signals on Spark.
- `graph.engine.connector`: aggregates written to Neo4j with the Neo4j Connector for Apache Spark.
"""
