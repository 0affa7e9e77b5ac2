"""Shared pieces of the real-data converters: argument parsing, a clear error when the source is missing,
and the identifier degree distribution the detector designer asks for."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from graph.load.templates import mask_prompt_sql

DATA = Path(__file__).resolve().parent / "data"
DEGREE_BANDS = ((2, 10), (11, 100), (101, 1000), (1001, None))


def parse_args(description: str, source_help: str, default_source: Path | None,
               parser: argparse.ArgumentParser | None = None) -> argparse.Namespace:
    """--source and --out, added to `parser` when a converter has options of its own."""
    parser = parser or argparse.ArgumentParser(description=description)
    parser.add_argument("--source", type=Path, default=default_source, help=source_help)
    parser.add_argument("--out", type=Path, required=True, help="output directory (created; files overwritten)")
    return parser.parse_args()


def require_source(path: Path | None, what: str, how: str) -> Path:
    """The source path, or exit with a message naming what to fetch or install."""
    if path is None or not path.exists():
        sys.exit(f"source not found: {path}\n{what} is needed. {how}")
    return path


def degree_distribution(directory: Path) -> dict[str, dict[str, int]]:
    """For each kind of shared identifier in a converted directory, how many identifiers are shared by
    2–10, 11–100, 101–1000 and more than 1000 accounts (identifiers of one account are not shared)."""
    con = duckdb.connect()
    sources: dict[str, str] = {}
    for name in ("payment_methods", "requests", "accounts"):
        for suffix in (".csv", ".csv.gz", ".parquet"):
            if (directory / f"{name}{suffix}").exists():
                sources[name] = str(directory / f"{name}{suffix}")
    queries: dict[str, str] = {}
    if "payment_methods" in sources:
        queries["payment"] = f"SELECT account_id, fingerprint AS id FROM '{sources['payment_methods']}'"
    if "accounts" in sources:
        columns = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{sources['accounts']}'").fetchall()}
        for kind, column, expression in (("email_domain", "email_domain", "lower(email_domain)"),
                                         ("org", "org_id", "org_id")):
            if column in columns:
                queries[kind] = f"SELECT account_id, {expression} AS id FROM '{sources['accounts']}'"
    if "requests" in sources:
        columns = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{sources['requests']}'").fetchall()}
        for kind, column in (("ip", "ip"), ("client", "client_fingerprint"), ("api_key", "api_key_id"),
                             ("capability", "capability"), ("model", "model")):
            if column in columns:
                queries[kind] = f"SELECT account_id, {column} AS id FROM '{sources['requests']}'"
        if "prompt" in columns:
            queries["template (masked prompt)"] = (
                f"SELECT account_id, {mask_prompt_sql('prompt')} AS id FROM '{sources['requests']}' "
                "WHERE prompt IS NOT NULL")
    if (directory / "repo_owners.csv").exists():  # a side table some converters write; never loaded
        side = directory / "repo_owners.csv"
        queries["repo owner (not loaded)"] = f"SELECT account_id, repo_owner AS id FROM '{side}'"
    result: dict[str, dict[str, int]] = {}
    for kind, sql in queries.items():
        degrees = [row[0] for row in con.execute(
            f"SELECT count(DISTINCT account_id) FROM ({sql}) WHERE id IS NOT NULL GROUP BY id").fetchall()]
        bands = {}
        for low, high in DEGREE_BANDS:
            label = f"{low}-{high}" if high else f">{low - 1}"
            bands[label] = sum(1 for d in degrees if d >= low and (high is None or d <= high))
        bands["identifiers"] = len(degrees)
        bands["max_degree"] = max(degrees, default=0)
        result[kind] = bands
    return result
