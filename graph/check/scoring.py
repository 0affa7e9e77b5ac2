"""The linkage check's scoring: the check query's rows → risk, verdict, matched clusters and reasons.

    >>> rarity("IP", 250) < rarity("PAYMENT_METHOD", 250)
    True

How the risk is computed (pure functions below, no I/O):

* every identifier the subject shares with other accounts is evidence; its strength is
  `kind weight × rarity(shared_by)`. Rarity is relative to how widely that kind is normally shared: a
  card shared by 40 accounts is still rare enough to count fully, an IP shared by hundreds (CGNAT, a
  university) counts almost nothing, an email domain only when it is a small one;
* evidence that leads into a cluster counts `× cluster weight × coverage`: the cluster's score, scaled by
  its verdict and case status (suspicious 1.0, review 0.6, benign 0, dismissed 0, confirmed ≥ 0.95), times
  the share of the identifier's accounts that are in the cluster;
* sharing without any cluster counts only when the identifier is widely shared for its kind (40 accounts
  on one card with no cluster yet is still suspicious), minus the share of those accounts a benign or
  dismissed cluster explains (a company's invoice account);
* the account's own membership of a cluster counts `cluster weight × membership weight`;
* each identifier counts once, with its strongest piece of evidence; identifiers (and memberships)
  combine with a noisy-OR: `risk = 1 − Π(1 − s)`, so two independent medium signals add up but nothing
  exceeds 1. Evidence under 0.005 is dropped. `risk ≥ 0.8` → block, `≥ 0.4` → review, else allow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.check.model import CheckResult, CheckSignals, ClusterRef, MatchedCluster, Reason, Verdict
from graph.errors import NotFoundError

BLOCK_AT = 0.8
REVIEW_AT = 0.4
MAX_REASONS = 25
# Evidence weaker than this is dropped (a CGNAT IP that also leads to some cluster says nothing).
MIN_CONTRIBUTION = 0.005

# Node label (as the query returns it) -> identifier kind shown to users.
KIND_BY_LABEL: dict[str, str] = {
    "PaymentMethod": "PAYMENT_METHOD", "IP": "IP", "ClientFingerprint": "CLIENT_FINGERPRINT",
    "EmailDomain": "EMAIL_DOMAIN", "ApiKey": "API_KEY", "PromptTemplate": "TEMPLATE", "Email": "EMAIL",
    "Org": "ORG",
}


@dataclass(frozen=True)
class KindProfile:
    """How much one kind of identifier says, and how widely it is normally shared."""

    weight: float      # strength of a rare shared identifier of this kind
    hub_scale: float   # sharing at which rarity halves (a CGNAT IP is far beyond it)
    crowd: float       # sharing that is suspicious by itself, even without a cluster (0: never)


KIND_PROFILES: dict[str, KindProfile] = {
    "PAYMENT_METHOD": KindProfile(weight=0.95, hub_scale=400, crowd=8),
    "EMAIL": KindProfile(weight=0.95, hub_scale=20, crowd=3),
    "API_KEY": KindProfile(weight=0.9, hub_scale=50, crowd=5),
    "CLIENT_FINGERPRINT": KindProfile(weight=0.6, hub_scale=60, crowd=0),
    "IP": KindProfile(weight=0.5, hub_scale=25, crowd=0),
    "TEMPLATE": KindProfile(weight=0.35, hub_scale=80, crowd=0),
    "EMAIL_DOMAIN": KindProfile(weight=0.3, hub_scale=30, crowd=0),
    "ORG": KindProfile(weight=0.1, hub_scale=50, crowd=0),
}
VERDICT_WEIGHT = {"suspicious": 1.0, "review": 0.6, "benign": 0.0}


def rarity(kind: str, shared_by: int) -> float:
    """1 for an identifier nobody else uses, falling towards 0 as it is shared far beyond its kind's norm."""
    profile = KIND_PROFILES.get(kind, KIND_PROFILES["ORG"])
    return 1.0 / (1.0 + (max(shared_by, 0) / profile.hub_scale) ** 2)


def cluster_weight(cluster: Mapping[str, Any]) -> float:
    """How much leading into this cluster counts: its score scaled by verdict and case status."""
    status = cluster.get("case_status")
    if status == "DISMISSED":
        return 0.0
    score = float(cluster.get("score") or 0.0)
    weight = score * VERDICT_WEIGHT.get(str(cluster.get("verdict")), 0.0)
    if status == "CONFIRMED":
        weight = max(weight, 0.95)
    return min(weight, 1.0)


def _cluster_ref(cluster: Mapping[str, Any]) -> ClusterRef:
    return ClusterRef(cluster_id=str(cluster["cluster_id"]), verdict=str(cluster.get("verdict")),
                      score=float(cluster.get("score") or 0.0), size=int(cluster.get("size") or 0),
                      case_status=cluster.get("case_status"))


def _crowd_strength(kind: str, shared_by: int) -> float:
    """Sharing that is suspicious by itself for its kind (a card on dozens of accounts)."""
    profile = KIND_PROFILES.get(kind)
    if profile is None or profile.crowd <= 0 or shared_by < 2:
        return 0.0
    return 0.6 * min(1.0, math.log1p(shared_by - 1) / math.log1p(profile.crowd))


