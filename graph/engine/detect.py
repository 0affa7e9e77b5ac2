"""Detection's data-parallel work as Spark jobs: candidate pairs, their scores, connected components.

The embedded engine (`graph.detect.links.EmbeddedLinks`) does this in numpy; `SparkLinks` does the same work
on Spark and gives the same answer (tests/engine/test_detect_engines.py compares the clusters):

- **Candidates from shared identifiers**, the largest source: every kind's (account, identifier) edges, read
  from the detection input's Parquet (`linkage detect --inputs DIR`) or handed over from memory, are blocked
  by identifier in Spark SQL. A block of up to `block_all_pairs` holders gives all its pairs, a larger one a
  chain with skip links (`graph.detect.blocks.CHAIN_SKIPS`), as `block_pairs` does.
- **LSH banding** of activity: the driver makes each account's MinHash signature and band keys (linear in
  accounts); the buckets are formed and expanded into pairs by the same Spark SQL. The two remaining
  sources (rarest and dominant templates, pivot cohorts) are small and made on the driver.
- **Pair scoring**: the union is de-duplicated and counted (the threshold is ln(#candidates) + margin) and
  scored by `EvidenceModel.evaluate` inside Spark tasks (`mapInPandas`, the model broadcast once); only the
  pairs that pass come back.
- **Connected components**: large-star / small-star (Kiveris et al., "Connected Components in MapReduce and
  Beyond", SoCC 2014), the algorithm GraphFrames uses: each round is two joins and aggregations, and about
  log(n) rounds reach stars around each component's smallest account.

- **Cluster signals**: each cluster is scored and explained in a Spark task (`ClusterWork`, broadcast once).

What stays on the driver: the evidence model and the signals' context (population statistics, built once),
and the support rule between glue groups (linear in the kept links). The model and context are broadcast
whole, which bounds this engine by the executors' memory: the next step to 100M accounts is to partition
them (docs/scale.md).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd  # the Spark extra's; pyspark resolves the UDF's type hints from this module
import pyarrow as pa

from graph.detect.blocks import CHAIN_SKIPS, EMPTY_PAIRS
from graph.detect.cohorts import cohort_pairs
from graph.detect.evidence import EvidenceModel
from graph.detect.links import (
    ClusterTask,
    ScoredCandidates,
    link_threshold,
    lsh_signatures,
    passing_pairs,
    template_candidate_pairs,
)
from graph.detect.lsh import band_keys
from graph.engine.requests import frame_from_arrow

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

PAIR_SCHEMA = "i LONG, j LONG"


def _pairs_frame(spark: SparkSession, pairs: np.ndarray) -> DataFrame:
    pairs = pairs.reshape(-1, 2).astype(np.int64)
    return frame_from_arrow(spark, pa.table({"i": pairs[:, 0], "j": pairs[:, 1]}))


def _to_pairs(frame: pd.DataFrame) -> np.ndarray:
    if frame.empty:
        return EMPTY_PAIRS
    return np.stack([frame["i"].to_numpy(np.int64), frame["j"].to_numpy(np.int64)], axis=1)


def block_pairs_sql(edges: str, cap: int, block: tuple[str, ...] = ("ident",)) -> str:
    """Spark SQL: pairs of members (`account`) within blocks (the `block` columns) of view `edges`, as
    `block_pairs` makes them: every pair of a block of at most `cap` members, a chain with skip links
    (CHAIN_SKIPS) along the account order of a larger one; each pair as (smaller, larger)."""
    skips = ", ".join(str(skip) for skip in CHAIN_SKIPS)
    columns = ", ".join(block)
    same = " AND ".join(f"a.{name} = b.{name}" for name in block)
    return f"""
        WITH ranked AS (
            SELECT {columns}, account, row_number() OVER (PARTITION BY {columns} ORDER BY account) - 1 AS r,
                   count(*) OVER (PARTITION BY {columns}) AS size
            FROM {edges}
        )
        SELECT a.account AS i, b.account AS j FROM ranked a JOIN ranked b
          ON {same} AND a.size <= {cap} AND a.r < b.r
        UNION ALL
        SELECT a.account AS i, b.account AS j
        FROM (SELECT {columns}, account, r, skip FROM ranked LATERAL VIEW explode(array({skips})) s AS skip
              WHERE size > {cap}) a
        JOIN ranked b ON {same} AND b.r = a.r + a.skip
    """


class SparkLinks:
    """The Spark engine's candidate scoring and connected components (see the module docstring)."""

    def __init__(self, spark: SparkSession, inputs: Path | None = None) -> None:
        self.spark = spark
        self.inputs = inputs.absolute() if inputs else None  # the detection input's Parquet, when it reads one
        self.rounds = 0  # large-star / small-star rounds of the last components call

    def _edges(self, model: EvidenceModel, kind: str) -> DataFrame:
        """(account, ident) of `kind`: from the input's Parquet when there is one, else from memory."""
        if self.inputs is not None and (self.inputs / f"edges_{kind}.parquet").exists():
            return self.spark.read.parquet(str(self.inputs / f"edges_{kind}.parquet")).select("account", "ident")
        incidence = model.data.incidence(kind)
        return frame_from_arrow(self.spark, pa.table({"account": incidence.account.astype(np.int64),
                                                      "ident": incidence.ident.astype(np.int64)}))

    def identifier_candidates(self, model: EvidenceModel) -> DataFrame:
        """Pairs sharing an identifier with positive weight, every kind, as Spark jobs (not de-duplicated)."""
        from pyspark.sql import functions as F

        parts = []
        for kind, identifiers in model.identifiers.items():
            usable = np.flatnonzero(identifiers.nats > 0).astype(np.int64)
            if usable.size == 0 or model.data.incidence(kind).is_empty():
                continue
            usable_frame = frame_from_arrow(self.spark, pa.table({"ident": usable}))
            edges = self._edges(model, kind).join(F.broadcast(usable_frame) if usable.size < 5_000_000
                                                  else usable_frame, "ident")
            view = f"edges_{kind}"
            edges.createOrReplaceTempView(view)
            parts.append(self.spark.sql(block_pairs_sql(view, model.config.block_all_pairs)))
        if not parts:
            return self.spark.createDataFrame([], PAIR_SCHEMA)
        union = parts[0]
        for part in parts[1:]:
            union = union.unionByName(part)
        return union

    def band_candidates(self, model: EvidenceModel) -> DataFrame | None:
        """Pairs sharing a MinHash band bucket of their activity (LSH), bucketed in Spark SQL; the signatures
        and band keys are made on the driver (linear in accounts)."""
        config = model.config
        found = lsh_signatures(model.activity.buckets, config.min_active_buckets, config, salt=1)
        if found is None:
            return None
        signatures, eligible = found
        rows = np.flatnonzero(eligible).astype(np.int64)
        keys = band_keys(signatures, rows, config.lsh_rows_per_band)
        bands = np.repeat(np.arange(keys.shape[0], dtype=np.int64), rows.size)
        buckets = frame_from_arrow(self.spark, pa.table({
            "band": bands, "bucket": keys.ravel().view(np.int64), "account": np.tile(rows, keys.shape[0])}))
        buckets.createOrReplaceTempView("band_buckets")
        return self.spark.sql(block_pairs_sql("band_buckets", config.block_all_pairs, ("band", "bucket")))

    def score_candidates(self, model: EvidenceModel) -> ScoredCandidates:
        from pyspark.sql import functions as F

        config = model.config
        driver_parts = [template_candidate_pairs(model.data, config),
                        cohort_pairs(model.cohorts, config.block_all_pairs)[0]]
        driver = _pairs_frame(self.spark, np.concatenate([p.reshape(-1, 2) for p in driver_parts]))
        bands = self.band_candidates(model)
        if bands is not None:
            driver = driver.unionByName(bands)
        candidates = (self.identifier_candidates(model).unionByName(driver)
                      .select(F.least("i", "j").alias("i"), F.greatest("i", "j").alias("j"))
                      .where("i <> j").distinct())
        candidates = candidates.localCheckpoint()  # counted, then scored: computed once
        count = candidates.count()
        threshold = link_threshold(count, config)
        shared = self.spark.sparkContext.broadcast(model)

        def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            local = shared.value
            for batch in batches:
                pairs, evidence, timing = passing_pairs(local, _to_pairs(batch), threshold)
                yield pd.DataFrame({"i": pairs[:, 0], "j": pairs[:, 1], "evidence": evidence, "timing": timing})

        scored = candidates.mapInPandas(score, "i LONG, j LONG, evidence DOUBLE, timing DOUBLE")  # type: ignore[arg-type]
        kept: pd.DataFrame = scored.toPandas()
        shared.unpersist()
        candidates.unpersist()
        kept = kept.sort_values(["i", "j"], kind="stable")
        return ScoredCandidates(count, threshold, _to_pairs(kept), kept["evidence"].to_numpy(np.float64),
                                kept["timing"].to_numpy(np.float64))

    def map_clusters(self, work: ClusterTask) -> list[Any]:
        """Every cluster's result, computed in Spark tasks (the work broadcast once), in cluster order."""
        if len(work) == 0:
            return []
        shared = self.spark.sparkContext.broadcast(work)

        def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            local = shared.value
            for batch in batches:
                ks = batch["id"].tolist()
                yield pd.DataFrame({"k": ks, "result": [pickle.dumps(local(k)) for k in ks]})

        parts = max(1, min(len(work), self.spark.sparkContext.defaultParallelism * 4))
        done: pd.DataFrame = self.spark.range(len(work), numPartitions=parts).mapInPandas(
            run, "k LONG, result BINARY").toPandas()  # type: ignore[arg-type]
        shared.unpersist()
        ordered = done.sort_values("k")
        # Results this process's own tasks pickled a moment ago (never bytes from elsewhere).
        return [pickle.loads(blob) for blob in ordered["result"]]  # noqa: S301

    def component_labels(self, n_accounts: int, edges: np.ndarray) -> np.ndarray:
        """Per account the smallest account of its component (large-star / small-star on Spark)."""
        labels = np.arange(n_accounts, dtype=np.int64)
        self.rounds = 0
        if edges.size == 0:
            return labels
        stars = self.stars(_pairs_frame(self.spark, edges))
        found: pd.DataFrame = stars.toPandas()
        labels[found["v"].to_numpy(np.int64)] = found["m"].to_numpy(np.int64)
        return labels

    def stars(self, edges: DataFrame) -> DataFrame:
        """(v, m): every vertex with an edge and the smallest vertex of its component (v = m included)."""
        from pyspark.sql import functions as F

        current = (edges.select(F.least("i", "j").alias("u"), F.greatest("i", "j").alias("v"))
                   .where("u <> v").distinct().localCheckpoint())
        while True:
            self.rounds += 1
            after = _small_star(_large_star(current)).localCheckpoint()
            # Converged when a round changes no edge (both operations then leave stars as they are).
            changed = after.exceptAll(current).limit(1).count() + current.exceptAll(after).limit(1).count()
            current.unpersist()
            current = after
            if changed == 0:
                break
        pairs = current.select(F.col("v"), F.col("u").alias("m"))
        roots = current.select(F.col("u").alias("v"), F.col("u").alias("m"))
        return pairs.unionByName(roots).distinct()


