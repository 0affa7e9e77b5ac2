"""Detection on part of the input contract: a provider that loaded only accounts and payment methods still
gets clusters from shared payment methods (on an empty graph; the full pipeline is test_detection.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.db import Database
from graph.detect.evaluate import read_labels
from graph.detect.pipeline import run_detection
from graph.load import load_directory
from tests.conftest import GeneratedDataset, reset_database


@pytest.fixture()
def dataset(generated_dataset: GeneratedDataset) -> Path:
    """The generated data set of test_detection.py (12,000 accounts), of which two tables are loaded."""
    return generated_dataset(12_000, 5)


def test_detection_works_with_accounts_and_payment_methods_only(database: Database, dataset: Path,
                                                                tmp_path: Path) -> None:
    for table in ("accounts.csv", "payment_methods.csv"):
        (tmp_path / table).write_bytes((dataset / table).read_bytes())
    reset_database(database)
    load_directory(database, tmp_path)
    summary = run_detection(database)
    labels = read_labels(dataset / "labels.csv")
    assert summary.clusters, "shared payment methods alone still give clusters"
    flagged = {m for c in summary.clusters if c.verdict == "suspicious" for m in c.members}
    assert flagged, "a card pool shared by dozens of accounts is suspicious on its own"
    precision = sum(1 for a in flagged if labels.campaign.get(a)) / len(flagged)
    assert precision >= 0.95
