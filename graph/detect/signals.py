"""Cluster-level signals: each measures one principle of coordinated abuse on a cluster's members and
returns a score in [0, 1] with the numbers an analyst needs to check it.

- shared_payment     accounts per payer beyond household scale (a pool of reused cards)
- proxy_network      traffic through proxy, VPN or Tor exits; names the proxy networks
- shared_ips         members reusing each other's IPs
- synchronized_bursts  members active together far more than the population's rhythm predicts
- load_balancing     steady round-the-clock total while members take turns (each under its limits)
- template_playbook  traffic concentrated on templates shared across members
- capability_focus   traffic concentrated on one capability
- model_pivot        members switching most traffic to a newly released model within days
- signup_burst       members created close together
- declared_org       (mitigation) members of one customer organisation: a declared relationship
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graph.detect.blocks import csr_positions
from graph.detect.config import DetectionConfig
from graph.detect.inputs import DetectionInput, Incidence


@dataclass
class Signal:
    name: str
    score: float
    summary: str
    metrics: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"signal": self.name, "score": round(self.score, 4), "summary": self.summary,
                "metrics": self.metrics}


def clip01(value: float) -> float:
    return float(min(1.0, max(0.0, value)))


class ByAccount:
    """An incidence sorted by account, to gather a member set's relationships without scanning all."""

    def __init__(self, incidence: Incidence, n_accounts: int) -> None:
        order = np.argsort(incidence.account, kind="stable")
        self.incidence = incidence
        self.ident = incidence.ident[order]
        self.account = incidence.account[order]
        self.requests = incidence.requests[order]
        self.edge_attrs = {name: values[order] for name, values in incidence.edge_attrs.items()}
        counts = np.bincount(incidence.account, minlength=n_accounts)
        self.indptr = np.zeros(n_accounts + 1, dtype=np.int64)
        np.cumsum(counts, out=self.indptr[1:])

    def gather(self, members: np.ndarray) -> np.ndarray:
        """Positions (into the sorted arrays) of every relationship of the members."""
        return csr_positions(self.indptr, members)


@dataclass
class Context:
    """Per-run precomputation shared by every cluster's signals."""

    data: DetectionInput
    config: DetectionConfig
    by_kind: dict[str, ByAccount]
    profile_start: int  # first bucket of `profile`
    profile: np.ndarray  # population activity per bucket relative to its mean, from profile_start
    attrs: dict[str, np.ndarray]  # identifier attributes with defaults filled, computed once
    pivots: np.ndarray
    median_requests: float
    bucket_minutes: int

    @classmethod
    def build(cls, data: DetectionInput, config: DetectionConfig, pivots: np.ndarray,
              bucket_minutes: int) -> Context:
        by_kind = {kind: ByAccount(data.incidence(kind), data.n_accounts) for kind in
                   ("payment", "ip", "template", "capability", "model")}
        start, profile = 0, np.ones(1)
        if data.activity_bucket.size:
            start = int(data.activity_bucket.min())
            counts = np.bincount(data.activity_bucket - start).astype(np.float64)
            profile = counts / max(counts.mean(), 1e-12)
        payments, ips = data.incidence("payment"), data.incidence("ip")
        attrs = {
            "payment_kind": payments.ident_attrs.get("kind", np.full(payments.n_idents, "", dtype=object)),
            "ip_anonymous": ips.ident_attrs.get("anonymous", np.zeros(ips.n_idents, dtype=bool)).astype(bool),
            "ip_proxy": ips.ident_attrs.get("proxy_network", np.full(ips.n_idents, "", dtype=object)),
            "ip_kind": ips.ident_attrs.get("kind", np.full(ips.n_idents, "unknown", dtype=object)),
        }
        attrs["ip_anonymous"] = attrs["ip_anonymous"] | np.asarray([bool(p) for p in attrs["ip_proxy"]],
                                                                   dtype=bool)
        active = data.requests[data.requests > 0]
        median = float(np.median(active)) if active.size else 0.0
        return cls(data, config, by_kind, start, profile, attrs, pivots, median, bucket_minutes)


def shared_payment(ctx: Context, members: np.ndarray) -> Signal | None:
    view = ctx.by_kind["payment"]
    positions = view.gather(members)
    if positions.size == 0:
        return None
    kinds = ctx.attrs["payment_kind"]
    idents = view.ident[positions]
    counts = Counter(idents.tolist())
    shared = {ident: n for ident, n in counts.items() if n >= 2 and kinds[ident] != "invoice"}
    if not shared:
        return None
    household = ctx.config.household_card_degree
    excess = sum(max(0, n - household) for n in shared.values())
    sharing_accounts = len(set(view.account[positions][np.isin(idents, list(shared))].tolist()))
    largest = max(shared.values())
    return Signal(
        "shared_payment", clip01(1 - np.exp(-excess / 10.0)),
        f"{len(shared)} payment methods shared by {sharing_accounts} member accounts "
        f"(largest: {largest} accounts on one method)",
        {"shared_methods": len(shared), "accounts_sharing": sharing_accounts, "largest_share": largest,
         "kinds": sorted({str(kinds[i]) for i in shared})},
    )


