"""The automated linkage check: input, verdict, matched clusters and reasons."""

from __future__ import annotations

from enum import Enum

import strawberry

from app.api.types.common import CaseStatus, Verdict
from graph.check import CheckResult as CheckOutcome


@strawberry.enum(description="What a pipeline should do with the subject.")
class CheckVerdict(Enum):
    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"


@strawberry.enum(description="What a reason of a check is about: an identifier kind, or the account's own "
                              "cluster membership.")
class CheckReasonKind(Enum):
    PAYMENT_METHOD = "PAYMENT_METHOD"
    IP = "IP"
    EMAIL = strawberry.enum_value("EMAIL", description="An email, as its keyed hash.")
    EMAIL_DOMAIN = "EMAIL_DOMAIN"
    ORG = "ORG"
    CLIENT_FINGERPRINT = "CLIENT_FINGERPRINT"
    API_KEY = "API_KEY"
    TEMPLATE = "TEMPLATE"
    MEMBERSHIP = strawberry.enum_value("MEMBERSHIP", description="The account is a member of the cluster.")


def _verdict(value: str | None) -> Verdict | None:
    return Verdict(value) if value in Verdict._value2member_map_ else None


def _case_status(value: str | None) -> CaseStatus:
    # Detection writes OPEN; a cluster written before cases existed has none, which counts as OPEN.
    return CaseStatus(value) if value in CaseStatus._value2member_map_ else CaseStatus.OPEN


@strawberry.input(description="An account id OR raw signals of a signup not yet in the graph.")
class CheckInput:
    account_id: str | None = None
    payment_fingerprint: str | None = None
    ip: str | None = None
    email: str | None = strawberry.field(default=None,
                                         description="Hashed on the server (HMAC-SHA256); never stored.")
    client_fingerprint: str | None = None


@strawberry.type(description="A cluster the check leads to.")
class CheckCluster:
    cluster_id: strawberry.ID
    verdict: Verdict | None
    score: float
    size: int
    case_status: CaseStatus
    contribution: float
    via: int = strawberry.field(description="How many reasons lead to this cluster.")


@strawberry.type(description="One piece of evidence behind the risk.")
class CheckReason:
    kind: CheckReasonKind
    value: str = strawberry.field(description="The public or hashed value (an email only as its hash).")
    shared_by: int
    contribution: float
    cluster_id: strawberry.ID | None
    cluster_verdict: Verdict | None
    cluster_score: float | None
    accounts_in_cluster: int
    explanation: str


@strawberry.type(description="The result of a linkage check.")
class CheckResult:
    risk: float
    verdict: CheckVerdict
    matched_clusters: list[CheckCluster]
    reasons: list[CheckReason] = strawberry.field(
        description="The evidence, identifier by identifier (analyst and admin keys; always empty for viewer "
                    "keys, so a check cannot tell a viewer whether an identifier such as an email is known).")

    @staticmethod
    def from_outcome(outcome: CheckOutcome, *, with_reasons: bool = True) -> CheckResult:
        return CheckResult(
            risk=outcome.risk, verdict=CheckVerdict(outcome.verdict),
            matched_clusters=[CheckCluster(cluster_id=strawberry.ID(m.cluster.cluster_id),
                                           verdict=_verdict(m.cluster.verdict), score=m.cluster.score,
                                           size=m.cluster.size, case_status=_case_status(m.cluster.case_status),
                                           contribution=m.contribution, via=m.via)
                              for m in outcome.matched_clusters],
            reasons=[CheckReason(kind=CheckReasonKind(r.kind), value=r.value, shared_by=r.shared_by,
                                 contribution=r.contribution,
                                 cluster_id=strawberry.ID(r.cluster.cluster_id) if r.cluster else None,
                                 cluster_verdict=_verdict(r.cluster.verdict) if r.cluster else None,
                                 cluster_score=r.cluster.score if r.cluster else None,
                                 accounts_in_cluster=r.accounts_in_cluster, explanation=r.explanation)
                     for r in (outcome.reasons if with_reasons else [])],
        )
