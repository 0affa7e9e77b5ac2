"""`linkage check`'s exit codes are a contract for pipelines: 0 clean, 1 flagged, 2 error. Each is produced by
the installed `linkage` command in its own process against the real server (signals included)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.db import Database
from graph.settings import Settings
from tests.api import graph_fixture as fx

LINKAGE = str(Path(sys.executable).with_name("linkage"))


@pytest.fixture()
def env(neo4j_settings: Settings, tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "NEO4J_URI": neo4j_settings.neo4j_uri,
        "NEO4J_PASSWORD": neo4j_settings.neo4j_password.get_secret_value(),
        "LINKAGE_ENV": "test",
        "LINKAGE_HASH_KEY": neo4j_settings.hash_key.get_secret_value(),
        "LINKAGE_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
    }


def linkage(env: dict[str, str], cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([LINKAGE, *args], env=env, cwd=cwd, input=stdin, capture_output=True, text=True,
                          timeout=120, check=False)


def test_help_states_the_contract(env: dict[str, str], tmp_path: Path) -> None:
    text = " ".join(linkage(env, tmp_path, "check", "--help").stdout.split())
    assert "0 = every subject answered, none at or above --fail-on" in text
    assert "1 = every subject answered, at least one at or above --fail-on (flagged)" in text
    assert "2 = error: unknown account (in a batch too), bad input or settings, Neo4j down, interrupted" in text


def test_0_clean(fixture_graph: Database, env: dict[str, str], tmp_path: Path) -> None:
    done = linkage(env, tmp_path, "check", "--account", fx.ALICE, "--fail-on", "review")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verdict"] == "allow"


def test_1_flagged(fixture_graph: Database, env: dict[str, str], tmp_path: Path) -> None:
    done = linkage(env, tmp_path, "check", "--account", "acct-camp-007")
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["verdict"] == "block"
    batch = "\n".join(json.dumps(line) for line in [{"ip": fx.CGNAT_IP}, {"account_id": "acct-camp-001"}])
    assert linkage(env, tmp_path, "check", "--input", "-", stdin=batch).returncode == 1


def test_2_unknown_account(fixture_graph: Database, env: dict[str, str], tmp_path: Path) -> None:
    done = linkage(env, tmp_path, "check", "--account", "acct-nobody")
    assert done.returncode == 2 and "no account 'acct-nobody'" in done.stderr
    # in a batch the other subjects are answered, and the missing answer still fails the gate
    batch = "\n".join(json.dumps(line) for line in [{"ref": "a", "account_id": fx.ALICE},
                                                     {"ref": "b", "account_id": "acct-nobody"}])
    done = linkage(env, tmp_path, "check", "--input", "-", "--fail-on", "never", stdin=batch)
    assert done.returncode == 2
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert answers[0]["verdict"] == "allow" and answers[1]["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(("args", "stdin", "said"), [
    (["--input", "-"], '{"ip": "1.2.3.4", "emial": "x"}\n', "-:1"),
    (["--input", "-"], "not json\n", "not valid JSON"),
    (["--input", "missing.jsonl"], "", "missing.jsonl"),
    (["--account", "x", "--input", "-"], "", "exactly one of --account or --input"),
    ([], "", "exactly one of --account or --input"),
    (["--account", "x", "--fail-on", "sometimes"], "", "sometimes"),
])
def test_2_bad_input(env: dict[str, str], tmp_path: Path, args: list[str], stdin: str, said: str) -> None:
    done = linkage(env, tmp_path, "check", *args, stdin=stdin)
    assert done.returncode == 2 and said in done.stderr, done.stderr
    assert done.stdout == ""


def test_2_bad_settings(env: dict[str, str], tmp_path: Path) -> None:
    done = linkage({**env, "LINKAGE_ENV": "staging"}, tmp_path, "check", "--account", fx.ALICE)
    assert done.returncode == 2 and "invalid setting" in done.stderr


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_2_database_down(env: dict[str, str], tmp_path: Path) -> None:
    down = {**env, "NEO4J_URI": f"bolt://127.0.0.1:{_closed_port()}"}
    done = linkage(down, tmp_path, "check", "--account", fx.ALICE)
    assert done.returncode == 2 and "not reachable" in done.stderr
    wrong_password = {**env, "NEO4J_PASSWORD": "not-the-password"}
    done = linkage(wrong_password, tmp_path, "check", "--account", fx.ALICE)
    assert done.returncode == 2 and "refused the credentials" in done.stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_2_interrupted(env: dict[str, str], tmp_path: Path, signum: int) -> None:
    # The check reads its input from a FIFO; once the FIFO is open on both sides the command is running
    # (its handlers installed) and blocked on the read: then it is interrupted.
    fifo = tmp_path / "signups.jsonl"
    os.mkfifo(fifo)
    # As from a terminal: SIGINT at its default in the child even when this run inherited it ignored (a
    # background job of a non-interactive shell does), or Python would never turn it into KeyboardInterrupt.
    process = subprocess.Popen([LINKAGE, "check", "--input", str(fifo)], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        with fifo.open("w") as writer:
            writer.write(json.dumps({"ip": fx.CGNAT_IP}) + "\n")
            writer.flush()
            time.sleep(0.5)
            process.send_signal(signum)
            _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()  # close its pipes here, not in a later test's garbage collection
    assert process.returncode == 2, err
    assert "interrupted" in err
