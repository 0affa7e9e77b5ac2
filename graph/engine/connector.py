"""The Neo4j Connector for Apache Spark: its jar, and aggregates written to (and read from) Neo4j with it.

The connector is published on Maven Central as a shaded jar (the Java driver inside). Its POM names a
module that was never published, so Spark's `spark.jars.packages` cannot resolve it; `connector_jar` fetches
the jar itself into the Maven local repository (~/.m2/repository, shared with `mvn`) and checks it: against
the digest pinned here for the default version, else against the repository's SHA-1.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from graph.errors import ConfigurationError
from graph.schema import LABELS_BY_NAME, REL_TYPES_BY_NAME, NodeLabel
from graph.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, DataFrameReader, SparkSession

MAVEN_CENTRAL = "https://repo1.maven.org/maven2"
# SHA-256 of jars whose content we checked (the default of LINKAGE_SPARK_NEO4J_CONNECTOR).
PINNED_SHA256 = {
    "org.neo4j:neo4j-connector-apache-spark_2.12:5.0.3_for_spark_3":
        "d361558413d94c660a8a72f9674283946cee2115309a801a7e343cf1043377f6",
}


def maven_path(coordinate: str) -> str:
    """The repository path of a `group:artifact:version` jar.

        >>> maven_path("org.neo4j:neo4j-connector-apache-spark_2.12:5.0.3_for_spark_3")
        'org/neo4j/neo4j-connector-apache-spark_2.12/5.0.3_for_spark_3/neo4j-connector-apache-spark_2.12-5.0.3_for_spark_3.jar'
    """
    group, artifact, version = coordinate.split(":")
    return f"{group.replace('.', '/')}/{artifact}/{version}/{artifact}-{version}.jar"


def _digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verified(path: Path, coordinate: str, expected_sha1: str | None) -> bool:
    pinned = PINNED_SHA256.get(coordinate)
    if pinned is not None:
        return _digest(path, "sha256") == pinned
    return expected_sha1 is not None and _digest(path, "sha1") == expected_sha1


def connector_jar(settings: Settings, repository: str = MAVEN_CENTRAL) -> Path | None:
    """The connector's jar in the local Maven repository, fetched once (None when the setting is empty)."""
    coordinate = settings.spark_neo4j_connector
    if not coordinate:
        return None
    relative = maven_path(coordinate)
    target = Path(os.environ.get("MAVEN_REPO_LOCAL", Path.home() / ".m2" / "repository")) / relative
    if target.exists() and coordinate in PINNED_SHA256 and _verified(target, coordinate, None):
        return target
    url = f"{repository}/{relative}"
    try:
        expected_sha1 = None
        if coordinate not in PINNED_SHA256:
            answer = httpx.get(url + ".sha1", timeout=60, follow_redirects=True).raise_for_status()
            expected_sha1 = answer.text.split()[0]
        target.parent.mkdir(parents=True, exist_ok=True)
        with (tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as part,
              httpx.stream("GET", url, timeout=120, follow_redirects=True) as response):
            response.raise_for_status()
            for chunk in response.iter_bytes(1 << 20):
                part.write(chunk)
        if not _verified(Path(part.name), coordinate, expected_sha1):
            Path(part.name).unlink()
            raise ConfigurationError(f"{url}: the downloaded jar does not match its expected digest")
        Path(part.name).replace(target)
    except httpx.HTTPError as error:
        raise ConfigurationError(f"cannot fetch the Neo4j Connector for Apache Spark from {url}: {error}") from error
    return target


# --- Writing aggregates to Neo4j, and reading them back, through the connector -------------------------------
#
# The connector writes each Spark partition in its own task: `UNWIND $events` batches of `batch.size` rows per
# transaction, with the statement it builds from the options below (`MERGE (node:Label {key: event.keys.key})
# SET node += event.properties`; for relationships `MERGE (source…) MERGE (target…) MERGE (source)-[rel:TYPE]->
# (target) SET rel += event.rel.properties`). `SET +=` replaces property values, so a frame written here must
# hold complete aggregates (totals over all the data), not a batch's increments: the transactional loader
# (queries/load_used_ip.cypher) adds counts and widens first/last seen, the connector cannot. Spark
# TimestampType columns arrive as DateTime at UTC (what the loader's `datetime({epochMillis: …})` stores).

