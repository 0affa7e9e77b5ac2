"""The docstrings' `>>>` examples run as tests (pytest --doctest-modules over app/, graph/, queries/): none
may opt out, and an example that needs a server is written as a plain code block instead."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(path for package in ("app", "graph", "queries") for path in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[str(path.relative_to(ROOT)) for path in MODULES])
def test_no_example_is_skipped(path: Path) -> None:
    assert "doctest: +SKIP" not in path.read_text(encoding="utf-8")


def test_examples_are_collected(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.getoption("doctestmodules"), "pyproject's addopts must keep --doctest-modules"
    assert {"app", "graph", "queries"} <= set(pytestconfig.getini("testpaths"))
    assert sum(">>>" in path.read_text(encoding="utf-8") for path in MODULES) >= 17
