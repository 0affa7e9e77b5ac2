"""Automated linkage checks: how strongly does an account, or a signup not yet in the graph, link to the
clusters detection found? Shared by the API (`check` query) and the CLI (`linkage check`).

    >>> signals = CheckSignals(ip="81.2.69.160", email="Someone@Example.com ")
    >>> check_parameters(signals, hash_key="k")["email_domain"]
    'example.com'

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

import hashlib
import hmac
import ipaddress
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph.db import Database
from graph.errors import InputError, NotFoundError
from graph.queries import get_query

Verdict = Literal["allow", "review", "block"]
BLOCK_AT = 0.8
REVIEW_AT = 0.4
# Identifiers with more connections than this are counted (O(1) degree) but never expanded to accounts.
EXPAND_CAP = 500
MAX_IDENTIFIERS = 200
MAX_CLUSTERS_PER_IDENTIFIER = 5
MAX_REASONS = 25
# Evidence weaker than this is dropped (a CGNAT IP that also leads to some cluster says nothing).
MIN_CONTRIBUTION = 0.005

# Relationship types an account check follows (Org membership is legitimate sharing by design).
CHECK_REL_TYPES = ["PAID_WITH", "SIGNED_UP_FROM", "USED_IP", "USED_CLIENT", "USED_KEY", "HAS_EMAIL_DOMAIN",
                   "SENT_TEMPLATE"]

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
        def cluster(ref: ClusterRef | None) -> dict[str, Any] | None:
            return None if ref is None else {"cluster_id": ref.cluster_id, "verdict": ref.verdict,
                                             "score": ref.score, "size": ref.size,
                                             "case_status": ref.case_status}
        return {
            "ref": self.ref, "account_id": self.account_id, "risk": self.risk, "verdict": self.verdict,
            "matched_clusters": [{**(cluster(m.cluster) or {}), "contribution": m.contribution,
                                  "via": m.via} for m in self.matched_clusters],
            "reasons": [{"kind": r.kind, "value": r.value, "shared_by": r.shared_by,
                         "contribution": r.contribution, "cluster": cluster(r.cluster),
                         "accounts_in_cluster": r.accounts_in_cluster, "explanation": r.explanation}
                        for r in self.reasons],
        }


def hash_email(email: str, hash_key: str) -> str:
    """HMAC-SHA256 (hex) of lower(strip(email)) under the provider's key, exactly like the loader."""
    normalised = email.strip().lower()
    return hmac.new(hash_key.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def email_domain(email: str) -> str | None:
    """The lower-cased domain of an email address, or None when it has none."""
    _, at, domain = email.strip().lower().rpartition("@")
    return domain or None if at else None


def check_parameters(signals: CheckSignals, *, hash_key: str) -> dict[str, Any]:
    """The `check_signals` query's parameters: raw values normalised, the email only as its hash."""
    return {
        "payment_fingerprint": signals.payment_fingerprint,
        "ip": signals.ip,
        "client_fingerprint": signals.client_fingerprint,
        "email_domain": email_domain(signals.email) if signals.email else None,
        "email_hash": hash_email(signals.email, hash_key) if signals.email else None,
        "expand_cap": EXPAND_CAP,
        "max_clusters": MAX_CLUSTERS_PER_IDENTIFIER,
    }


def account_parameters(account_id: str) -> dict[str, Any]:
    """The `check_account` query's parameters."""
    return {"account_id": account_id, "rel_types": CHECK_REL_TYPES, "max_identifiers": MAX_IDENTIFIERS,
            "expand_cap": EXPAND_CAP, "max_clusters": MAX_CLUSTERS_PER_IDENTIFIER}


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


def score_check(identifiers: Sequence[Mapping[str, Any]],
                own_clusters: Sequence[Mapping[str, Any]] = (), *,
                account_id: str | None = None, ref: str | None = None) -> CheckResult:
    """Turn the check query's rows into a risk, a verdict, matched clusters and reasons (pure)."""
    reasons: list[Reason] = []
    for membership in own_clusters:
        weight = cluster_weight(membership)
        member_weight = membership.get("weight")
        strength = weight * (1.0 if member_weight is None else min(max(float(member_weight), 0.0), 1.0))
        reasons.append(Reason(kind="MEMBERSHIP", value=str(account_id), shared_by=int(membership.get("size")
                              or 0), contribution=round(strength, 4), cluster=_cluster_ref(membership),
                              accounts_in_cluster=1,
                              explanation="the account itself is a member of this cluster"))
    for row in identifiers:
        kind = KIND_BY_LABEL.get(str(row["label"]), str(row["label"]).upper())
        profile = KIND_PROFILES.get(kind, KIND_PROFILES["ORG"])
        shared_by = int(row.get("shared_by") or 0)
        if shared_by <= 0:
            continue
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
    reasons = [reason for reason in reasons if reason.contribution >= MIN_CONTRIBUTION]
    reasons.sort(key=lambda reason: (-reason.contribution, reason.kind, reason.value))
    # One identifier counts once (its strongest reason), so a card leading into a cluster is not also
    # counted again as "a widely shared card".
    strongest: dict[tuple[str, str, str], float] = {}
    for reason in reasons:
        key = (reason.kind, reason.value, reason.cluster.cluster_id
               if reason.kind == "MEMBERSHIP" and reason.cluster else "")
        strongest[key] = max(strongest.get(key, 0.0), reason.contribution)
    risk = 1.0 - math.prod(1.0 - min(strength, 0.999) for strength in strongest.values())
    risk = round(min(max(risk, 0.0), 1.0), 4)
    verdict: Verdict = "block" if risk >= BLOCK_AT else "review" if risk >= REVIEW_AT else "allow"
    matched: dict[str, MatchedCluster] = {}
    for reason in reasons:
        if reason.cluster is None or reason.contribution <= 0:
            continue
        seen = matched.get(reason.cluster.cluster_id)
        matched[reason.cluster.cluster_id] = MatchedCluster(
            cluster=reason.cluster,
            contribution=max(reason.contribution, seen.contribution if seen else 0.0),
            via=(seen.via if seen else 0) + 1)
    clusters = sorted(matched.values(), key=lambda m: (-m.contribution, m.cluster.cluster_id))
    return CheckResult(risk=risk, verdict=verdict, reasons=reasons[:MAX_REASONS], matched_clusters=clusters,
                       account_id=account_id, ref=ref)


def result_from_rows(signals: CheckSignals, rows: Sequence[Mapping[str, Any]]) -> CheckResult:
    """Score the rows of whichever check query `signals` called for."""
    if signals.account_id:
        if not rows:
            raise NotFoundError(f"no account {signals.account_id!r}")
        row = rows[0]
        return score_check(row["identifiers"], row["own_clusters"], account_id=signals.account_id,
                           ref=signals.ref)
    return score_check(rows, ref=signals.ref)


def query_for(signals: CheckSignals, *, hash_key: str) -> tuple[str, dict[str, Any]]:
    """The named query and parameters a check of `signals` runs."""
    if signals.account_id:
        return "check_account", account_parameters(signals.account_id)
    return "check_signals", check_parameters(signals, hash_key=hash_key)


def run_check(database: Database, signals: CheckSignals) -> CheckResult:
    """Run one linkage check synchronously (the CLI)."""
    name, params = query_for(signals, hash_key=database.settings.hash_key.get_secret_value())
    return result_from_rows(signals, database.run(get_query(name), params))


async def run_check_async(database: Any, signals: CheckSignals) -> CheckResult:
    """Run one linkage check on a `graph.aio.AsyncDatabase` (the API)."""
    name, params = query_for(signals, hash_key=database.settings.hash_key.get_secret_value())
    return result_from_rows(signals, await database.run(get_query(name), params))


def parse_signals(line: str, *, path: str | None = None, line_number: int | None = None) -> CheckSignals:
    """One JSONL input line as CheckSignals; an InputError naming the line when it is malformed."""
    import json

    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON: {error.msg}", path=path, line=line_number) from None
    if not isinstance(data, dict):
        raise InputError("each line must be a JSON object", path=path, line=line_number)
    try:
        return CheckSignals.model_validate(data)
    except ValueError as error:
        details = getattr(error, "errors", lambda: [])()
        first = details[0] if details else {"loc": (), "msg": str(error)}
        field_name = ".".join(str(part) for part in first["loc"]) or None
        raise InputError(str(first["msg"]), path=path, line=line_number, field=field_name) from None
