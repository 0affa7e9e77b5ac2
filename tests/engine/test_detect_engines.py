"""Detection on Spark finds the same clusters as the embedded engine, from the same Parquet input.

The detection input is read from the graph once, written as Parquet (graph/detect/snapshot.py) and read
back; the embedded engine detects from the read-back arrays, the Spark engine from the Parquet files (its
identifier edges) and the same arrays (the evidence model). Everything a cluster carries must be equal: its
members, id, score, verdict and evidence, and the run's candidate, link and glue counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from graph.detect.components import clusters_from_labels, component_labels
from graph.detect.config import DetectionConfig
from graph.detect.inputs import read_inputs
from graph.detect.pipeline import detect_clusters
from graph.detect.snapshot import read_inputs_parquet, write_inputs
from graph.engine.detect import SparkLinks
from graph.errors import InputError
from tests.conftest import LoadDataset


def partition(labels: np.ndarray) -> list[list[int]]:
    return [group.tolist() for group in clusters_from_labels(labels, min_size=1)]


def test_components_on_spark_equal_scipy(spark) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(4)
    n = 3000
    path = np.stack([np.arange(0, 400), np.arange(1, 401)], axis=1)[rng.permutation(400)]  # a long chain
    star = np.stack([np.full(300, 2999), np.arange(1000, 1300)], axis=1)  # a hub at the largest index
    scattered = rng.integers(1400, 2900, size=(900, 2))  # many small components, self-loops included
    edges = np.concatenate([path, star, scattered])
    engine = SparkLinks(spark)
    labels = engine.component_labels(n, edges)
    assert partition(labels) == partition(component_labels(n, edges))
    assert labels[400] == 0 and labels[1000] == 1000 and labels[2999] == 1000  # the smallest member
    assert 2 <= engine.rounds <= 40
    assert (engine.component_labels(5, np.zeros((0, 2), dtype=np.int64)) == np.arange(5)).all()


def test_clusters_on_spark_equal_the_embedded_engine(spark, loaded_dataset: LoadDataset,  # type: ignore[no-untyped-def]
                                                     tmp_path: Path) -> None:
    loaded = loaded_dataset(2000, 21, scenario="full")
    minutes = loaded.database.settings.activity_bucket_minutes
    folder = tmp_path / "inputs"
    write_inputs(read_inputs(loaded.database), folder)
    data = read_inputs_parquet(folder)
    config = DetectionConfig()

    embedded, *embedded_counts = detect_clusters(data, config, minutes)
    engine = SparkLinks(spark, folder)
    distributed, *distributed_counts = detect_clusters(read_inputs_parquet(folder), config, minutes, engine=engine)

    assert distributed_counts == embedded_counts and embedded_counts[0] > 1000  # candidates, links, glue
    assert [c.members for c in distributed] == [c.members for c in embedded]
    assert len(embedded) >= 10 and sum(c.verdict == "suspicious" for c in embedded) >= 3
    for mine, theirs in zip(distributed, embedded, strict=True):
        assert (mine.cluster_id, mine.score, mine.verdict, mine.evidence, mine.signals) == \
               (theirs.cluster_id, theirs.score, theirs.verdict, theirs.evidence, theirs.signals)


def test_snapshot_round_trip_and_refusals(loaded_dataset: LoadDataset, tmp_path: Path) -> None:
    loaded = loaded_dataset(2000, 21, scenario="full")
    original = read_inputs(loaded.database)
    write_inputs(original, tmp_path / "inputs")
    back = read_inputs_parquet(tmp_path / "inputs")
    assert back.account_ids == original.account_ids
    for name in ("created_at", "requests", "org", "activity_indptr", "activity_bucket", "activity_count"):
        ours, theirs = getattr(back, name), getattr(original, name)
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs, equal_nan=True), name
    assert back.incidences.keys() == original.incidences.keys()
    for kind, incidence in original.incidences.items():
        again = back.incidences[kind]
        assert again.names == incidence.names, kind
        for name in ("account", "ident", "requests"):
            assert np.array_equal(getattr(again, name), getattr(incidence, name)), (kind, name)
        for attrs, again_attrs in ((incidence.ident_attrs, again.ident_attrs),
                                   (incidence.edge_attrs, again.edge_attrs)):
            assert attrs.keys() == again_attrs.keys()
            for name, values in attrs.items():
                assert again_attrs[name].tolist() == values.tolist() or np.array_equal(
                    again_attrs[name], values, equal_nan=True), (kind, name)
    meta = json.loads((tmp_path / "inputs" / "input.json").read_text())
    (tmp_path / "inputs" / "input.json").write_text(json.dumps({**meta, "kinds": [*meta["kinds"], "../accounts"]}))
    with pytest.raises(InputError, match="unknown identifier kinds"):
        read_inputs_parquet(tmp_path / "inputs")
    (tmp_path / "inputs" / "input.json").unlink()
    with pytest.raises(InputError, match=r"input\.json"):
        read_inputs_parquet(tmp_path / "inputs")