CONNECTOR_FORMAT = "org.neo4j.spark.DataSource"
# Labels, types and property names go into the option strings the connector parses (`col:prop,col:prop`), so
# only plain identifiers are accepted; values never go into options (they travel as the rows of `$events`).
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# The connector's read columns that are not properties: `<id>`, `<labels>`, `<rel.id>`, `<source.id>`, …
_INTERNAL_COLUMN = re.compile(r"^<.*>$")

Endpoint = tuple[str, Mapping[str, str]]  # (label, {frame column: node key property})


def connector_options(settings: Settings) -> dict[str, str]:
    """The connection options of every read and write: URL, basic authentication and the database, always
    named (a cluster's or a user's home database is never assumed).

        >>> options = connector_options(Settings(_env_file=None, NEO4J_URI="bolt://127.0.0.1:7999"))
        >>> options["url"], options["database"], options["authentication.type"]
        ('bolt://127.0.0.1:7999', 'neo4j', 'basic')
    """
    return {
        "url": settings.neo4j_uri,
        "authentication.type": "basic",
        "authentication.basic.username": settings.neo4j_user,
        "authentication.basic.password": settings.neo4j_password.get_secret_value(),
        "database": settings.neo4j_database,
    }


def _identifier(name: str, what: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ConfigurationError(f"{what} {name!r} is not a plain identifier")
    return name


def _node_label(name: str) -> NodeLabel:
    label = LABELS_BY_NAME.get(name)
    if label is None:
        raise ConfigurationError(f"{name!r} is not a node label of graph/schema.py")
    return label


def _property_list(mapping: Mapping[str, str], what: str) -> str:
    """`col:prop,col:prop`, the connector's syntax for a column-to-property mapping."""
    return ",".join(f"{_identifier(column, what)}:{_identifier(prop, what)}" for column, prop in mapping.items())


def _endpoint_keys(endpoint: Endpoint, expected_label: str, side: str) -> tuple[str, str]:
    label_name, keys = endpoint
    label = _node_label(label_name)
    if label.name != expected_label:
        raise ConfigurationError(f"the {side} of this relationship type is {expected_label}, not {label.name}")
    if label.key not in keys.values():
        raise ConfigurationError(f"the {side} {label.name} must be matched on its key {label.key}")
    return label.name, _property_list(keys, f"{side} key")


def write_nodes(frame: DataFrame, settings: Settings, label: str, keys: Sequence[str], *,
                batch_size: int | None = None) -> None:
    """MERGE one `label` node per row on `keys` (frame columns named as the node properties) and set every
    other column as a property. The label's key (graph/schema.py) must be among `keys`, so the MERGE is
    served by its uniqueness constraint (`apply_schema`); a re-run sets the same values again.

        write_nodes(ips, settings, "IP", ["address"])   # columns: address, version, requests, first_seen, …
    """
    node_label = _node_label(label)
    if node_label.key not in keys:
        raise ConfigurationError(f"{label} nodes are merged on their key {node_label.key}, not {list(keys)}")
    # Rows of one key land in one partition: two tasks never MERGE the same new node at once (both would
    # take the constraint's lock on it). Distinct keys take distinct locks, so partitions still write in parallel.
    (frame.repartition(*keys)
     .write.format(CONNECTOR_FORMAT)
     .mode("Overwrite")  # the connector's MERGE (Append would CREATE a duplicate per re-run, or fail the constraint)
     .options(**connector_options(settings))
     .option("labels", ":" + node_label.name)
     .option("node.keys", ",".join(_identifier(key, "node key") for key in keys))
     .option("batch.size", str(batch_size or settings.load_batch_size))
     .save())


def write_relationships(frame: DataFrame, settings: Settings, rel_type: str, *, source: Endpoint,
                        target: Endpoint, properties: Mapping[str, str] | Sequence[str],
                        batch_size: int | None = None) -> None:
    """MERGE one `rel_type` relationship per row between the nodes its key columns name, and set
    `properties` on it (`{column: property}`, or column names that are the property names).

    The endpoints are MERGEd too (save mode Overwrite), as the loader's queries do: a row whose account or
    IP was not written first still gets its relationship instead of being dropped silently (Match would).
    Endpoint labels must be the type's start and end in graph/schema.py, matched on their keys.

        write_relationships(used_ip, settings, "USED_IP",
                            source=("Account", {"account_id": "account_id"}),
                            target=("IP", {"address": "address"}),
                            properties=["requests", "first_seen", "last_seen", "input_tokens", "output_tokens"])
    """
    declared = REL_TYPES_BY_NAME.get(rel_type)
    if declared is None:
        raise ConfigurationError(f"{rel_type!r} is not a relationship type of graph/schema.py")
    source_label, source_keys = _endpoint_keys(source, declared.start, "source")
    target_label, target_keys = _endpoint_keys(target, declared.end, "target")
    mapping = dict(properties) if isinstance(properties, Mapping) else {name: name for name in properties}
    # One partition, hence one writing task. MERGEing an endpoint or a relationship locks both nodes (and the
    # key's index entry), and aggregates are many-to-many (the point of the graph: one IP shared by many
    # accounts), so partitions split by either key still lock the same nodes in different orders: with 8
    # partitions the write failed on a deadlock (a TransientException the task did not survive). The trade-off:
    # the write is sequential (batches of `batch.size` rows, one transaction after another), while everything
    # upstream stays parallel (`repartition`, unlike `coalesce`, keeps the aggregation's own partitions); on one
    # machine (20,000 rows, local[4]) it was no slower than 8 partitions. Sorting by source key keeps an
    # account's rows together in a batch.
    (frame.repartition(1)
     .sortWithinPartitions(*source[1].keys())
     .write.format(CONNECTOR_FORMAT)
     .mode("Overwrite")  # MERGE the relationship: a re-run updates it instead of adding a parallel one
     .options(**connector_options(settings))
     .option("relationship", declared.name)
     .option("relationship.save.strategy", "keys")
     .option("relationship.source.labels", ":" + source_label)
     .option("relationship.source.node.keys", source_keys)
     .option("relationship.source.save.mode", "Overwrite")
     .option("relationship.target.labels", ":" + target_label)
     .option("relationship.target.node.keys", target_keys)
     .option("relationship.target.save.mode", "Overwrite")
     .option("relationship.properties", _property_list(mapping, "relationship property"))
     .option("batch.size", str(batch_size or settings.load_batch_size))
     .save())


def _reader(spark: SparkSession, settings: Settings, push_down_filters: bool) -> DataFrameReader:
    # The connector turns a pushed-down filter on a timestamp column into `n.prop >= localdatetime($value)`:
    # against the DateTime values stored here (and by the loader) that comparison is null, so the filtered read
    # silently returns no rows. Filters therefore run in Spark unless the caller pushes filters on other
    # columns (their values then reach Cypher as parameters, never as text).
    return (spark.read.format(CONNECTOR_FORMAT)
            .options(**connector_options(settings))
            .option("pushdown.filters.enabled", str(push_down_filters).lower()))


def read_nodes(spark: SparkSession, settings: Settings, label: str, *, push_down_filters: bool = False) -> DataFrame:
    """Every `label` node as a row of its properties (the connector infers the columns from a sample of
    nodes). `push_down_filters=True` lets the connector run `.where(…)` filters in Cypher (as parameters);
    never with a filter on a timestamp column, which it compares as a LocalDateTime and so matches nothing.

    There is no `read_query`: the connector's `query` option takes Cypher text and no parameters, so any value
    would have to be formatted into the text."""
    frame = (_reader(spark, settings, push_down_filters)
             .option("labels", ":" + _node_label(label).name)
             .load())
    return frame.select(*(f"`{name}`" for name in frame.columns if not _INTERNAL_COLUMN.match(name)))


def read_relationships(spark: SparkSession, settings: Settings, rel_type: str, *, source: Endpoint,
                       target: Endpoint, push_down_filters: bool = False) -> DataFrame:
    """Every `rel_type` relationship as a row shaped as `write_relationships` takes it: the endpoints' keys
    in the frame columns `source` and `target` name, then the relationship's properties (`push_down_filters`
    as for `read_nodes`)."""
    declared = REL_TYPES_BY_NAME.get(rel_type)
    if declared is None:
        raise ConfigurationError(f"{rel_type!r} is not a relationship type of graph/schema.py")
    _endpoint_keys(source, declared.start, "source")
    _endpoint_keys(target, declared.end, "target")
    frame = (_reader(spark, settings, push_down_filters)
             .option("relationship", declared.name)
             .option("relationship.source.labels", ":" + declared.start)
             .option("relationship.target.labels", ":" + declared.end)
             .option("relationship.nodes.map", "false")  # endpoint properties as `source.<prop>` columns
             .load())
    columns = [f"`source.{prop}` AS `{column}`" for column, prop in source[1].items()]
    columns += [f"`target.{prop}` AS `{column}`" for column, prop in target[1].items()]
    columns += [f"`{name}` AS `{name.removeprefix('rel.')}`" for name in frame.columns if name.startswith("rel.")]
    return frame.selectExpr(*columns)
