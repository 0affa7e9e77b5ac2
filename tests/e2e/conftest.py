"""The real browser of the end-to-end tests: Debian's Chromium, driven by Playwright (no browser downloads).

A missing browser is a failure naming the one command that installs it, never a skip: `make test` installs
it when it can (as root with apt, like .ci/run), and a test run that silently left out the browser tests
would claim more than it checked.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
INSTALL = "apt-get install -y chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable's path (a failure with the install command when there is none)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed; the browser tests need it: {INSTALL} (or `make test` as root)",
                    pytrace=False)
    return CHROMIUM
