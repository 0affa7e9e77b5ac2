"""Detection's knobs, each with the principle behind its default (docs/detection.md has the argument).

Nothing here names a campaign or a population: the defaults express how much a kind of evidence says in
general (a household shares a card and a router; a NAT or proxy exit is shared by design; coincidences in
time are measured against the population's own rhythm).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DetectionConfig:
    # --- pair evidence, in nats of coincidence ----------------------------------------------------
    # Factor on ln(N/d) for one shared IP, by the IP's kind: shared-by-design infrastructure (carrier
    # CGNAT, campus NAT, cloud ranges, proxy/VPN/Tor exits) says little; a home line says a lot.
    ip_kind_weight: dict[str, float] = field(default_factory=lambda: {
        "residential": 1.0, "unknown": 0.8, "corporate": 0.25, "datacenter": 0.2,
        "mobile": 0.1, "education": 0.1,
    })
    anonymous_ip_weight: float = 0.15  # VPN, Tor or a named proxy network's exit
    # Factor on ln(N/d) for a shared payment method, by kind: how specific the fingerprint is to one payer.
    # A card, bank account or PayPal login belongs to a person; a crypto address may be an exchange's
    # deposit address; "other" is unknown; an invoice is a billing relationship between organisations.
    payment_kind_weight: dict[str, float] = field(default_factory=lambda: {
        "card": 1.0, "bank": 1.0, "paypal": 1.0, "crypto": 0.7, "other": 0.7, "invoice": 0.5, "unknown": 0.7,
    })
    api_key_weight: float = 1.0  # one credential
    client_weight: float = 0.5  # an API-client fingerprint is a weaker device identifier
    email_domain_weight: float = 0.7  # a domain is chosen by its owner; mainstream ones weigh ~nothing
    # Identifiers shared by more accounts than this are not expanded into pairs: they are hubs, judged at
    # the cluster level (a 20,000-account proxy network is evidence about a cluster, not 200M links).
    pair_degree_cap: int = 64
    # Blocks of accounts sharing a key (an identifier, an LSH bucket, a cohort) yield all their pairs up to
    # this size and a chain with skip links above it: connectivity at linear cost (~6 pairs per member).
    block_all_pairs: int = 12
    # An account's rarest templates that make it a candidate with their other senders (prefix filtering). Ties
    # in rarity are common (templates two accounts share), and a longer prefix makes the candidates depend
    # less on how ties break: 8 rather than 4 gave the same or better recall on every world and real set
    # measured (ira 0.45 -> 0.51), legitimate accounts flagged -1 / +1, 20-35 % more candidate pairs.
    rarest_templates: int = 8
    dominant_templates: int = 2  # and the templates carrying most of its traffic…
    template_block_max_share: float = 0.1  # …unless more than this share of senders uses them
    # Up to this many accounts an IP or client is personal (a home line, one person's devices); beyond it,
    # infrastructure that strangers share, which links only pairs whose behaviour also agrees beyond chance:
    # timing, templates and cohort together worth `behaviour_gate_nats` (≈ one random pair in 400).
    household_degree: int = 4
    behaviour_gate_nats: float = 6.0
    # A pair links when its evidence exceeds ln(#candidate pairs) + margin (~e^-margin chance links in all)
    # and a second path supports it.
    link_margin_nats: float = 2.0

    # --- behaviour (pairs found by MinHash LSH and cohorts, never all pairs) --------------------------
    min_active_buckets: int = 6  # too little activity says nothing about synchrony
    timing_max_nats: float = 40.0  # one kind of evidence should not dwarf all others
    template_min_shared: int = 2  # one template in common is a coincidence of topics
    template_max_nats: float = 40.0
    creation_window_s: float = 24 * 3600.0
    # Registered from the same address this close in time: one registration session (a script's batch,
    # a class signing up together), not strangers sharing a NAT.
    registration_window_s: float = 6 * 3600.0
    pivot_window_s: float = 48 * 3600.0
    young_account_s: float = 30 * 24 * 3600.0
    # A share of traffic needs enough requests to mean anything: fewer on the new model is not a pivot.
    pivot_min_requests: int = 20
    minhash_permutations: int = 64
    lsh_rows_per_band: int = 4

    # --- cluster verdicts ------------------------------------------------------------------------------
    suspicious_threshold: float = 0.7
    review_threshold: float = 0.4
    # Coordination at scale is the point: evidence in a pair of accounts weighs less than in twenty.
    full_size: int = 20
    declared_org_share: float = 0.8  # members mostly of one customer organisation: a declared relationship
    declared_org_factor: float = 0.5
    # Clusters at least this large get their shared infrastructure stored after the switch (runs.py).
    store_infrastructure_min_size: int = 100
    # An e-mail domain held by more than this share of all accounts is a mail provider, not an organisation.
    mail_provider_share: float = 0.01
    household_card_degree: int = 5  # a card shared by up to this many accounts is household scale
    # A payment method or API key shared beyond household scale glues its accounts only when they look like
    # one operator: at least `coherence_share` of its holders are tied to another holder by
    # `coherence_nats` of evidence beyond the identifier (plus ln of the partners compared; see
    # links.holder_coherence): a chance tie is then about e^-3, one holder in twenty.
    coherence_nats: float = 3.0
    coherence_share: float = 0.5
    seed: int = 20261127  # MinHash permutations; any fixed value gives deterministic results

    # --- cluster signals (graph/detect/signals.py): where each score starts and when it is full ---------
    # Pooled payment: Σ accounts beyond household scale per method (weighted by how much the method belongs
    # to the cluster); 10 such accounts make the signal ~0.63.
    signal_payment_excess_scale: float = 10.0
    # Proxy use: share of member traffic through anonymising exits × share of members on them; 0.8 is full.
    signal_proxy_full_share: float = 0.8
    # Shared IPs: members per IP among the members' IPs; one per IP is nothing, ten is full.
    signal_ip_reuse_floor: float = 2.0
    signal_ip_reuse_span: float = 8.0
    # Bursts: a bucket whose member count has a Poisson tail below this under the members' own schedules
    # and the population's rhythm, with at least this many members and this share of the cluster.
    signal_burst_p_value: float = 1e-6
    signal_burst_min_members: int = 3
    signal_burst_member_share: float = 0.2
    signal_burst_share_floor: float = 0.2  # share of member activity in bursts where the signal starts
    signal_burst_share_span: float = 0.5
    signal_burst_min_days: int = 3
    signal_in_step_floor: float = 0.2  # members linked by synchrony alone: share where the signal starts
    signal_in_step_span: float = 0.4  # bursts on fewer distinct days count in proportion (one event is one day)
    # Load balancing needs enough members and time (48 buckets = 8 h at 10 minutes) to mean anything.
    signal_balance_min_members: int = 5
    signal_balance_min_span: int = 48
    signal_balance_coverage_floor: float = 0.3  # share of buckets with activity
    signal_balance_coverage_span: float = 0.4
    signal_balance_hourly_cv: float = 0.5  # hour-of-day variation at which the total stops being "flat"
    # Playbook: templates used by at least half the members and mostly inside the cluster.
    signal_playbook_member_share: float = 0.5
    signal_playbook_purity: float = 0.5
    signal_playbook_share_floor: float = 0.3
    signal_playbook_share_span: float = 0.5
    signal_capability_share_floor: float = 0.6
    signal_capability_share_span: float = 0.35
    signal_pivot_fraction_floor: float = 0.2
    signal_pivot_fraction_span: float = 0.5
    # Quota pinning: the members' most common daily request count (among days with at least the minimum)
    # holds this share of member-days; people's days vary, a script runs to a cap.
    signal_quota_min_members: int = 5
    signal_quota_min_member_days: int = 20
    signal_quota_min_requests: int = 5
    signal_quota_share_floor: float = 0.3
    signal_quota_share_span: float = 0.4
    signal_quota_spike_floor: float = 2.0  # the mode against its neighbours: 2× is noise, 5× a cap
    signal_quota_spike_span: float = 3.0
    # Relay: a member's first bucket within this many buckets after another member's last one is a hand-over.
    signal_relay_min_members: int = 5
    signal_relay_gap_buckets: int = 2
    signal_relay_share_floor: float = 0.3
    signal_relay_share_span: float = 0.4
    signal_signup_min_members: int = 5
    signal_signup_fraction_floor: float = 0.3
    signal_signup_fraction_span: float = 0.5