def ip_signals(ctx: Context, members: np.ndarray) -> list[Signal]:
    view = ctx.by_kind["ip"]
    positions = view.gather(members)
    if positions.size == 0:
        return []
    idents, requests = view.ident[positions], view.requests[positions]
    proxy_attr, kind_attr = ctx.attrs["ip_proxy"], ctx.attrs["ip_kind"]
    anonymous = ctx.attrs["ip_anonymous"][idents]
    signals: list[Signal] = []
    total = max(float(requests.sum()), 1.0)
    anonymous_share = float(requests[anonymous].sum()) / total
    members_on_anonymous = len(set(view.account[positions][anonymous].tolist()))
    if members_on_anonymous:
        networks = Counter()
        for ident in idents[anonymous]:
            if proxy_attr[ident]:
                networks[str(proxy_attr[ident])] += 1
        coverage = members_on_anonymous / len(members)
        top = [{"name": name, "member_links": n} for name, n in networks.most_common(5)]
        named = f" via {', '.join(t['name'] for t in top[:3])}" if top else ""
        signals.append(Signal(
            "proxy_network", clip01(anonymous_share * coverage * 1.25),
            f"{anonymous_share:.0%} of member traffic through proxy/VPN/Tor exits{named}; "
            f"{members_on_anonymous} of {len(members)} members",
            {"anonymous_traffic_share": round(anonymous_share, 4), "members_on_anonymous": members_on_anonymous,
             "proxy_networks": top,
             "exit_ips": len(set(idents[anonymous].tolist()))},
        ))
    distinct = np.unique(idents)
    reuse = idents.size / max(distinct.size, 1)
    ip_members = Counter(idents.tolist())
    shared_ips = sum(1 for n in ip_members.values() if n >= 3)
    kinds = Counter(str(kind_attr[i]) for i in distinct)
    if shared_ips:
        signals.append(Signal(
            "shared_ips", clip01((reuse - 2.0) / 8.0),
            f"{shared_ips} IPs each used by 3+ members; {idents.size} member-IP links over "
            f"{distinct.size} IPs ({reuse:.1f} members per IP)",
            {"ips_shared_by_3_plus": shared_ips, "distinct_ips": int(distinct.size),
             "members_per_ip": round(reuse, 2), "ip_kinds": dict(kinds.most_common())},
        ))
    return signals


