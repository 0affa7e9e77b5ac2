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
    client_weight: float = 0.5  # an API-client fingerprint is a weaker device identifier
    email_domain_weight: float = 0.7  # a domain is chosen by its owner; mainstream ones weigh ~nothing
    # Identifiers shared by more accounts than this are not expanded into pairs: they are hubs, judged at
    # the cluster level (a 20,000-account proxy network is evidence about a cluster, not 200M links).
    pair_degree_cap: int = 64
    # Up to this many accounts an IP or client is personal (a home line, one person's devices); beyond it,
    # infrastructure that strangers share, which links only pairs whose behaviour also agrees.
    household_degree: int = 4
    behaviour_gate_nats: float = 2.0
    # A pair links when its evidence exceeds ln(#candidate pairs) + margin (~e^-margin chance links in all)
    # and a second path supports it.
    link_margin_nats: float = 2.0

    # --- behaviour (pairs found by MinHash LSH and cohorts, never all pairs) --------------------------
    min_active_buckets: int = 6  # too little activity says nothing about synchrony
    timing_max_nats: float = 40.0  # one kind of evidence should not dwarf all others
    template_min_share: float = 0.05  # templates below this share of an account's traffic are noise
    template_max_document_share: float = 0.2  # a template used by >20% of senders identifies nobody
    creation_window_s: float = 24 * 3600.0
    pivot_window_s: float = 48 * 3600.0
    young_account_s: float = 30 * 24 * 3600.0
    # A share of traffic needs enough requests to mean anything: fewer on the new model is not a pivot.
    pivot_min_requests: int = 20
    minhash_permutations: int = 64
    lsh_rows_per_band: int = 4
    lsh_max_bucket: int = 400  # LSH buckets larger than this are chained, not expanded

    # --- cluster verdicts ------------------------------------------------------------------------------
    suspicious_threshold: float = 0.7
    review_threshold: float = 0.4
    # Coordination at scale is the point: evidence in a pair of accounts weighs less than in twenty.
    full_size: int = 20
    declared_org_share: float = 0.8  # members mostly of one customer organisation: a declared relationship
    declared_org_factor: float = 0.5
    household_card_degree: int = 5  # a card shared by up to this many accounts is household scale
    seed: int = 20261127  # MinHash permutations; any fixed value gives deterministic results
