"""Assembling the local Neo4j server from Maven Central, once.

`deploy/neo4j/pom.xml` pins Neo4j 5.26 LTS, Neo4j Browser and APOC core. `assemble_server` runs Maven once
into `LINKAGE_NEO4J_SERVER_DIR/neo4j-<version>` (lib/ and plugins/, shared by every local instance) and
reuses it while the descriptor is unchanged.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from graph.errors import LocalServerError, ToolMissingError
from graph.settings import Settings

DEPLOY_SUBDIR = Path("deploy") / "neo4j"
# The checkout this package lives in: graph/devserver/ is two folders below it.
CHECKOUT = Path(__file__).resolve().parents[2]


def find_deploy_dir() -> Path:
    """Locate deploy/neo4j (the pom and conf template): the checkout this package lives in, or cwd."""
    candidates = [CHECKOUT, *Path.cwd().resolve().parents, Path.cwd().resolve()]
    for root in candidates:
        if (root / DEPLOY_SUBDIR / "pom.xml").is_file():
            return root / DEPLOY_SUBDIR
    raise LocalServerError(
        "deploy/neo4j/pom.xml not found: run linkage from a checkout of the repository, "
        "or point NEO4J_URI at an existing server"
    )


def require_tool(name: str, purpose: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ToolMissingError(f"{name} is not installed; it is needed to {purpose} "
                               f"(on Debian: apt-get install {'default-jdk' if name == 'java' else 'maven'})")
    return path


def _descriptor_digest(deploy_dir: Path) -> str:
    return hashlib.sha256((deploy_dir / "pom.xml").read_bytes()).hexdigest()[:16]


def neo4j_version(deploy_dir: Path) -> str:
    match = re.search(r"<neo4j.version>([^<]+)</neo4j.version>", (deploy_dir / "pom.xml").read_text())
    if not match:
        raise LocalServerError(f"{deploy_dir / 'pom.xml'}: no <neo4j.version> property")
    return match.group(1)


def server_dist_dir(settings: Settings, deploy_dir: Path) -> Path:
    return settings.neo4j_server_dir.resolve() / f"neo4j-{neo4j_version(deploy_dir)}"


def assemble_server(settings: Settings, *, echo: Callable[[str], None] = print) -> Path:
    """Build (once) the server's lib/ and plugins/ with Maven; return the folder holding them."""
    deploy_dir = find_deploy_dir()
    dist = server_dist_dir(settings, deploy_dir)
    marker = dist / ".assembled"
    digest = _descriptor_digest(deploy_dir)
    if marker.is_file() and marker.read_text().strip() == digest:
        return dist
    require_tool("java", "run Neo4j")
    mvn = require_tool("mvn", "assemble Neo4j from Maven Central")
    echo(f"Assembling Neo4j {neo4j_version(deploy_dir)} from Maven Central into {dist} "
         "(once; later starts reuse it)...")
    if dist.exists():
        shutil.rmtree(dist)
    staging = dist.with_name(dist.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    command = [mvn, "-B", "-q", "-f", str(deploy_dir / "pom.xml"), "package",
               f"-Dlinkage.server.dir={staging}"]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-15:])
        raise LocalServerError(f"Maven could not assemble Neo4j (exit {completed.returncode}):\n{tail}")
    staging.rename(dist)  # only a complete build is ever used
    marker.write_text(digest + "\n")
    return dist
