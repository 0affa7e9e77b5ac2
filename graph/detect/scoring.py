"""From a cluster's signals to a score in [0, 1], a verdict and the ordered evidence.

Signals are combined as independent pieces of evidence (noisy-OR of weighted scores), then scaled by the
cluster's size (coordination at scale is what distinguishes an operation from a household) and by a
declared relationship (members of one customer organisation share billing and egress by design).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from graph.detect.config import DetectionConfig
from graph.detect.signals import Signal

# How far each signal alone can take a cluster (its weight in the noisy-OR).
SIGNAL_WEIGHTS = {
    "shared_payment": 0.9,
    "synchronized_bursts": 0.85,
    "load_balancing": 0.85,
    "template_playbook": 0.7,
    "model_pivot": 0.7,
    "proxy_network": 0.6,
    "shared_ips": 0.4,
    "capability_focus": 0.35,
    "signup_burst": 0.35,
}


@dataclass
class Verdict:
    score: float
    verdict: str
    evidence: list[dict[str, Any]]
    signals: list[str]


def size_factor(size: int, config: DetectionConfig) -> float:
    """log-scaled from a pair (0.25) to `full_size` members (1.0)."""
    return min(1.0, max(0.25, math.log(size) / math.log(config.full_size)))


def score_cluster(size: int, signals: list[Signal], mitigation: Signal | None,
                  config: DetectionConfig) -> Verdict:
    remaining = 1.0
    weighted: list[tuple[float, Signal]] = []
    for signal in signals:
        contribution = SIGNAL_WEIGHTS.get(signal.name, 0.3) * signal.score
        remaining *= 1.0 - contribution
        weighted.append((contribution, signal))
    score = (1.0 - remaining) * size_factor(size, config)
    if mitigation is not None:
        score *= config.declared_org_factor
    score = round(min(1.0, max(0.0, score)), 4)
    if score >= config.suspicious_threshold:
        verdict = "suspicious"
    elif score >= config.review_threshold:
        verdict = "review"
    else:
        verdict = "benign"
    weighted.sort(key=lambda item: (-item[0], item[1].name))
    evidence = [signal.as_dict() | {"contribution": round(c, 4)} for c, signal in weighted if signal.score > 0]
    if mitigation is not None:
        evidence.append(mitigation.as_dict() | {"contribution": -round(1 - config.declared_org_factor, 4)})
    evidence.append({"signal": "size", "score": round(size_factor(size, config), 4),
                     "summary": f"{size} member accounts", "metrics": {"members": size},
                     "contribution": 0.0})
    return Verdict(score, verdict, evidence, [e["signal"] for e in evidence if e["contribution"] > 0])
