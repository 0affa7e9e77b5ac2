"""Kill -9 `linkage load` mid-way, rerun it: the graph equals an uninterrupted load's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.db import Database
from graph.load import load_directory
from graph.settings import Settings
from graph.synthetic import generate_dataset
from tests.conftest import reset_database
from tests.integration.load_helpers import canonical_dump, count

LINKAGE = Path(sys.executable).with_name("linkage")


def _environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "NEO4J_URI": settings.neo4j_uri,
            "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
            "NEO4J_USER": settings.neo4j_user,
            "NEO4J_DATABASE": settings.neo4j_database,
            "LINKAGE_ENV": "test",
        }
    )
    return env


def test_rerun_after_kill_equals_an_uninterrupted_load(
    tmp_path: Path, neo4j_settings: Settings, clean_database: Database
) -> None:
    folder = tmp_path / "data"
    generate_dataset(folder, accounts=2_000, seed=5, prompts="template")
    env = _environment(neo4j_settings)
    command = [str(LINKAGE), "load", str(folder), "--batch-size", "150"]
    log = tmp_path / "first-attempt.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    try:
        # kill once the request log is part-way in: some of its batches applied, the file not yet marked
        while time.monotonic() < deadline and process.poll() is None:
            if (
                count(
                    clean_database, "MATCH (b:LoadBatch) WHERE b.step = 'sent_template' RETURN count(b) AS n"
                )
                >= 3
            ):
                break
            time.sleep(0.05)
        if process.poll() is not None:
            pytest.fail(f"the load finished before it could be killed: {log.read_text()}")
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(30)
    assert count(clean_database, "MATCH (f:LoadedFile {table: 'requests'}) RETURN count(f) AS n") == 0
    applied = count(clean_database, "MATCH (b:LoadBatch) RETURN count(b) AS n")
    assert applied > 0

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert "already applied" in rerun.stdout
    resumed = canonical_dump(clean_database)

    reset_database(clean_database)
    load_directory(clean_database, folder)
    assert canonical_dump(clean_database) == resumed
