"""Evidence that two accounts are run by one operator, for any list of pairs, in nats of coincidence.

Components (each documented where it is computed):

| component | from |
|---|---|
| ownership | shared payment methods and API keys, by rarity and kind (`graph.detect.identifiers`) |
| personal | IPs and client fingerprints shared at household scale |
| infrastructure | larger shared IPs, clients, e-mail domains: counts only when behaviour agrees |
| timing | co-activity beyond own schedules and the population's rhythm (`graph.detect.activity`) |
| template | the same rarely used templates carrying both accounts' traffic (`graph.detect.content`) |
| cohort | both pivoted to the same newly released model within days of its appearance |
| registration | registered within hours from the same address or on the same e-mail domain: that
  identifier's rarity without its kind's discount, plus the rarity of being created that close |
| creation | created close in time, where that is rare; corroboration only |

Shared infrastructure ("same proxy service, same NAT") is what strangers share by design, so it counts only
for pairs that also behave alike; creation close in time is a coincidence of calendars unless something
else links the pair. Everything else adds up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from graph.detect.activity import ActivityModel, rowwise_dot, timing_nats
from graph.detect.blocks import distinct
from graph.detect.cohorts import CreationTimes, pivot_cohorts
from graph.detect.config import DetectionConfig
from graph.detect.content import TailCalibration, TemplateProfile, calibrate_templates, template_nats, template_profile
from graph.detect.identifiers import IdentifierKind, build_identifier_kinds, surprise
from graph.detect.inputs import DetectionInput
from graph.detect.kernels import row_products

COMPONENTS = ("ownership", "personal", "infrastructure", "registration", "timing", "template", "cohort",
              "creation")


@dataclass
class PairEvidence:
    """Evidence of each pair, by component (parallel arrays)."""

    parts: dict[str, np.ndarray] = field(default_factory=dict)
    registration_by_kind: dict[str, np.ndarray] = field(default_factory=dict)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.parts[name]

    def behaviour(self) -> np.ndarray:
        return self.parts["timing"] + self.parts["template"] + self.parts["cohort"]

    def total(self, config: DetectionConfig, corroborated: bool = False) -> np.ndarray:
        """All components combined. Shared infrastructure counts only where behaviour agrees and creation
        time only as corroboration of other evidence — unless another fact already ties the pair
        (`corroborated`: e.g. it shares a payment method whose holders are being judged)."""
        behaviour = self.behaviour()
        infrastructure = self.parts["infrastructure"]
        if not corroborated:
            infrastructure = np.where(behaviour >= config.behaviour_gate_nats, infrastructure, 0.0)
        evidence = (self.parts["ownership"] + self.parts["personal"] + self.parts["registration"] + behaviour
                    + infrastructure)
        creation = self.parts["creation"]
        return evidence + (creation if corroborated else np.where(evidence > 0, creation, 0.0))


@dataclass
class EvidenceModel:
    """Everything pair evidence needs, computed once per run."""

    data: DetectionInput
    config: DetectionConfig
    activity: ActivityModel
    templates: TemplateProfile
    template_calibration: TailCalibration
    identifiers: dict[str, IdentifierKind]
    cohorts: np.ndarray  # per account: pivot cohort id (model * 2 + young) or -1
    cohort_sizes: np.ndarray
    creation: CreationTimes
    # Identifiers adopted at registration (signup address, e-mail domain): accounts × identifiers valued
    # ln(N/d) for 2 ≤ d ≤ pair_degree_cap, and the binary holders matrix.
    registrations: dict[str, tuple[sp.csr_matrix, sp.csr_matrix]]
    _weighted: dict[tuple[str, str], sp.csr_matrix] = field(default_factory=dict)

    @classmethod
    def build(cls, data: DetectionInput, config: DetectionConfig) -> EvidenceModel:
        cohorts = pivot_cohorts(data, config)
        sizes = np.bincount(cohorts[cohorts >= 0]) if (cohorts >= 0).any() else np.zeros(0)
        templates = template_profile(data, config)
        model = cls(data, config, ActivityModel.build(data), templates, calibrate_templates(templates, config),
                     build_identifier_kinds(data, config), cohorts, sizes,
                     CreationTimes(data.created_at), registration_matrices(data, config))
        for kind, identifiers in model.identifiers.items():
            if identifiers.role == "device":
                model._weighted[(kind, "personal")] = identifiers.weighted(identifiers.household)
                model._weighted[(kind, "infrastructure")] = identifiers.weighted(~identifiers.household)
            else:
                component = "ownership" if identifiers.role == "ownership" else "infrastructure"
                model._weighted[(kind, component)] = identifiers.weighted(np.ones(identifiers.nats.size, bool))
        return model

    def shared(self, kind: str, component: str, pairs: np.ndarray) -> np.ndarray:
        """Nats of the identifiers of one kind that each pair shares, capped at twice the strongest:
        several addresses of one household or one provider are correlated, not independent."""
        weighted = self._weighted.get((kind, component))
        if weighted is None or pairs.size == 0:
            return np.zeros(len(pairs))
        total, strongest = row_products(weighted, self.identifiers[kind].holders, pairs)
        return np.minimum(total, 2.0 * strongest)

    def evaluate(self, pairs: np.ndarray) -> PairEvidence:
        """Every component for every pair."""
        parts = {name: np.zeros(len(pairs)) for name in COMPONENTS}
        if len(pairs) == 0:
            return PairEvidence(parts)
        for kind in self.identifiers:
            for component in ("ownership", "personal", "infrastructure"):
                if (kind, component) in self._weighted:
                    parts[component] += self.shared(kind, component, pairs)
        parts["timing"] = timing_nats(self.activity, pairs, self.config)
        parts["template"] = template_nats(self.templates, pairs, self.config, self.template_calibration)
        cohorts = self.cohorts
        same = (cohorts[pairs[:, 0]] >= 0) & (cohorts[pairs[:, 0]] == cohorts[pairs[:, 1]])
        if same.any():
            parts["cohort"][same] = surprise(self.data.n_accounts, self.cohort_sizes[cohorts[pairs[same, 0]]])
        parts["creation"] = self.creation.closeness_nats(pairs, self.config.creation_window_s)
        by_kind = self.registration(pairs, parts["creation"])
        parts["registration"] = np.max(np.stack(list(by_kind.values())), axis=0) if by_kind else np.zeros(len(pairs))
        return PairEvidence(parts, by_kind)

    def registration(self, pairs: np.ndarray, creation: np.ndarray) -> dict[str, np.ndarray]:
        """Per kind (signup address, e-mail domain): pairs registered within `registration_window_s` of each
        other with the same one score that identifier's rarity ln(N/d) (no discount for its kind: strangers
        share a campus NAT or a mail provider over months, not within the same hours) plus the rarity of being
        created that close. A script's batch, a class signing up together, a farm filling a fresh domain."""
        if not self.registrations or pairs.size == 0:
            return {}
        created = self.data.created_at
        gap = np.abs(created[pairs[:, 0]] - created[pairs[:, 1]])
        close = gap <= self.config.registration_window_s
        result = {}
        for kind, (weighted, holders) in self.registrations.items():
            strongest = row_products(weighted, holders, pairs)[1]
            result[kind] = np.where(close & (strongest > 0), strongest + creation, 0.0)
        return result

    def without(self, evidence: PairEvidence, kind: str, idents: np.ndarray) -> PairEvidence:
        """The same evidence with one identifier per pair taken out (what else ties the pair)."""
        identifiers = self.identifiers[kind]
        component = ("ownership" if identifiers.role == "ownership" else
                     "infrastructure" if identifiers.role == "domain" or not identifiers.household.any() else None)
        parts = dict(evidence.parts)
        nats = identifiers.nats[idents]
        if component is None:
            household = identifiers.household[idents]
            parts["personal"] = np.where(household, np.maximum(parts["personal"] - nats, 0.0), parts["personal"])
            parts["infrastructure"] = np.where(household, parts["infrastructure"],
                                               np.maximum(parts["infrastructure"] - nats, 0.0))
        else:
            parts[component] = np.maximum(parts[component] - nats, 0.0)
        if kind in evidence.registration_by_kind:
            others = [values for other, values in evidence.registration_by_kind.items() if other != kind]
            parts["registration"] = np.max(np.stack(others), axis=0) if others else np.zeros(len(nats))
        return PairEvidence(parts, evidence.registration_by_kind)


def registration_matrices(data: DetectionInput, config: DetectionConfig) \
        -> dict[str, tuple[sp.csr_matrix, sp.csr_matrix]]:
    result = {}
    for kind in ("signup_ip", "email_domain"):
        incidence = data.incidence(kind)
        if incidence.is_empty():
            continue
        holders = sp.csr_matrix((np.ones(incidence.account.size), (incidence.account, incidence.ident)),
                                shape=(data.n_accounts, incidence.n_idents))
        holders.sum_duplicates()
        holders.data[:] = 1.0
        degrees = incidence.degrees()
        usable = (degrees >= 2) & (degrees <= config.pair_degree_cap)
        nats = np.where(usable, surprise(distinct(incidence.account).size, degrees), 0.0)
        weighted = sp.csr_matrix(holders @ sp.diags(nats))
        weighted.eliminate_zeros()
        result[kind] = (weighted, holders)
    return result


def overlap_rows(matrix: sp.csr_matrix, pairs: np.ndarray) -> np.ndarray:
    """Σ_k matrix[u, k] · matrix[v, k] per pair (re-exported for signals that need a plain overlap)."""
    return rowwise_dot(matrix, matrix, pairs)
