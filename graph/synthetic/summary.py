"""What a generation run produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class GenerationSummary:
    """Rows per table, campaign and population sizes, output paths and wall time of one run."""

    out_dir: Path
    seed: int
    fmt: str
    prompts: str
    rows: dict[str, int] = field(default_factory=dict)
    campaign_sizes: dict[str, int] = field(default_factory=dict)
    population_sizes: dict[str, int] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0
    scenario: Any = None  # the Scenario the world was built from

    @property
    def campaign_requests(self) -> int:
        """Requests sent by campaign accounts (kept in `rows` under `requests:campaigns`)."""
        return self.rows.get("requests:campaigns", 0)
