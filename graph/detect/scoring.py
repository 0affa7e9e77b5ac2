"""From a cluster's signals to a score in [0, 1], a verdict and the ordered evidence.

Signals answer three different questions, and a campaign is the combination, not any one of them:

- **control** — is this one operator's set of accounts? A payment pool, members reusing each other's
  addresses, a shared anonymising proxy service, batch registration from hosting addresses, a signup burst.
- **coordination** — are the accounts operated together? Repeated bursts beyond their own schedules,
  load balancing, accounts made for a model's release, accounts run to the same daily cap.
- **purpose** — what is it for? A shared playbook of templates, focus on one capability, a pivot to a new
  model. Alone these say "same task": users of one agent framework or one public benchmark share templates
  and pivots without sharing an operator. Purpose therefore only strengthens control or coordination
  evidence that is already there; it never makes a cluster suspicious on its own.

Within a group, signals combine as independent evidence (noisy-OR of weighted scores). Control and
coordination combine likewise into the operation evidence O; the score is O + (1 − O)·P·O, with P the
purpose evidence, times a size factor (coordination at scale is what separates an operation from a
household). A declared organisation (an `org_id`, or one organisational e-mail domain held by most
members and by few outsiders) explains shared billing, egress, onboarding and focus — the control signals
it can explain are scaled by `declared_org_factor` — but not proxies, bursts, load balancing or playbooks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from graph.detect.config import DetectionConfig
from graph.detect.signals import Signal

# How far each signal alone can take its group (its weight in the noisy-OR), and its group.
SIGNALS: dict[str, tuple[str, float]] = {
    "shared_payment": ("control", 0.9),
    "shared_credential": ("control", 0.9),
    "proxy_network": ("control", 0.6),
    "scripted_registration": ("control", 0.8),
    "shared_ips": ("control", 0.4),
    "signup_burst": ("control", 0.35),
    "synchronized_bursts": ("coordination", 0.85),
    "load_balancing": ("coordination", 0.85),
    "members_in_step": ("coordination", 0.85),
    "release_cohort": ("coordination", 0.8),
    "quota_pinning": ("coordination", 0.7),
    "relay": ("coordination", 0.8),
    "template_playbook": ("purpose", 0.7),
    "model_pivot": ("purpose", 0.6),
    "capability_focus": ("purpose", 0.35),
}
SIGNAL_WEIGHTS = {name: weight for name, (_, weight) in SIGNALS.items()}
# What a declared organisation explains: shared billing, shared egress, onboarding together.
EXPLAINED_BY_ORGANISATION = frozenset({"shared_payment", "shared_ips", "signup_burst"})


@dataclass
class Verdict:
    score: float
    verdict: str
    evidence: list[dict[str, Any]]
    signals: list[str]


def size_factor(size: int, config: DetectionConfig) -> float:
    """log-scaled from a pair (0.25) to `full_size` members (1.0).

    >>> size_factor(2, DetectionConfig()), size_factor(20, DetectionConfig())
    (0.25, 1.0)
    """
    return min(1.0, max(0.25, math.log(size) / math.log(config.full_size)))


def score_cluster(size: int, signals: list[Signal], mitigation: Signal | None,
                  config: DetectionConfig) -> Verdict:
    """Score, verdict and ordered evidence of one cluster (see the module docstring for the rule)."""
    remaining = {"control": 1.0, "coordination": 1.0, "purpose": 1.0}
    weighted: list[tuple[float, Signal]] = []
    for signal in signals:
        group, weight = SIGNALS.get(signal.name, ("purpose", 0.3))
        contribution = weight * signal.score
        if mitigation is not None and signal.name in EXPLAINED_BY_ORGANISATION:
            contribution *= config.declared_org_factor
        remaining[group] *= 1.0 - contribution
        weighted.append((contribution, signal))
    operation = 1.0 - remaining["control"] * remaining["coordination"]
    purpose = 1.0 - remaining["purpose"]
    score = (operation + (1.0 - operation) * purpose * operation) * size_factor(size, config)
    score = round(min(1.0, max(0.0, score)), 4)
    if score >= config.suspicious_threshold:
        verdict = "suspicious"
    elif score >= config.review_threshold:
        verdict = "review"
    else:
        verdict = "benign"
    weighted.sort(key=lambda item: (-item[0], item[1].name))
    evidence = [signal.as_dict() | {"contribution": round(c, 4), "group": SIGNALS.get(signal.name, ("purpose",))[0]}
                for c, signal in weighted if signal.score > 0]
    if mitigation is not None:
        evidence.append(mitigation.as_dict() | {"contribution": -round(1 - config.declared_org_factor, 4),
                                                "group": "mitigation"})
    evidence.append({"signal": "size", "score": round(size_factor(size, config), 4),
                     "summary": f"{size} member accounts", "metrics": {"members": size},
                     "contribution": 0.0, "group": "scale"})
    return Verdict(score, verdict, evidence, [e["signal"] for e in evidence if e["contribution"] > 0])
