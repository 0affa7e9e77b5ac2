"""What a linkage check takes (`CheckSignals`) and what it answers (`CheckResult`).

    >>> CheckSignals(ip="::ffff:81.2.69.160").ip
    '::ffff:5102:45a0'
    >>> CheckSignals(account_id="acct-1", ip="81.2.69.160")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for CheckSignals
    ...
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Verdict = Literal["allow", "review", "block"]


class CheckSignals(BaseModel):
    """Raw signals of a signup not yet in the graph (at least one), or an account id."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    account_id: str | None = Field(None, max_length=200)
    payment_fingerprint: str | None = Field(None, max_length=500)
    ip: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=320)
    client_fingerprint: str | None = Field(None, max_length=500)
    # Free-form caller reference echoed back in batch output (e.g. the signup id); never sent to Neo4j.
    ref: str | None = Field(None, max_length=200)

    @field_validator("ip")
    @classmethod
    def _canonical_ip(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            raise ValueError("not an IP address") from None

    @model_validator(mode="after")
    def _one_subject(self) -> CheckSignals:
        raw = (self.payment_fingerprint, self.ip, self.email, self.client_fingerprint)
        if self.account_id and any(raw):
            raise ValueError("give an account id or raw signals, not both")
        if not self.account_id and not any(raw):
            raise ValueError("give an account id or at least one signal "
                             "(payment_fingerprint, ip, email, client_fingerprint)")
        return self


@dataclass(frozen=True)
class ClusterRef:
    cluster_id: str
    verdict: str
    score: float
    size: int
    case_status: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"cluster_id": self.cluster_id, "verdict": self.verdict, "score": self.score, "size": self.size,
                "case_status": self.case_status}


@dataclass(frozen=True)
class Reason:
    """One piece of evidence: an identifier, how widely it is shared, the cluster it leads to."""

    kind: str
    value: str
    shared_by: int
    contribution: float
    cluster: ClusterRef | None = None
    accounts_in_cluster: int = 0
    explanation: str = ""


@dataclass(frozen=True)
class MatchedCluster:
    cluster: ClusterRef
    contribution: float
    via: int  # how many reasons lead to it


@dataclass(frozen=True)
class CheckResult:
    risk: float
    verdict: Verdict
    reasons: list[Reason] = field(default_factory=list)
    matched_clusters: list[MatchedCluster] = field(default_factory=list)
    account_id: str | None = None
    ref: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the CLI's output line)."""
        return {
            "ref": self.ref, "account_id": self.account_id, "risk": self.risk, "verdict": self.verdict,
            "matched_clusters": [{**m.cluster.to_dict(), "contribution": m.contribution, "via": m.via}
                                 for m in self.matched_clusters],
            "reasons": [{"kind": r.kind, "value": r.value, "shared_by": r.shared_by,
                         "contribution": r.contribution, "cluster": r.cluster.to_dict() if r.cluster else None,
                         "accounts_in_cluster": r.accounts_in_cluster, "explanation": r.explanation}
                        for r in self.reasons],
        }