def membership_reasons(own_clusters: Sequence[Mapping[str, Any]], account_id: str | None) -> list[Reason]:
    """The account's own cluster memberships: `cluster weight × membership weight` each."""
    reasons = []
    for membership in own_clusters:
        weight = cluster_weight(membership)
        member_weight = membership.get("weight")
        strength = weight * (1.0 if member_weight is None else min(max(float(member_weight), 0.0), 1.0))
        reasons.append(Reason(kind="MEMBERSHIP", value=str(account_id), shared_by=int(membership.get("size")
                              or 0), contribution=round(strength, 4), cluster=_cluster_ref(membership),
                              accounts_in_cluster=1,
                              explanation="the account itself is a member of this cluster"))
    return reasons


def identifier_reasons(row: Mapping[str, Any]) -> list[Reason]:
    """One shared identifier's evidence: a reason per cluster it leads into, and its crowd of sharers."""
    kind = KIND_BY_LABEL.get(str(row["label"]), str(row["label"]).upper())
    profile = KIND_PROFILES.get(kind, KIND_PROFILES["ORG"])
    shared_by = int(row.get("shared_by") or 0)
    if shared_by <= 0:
        return []
    reasons = []
    base = profile.weight * rarity(kind, shared_by)
    for cluster in row.get("clusters") or []:
        coverage = min(1.0, int(cluster.get("accounts") or 0) / shared_by)
        strength = base * cluster_weight(cluster) * (0.5 + 0.5 * coverage)
        reasons.append(Reason(
            kind=kind, value=str(row["value"]), shared_by=shared_by, contribution=round(strength, 4),
            cluster=_cluster_ref(cluster), accounts_in_cluster=int(cluster.get("accounts") or 0),
            explanation=f"{kind.lower()} shared by {shared_by} accounts, "
                        f"{cluster.get('accounts')} of them in cluster {cluster['cluster_id']} "
                        f"({cluster.get('verdict')}, score {float(cluster.get('score') or 0):.2f})"))
    # Sharing explained by a benign (or dismissed) cluster, such as a company's invoice account, is
    # not suspicious by itself.
    explained = max((min(1.0, int(c.get("accounts") or 0) / shared_by)
                     for c in row.get("clusters") or [] if cluster_weight(c) == 0.0), default=0.0)
    crowd = profile.weight * _crowd_strength(kind, shared_by) * (1.0 - explained)
    if crowd > 0 or not row.get("clusters"):
        reasons.append(Reason(kind=kind, value=str(row["value"]), shared_by=shared_by,
                              contribution=round(crowd, 4),
                              explanation=f"{kind.lower()} shared by {shared_by} accounts"))
    return reasons


def combined_risk(reasons: Sequence[Reason]) -> float:
    """Noisy-OR over identifiers (and memberships), each counted once with its strongest reason, so a card
    leading into a cluster is not also counted again as "a widely shared card"."""
    strongest: dict[tuple[str, str, str], float] = {}
    for reason in reasons:
        key = (reason.kind, reason.value, reason.cluster.cluster_id
               if reason.kind == "MEMBERSHIP" and reason.cluster else "")
        strongest[key] = max(strongest.get(key, 0.0), reason.contribution)
    risk = 1.0 - math.prod(1.0 - min(strength, 0.999) for strength in strongest.values())
    return round(min(max(risk, 0.0), 1.0), 4)


def verdict_for(risk: float) -> Verdict:
    """`risk ≥ BLOCK_AT` → block, `≥ REVIEW_AT` → review, else allow.

    >>> verdict_for(0.8), verdict_for(0.5), verdict_for(0.1)
    ('block', 'review', 'allow')
    """
    return "block" if risk >= BLOCK_AT else "review" if risk >= REVIEW_AT else "allow"


def matched_clusters(reasons: Sequence[Reason]) -> list[MatchedCluster]:
    """The clusters the reasons lead to, strongest first, with how many reasons lead to each."""
    matched: dict[str, MatchedCluster] = {}
    for reason in reasons:
        if reason.cluster is None or reason.contribution <= 0:
            continue
        seen = matched.get(reason.cluster.cluster_id)
        matched[reason.cluster.cluster_id] = MatchedCluster(
            cluster=reason.cluster,
            contribution=max(reason.contribution, seen.contribution if seen else 0.0),
            via=(seen.via if seen else 0) + 1)
    return sorted(matched.values(), key=lambda m: (-m.contribution, m.cluster.cluster_id))


def score_check(identifiers: Sequence[Mapping[str, Any]],
                own_clusters: Sequence[Mapping[str, Any]] = (), *,
                account_id: str | None = None, ref: str | None = None) -> CheckResult:
    """Turn the check query's rows into a risk, a verdict, matched clusters and reasons (pure)."""
    reasons = membership_reasons(own_clusters, account_id)
    for row in identifiers:
        reasons.extend(identifier_reasons(row))
    reasons = [reason for reason in reasons if reason.contribution >= MIN_CONTRIBUTION]
    reasons.sort(key=lambda reason: (-reason.contribution, reason.kind, reason.value))
    risk = combined_risk(reasons)
    return CheckResult(risk=risk, verdict=verdict_for(risk), reasons=reasons[:MAX_REASONS],
                       matched_clusters=matched_clusters(reasons), account_id=account_id, ref=ref)


def result_from_rows(signals: CheckSignals, rows: Sequence[Mapping[str, Any]]) -> CheckResult:
    """Score the rows of whichever check query `signals` called for."""
    if signals.account_id:
        if not rows:
            raise NotFoundError(f"no account {signals.account_id!r}")
        row = rows[0]
        return score_check(row["identifiers"], row["own_clusters"], account_id=signals.account_id,
                           ref=signals.ref)
    return score_check(rows, ref=signals.ref)
