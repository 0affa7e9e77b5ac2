"""The automated linkage check: input, verdict, matched clusters and reasons."""

from __future__ import annotations

from enum import Enum

import strawberry

from graph.check import CheckResult as CheckOutcome


@strawberry.enum(description="What a pipeline should do with the subject.")
class CheckVerdict(Enum):
    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"


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
    verdict: str
    score: float
    size: int
    case_status: str | None
    contribution: float
    via: int = strawberry.field(description="How many reasons lead to this cluster.")


@strawberry.type(description="One piece of evidence behind the risk.")
class CheckReason:
    kind: str = strawberry.field(description="PAYMENT_METHOD, IP, EMAIL (hashed), EMAIL_DOMAIN, "
                                             "CLIENT_FINGERPRINT, API_KEY, TEMPLATE or MEMBERSHIP.")
    value: str = strawberry.field(description="The public or hashed value (an email only as its hash).")
    shared_by: int
    contribution: float
    cluster_id: strawberry.ID | None
    cluster_verdict: str | None
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
                                           verdict=m.cluster.verdict, score=m.cluster.score,
                                           size=m.cluster.size, case_status=m.cluster.case_status,
                                           contribution=m.contribution, via=m.via)
                              for m in outcome.matched_clusters],
            reasons=[CheckReason(kind=r.kind, value=r.value, shared_by=r.shared_by,
                                 contribution=r.contribution,
                                 cluster_id=strawberry.ID(r.cluster.cluster_id) if r.cluster else None,
                                 cluster_verdict=r.cluster.verdict if r.cluster else None,
                                 cluster_score=r.cluster.score if r.cluster else None,
                                 accounts_in_cluster=r.accounts_in_cluster, explanation=r.explanation)
                     for r in (outcome.reasons if with_reasons else [])],
        )
