"""What accounts ask: how many prompt templates two accounts share beyond what popularity explains.

Each account is the set of templates it used that someone else used too (a template only one account sent
can match nobody). Under independence an account with k such templates holds template t with probability
1 − (1 − π_t)^k, π_t being t's share of all (account, template) uses, so two accounts are expected to share
e = Σ_t P(t | k_u) · P(t | k_v) templates: popular templates are expected, and a heavy user is expected to
meet more of them. The Poisson log-likelihood ratio of the observed number shared against e is the surprise
(SynchroTrap's measure, applied to what is asked instead of when). A playbook — dozens of templates nobody
else uses, shared by hundreds of accounts — is far beyond it; two people asking to translate a paragraph
are not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from graph.detect.config import DetectionConfig
from graph.detect.inputs import DetectionInput
from graph.detect.kernels import binned_overlap_surprise


@dataclass
class TemplateProfile:
    sets: sp.csr_matrix  # accounts × templates, binary, templates used by 2+ accounts
    counts: np.ndarray  # per account: number of such templates (k)
    template_bin: np.ndarray  # per template: its popularity bin
    bin_probability: np.ndarray  # per popularity bin: π of its templates (their mean)
    bin_size: np.ndarray  # per popularity bin: number of templates

    def expected_shared(self, k_left: np.ndarray, k_right: np.ndarray) -> np.ndarray:
        """e = Σ_t P(t | k_u) · P(t | k_v), templates grouped by popularity."""
        if self.bin_size.size == 0:
            return np.zeros(k_left.size)
        log_miss = np.log1p(-self.bin_probability)
        result = np.zeros(k_left.size)
        for log_q, size in zip(log_miss, self.bin_size, strict=True):
            result += size * (-np.expm1(k_left * log_q)) * (-np.expm1(k_right * log_q))
        return result


def template_profile(data: DetectionInput, config: DetectionConfig) -> TemplateProfile:
    """Each account's set of shareable templates and the popularity the expectation needs."""
    incidence = data.incidence("template")
    n = data.n_accounts
    if incidence.is_empty():
        return TemplateProfile(sp.csr_matrix((n, 0)), np.zeros(n), np.zeros(0, dtype=np.int64), np.zeros(0),
                               np.zeros(0))
    degrees = incidence.degrees()
    keep = degrees[incidence.ident] >= 2
    sets = sp.csr_matrix((np.ones(int(keep.sum())), (incidence.account[keep], incidence.ident[keep])),
                         shape=(n, incidence.n_idents))
    sets.sum_duplicates()
    sets.data[:] = 1.0
    counts = np.diff(sets.indptr).astype(np.float64)
    template_bin = np.zeros(incidence.n_idents, dtype=np.int64)
    shareable = degrees >= 2
    if not shareable.any():
        return TemplateProfile(sets, counts, template_bin, np.zeros(0), np.zeros(0))
    probability = degrees[shareable] / degrees[shareable].sum()
    decade = np.floor(np.log10(probability)).astype(np.int64)
    which = decade - decade.min()
    bins = int(which.max()) + 1
    bin_size = np.bincount(which, minlength=bins).astype(np.float64)
    bin_probability = np.bincount(which, weights=probability, minlength=bins) / np.maximum(bin_size, 1)
    used = bin_size > 0
    renumber = np.cumsum(used) - 1
    template_bin[shareable] = renumber[which]
    return TemplateProfile(sets, counts, template_bin, bin_probability[used], bin_size[used])


def template_nats(profile: TemplateProfile, pairs: np.ndarray, config: DetectionConfig,
                  calibration: TailCalibration | None = None) -> np.ndarray:
    """Surprise of the templates each pair shares (capped at `template_max_nats`), measured against how
    often random pairs of accounts reach it when a calibration is given."""
    if pairs.size == 0 or profile.sets.shape[1] == 0:
        return np.zeros(len(pairs))
    shared, surprise = binned_overlap_surprise(profile.sets, profile.template_bin, profile.counts,
                                               np.log1p(-profile.bin_probability), profile.bin_size, pairs)
    if calibration is not None:
        smaller = np.minimum(profile.counts[pairs[:, 0]], profile.counts[pairs[:, 1]])
        surprise = calibration.apply(surprise, smaller)
    return np.where(shared >= config.template_min_shared, np.minimum(surprise, config.template_max_nats), 0.0)


