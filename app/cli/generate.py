"""`linkage generate`: a synthetic data set in the input contract, with ground truth."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from app.cli.common import console, err_console, reports_errors
from graph.errors import InputError
from graph.synthetic import generate_dataset
from graph.synthetic.config import TRAPS
from graph.synthetic.scenario import ALL_CAMPAIGNS, SCENARIOS, ScenarioError, resolve_scenario


class FileFormat(StrEnum):
    PARQUET = "parquet"
    CSV = "csv"
    JSONL = "jsonl"


class PromptsMode(StrEnum):
    TEXT = "text"
    TEMPLATE = "template"


class TableProgress:
    """One progress bar per table the generator writes, on stderr (stdout carries results only)."""

    def __init__(self) -> None:
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=err_console)
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> Callable[[str, int, int], None]:
        self.progress.__enter__()
        return self.report

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def report(self, table: str, done: int, total: int) -> None:
        if table not in self.tasks:
            self.tasks[table] = self.progress.add_task(table, total=total)
        self.progress.update(self.tasks[table], completed=done, total=total)


@reports_errors
def generate(
    out: Path = typer.Option(..., "--out", help="Folder to write the tables and labels.csv into."),
    accounts: int = typer.Option(10_000, "--accounts", min=1000, help="Number of accounts."),
    seed: int = typer.Option(1, "--seed", min=0, help="Random seed: the same seed gives the same files."),
    requests: int | None = typer.Option(None, "--requests", help="Request-log rows (default 16 × accounts)."),
    fmt: FileFormat = typer.Option(FileFormat.PARQUET, "--format",
                                   help="parquet (requests; small tables as CSV), csv or jsonl."),
    prompts: PromptsMode = typer.Option(PromptsMode.TEXT, "--prompts",
                                        help="text: raw prompts; template: precomputed template ids (smaller "
                                             "files)."),
    scenario: str = typer.Option("full", "--scenario",
                                 help=f"World composition: {', '.join(SCENARIOS)} (classic = the three original "
                                      "campaigns only, byte-identical to earlier versions) or a .toml file."),
    traps: str | None = typer.Option(None, "--traps",
                                     help="Comma-separated lookalike populations instead of the scenario's "
                                          f"(all, none, or of: {', '.join(TRAPS)})."),
    campaigns: str | None = typer.Option(None, "--campaigns",
                                         help="Comma-separated campaigns instead of the scenario's (all, none, "
                                              f"or of: {', '.join(ALL_CAMPAIGNS)})."),
) -> None:
    """Write a realistic data set — legitimate background with its traps (families, companies, universities,
    carriers, cloud developers, an evaluation customer; in the full scenario also platform billing,
    scheduled jobs, an editor extension, an agent framework, benchmark researchers, workshop cohorts and
    team seats) and distillation campaigns of different shapes — as accounts, payment_methods, ip_intel
    and requests tables, plus labels.csv (ground truth for `linkage eval`, never loaded)."""
    trap_list = None if traps is None else traps.split(",")
    campaign_list = None if campaigns is None else campaigns.split(",")
    try:
        world = resolve_scenario(scenario, trap_list, campaign_list)
    except ScenarioError as error:
        message = str(error)
        field = "--traps" if "unknown trap" in message else "--campaigns" if "unknown campaign" in message \
            else "--scenario"
        raise InputError(message, field=field) from None
    with TableProgress() as report:
        try:
            summary = generate_dataset(out, accounts=accounts, seed=seed, requests=requests, fmt=fmt.value,
                                       progress=report, prompts=prompts.value, scenario=world)
        except ScenarioError as error:  # a composition that does not fit the size (e.g. traps scaled too far)
            raise InputError(str(error), field="--scenario") from None
    console.print(f"Wrote {', '.join(f'{t} {n:,}' for t, n in summary.rows.items() if ':' not in t)} "
                  f"to {out} in {summary.seconds:.1f}s")
    console.print(world.describe())
    console.print("Campaigns: " + (", ".join(f"{c} {n:,}" for c, n in summary.campaign_sizes.items()) or "none"))
    console.print("Populations: " + ", ".join(f"{p} {n:,}" for p, n in summary.population_sizes.items()))