def _neighbourhoods(edges: DataFrame) -> DataFrame:
    """Both directions of every (u, v) edge, as (node, neighbour)."""
    from pyspark.sql import functions as F

    return edges.select(F.col("u").alias("node"), F.col("v").alias("nbr")).unionByName(
        edges.select(F.col("v").alias("node"), F.col("u").alias("nbr")))


def _large_star(edges: DataFrame) -> DataFrame:
    """Each node links its larger neighbours to the smallest of its neighbourhood (itself included)."""
    from pyspark.sql import functions as F

    both = _neighbourhoods(edges)
    smallest = both.groupBy("node").agg(F.least(F.min("nbr"), F.col("node")).alias("m"))
    return (both.where("nbr > node").join(smallest, "node")
            .select(F.least("nbr", "m").alias("u"), F.greatest("nbr", "m").alias("v"))
            .where("u <> v").distinct())


def _small_star(edges: DataFrame) -> DataFrame:
    """Each node links itself and its smaller neighbours to the smallest of them."""
    from pyspark.sql import functions as F

    both = _neighbourhoods(edges).where("nbr < node")
    smallest = both.groupBy("node").agg(F.min("nbr").alias("m"))
    linked = (both.join(smallest, "node").where("nbr <> m")
              .select(F.col("m").alias("u"), F.col("nbr").alias("v")))
    own = smallest.select(F.col("m").alias("u"), F.col("node").alias("v"))
    return linked.unionByName(own).select(F.least("u", "v").alias("u"), F.greatest("u", "v").alias("v")) \
        .where("u <> v").distinct()
