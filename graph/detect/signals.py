"""Cluster-level signals: each measures one principle of coordinated abuse on a cluster's members and
returns a score in [0, 1] with the numbers an analyst needs to check it.

- shared_payment       accounts per payer beyond household scale, counting only methods that belong to the
                       cluster (app-store billing shared with thousands of outsiders is not a pool)
- proxy_network        traffic through proxy, VPN or Tor exits; names the proxy networks
- shared_ips           members reusing each other's IPs
- synchronized_bursts  members active together far beyond what their own schedules and the population's
                       rhythm explain
- load_balancing       steady round-the-clock total while members take turns (each under its limits)
- template_playbook    traffic concentrated on templates shared across members and rare outside them
- capability_focus     traffic concentrated on one capability
- model_pivot          members switching most traffic to a newly released model within days
- signup_burst         members created close together
- declared_org         (mitigation) members of one customer organisation: a declared relationship

Thresholds live in `DetectionConfig` (`signal_*` fields) with the reason for each default.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import poisson

from graph.detect.activity import ActivityModel
from graph.detect.blocks import csr_positions, distinct
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


def ramp(value: float, floor: float, span: float) -> float:
    """0 at `floor`, 1 at `floor + span`, linear between."""
    return clip01((value - floor) / span)


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
        self.degrees = incidence.degrees()

    def gather(self, members: np.ndarray) -> np.ndarray:
        """Positions (into the sorted arrays) of every relationship of the members."""
        return csr_positions(self.indptr, members)


@dataclass
class Context:
    """Per-run precomputation shared by every cluster's signals."""

    data: DetectionInput
    config: DetectionConfig
    by_kind: dict[str, ByAccount]
    activity: ActivityModel
    profile_start: int  # first bucket of `profile`
    profile: np.ndarray  # population activity per bucket relative to its mean, from profile_start
    attrs: dict[str, np.ndarray]  # identifier attributes with defaults filled, computed once
    pivots: np.ndarray
    bucket_minutes: int
    in_step: np.ndarray  # per account: linked to another account by synchrony alone (timing ≥ threshold)

    @classmethod
    def build(cls, data: DetectionInput, config: DetectionConfig, pivots: np.ndarray,
              activity: ActivityModel | None = None, in_step: np.ndarray | None = None) -> Context:
        by_kind = {kind: ByAccount(data.incidence(kind), data.n_accounts) for kind in
                   ("payment", "ip", "template", "capability", "model", "signup_ip", "email_domain", "api_key")}
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
        signups = data.incidence("signup_ip")
        signup_kind = signups.ident_attrs.get("kind", np.full(signups.n_idents, "unknown", dtype=object))
        signup_anonymous = signups.ident_attrs.get("anonymous", np.zeros(signups.n_idents, dtype=bool)).astype(bool)
        attrs["signup_hosting"] = np.asarray([str(k) == "datacenter" for k in signup_kind], dtype=bool) \
            | signup_anonymous | np.asarray([bool(p) for p in signups.ident_attrs.get(
                "proxy_network", np.full(signups.n_idents, "", dtype=object))], dtype=bool)
        attrs["ip_anonymous"] = attrs["ip_anonymous"] | np.asarray([bool(p) for p in attrs["ip_proxy"]],
                                                                   dtype=bool)
        return cls(data, config, by_kind, activity or ActivityModel.build(data), start, profile, attrs, pivots,
                   data.bucket_minutes,
                   in_step if in_step is not None else np.zeros(data.n_accounts, dtype=bool))


