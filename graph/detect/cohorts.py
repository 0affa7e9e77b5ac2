"""Timing of an account's life: pivots to a newly released model, and creation close in time."""

from __future__ import annotations

import numpy as np

from graph.detect.blocks import EMPTY_PAIRS, block_pairs
from graph.detect.config import DetectionConfig
from graph.detect.inputs import DetectionInput


def pivot_cohorts(data: DetectionInput, config: DetectionConfig) -> np.ndarray:
    """Per account, the id of its pivot cohort or -1: the model it moved most of its traffic to within
    `pivot_window_s` of the model's first appearance (for models that appear after the log starts), split
    by whether the account was young (created within `young_account_s` before that appearance)."""
    models = data.incidence("model")
    cohorts = np.full(data.n_accounts, -1, dtype=np.int64)
    model_first = models.ident_attrs.get("model_first_seen")
    if models.is_empty() or "first_seen" not in models.edge_attrs or model_first is None:
        return cohorts
    totals = np.bincount(models.account, weights=models.requests, minlength=data.n_accounts)
    share = models.requests / np.maximum(totals[models.account], 1.0)
    release = model_first[models.ident]
    lag = models.edge_attrs["first_seen"] - release
    log_start = np.nanmin(model_first)
    is_new = release > log_start + config.pivot_window_s
    pivoted = (is_new & (lag >= 0) & (lag <= config.pivot_window_s) & (share >= 0.5)
               & (models.requests >= config.pivot_min_requests))
    age = release - data.created_at[models.account]
    young = (age >= 0) & (age <= config.young_account_s)
    cohorts[models.account[pivoted]] = models.ident[pivoted] * 2 + young[pivoted]
    return cohorts


def cohort_pairs(cohorts: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs within each pivot cohort, and each cohort's size per pair."""
    members = np.flatnonzero(cohorts >= 0)
    if members.size < 2:
        return EMPTY_PAIRS, np.zeros(0)
    order = np.lexsort((members, cohorts[members]))
    members = members[order]
    keys = cohorts[members]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, keys.size])
    pairs, blocks = block_pairs(starts, sizes, members, cap)
    return pairs, sizes[blocks].astype(np.float64)


class CreationTimes:
    """Accounts' creation times, sorted, to ask how many were created at least as close as a given gap."""

    def __init__(self, created: np.ndarray) -> None:
        self.created = created
        self.sorted = np.sort(created[~np.isnan(created)])

    def within(self, accounts: np.ndarray, gap: np.ndarray) -> np.ndarray:
        """Accounts created within ±gap of each given account (itself included; 1 when unknown)."""
        times = self.created[accounts]
        counts = (np.searchsorted(self.sorted, times + gap, side="right")
                  - np.searchsorted(self.sorted, times - gap, side="left")).astype(np.float64)
        return np.where(np.isnan(times) | np.isnan(gap), 1.0, np.maximum(counts, 1.0))

    def closeness_nats(self, pairs: np.ndarray, window: float) -> np.ndarray:
        """ln(N / accounts created at least as close) for pairs created within `window` of each other:
        the rarity of being created that close, measured on the population's own calendar (a signup rush
        makes closeness cheap). Zero beyond the window or when a time is unknown.

        Two of ten accounts created five seconds apart, the others hours apart:

        >>> times = CreationTimes(np.r_[0.0, 5.0, 3600.0 * np.arange(2, 10), np.nan])
        >>> times.closeness_nats(np.array([[0, 1], [2, 9], [0, 10]]), window=86_400).round(2).tolist()
        [1.61, 0.0, 0.0]
        """
        if pairs.size == 0:
            return np.zeros(0)
        gap = np.abs(self.created[pairs[:, 0]] - self.created[pairs[:, 1]])
        close = np.flatnonzero((gap <= window) & ~np.isnan(gap))
        result = np.zeros(len(pairs))
        if close.size == 0:
            return result
        gap = gap[close]
        count = np.maximum(self.within(pairs[close, 0], gap), self.within(pairs[close, 1], gap))
        result[close] = np.log(max(self.sorted.size, 1) / np.maximum(count, 1.0))
        return result


def creation_density(created: np.ndarray, window: float) -> np.ndarray:
    """Per account: how many accounts were created within ±window of it (itself included).

    >>> creation_density(np.array([0.0, 10.0, 1000.0, np.nan]), window=60).tolist()
    [2.0, 2.0, 1.0, 1.0]
    """
    known = ~np.isnan(created)
    counts = np.ones(created.size)
    values = np.sort(created[known])
    counts[known] = (np.searchsorted(values, created[known] + window, side="right")
                     - np.searchsorted(values, created[known] - window, side="left"))
    return counts
