"""`linkage demo`: the whole pipeline on generated data — generate → load → detect → serve — until Ctrl-C."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from app.cli.common import console, load_settings_or_exit, open_database, reports_errors
from app.credentials import NewKey, Role, create_key
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
        summary = generate_dataset(folder, accounts=accounts, seed=seed)
        console.print(f"{summary.rows['requests']:,} requests of {accounts:,} accounts → {folder}")
    return folder


def load_and_detect(database: Database, folder: Path) -> list[ClusterResult]:
    """Apply the schema, load the folder (idempotent), detect; return the three strongest clusters."""
    console.rule("Schema and load")
    apply_schema(database)
    loaded = load_directory(database, folder)
    for table in loaded.tables:
        console.print(f"  {table.table}: {table.status}, {table.read:,} read, {table.loaded:,} loaded, "
                      f"{table.quarantined:,} quarantined")
    console.rule("Detect")
    detection = run_detection(database, progress=console.print)
    counts = detection.count_by_verdict()
    console.print(f"{len(detection.clusters):,} clusters: {counts['suspicious']} suspicious, "
                  f"{counts['review']} review, {counts['benign']:,} benign")
    top = sorted(detection.clusters, key=lambda c: (-c.score, c.cluster_id))[:3]
    for cluster in top:
        console.print(f"  {cluster.cluster_id} {cluster.verdict} score {cluster.score:.2f} "
                      f"size {len(cluster.members):,}: {cluster.evidence[0]['summary']}")
    return top


def print_ready(settings: Settings, seconds: float, key: NewKey, folder: Path, top: list[ClusterResult]) -> None:
    """Where to look: Neo4j Browser, the API and its key, the evaluation and the strongest cluster."""
    console.rule("Ready")
    console.print(f"Pipeline ready in {seconds:.0f}s")
    console.print(f"Neo4j Browser: {settings.browser_url}  (user {settings.neo4j_user}; password "
                  "NEO4J_PASSWORD or the development default)")
    api = f"http://{settings.api_host}:{settings.api_port}"
    console.print(f"GraphQL API:   {api}/graphql  (GraphiQL in development)")
    console.print(f"API key (analyst, shown once): {key.token}")
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

    Loading is idempotent: a second `make demo` reuses the data and the graph and only re-detects.
    """
    settings = load_settings_or_exit()
    started = time.perf_counter()
    if settings.is_local_server:
        console.rule("Neo4j")
        console.print(start_server(settings, echo=console.print).describe())
    folder = ensure_dataset(data, accounts, seed)
    with open_database(settings) as database:
        top = load_and_detect(database, folder)
        key = create_key(database, name=f"demo-{int(time.time())}", role=Role.ANALYST)
    print_ready(settings, time.perf_counter() - started, key, folder, top)
    if not serve:
        return
    import uvicorn

    from app.api import create_app

    console.print("Serving until Ctrl-C (Neo4j keeps running: `linkage neo4j stop`).")
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port, log_level="warning")