def shared_payment(ctx: Context, members: np.ndarray) -> Signal | None:
    """Accounts per payer beyond household scale. A method counts by how much it belongs to the cluster
    (members holding it / everyone holding it): an operator's card pool is all inside, app-store billing
    or a marketplace wallet that thousands of outsiders use too is infrastructure and counts ~nothing."""
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
    purity = {ident: n / max(int(view.degrees[ident]), n) for ident, n in shared.items()}
    excess = sum(max(0, n - household) * purity[ident] for ident, n in shared.items())
    pooled = {ident: n for ident, n in shared.items() if purity[ident] >= 0.5}
    outside = {ident: n for ident, n in shared.items() if purity[ident] < 0.5}
    sharing_accounts = len(set(view.account[positions][np.isin(idents, list(pooled))].tolist())) if pooled else 0
    largest = max(pooled.values()) if pooled else 0
    widest = [{"fingerprint": view.incidence.names[i], "members": n, "holders": int(view.degrees[i]),
               "kind": str(kinds[i])} for i, n in sorted(outside.items(), key=lambda item: -item[1])[:3]]
    summary = (f"{len(pooled)} payment methods shared by {sharing_accounts} member accounts "
               f"(largest: {largest} accounts on one method)")
    if outside:
        summary += f"; {len(outside)} more shared mostly with non-members (platform billing, not counted)"
    return Signal(
        "shared_payment", clip01(1 - np.exp(-excess / ctx.config.signal_payment_excess_scale)), summary,
        {"shared_methods": len(pooled), "accounts_sharing": sharing_accounts, "largest_share": largest,
         "kinds": sorted({str(kinds[i]) for i in pooled}), "shared_with_outsiders": widest},
    )


def shared_credential(ctx: Context, members: np.ndarray) -> Signal | None:
    """Members using an API key that another member also uses: a key is issued to one account, so one
    credential under several accounts is shared or resold."""
    view = ctx.by_kind["api_key"]
    positions = view.gather(members)
    if positions.size == 0:
        return None
    idents = view.ident[positions]
    counts = Counter(idents.tolist())
    shared = {ident for ident, n in counts.items() if n >= 2}
    if not shared:
        return None
    sharing = len(set(view.account[positions][np.isin(idents, list(shared))].tolist()))
    share = sharing / members.size
    return Signal(
        "shared_credential", ramp(share, 0.0, 0.3),
        f"{sharing} of {members.size} members use {len(shared)} API keys that another member also uses",
        {"members_sharing": sharing, "keys": len(shared), "largest_share": max(counts[i] for i in shared)},
    )


def ip_signals(ctx: Context, members: np.ndarray) -> list[Signal]:
    view = ctx.by_kind["ip"]
    positions = view.gather(members)
    if positions.size == 0:
        return []
    config = ctx.config
    idents, requests = view.ident[positions], view.requests[positions]
    proxy_attr, kind_attr = ctx.attrs["ip_proxy"], ctx.attrs["ip_kind"]
    anonymous = ctx.attrs["ip_anonymous"][idents]
    signals: list[Signal] = []
    total = max(float(requests.sum()), 1.0)
    anonymous_share = float(requests[anonymous].sum()) / total
    members_on_anonymous = len(set(view.account[positions][anonymous].tolist()))
    if members_on_anonymous:
        networks: Counter[str] = Counter()
        for ident in idents[anonymous]:
            if proxy_attr[ident]:
                networks[str(proxy_attr[ident])] += 1
        coverage = members_on_anonymous / len(members)
        top = [{"name": name, "member_links": n} for name, n in networks.most_common(5)]
        named = f" via {', '.join(t['name'] for t in top[:3])}" if top else ""
        signals.append(Signal(
            "proxy_network", clip01(anonymous_share * coverage / config.signal_proxy_full_share),
            f"{anonymous_share:.0%} of member traffic through proxy/VPN/Tor exits{named}; "
            f"{members_on_anonymous} of {len(members)} members",
            {"anonymous_traffic_share": round(anonymous_share, 4), "members_on_anonymous": members_on_anonymous,
             "proxy_networks": top,
             "exit_ips": len(set(idents[anonymous].tolist()))},
        ))
    different = distinct(idents)
    reuse = idents.size / max(different.size, 1)
    ip_members = Counter(idents.tolist())
    shared_ips = sum(1 for n in ip_members.values() if n >= 3)
    kinds = Counter(str(kind_attr[i]) for i in different)
    if shared_ips:
        signals.append(Signal(
            "shared_ips", ramp(reuse, config.signal_ip_reuse_floor, config.signal_ip_reuse_span),
            f"{shared_ips} IPs each used by 3+ members; {idents.size} member-IP links over "
            f"{different.size} IPs ({reuse:.1f} members per IP)",
            {"ips_shared_by_3_plus": shared_ips, "distinct_ips": int(different.size),
             "members_per_ip": round(reuse, 2), "ip_kinds": dict(kinds.most_common())},
        ))
    return signals