@dataclass
class TailCalibration:
    """Raw template surprise → nats measured on the population itself, per stratum of the smaller
    account's template count: how often do two random accounts reach this much?"""

    edges: np.ndarray  # stratum lower bounds of min(k_u, k_v)
    quantiles: list[np.ndarray]  # per stratum: sorted sample of raw surprise among random pairs
    anchors: np.ndarray  # per stratum: raw value at the anchor quantile
    scales: np.ndarray  # per stratum: nats of raw surprise per e-fold of rarity beyond the anchor

    def apply(self, raw: np.ndarray, smaller_k: np.ndarray) -> np.ndarray:
        result = np.zeros(raw.size)
        stratum = np.clip(np.searchsorted(self.edges, smaller_k, side="right") - 1, 0, self.edges.size - 1)
        for s, sample in enumerate(self.quantiles):
            chosen = stratum == s
            if not chosen.any():
                continue
            values = raw[chosen]
            if sample.size == 0:
                result[chosen] = values
                continue
            # Below the anchor: the empirical tail probability; beyond it: exponential extrapolation.
            exceed = 1.0 - np.searchsorted(sample, values, side="left") / sample.size
            empirical = -np.log(np.clip(exceed, 1.0 / sample.size, 1.0))
            beyond = -np.log(TAIL_ANCHOR) + (values - self.anchors[s]) / max(self.scales[s], 1e-9)
            result[chosen] = np.where(values > self.anchors[s], np.maximum(beyond, empirical), empirical)
        return np.where(raw > 0, result, 0.0)


TAIL_ANCHOR = 0.01  # the quantile (from the top) where the empirical tail hands over to extrapolation
STRATUM_EDGES = np.array([2.0, 5.0, 10.0, 20.0, 50.0, 100.0])


def calibrate_templates(profile: TemplateProfile, config: DetectionConfig, samples: int = 40_000) \
        -> TailCalibration:
    """Sample random pairs per stratum (deterministic seed) and fit the tail of their raw surprise.

    Random pairs are almost all strangers, so their surprise is what chance and shared interests produce;
    the fit stops at the 99th percentile so that a large campaign's own pairs do not set the scale.
    """
    rng = np.random.default_rng(config.seed)
    counts = profile.counts
    eligible = np.flatnonzero(counts >= 2)
    quantiles, anchors, scales = [], [], []
    for low, high in zip(STRATUM_EDGES, np.r_[STRATUM_EDGES[1:], np.inf], strict=True):
        inside = eligible[(counts[eligible] >= low) & (counts[eligible] < high)]
        partners = eligible[counts[eligible] >= low]
        if inside.size < 2 or partners.size < 2:
            quantiles.append(np.zeros(0))
            anchors.append(0.0)
            scales.append(1.0)
            continue
        left = rng.choice(inside, samples)
        right = rng.choice(partners, samples)
        keep = left != right
        pairs = np.sort(np.stack([left[keep], right[keep]], axis=1), axis=1)
        _, raw = binned_overlap_surprise(profile.sets, profile.template_bin, profile.counts,
                                         np.log1p(-profile.bin_probability), profile.bin_size, pairs)
        raw = np.sort(raw)
        anchor = float(np.quantile(raw, 1.0 - TAIL_ANCHOR))
        lower = float(np.quantile(raw, 1.0 - 10 * TAIL_ANCHOR))
        quantiles.append(raw)
        anchors.append(anchor)
        # Nats of raw surprise per e-fold between the 90th and 99th percentiles (at least 1: never sharper
        # than a calibrated surprise).
        scales.append(max((anchor - lower) / np.log(10.0), 1.0))
    return TailCalibration(STRATUM_EDGES, quantiles, np.asarray(anchors), np.asarray(scales))
