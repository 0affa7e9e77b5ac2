"""Evaluation against ground truth (labels.csv), for ours and for the baseline in the same run.

Account level: an account is flagged when it is a member of a `suspicious` cluster. Precision, recall and
F1 over campaign accounts, recall per campaign, and false positives per legitimate population.

The baseline is what Neo4j's public fraud-ring examples do: connected components over shared payment
methods and IPs, every component of two or more accounts flagged.
"""

from __future__ import annotations

import csv
import itertools
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from graph.detect.components import clusters_from_labels, component_labels
from graph.detect.identifiers import star_edges
from graph.detect.inputs import DetectionInput
from graph.errors import InputError


@dataclass
class Labels:
    campaign: dict[str, str]  # account_id -> campaign ('' for legitimate)
    population: dict[str, str]  # account_id -> population name


def read_labels(path: Path) -> Labels:
    """labels.csv: account_id, campaign (empty = legitimate), optional population."""
    if not path.is_file():
        raise InputError("labels file not found", path=str(path))
    campaign: dict[str, str] = {}
    population: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"account_id", "campaign"} - set(reader.fieldnames or [])
        if missing:
            raise InputError(f"missing column {sorted(missing)[0]!r}", path=str(path), line=1)
        for line, row in enumerate(reader, start=2):
            account = (row.get("account_id") or "").strip()
            if not account:
                raise InputError("empty account_id", path=str(path), line=line, field="account_id")
            campaign[account] = (row.get("campaign") or "").strip()
            population[account] = (row.get("population") or "").strip() or (
                "campaign" if campaign[account] else "legitimate")
    return Labels(campaign, population)


@dataclass
class Scores:
    name: str
    flagged: int
    precision: float
    recall: float
    f1: float
    false_positive_rate: float
    recall_by_campaign: dict[str, float]
    false_positives_by_population: dict[str, int]
    seconds: float = 0.0
    population_sizes: dict[str, int] = field(default_factory=dict)  # legitimate accounts per population
    extra: dict[str, float] = field(default_factory=dict)


def score_flags(name: str, flagged: Iterable[str], labels: Labels, seconds: float = 0.0) -> Scores:
    """Account-level figures of a set of flagged accounts against the labels."""
    flagged_set = set(flagged)
    campaign_accounts = {a for a, c in labels.campaign.items() if c}
    legitimate = len(labels.campaign) - len(campaign_accounts)
    true_positives = len(flagged_set & campaign_accounts)
    false_positive_accounts = flagged_set - campaign_accounts
    precision = true_positives / len(flagged_set) if flagged_set else 1.0
    recall = true_positives / len(campaign_accounts) if campaign_accounts else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    per_campaign = Counter(labels.campaign[a] for a in campaign_accounts)
    hits = Counter(labels.campaign[a] for a in flagged_set & campaign_accounts)
    by_population = Counter(labels.population.get(a, "unlabelled") for a in false_positive_accounts)
    return Scores(
        name=name, flagged=len(flagged_set), precision=precision, recall=recall, f1=f1,
        false_positive_rate=len(false_positive_accounts) / legitimate if legitimate else 0.0,
        recall_by_campaign={c: hits[c] / n for c, n in sorted(per_campaign.items())},
        false_positives_by_population=dict(sorted(by_population.items())), seconds=seconds,
        population_sizes=dict(sorted(Counter(labels.population.get(a, "unlabelled") for a, c in
                                             labels.campaign.items() if not c).items())),
    )


def baseline_flags(data: DetectionInput) -> tuple[set[str], float]:
    """Connected components over shared payment methods and IPs; members of components of 2+ flagged."""
    started = time.perf_counter()
    edges = [star_edges(data.incidence(kind), data.incidence(kind).degrees() >= 2)
             for kind in ("payment", "ip") if not data.incidence(kind).is_empty()]
    all_edges = np.concatenate(edges) if edges else np.zeros((0, 2), dtype=np.int64)
    groups = clusters_from_labels(component_labels(data.n_accounts, all_edges))
    flagged = {data.account_ids[i] for group in groups for i in group}
    return flagged, time.perf_counter() - started


def flags_from_members(rows: Iterable[Mapping[str, object]]) -> set[str]:
    """Accounts in suspicious clusters, from (cluster_id, account_id, score, verdict) rows."""
    return {str(row["account_id"]) for row in rows if row["verdict"] == "suspicious"}


SCORE_BANDS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001)


@dataclass
class Band:
    """Accounts whose cluster scored in [low, high): how many, and how many of them are campaign accounts."""

    low: float
    high: float
    clusters: int
    accounts: int
    campaign_accounts: int
    mean_score: float

    @property
    def precision(self) -> float:
        return self.campaign_accounts / self.accounts if self.accounts else float("nan")


@dataclass
class Calibration:
    bands: list[Band]
    # From each threshold up: accounts flagged, precision, recall (what a verdict threshold there would do).
    from_threshold: list[dict[str, float]]
    unclustered_accounts: int
    unclustered_campaign_accounts: int


def calibrate(rows: Iterable[Mapping[str, object]], labels: Labels) -> Calibration:
    """Precision by score band and from each threshold up, from (cluster_id, account_id, score) rows.

    Account level, like `score_flags`: an account takes its cluster's score; accounts in no cluster are
    counted apart. A provider re-checks what `suspicious` means on its own labelled incidents with this.
    """
    score_of: dict[str, float] = {}
    cluster_of: dict[str, str] = {}
    for row in rows:
        account = str(row["account_id"])
        score_of[account] = float(row["score"])  # type: ignore[arg-type]
        cluster_of[account] = str(row["cluster_id"])
    campaign = {a for a, c in labels.campaign.items() if c}
    bands = []
    for low, high in itertools.pairwise(SCORE_BANDS):
        inside = [a for a, s in score_of.items() if low <= s < high]
        bands.append(Band(low, min(high, 1.0), len({cluster_of[a] for a in inside}), len(inside),
                          sum(1 for a in inside if a in campaign),
                          round(float(np.mean([score_of[a] for a in inside])), 4) if inside else float("nan")))
    cumulative = []
    for threshold in (0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        flagged = {a for a, s in score_of.items() if s >= threshold}
        hits = len(flagged & campaign)
        cumulative.append({"threshold": threshold, "accounts": len(flagged),
                           "precision": round(hits / len(flagged), 4) if flagged else float("nan"),
                           "recall": round(hits / len(campaign), 4) if campaign else float("nan")})
    outside = set(labels.campaign) - set(score_of)
    return Calibration(bands, cumulative, len(outside), len(outside & campaign))
