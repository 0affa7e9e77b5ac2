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


def template_nats(profile: TemplateProfile, pairs: np.ndarray, config: DetectionConfig) -> np.ndarray:
    """Surprise of the number of templates each pair shares (capped at `template_max_nats`)."""
    if pairs.size == 0 or profile.sets.shape[1] == 0:
        return np.zeros(len(pairs))
    shared, surprise = binned_overlap_surprise(profile.sets, profile.template_bin, profile.counts,
                                               np.log1p(-profile.bin_probability), profile.bin_size, pairs)
    return np.where(shared >= config.template_min_shared, np.minimum(surprise, config.template_max_nats), 0.0)