def member_activity(ctx: Context, members: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bucket, count, member position) of every active bucket of the members."""
    data = ctx.data
    positions = csr_positions(data.activity_indptr, members)
    owner = np.repeat(np.arange(members.size), data.activity_indptr[members + 1] - data.activity_indptr[members])
    return data.activity_bucket[positions], data.activity_count[positions], owner


def expected_together(ctx: Context, members: np.ndarray, buckets: np.ndarray, active_buckets: np.ndarray) \
        -> np.ndarray:
    """Members expected active in each bucket if they acted independently: the larger of what their own
    schedules predict (Σ over members active that day of h_u(slot)) and what the population's rhythm does."""
    activity = ctx.activity
    slots = activity.slots_per_day
    span = int(buckets.max() - buckets.min() + 1)
    duty = active_buckets / max(span, 1)
    rhythm = duty.sum() * ctx.profile[np.clip(buckets - ctx.profile_start, 0, ctx.profile.size - 1)]
    if activity.days.shape[1] == 0:
        return rhythm
    schedule_by_day = (activity.days[members].T @ activity.habits[members]).tocsr()  # days × slots
    day_index = np.searchsorted(activity.day_columns, buckets // slots)
    schedule = np.asarray(schedule_by_day[day_index, (buckets % slots).astype(np.int64)]).ravel()
    return np.maximum(rhythm, schedule)


def timing_signals(ctx: Context, members: np.ndarray) -> list[Signal]:
    config = ctx.config
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
    # A burst: far more members together than independent members with their own habits would be
    # (Poisson tail below signal_burst_p_value), and a real share of the cluster at once.
    crowded = ((active_members >= config.signal_burst_min_members)
               & (active_members >= config.signal_burst_member_share * members.size))
    bursts = np.zeros(unique.size, dtype=bool)
    expected = np.zeros(unique.size)
    if crowded.any():  # the expectation is only needed where a burst is possible at all
        expected = expected_together(ctx, members, unique, np.bincount(owner, minlength=members.size))
        improbable = poisson.sf(active_members - 1, np.maximum(expected, 1e-9)) < config.signal_burst_p_value
        bursts = crowded & improbable
    burst_share = float(active_members[bursts].sum() / active_members.sum())
    if bursts.any():
        # Coordination repeats: bursts on one day are one shared event (a class, a launch).
        burst_days = int(distinct(unique[bursts] // ctx.activity.slots_per_day).size)
        repeated = min(1.0, burst_days / config.signal_burst_min_days)
        signals.append(Signal(
            "synchronized_bursts",
            ramp(burst_share, config.signal_burst_share_floor, config.signal_burst_share_span) * repeated,
            f"{burst_share:.0%} of member activity in {int(bursts.sum())} bursts on {burst_days} days where "
            f"a median of {int(np.median(active_members[bursts]))} members act within the same "
            f"{ctx.bucket_minutes}-minute bucket (about {float(np.median(expected[bursts])):.1f} expected "
            f"from their own schedules)",
            {"burst_share": round(burst_share, 4), "bursts": int(bursts.sum()), "burst_days": burst_days,
             "median_members_per_burst": float(np.median(active_members[bursts])),
             "expected_members_per_burst": round(float(np.median(expected[bursts])), 3)},
        ))
    if members.size >= config.signal_balance_min_members and span >= config.signal_balance_min_span:
        coverage = unique.size / span
        buckets_per_day = max(1, round(1440 / ctx.bucket_minutes))
        slot = (unique % buckets_per_day) * 24 // buckets_per_day
        hourly = np.bincount(slot, weights=totals, minlength=24)
        hourly_cv = float(hourly.std() / max(hourly.mean(), 1e-9))
        concurrency = float(active_members.mean() / members.size)
        turn_taking = clip01(1.0 - 2.0 * concurrency)
        flatness = clip01(1.0 - hourly_cv / config.signal_balance_hourly_cv)
        score = ramp(coverage, config.signal_balance_coverage_floor, config.signal_balance_coverage_span) \
            * flatness * turn_taking
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


def members_in_step(ctx: Context, members: np.ndarray) -> Signal | None:
    """Members linked to another member by synchrony alone: their co-activity, day after day, beyond their
    own schedules and the population's rhythm, would have linked them with nothing else. Large operations
    act in sub-teams rather than all at once, which cluster-wide bursts miss; pairs in step do not."""
    if members.size < 3:
        return None
    share = float(ctx.in_step[members].mean())
    if share <= 0:
        return None
    return Signal(
        "members_in_step", ramp(share, ctx.config.signal_in_step_floor, ctx.config.signal_in_step_span),
        f"{int(ctx.in_step[members].sum())} of {members.size} members act in step with another member, "
        f"repeatedly and beyond their own schedules (each such pair's synchrony alone passes the link threshold)",
        {"members_in_step": int(ctx.in_step[members].sum()), "share": round(share, 4)},
    )


def relay(ctx: Context, members: np.ndarray) -> Signal | None:
    """Hand-overs: members whose activity starts within `signal_relay_gap_buckets` after another member's
    activity stops, far more often than starts and stops of that many accounts over that span would meet
    by chance. One account at a time burns its quota, the next takes over: the lifetimes tile time."""
    config = ctx.config
    if members.size < config.signal_relay_min_members:
        return None
    indptr = ctx.data.activity_indptr
    lengths = indptr[members + 1] - indptr[members]
    active = members[lengths > 0]
    if active.size < config.signal_relay_min_members:
        return None
    buckets = ctx.data.activity_bucket
    starts = np.asarray([buckets[indptr[m]:indptr[m + 1]].min() for m in active], dtype=np.int64)
    ends = np.asarray([buckets[indptr[m]:indptr[m + 1]].max() for m in active], dtype=np.int64)
    gap = config.signal_relay_gap_buckets
    sorted_ends = np.sort(ends)
    # A start is a hand-over when some other member's last bucket lies in [start − gap, start − 1].
    before = np.searchsorted(sorted_ends, starts - gap, side="left")
    upto = np.searchsorted(sorted_ends, starts - 1, side="right")
    handovers = int(((upto - before) > 0).sum())
    span = max(int(ends.max() - starts.min()) + 1, 1)
    expected = active.size * (1.0 - np.exp(-active.size * gap / span))
    if handovers < 3 or handovers <= 2 * expected:
        return None
    share = handovers / active.size
    lifetimes = (ends - starts + 1).astype(np.float64)
    return Signal(
        "relay", ramp(share, config.signal_relay_share_floor, config.signal_relay_share_span),
        f"{handovers} of {active.size} members started within {gap * ctx.bucket_minutes} minutes after another "
        f"member stopped (about {expected:.1f} by chance); median lifetime "
        f"{float(np.median(lifetimes)) * ctx.bucket_minutes / 60:.1f} h",
        {"handovers": handovers, "expected_by_chance": round(float(expected), 2), "members_active": int(active.size),
         "median_lifetime_hours": round(float(np.median(lifetimes)) * ctx.bucket_minutes / 60, 2)},
    )


def template_playbook(ctx: Context, members: np.ndarray) -> Signal | None:
    """Share of member prompts on templates that at least half the members use and that are mostly used
    inside the cluster: a playbook, not the boilerplate every user of a popular SDK sends."""
    config = ctx.config
    view = ctx.by_kind["template"]
    positions = view.gather(members)
    if positions.size == 0 or members.size < 3:
        return None
    idents, requests = view.ident[positions], view.requests[positions]
    users = Counter(idents.tolist())
    needed = max(2, members.size * config.signal_playbook_member_share)
    playbook = [ident for ident, n in users.items()
                if n >= needed and n / max(int(view.degrees[ident]), n) >= config.signal_playbook_purity]
    if not playbook:
        return None
    volume = max(float(requests.sum()), 1.0)
    on_playbook = np.isin(idents, playbook)
    share = float(requests[on_playbook].sum()) / volume
    per_template = Counter()
    for ident, n in zip(idents[on_playbook].tolist(), requests[on_playbook].tolist(), strict=True):
        per_template[ident] += n
    top = [{"template": view.incidence.names[i], "requests": int(n), "members": users[i],
            "senders": int(view.degrees[i])} for i, n in per_template.most_common(5)]
    return Signal(
        "template_playbook", ramp(share, config.signal_playbook_share_floor, config.signal_playbook_share_span),
        f"{share:.0%} of member prompts follow {len(playbook)} templates shared by at least half of the "
        f"members and used mostly inside the cluster",
        {"playbook_share": round(share, 4), "templates": len(playbook), "top_templates": top},
    )


def capability_focus(ctx: Context, members: np.ndarray) -> Signal | None:
    view = ctx.by_kind["capability"]
    positions = view.gather(members)
    if positions.size == 0:
        return None
    per_capability: Counter[str] = Counter()
    for ident, n in zip(view.ident[positions].tolist(), view.requests[positions].tolist(), strict=True):
        per_capability[view.incidence.names[ident]] += float(n)
    volume = max(sum(per_capability.values()), 1.0)
    top = per_capability.most_common(3)
    share = top[0][1] / volume
    return Signal(
        "capability_focus",
        ramp(share, ctx.config.signal_capability_share_floor, ctx.config.signal_capability_share_span),
        f"{share:.0%} of member traffic on {top[0][0]}",
        {"top_capabilities": [{"capability": name, "share": round(n / volume, 4)} for name, n in top]},
    )


def model_pivot(ctx: Context, members: np.ndarray) -> list[Signal]:
    """Members moving most of their traffic to a newly released model within days (purpose: editor users
    and benchmark runners do it too), and, apart, members that did so while young — accounts made for the
    release (coordination: nobody's legitimate account history starts a week before a launch en masse)."""
    cohorts = ctx.pivots[members]
    if members.size < 3 or not (cohorts >= 0).any():
        return []
    config = ctx.config
    # Cohort ids are model * 2 + young; the signal counts every member that pivoted to the model.
    models = cohorts[cohorts >= 0] // 2
    model, pivoted = Counter(models.tolist()).most_common(1)[0]
    young = int(((cohorts >= 0) & (cohorts // 2 == model) & (cohorts % 2 == 1)).sum())
    fraction = pivoted / members.size
    name = ctx.data.incidence("model").names[model]
    signals = [Signal(
        "model_pivot", ramp(fraction, config.signal_pivot_fraction_floor, config.signal_pivot_fraction_span),
        f"{pivoted} of {members.size} members moved most of their traffic to {name} within "
        f"{config.pivot_window_s / 3600:.0f}h of its first appearance ({young} of them created "
        f"in the {config.young_account_s / 86400:.0f} days before it)",
        {"model": name, "members_pivoted": int(pivoted), "young_members": young, "fraction": round(fraction, 4)},
    )]
    young_fraction = young / members.size
    if young:
        signals.append(Signal(
            "release_cohort",
            ramp(young_fraction, config.signal_pivot_fraction_floor, config.signal_pivot_fraction_span),
            f"{young} of {members.size} members were created in the {config.young_account_s / 86400:.0f} days "
            f"before {name} appeared and moved to it within {config.pivot_window_s / 3600:.0f}h: accounts "
            f"made for the release",
            {"model": name, "young_members": young, "fraction": round(young_fraction, 4)},
        ))
    return signals


def quota_pinning(ctx: Context, members: np.ndarray) -> Signal | None:
    """An operator runs each account to a limit: the same number of requests on day after day, across
    accounts (a free tier's daily cap, a trial quota). People's days vary smoothly. Among member-days with at
    least `signal_quota_min_requests`, the most common daily count must stand out as a spike — its share of
    member-days, and how many times more frequent it is than the counts one below and one above."""
    config = ctx.config
    if members.size < config.signal_quota_min_members:
        return None
    buckets, counts, owner = member_activity(ctx, members)
    if buckets.size == 0:
        return None
    day = buckets // ctx.activity.slots_per_day
    key = owner.astype(np.int64) * np.int64(1 << 32) + (day - day.min())
    unique, inverse = np.unique(key, return_inverse=True)
    per_day = np.round(np.bincount(inverse, weights=counts)).astype(np.int64)
    per_day = per_day[per_day >= config.signal_quota_min_requests]
    if per_day.size < config.signal_quota_min_member_days:
        return None
    frequency = np.bincount(per_day)
    mode = int(np.argmax(frequency))
    share = float(frequency[mode] / per_day.size)
    neighbours = max(int(frequency[mode - 1]) if mode - 1 >= 0 else 0,
                     int(frequency[mode + 1]) if mode + 1 < frequency.size else 0, 1)
    spike = frequency[mode] / neighbours
    if mode <= config.signal_quota_min_requests:  # the floor of a falling distribution is no cap
        return None
    score = ramp(share, config.signal_quota_share_floor, config.signal_quota_share_span) \
        * ramp(spike, config.signal_quota_spike_floor, config.signal_quota_spike_span)
    if score <= 0:
        return None
    accounts = int(distinct(unique // np.int64(1 << 32)).size)
    return Signal(
        "quota_pinning", score,
        f"{share:.0%} of {per_day.size} member-days have exactly {mode} requests, {spike:.0f}× as many as "
        f"the neighbouring counts ({accounts} members active)",
        {"daily_requests": mode, "share_of_member_days": round(share, 4), "spike": round(float(spike), 2),
         "member_days": int(per_day.size)},
    )


def scripted_registration(ctx: Context, members: np.ndarray) -> Signal | None:
    """Members registered from the same hosting or anonymising address within hours of each other: people
    sign up from where they are (home, office, campus, phone); scripts sign up from servers and proxies."""
    view = ctx.by_kind["signup_ip"]
    positions = view.gather(members)
    if positions.size == 0 or members.size < 3:
        return None
    idents, accounts = view.ident[positions], view.account[positions]
    hosting = ctx.attrs["signup_hosting"][idents]
    if not hosting.any():
        return None
    created = ctx.data.created_at[accounts]
    window = ctx.config.creation_window_s
    batch = np.zeros(idents.size, dtype=bool)
    order = np.lexsort((created, idents))
    idents_sorted, created_sorted = idents[order], created[order]
    same_prev = np.r_[False, (idents_sorted[1:] == idents_sorted[:-1])
                      & (np.abs(np.diff(created_sorted)) <= window)]
    same_next = np.r_[same_prev[1:], False]
    batch[order] = same_prev | same_next
    scripted = batch & hosting
    accounts_scripted = len(set(accounts[scripted].tolist()))
    if not accounts_scripted:
        return None
    share = accounts_scripted / members.size
    addresses = len(set(idents[scripted].tolist()))
    return Signal(
        "scripted_registration", ramp(share, 0.1, 0.4),
        f"{accounts_scripted} of {members.size} members registered from {addresses} hosting or anonymising "
        f"addresses they share, within {window / 3600:.0f}h of each other",
        {"members_scripted": accounts_scripted, "addresses": addresses, "fraction": round(share, 4)},
    )


def signup_burst(ctx: Context, members: np.ndarray) -> Signal | None:
    config = ctx.config
    created = ctx.data.created_at[members]
    created = np.sort(created[~np.isnan(created)])
    if created.size < config.signal_signup_min_members:
        return None
    window = config.creation_window_s * 2
    ends = np.searchsorted(created, created + window, side="right")
    densest = int((ends - np.arange(created.size)).max())
    fraction = densest / created.size
    return Signal(
        "signup_burst", ramp(fraction, config.signal_signup_fraction_floor, config.signal_signup_fraction_span),
        f"{densest} of {created.size} members created within {window / 3600:.0f}h",
        {"members_in_window": densest, "window_hours": window / 3600, "fraction": round(fraction, 4)},
    )


def declared_org(ctx: Context, members: np.ndarray) -> Signal | None:
    """Members of one customer organisation: a declared `org_id`, or one e-mail domain that most members
    hold and that is an organisation's, not a mail provider's (a company's own domain is how it identifies
    itself; mainstream webmail is held by everybody and says nothing). A domain is an organisation's when
    the cluster holds most of it, or when it is rare in the whole population (at most `mail_provider_share`
    of all accounts): a team on its company's domain, with colleagues outside the cluster, is still that
    company."""
    config = ctx.config
    orgs = ctx.data.org[members]
    if (orgs >= 0).any():
        _, count = Counter(orgs[orgs >= 0].tolist()).most_common(1)[0]
        share = count / members.size
        if share >= config.declared_org_share:
            return Signal("declared_org", share,
                          f"{count} of {members.size} members belong to one customer organisation",
                          {"share": round(share, 4), "by": "org_id"})
    view = ctx.by_kind["email_domain"]
    positions = view.gather(members)
    if positions.size == 0:
        return None
    domain, count = Counter(view.ident[positions].tolist()).most_common(1)[0]
    share = count / members.size
    holders = int(view.degrees[domain])
    organisational = count / max(holders, 1) >= 0.5 or holders <= config.mail_provider_share * ctx.data.n_accounts
    if share >= config.declared_org_share and organisational:
        name = view.incidence.names[domain]
        return Signal("declared_org", share,
                      f"{count} of {members.size} members use the organisation domain {name} "
                      f"({holders} accounts hold it in all)",
                      {"share": round(share, 4), "by": "email_domain", "domain": name, "holders": holders})
    return None


def cluster_signals(ctx: Context, members: np.ndarray, full: bool = True) -> tuple[list[Signal], Signal | None]:
    """Every applicable signal of a cluster, and its declared-organisation mitigation if any (with
    `full=False` only the identifier signals: for clusters too small to be an operation whatever they do)."""
    signals: list[Signal] = []
    for single in (shared_payment(ctx, members), shared_credential(ctx, members)):
        if single:
            signals.append(single)
    signals.extend(ip_signals(ctx, members))
    if not full:
        return signals, declared_org(ctx, members)
    signals.extend(timing_signals(ctx, members))
    in_step = members_in_step(ctx, members)
    if in_step:
        signals.append(in_step)
    signals.extend(model_pivot(ctx, members))
    for single in (template_playbook(ctx, members), capability_focus(ctx, members), signup_burst(ctx, members),
                   quota_pinning(ctx, members), scripted_registration(ctx, members), relay(ctx, members)):
        if single:
            signals.append(single)
    return signals, declared_org(ctx, members)
