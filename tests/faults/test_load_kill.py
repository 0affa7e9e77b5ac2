"""`linkage load` killed with -9 at 10 random points of one load, each restart resuming the last: the final
graph equals an uninterrupted load's, label by label and type by type (counts and a SHA-256 over every
node's and relationship's properties), and the ledger holds each batch once.

The points are random positions in the load's progress (how many ledgered batches are applied, drawn
uniformly and seeded), plus a random delay of up to 40 ms so a kill lands inside a transaction as often as
between two; one point is forced into the final phase (after the last batch: IP resolution and marking
the files loaded). A kill whose position the restarted load has already passed lands while it stages its
files again (DuckDB), which is a point of its own.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

from graph.db import Database
from graph.load import load_directory
from graph.schema import NODE_LABELS, REL_TYPES
from graph.settings import Settings
from graph.synthetic import generate_dataset
from tests.conftest import reset_database
from tests.cypher import read
from tests.faults.subprocesses import LINKAGE, kill_when, linkage_environment, start
from tests.integration.load_helpers import canonical_dump

SEED = 1011
KILLS = 10
BATCH_SIZE = 50


def ledger(database: Database) -> tuple[int, int]:
    row = read(database, "RETURN COUNT { (:LoadBatch) } AS batches, COUNT { (:LoadedFile) } AS files")[0]
    return int(row["batches"]), int(row["files"])


def test_ten_kills_at_random_points_leave_the_graph_of_an_uninterrupted_load(
        tmp_path: Path, neo4j_settings: Settings, clean_database: Database) -> None:
    folder = tmp_path / "data"
    generate_dataset(folder, accounts=1_000, seed=13, scenario="classic")
    load_directory(clean_database, folder, batch_size=BATCH_SIZE)
    expected = canonical_dump(clean_database)
    total_batches, total_files = ledger(clean_database)
    assert total_batches > 100 and total_files == 4

    reset_database(clean_database)
    rng = random.Random(SEED)
    points = [*sorted(rng.randrange(0, total_batches) for _ in range(KILLS - 1)), total_batches]
    env = linkage_environment(neo4j_settings, tmp_path / "audit.jsonl")
    command = ["load", str(folder), "--batch-size", str(BATCH_SIZE)]
    kills: list[tuple[int, int, int]] = []  # (point, batches applied at the kill, files marked at the kill)
    for point in points:
        process = start(command, env, tmp_path / "load.log")
        jitter = rng.uniform(0, 0.04)

        def ready(point: int = point, jitter: float = jitter) -> bool:
            if ledger(clean_database)[0] < point:
                return False
            time.sleep(jitter)
            return True

        assert kill_when(process, ready, poll_s=0.01), \
            f"the load ended before point {point}: {(tmp_path / 'load.log').read_text()[-2000:]}"
        assert process.returncode == -signal.SIGKILL
        kills.append((point, *ledger(clean_database)))
        assert kills[-1][2] < total_files, "killed before the load finished"

    finished = subprocess.run([str(LINKAGE), *command], env=env, capture_output=True, text=True, timeout=600,
                              check=False, cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert ledger(clean_database) == (total_batches, total_files), "every batch applied once, every file marked"
    actual = canonical_dump(clean_database)
    assert actual == expected, {name: (actual.get(name), value) for name, value in expected.items()
                                if actual.get(name) != value}
    nodes = sum(actual[label.name][0] for label in NODE_LABELS if label.name in actual)
    relationships = sum(actual[rel.name][0] for rel in REL_TYPES)
    print(f"\nload kill -9: {len(kills)} kills at batches {[k[1] for k in kills]} of {total_batches} "
          f"(files marked at each: {[k[2] for k in kills]}); final graph identical: {len(actual)} labels and "
          f"types, {nodes:,} nodes, {relationships:,} relationships")