def member_activity(ctx: Context, members: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bucket, count, member position) of every active bucket of the members."""
    data = ctx.data
    positions = csr_positions(data.activity_indptr, members)
    owner = np.repeat(np.arange(members.size), data.activity_indptr[members + 1] - data.activity_indptr[members])
    return data.activity_bucket[positions], data.activity_count[positions], owner


def timing_signals(ctx: Context, members: np.ndarray) -> list[Signal]:
    if members.size < 3:
        return []
    buckets, counts, owner = member_activity(ctx, members)
    if buckets.size == 0:
        return []
    signals: list[Signal] = []
    unique, inverse = np.unique(buckets, return_inverse=True)
    active_members = np.bincount(inverse)  # members active per bucket
    totals = np.bincount(inverse, weights=counts)
    first, last = int(unique.min()), int(unique.max())
    span = last - first + 1
    # Expected simultaneous members per bucket if members acted independently with the population's rhythm.
    duty = np.bincount(owner, minlength=members.size) / span
    profile = ctx.profile[np.clip(unique - ctx.profile_start, 0, ctx.profile.size - 1)]
    expected = duty.sum() * profile
    bursts = (active_members >= 3) & (active_members >= 4 * expected) & (active_members >= 0.2 * members.size)
    burst_share = float(active_members[bursts].sum() / active_members.sum())
    if bursts.any():
        signals.append(Signal(
            "synchronized_bursts", clip01((burst_share - 0.2) / 0.5),
            f"{burst_share:.0%} of member activity in {int(bursts.sum())} bursts where a median of "
            f"{int(np.median(active_members[bursts]))} members act within the same "
            f"{ctx.bucket_minutes}-minute bucket",
            {"burst_share": round(burst_share, 4), "bursts": int(bursts.sum()),
             "median_members_per_burst": float(np.median(active_members[bursts])),
             "expected_members_per_bucket": round(float(np.median(expected)), 3)},
        ))
    if members.size >= 5 and span >= 48:
        coverage = unique.size / span
        buckets_per_day = max(1, round(1440 / ctx.bucket_minutes))
        slot = (unique % buckets_per_day) * 24 // buckets_per_day
        hourly = np.bincount(slot, weights=totals, minlength=24)
        hourly_cv = float(hourly.std() / max(hourly.mean(), 1e-9))
        concurrency = float(active_members.mean() / members.size)
        turn_taking = clip01(1.0 - 2.0 * concurrency)
        flatness = clip01(1.0 - hourly_cv / 0.5)
        score = clip01((coverage - 0.3) / 0.4) * flatness * turn_taking
        if score > 0:
            signals.append(Signal(
                "load_balancing", score,
                f"steady round-the-clock traffic (hour-of-day variation {hourly_cv:.2f}, active in "
                f"{coverage:.0%} of buckets) while on average {active_members.mean():.1f} of "
                f"{members.size} members act at once",
                {"coverage": round(coverage, 4), "hour_of_day_cv": round(hourly_cv, 4),
                 "mean_concurrent_members": round(float(active_members.mean()), 2),
                 "members": int(members.size)},
            ))
    return signals


def behaviour_signals(ctx: Context, members: np.ndarray) -> list[Signal]:
    signals: list[Signal] = []
    view = ctx.by_kind["template"]
    positions = view.gather(members)
    if positions.size and members.size >= 3:
        idents, requests = view.ident[positions], view.requests[positions]
        users = Counter(idents.tolist())
        playbook = [ident for ident, n in users.items() if n >= max(2, members.size / 2)]
        volume = max(float(requests.sum()), 1.0)
        share = float(requests[np.isin(idents, playbook)].sum()) / volume if playbook else 0.0
        if share > 0:
            per_template = Counter()
            for ident, n in zip(idents, requests, strict=True):
                if ident in set(playbook):
                    per_template[ident] += n
            top = [{"template": view.incidence.names[i], "requests": int(n), "members": users[i]}
                   for i, n in per_template.most_common(5)]
            signals.append(Signal(
                "template_playbook", clip01((share - 0.3) / 0.5),
                f"{share:.0%} of member prompts follow {len(playbook)} templates shared by at least half "
                f"of the members",
                {"playbook_share": round(share, 4), "templates": len(playbook), "top_templates": top},
            ))
    view = ctx.by_kind["capability"]
    positions = view.gather(members)
    if positions.size:
        per_capability = Counter()
        for ident, n in zip(view.ident[positions], view.requests[positions], strict=True):
            per_capability[view.incidence.names[ident]] += float(n)
        volume = max(sum(per_capability.values()), 1.0)
        top = per_capability.most_common(3)
        share = top[0][1] / volume
        signals.append(Signal(
            "capability_focus", clip01((share - 0.6) / 0.35),
            f"{share:.0%} of member traffic on {top[0][0]}",
            {"top_capabilities": [{"capability": name, "share": round(n / volume, 4)} for name, n in top]},
        ))
    cohorts = ctx.pivots[members]
    if members.size >= 3 and (cohorts >= 0).any():
        # Cohort ids are model * 2 + young; the signal counts every member that pivoted to the model.
        models = cohorts[cohorts >= 0] // 2
        model, pivoted = Counter(models.tolist()).most_common(1)[0]
        young = int(((cohorts >= 0) & (cohorts // 2 == model) & (cohorts % 2 == 1)).sum())
        fraction = pivoted / members.size
        name = ctx.data.incidence("model").names[model]
        signals.append(Signal(
            "model_pivot", clip01((fraction - 0.2) / 0.5),
            f"{pivoted} of {members.size} members moved most of their traffic to {name} within "
            f"{ctx.config.pivot_window_s / 3600:.0f}h of its first appearance ({young} of them created "
            f"in the {ctx.config.young_account_s / 86400:.0f} days before it)",
            {"model": name, "members_pivoted": int(pivoted), "young_members": young,
             "fraction": round(fraction, 4)},
        ))
    created = ctx.data.created_at[members]
    created = np.sort(created[~np.isnan(created)])
    if created.size >= 5:
        window = ctx.config.creation_window_s * 2
        ends = np.searchsorted(created, created + window, side="right")
        densest = int((ends - np.arange(created.size)).max())
        fraction = densest / created.size
        signals.append(Signal(
            "signup_burst", clip01((fraction - 0.3) / 0.5),
            f"{densest} of {created.size} members created within {window / 3600:.0f}h",
            {"members_in_window": densest, "window_hours": window / 3600, "fraction": round(fraction, 4)},
        ))
    return signals


def declared_org(ctx: Context, members: np.ndarray) -> Signal | None:
    orgs = ctx.data.org[members]
    if (orgs >= 0).sum() == 0:
        return None
    _, count = Counter(orgs[orgs >= 0].tolist()).most_common(1)[0]
    share = count / members.size
    if share < ctx.config.declared_org_share:
        return None
    return Signal("declared_org", share,
                  f"{count} of {members.size} members belong to one customer organisation",
                  {"share": round(share, 4)})


def cluster_signals(ctx: Context, members: np.ndarray) -> tuple[list[Signal], Signal | None]:
    """Every applicable signal of a cluster, and its declared-organisation mitigation if any."""
    signals: list[Signal] = []
    payment = shared_payment(ctx, members)
    if payment:
        signals.append(payment)
    signals.extend(ip_signals(ctx, members))
    signals.extend(timing_signals(ctx, members))
    signals.extend(behaviour_signals(ctx, members))
    return signals, declared_org(ctx, members)
