"""Evaluation against ground truth (labels.csv), for ours and for the baseline in the same run.

Account level: an account is flagged when it is a member of a `suspicious` cluster. Precision, recall and
F1 over campaign accounts, recall per campaign, and false positives per legitimate population.

The baseline is what Neo4j's public fraud-ring examples do: connected components over shared payment
methods and IPs, every component of two or more accounts flagged.
"""

from __future__ import annotations

import csv
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
