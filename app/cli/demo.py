"""`linkage demo`: the whole pipeline on generated data — generate → load → detect → serve — until Ctrl-C."""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.cli.common import console, err_console, load_settings_or_exit, open_database, reports_errors
from app.cli.generate import TableProgress
from app.cli.load import RichProgressSink, RowsPerSecondColumn
from app.credentials import Role, create_key, key_is_valid
from graph.db import Database
from graph.detect.persist import ClusterResult
from graph.detect.pipeline import run_detection
from graph.devserver import start_server
from graph.load import load_directory
from graph.maintenance import apply_schema
from graph.settings import Settings
from graph.synthetic import generate_dataset


def ensure_dataset(data: Path, accounts: int, seed: int) -> Path:
    """The generated data set's folder, generated unless an earlier demo left it there."""
    folder = data / f"{accounts}-{seed}-full"
    if not (folder / "labels.csv").is_file():
        console.rule("Generate")
        with TableProgress() as report:
            summary = generate_dataset(folder, accounts=accounts, seed=seed, progress=report)
        console.print(f"{summary.rows['requests']:,} requests of {accounts:,} accounts → {folder}")
    return folder


def load_and_detect(database: Database, folder: Path) -> list[ClusterResult]:
    """Apply the schema, load the folder (idempotent), detect; return the three strongest clusters."""
    console.rule("Schema and load")
    apply_schema(database)
    with Progress(TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(), RowsPerSecondColumn(),
                  TimeElapsedColumn(), console=err_console) as progress:
        loaded = load_directory(database, folder, progress=RichProgressSink(progress))
    for table in loaded.tables:
        console.print(f"  {table.table}: {table.status}, {table.read:,} read, {table.loaded:,} loaded, "
                      f"{table.quarantined:,} quarantined")
    console.rule("Detect")
    detection = run_detection(database, progress=err_console.print)
    counts = detection.count_by_verdict()
    console.print(f"{len(detection.clusters):,} clusters: {counts['suspicious']} suspicious, "
                  f"{counts['review']} review, {counts['benign']:,} benign")
    top = sorted(detection.clusters, key=lambda c: (-c.score, c.cluster_id))[:3]
    for cluster in top:
        console.print(f"  {cluster.cluster_id} {cluster.verdict} score {cluster.score:.2f} "
                      f"size {len(cluster.members):,}: {cluster.evidence[0]['summary']}")
    return top


def analyst_key(database: Database, key_file: Path) -> tuple[str, bool]:
    """The demo's analyst key: the one kept in `key_file` while the graph still accepts it, else a new one
    (written there, owner-only). Returns the key and whether it is new."""
    if key_file.is_file():
        token = key_file.read_text(encoding="utf-8").strip()
        if key_is_valid(database, token):
            return token, False
    key = create_key(database, name=f"demo-{int(time.time())}", role=Role.ANALYST)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key.token + "\n")
    os.chmod(key_file, 0o600)
    return key.token, True


def print_ready(settings: Settings, seconds: float, key: str, fresh: bool, key_file: Path, folder: Path,
                top: list[ClusterResult]) -> None:
    """Where to look: Neo4j Browser, the API and its key, the evaluation and the strongest cluster."""
    console.rule("Ready")
    console.print(f"Pipeline ready in {seconds:.0f}s")
    console.print(f"Neo4j Browser: {settings.browser_url}  (user {settings.neo4j_user}; password "
                  "NEO4J_PASSWORD or the development default)")
    api = f"http://{settings.api_host}:{settings.api_port}"
    console.print(f"GraphQL API:   {api}/graphql  (GraphiQL in development)")
    kept = "new" if fresh else "reused"
    console.print(f"API key (analyst, {kept}; kept in {key_file}): {key}")
    console.print(f"Evaluate:      linkage eval --labels {folder / 'labels.csv'}")
    if top:
        console.print(f"Picture:       linkage browse {top[0].cluster_id}")


@reports_errors
def demo(
    accounts: int = typer.Option(20_000, "--accounts", min=1000, help="Accounts in the generated data set."),
    seed: int = typer.Option(1, "--seed", min=0, help="Generator seed."),
    data: Path = typer.Option(Path(".linkage/demo-data"), "--data", help="Where the generated tables go."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the API until Ctrl-C at the end."),
) -> None:
    """Start the local Neo4j (assembling it on first run), apply the schema, generate a data set with three
    hidden campaigns, load it, detect clusters, create an analyst API key and serve the GraphQL API.

    Loading is idempotent: a second `make demo` reuses the data, the graph and the analyst key (kept in
    DATA/analyst.key, owner-only, while the graph accepts it) and only re-detects.
    """
    settings = load_settings_or_exit()
    started = time.perf_counter()
    if settings.is_local_server:
        console.rule("Neo4j")
        console.print(start_server(settings, echo=console.print).describe())
    folder = ensure_dataset(data, accounts, seed)
    key_file = data / "analyst.key"
    with open_database(settings) as database:
        top = load_and_detect(database, folder)
        key, fresh = analyst_key(database, key_file)
    print_ready(settings, time.perf_counter() - started, key, fresh, key_file, folder, top)
    if not serve:
        return
    import uvicorn

    from app.api import create_app

    console.print("Serving until Ctrl-C (Neo4j keeps running: `linkage neo4j stop`).")
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port, log_level="warning")
