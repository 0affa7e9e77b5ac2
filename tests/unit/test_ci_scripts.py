"""The README's test command is the whole suite on a fresh machine: `make test` installs what the system
lacks (.ci/system-deps) or stops with the one command to run; .ci/run is nothing but `make test`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "system-deps"


def fake_bin(folder: Path, commands: dict[str, str]) -> Path:
    """A PATH folder holding only the given commands, each a tiny script with the given body."""
    folder.mkdir()
    for name, body in commands.items():
        path = folder / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    return folder


def run_script(path_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["/bin/bash", str(SCRIPT)], env={"PATH": str(path_dir)}, capture_output=True,
                          text=True, timeout=30, check=False)


def test_missing_chromium_without_root_stops_with_the_command(tmp_path: Path) -> None:
    path = fake_bin(tmp_path / "bin", {"id": "echo 1000", "java": "true", "mvn": "true"})
    result = run_script(path)
    assert result.returncode == 1
    assert "install with: sudo apt-get install -y chromium" in result.stderr


def test_root_with_apt_installs_what_is_missing(tmp_path: Path) -> None:
    log = tmp_path / "apt.log"
    path = fake_bin(tmp_path / "bin", {"id": "echo 0", "java": "true",
                                       "apt-get": f'echo "$@" >> {log}'})
    result = run_script(path)
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert calls[0] == "update -qq" and calls[1].endswith("maven chromium") and "install -y" in calls[1]


def test_nothing_missing_installs_nothing(tmp_path: Path) -> None:
    path = fake_bin(tmp_path / "bin", {"id": "echo 1000", "java": "true", "mvn": "true", "chromium": "true"})
    assert run_script(path).returncode == 0


def test_make_test_and_ci_run_agree() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: .*\bsystem-deps\b", makefile, re.MULTILINE)
    assert re.search(r"^system-deps:\n\t@?bash \.ci/system-deps$", makefile, re.MULTILINE)
    commands = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.startswith("#") and not line.startswith("set ") and "cd " not in line]
    assert commands == ["make test"]
    readme = (ROOT / "README.md").read_text()
    assert "| run the tests | `make test` |" in readme
