"""The layers point one way (README, "Architecture"): this test reads every module's imports and fails on
an import that points up or sideways.

    queries/ (Cypher files)  ←  graph/ (settings, Neo4j access, load, detect, check, devserver, synthetic)
                             ←  app/ (credentials, audit; api/ and cli/)

Imports inside `if TYPE_CHECKING:` blocks are for annotations only and never run, so they are left out.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "graph", "queries")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def runtime_imports(path: Path) -> Iterator[str]:
    """Absolute names of the modules `path` imports when it runs (TYPE_CHECKING blocks excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for statement in node.body for child in ast.walk(statement))
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                prefix = ".".join(base)
                yield f"{prefix}.{node.module}" if node.module else prefix
            elif node.module:
                yield node.module
                # `from graph.load import templates` imports a submodule: count it too.
                yield from (f"{node.module}.{alias.name}" for alias in node.names)


def our_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


MODULES = our_modules()


def imports_of(name: str) -> set[str]:
    return {imported for imported in runtime_imports(MODULES[name]) if imported in MODULES}


def in_package(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize("name", [name for name in MODULES if in_package(name, "graph")])
def test_graph_never_imports_app(name: str) -> None:
    upward = sorted(imported for imported in imports_of(name) if in_package(imported, "app"))
    assert not upward, f"{name} imports {upward}: graph/ must not depend on app/"


@pytest.mark.parametrize("name", [name for name in MODULES if in_package(name, "queries")])
def test_queries_import_nothing_of_ours(name: str) -> None:
    assert not imports_of(name)


# Stages inside graph/: each may use the base (settings, errors, schema, queries, db, aio, maintenance) and
# itself, never a sibling stage — so each can be read, tested and changed alone.
STAGES = ("graph.load", "graph.detect", "graph.check", "graph.synthetic", "graph.devserver")


@pytest.mark.parametrize("stage", STAGES)
def test_graph_stages_do_not_import_each_other(stage: str) -> None:
    found = []
    for name in MODULES:
        if not in_package(name, stage):
            continue
        for imported in imports_of(name):
            other = next((s for s in STAGES if in_package(imported, s)), None)
            if other is not None and other != stage:
                found.append(f"{name} -> {imported}")
    assert not found, found


def test_generator_depends_on_nothing_else_of_ours() -> None:
    """The synthetic generator writes files in the input contract and knows nothing of the graph."""
    found = [f"{name} -> {imported}" for name in MODULES if in_package(name, "graph.synthetic")
             for imported in imports_of(name) if not in_package(imported, "graph.synthetic")]
    assert not found, found


@pytest.mark.parametrize("name", [name for name in MODULES if in_package(name, "app.api")])
def test_api_never_imports_cli(name: str) -> None:
    assert not any(in_package(imported, "app.cli") for imported in imports_of(name))


@pytest.mark.parametrize("name", [name for name in MODULES if in_package(name, "app.cli")])
def test_cli_uses_only_the_api_package_itself(name: str) -> None:
    """The CLI serves the API (`create_app`, `export_sdl` from `app.api`), never its internals."""
    internals = sorted(imported for imported in imports_of(name)
                       if in_package(imported, "app.api") and imported != "app.api")
    assert not internals, f"{name} imports API internals {internals}"


def test_no_import_cycles() -> None:
    """No module reaches itself through runtime imports (a package's __init__ re-exporting its own modules
    is not a cycle: importing a submodule runs its package first anyway)."""
    graph = {name: {i for i in imports_of(name) if i != name and not name.startswith(i + ".")}
             for name in MODULES}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for imported in sorted(graph[name]):
            if state.get(imported) == 1:
                cycles.append([*trail[trail.index(imported):], imported])
            elif imported not in state:
                visit(imported, [*trail, imported])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, cycles


def test_the_layer_check_sees_imports() -> None:
    """The checks above would pass vacuously if the import reader saw nothing."""
    assert "graph.settings" in imports_of("graph.db")
    assert "app.credentials" in imports_of("app.cli.keys")
    assert "graph.queries" in imports_of("graph.db")
    assert "app.api.types.cluster" in imports_of("app.api.types.account")


def test_graphql_types_never_run_queries() -> None:
    """Types shape data; the root resolvers (resolvers/) and the DataLoaders (loaders.py) fetch it."""
    for name, path in MODULES.items():
        if in_package(name, "app.api.types"):
            text = path.read_text(encoding="utf-8")
            assert "database.run" not in text and "get_query" not in text, name
            assert "graph.queries" not in imports_of(name), name


def layer_of(name: str) -> str:
    """The README's name for a module's layer: `app/cli`, `app`, `graph/load`, `graph`, …"""
    parts = name.split(".")
    # graph/engine (the Spark engine) runs the stages' own code on another engine: a layer above them.
    if len(parts) > 1 and (parts[0], parts[1]) in {("app", "api"), ("app", "cli"), ("graph", "engine")} | {
            ("graph", stage.split(".")[1]) for stage in STAGES}:
        return f"{parts[0]}/{parts[1]}"
    return parts[0]


def test_readme_architecture_is_what_the_imports_say() -> None:
    """README's "Architecture" list of which folder depends on which equals the imports, arrow for arrow."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("```", 2)[1]
    stated: dict[str, set[str]] = {}
    for line in section.splitlines():
        match = re.match(r"^(\S+)\s+→\s+([^#]*?)\s*(?:#.*)?$", line)
        if match:
            targets = match[2].strip()
            stated[match[1]] = set() if targets == "(nothing)" else {t.strip() for t in targets.split(",")}
    actual: dict[str, set[str]] = {}
    for name in MODULES:
        if name == "queries" or in_package(name, "queries"):
            continue
        layer = layer_of(name)
        actual.setdefault(layer, set()).update(
            layer_of(imported) for imported in imports_of(name) if layer_of(imported) != layer)
    assert stated == actual


def test_product_code_runs_only_named_queries() -> None:
    """Cypher lives in queries/*.cypher: `inline_query` is for tests, benchmarks and the schema statements
    generated from graph/schema.py (applied by graph/maintenance.py), never for the product's queries."""
    def calls_inline_query(path: Path) -> bool:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        return any(isinstance(node, ast.Call) and ast.unparse(node.func).endswith("inline_query")
                   for node in ast.walk(tree))

    assert sorted(name for name, path in MODULES.items() if calls_inline_query(path)) == ["graph.maintenance"]
