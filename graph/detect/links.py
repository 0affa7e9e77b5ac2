"""Account-to-account links from every signal, measured in one unit: nats of coincidence.

Two accounts are linked when what they have in common would be too unlikely for independent customers.
Each piece of evidence is the surprise (−ln probability) of the coincidence, measured on the population
itself, and the pieces add up:

- a shared identifier used by d of N accounts: ln(N/d), times a factor for identifiers that are shared by
  design (carrier CGNAT, campus NAT, cloud ranges, proxy/VPN/Tor exits say little; a home line a lot);
- timing: the Poisson log-likelihood ratio of the accounts' co-active buckets against what the
  population's own daily rhythm predicts (SynchroTrap-style synchrony);
- templates: the share of two repetitive accounts' traffic on the same templates, times the templates'
  rarity ln(N/df);
- a shared pivot: both moved most of their traffic to a newly released model within days of its first
  appearance, while young (created shortly before it): ln(N / size of that cohort);
- creation close in time, only as corroboration of other evidence: ln(N / accounts created that close).

A pair is linked when its evidence exceeds ln(candidate pairs) + `link_margin_nats` (a multiple-testing
bound: about e^-margin chance links among all candidates whatever the data's size) **and** the link is
supported: between two groups of glued accounts there is a second path (a common neighbour, or a second
link). Coincidences are isolated; coordination is dense. The support rule is what stops one coincidental
link from chaining a company or a legitimate proxy user into a campaign; an isolated pair (neither side
linked to anything else) is kept, since it cannot chain anything.

A release cohort (accounts created in the month before a model's first appearance that moved most of at
least `pivot_min_requests` requests to it within two days: accounts made for the release) is linked
whatever its pairs' evidence, subject to the support rule.

**Glue**: a shared payment method or API key joins accounts outright — same payer, same credential — as a
star (each member to the identifier's first member), so a card shared by 20,000 accounts costs 20,000
edges, not 200 million pairs.

**Hubs**: identifiers shared by more than `pair_degree_cap` accounts are never expanded into pairs; their
evidence per pair is tiny anyway (ln(N/d) with a large d), and they are judged at the cluster level.
Candidate pairs come from identifiers below the cap, from MinHash LSH over activity buckets and over
dominant templates, and from pivot cohorts; large blocks yield a chain of neighbours with skip links
rather than all their pairs, so every step stays linear in the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from graph.detect.blocks import EMPTY_PAIRS, block_pairs
from graph.detect.components import component_labels
from graph.detect.config import DetectionConfig
from graph.detect.inputs import DetectionInput, Incidence
from graph.detect.lsh import band_candidate_pairs, minhash_signatures


@dataclass
class Links:
    glue: np.ndarray  # (k, 2) account index pairs joined by shared payment methods / API keys
    pairs: np.ndarray  # (m, 2) candidate pairs whose evidence passed the threshold
    weights: np.ndarray  # evidence (nats) of each kept pair
    candidates: int  # candidate pairs evaluated
    threshold: float  # nats a pair needed
    cohorts: np.ndarray  # per account: pivot cohort id (model * 2 + young) or -1, reused by the signals
    # Every candidate pair with positive evidence (below the threshold too), for group-level merging.



def star_edges(incidence: Incidence, ident_mask: np.ndarray) -> np.ndarray:
    """Edges joining every account of each selected identifier to that identifier's first account."""
    keep = ident_mask[incidence.ident]
    accounts, idents = incidence.account[keep], incidence.ident[keep]
    if accounts.size == 0:
        return EMPTY_PAIRS
    order = np.lexsort((accounts, idents))
    accounts, idents = accounts[order], idents[order]
    first = np.flatnonzero(np.r_[True, idents[1:] != idents[:-1]])
    anchor = np.repeat(accounts[first], np.diff(np.r_[first, idents.size]))
    edges = np.stack([anchor, accounts], axis=1).astype(np.int64)
    return edges[edges[:, 0] != edges[:, 1]]


def glue_edges(data: DetectionInput) -> np.ndarray:
    """Shared payment methods and shared API keys join accounts outright."""
    parts = []
    for kind in ("payment", "api_key"):
        incidence = data.incidence(kind)
        if not incidence.is_empty():
            parts.append(star_edges(incidence, incidence.degrees() >= 2))
    return np.concatenate(parts) if parts else EMPTY_PAIRS


def surprise(population: float, count: np.ndarray | float) -> np.ndarray:
    """ln(population / count): the nats of a coincidence shared by `count` of `population` accounts."""
    return np.log(np.maximum(population, 1.0) / np.maximum(count, 1.0))


def identifier_nats(data: DetectionInput, config: DetectionConfig) -> dict[str, np.ndarray]:
    """Evidence, per identifier, of two accounts sharing it (kinds expanded into pairs)."""
    result: dict[str, np.ndarray] = {}
    ips = data.incidence("ip")
    if not ips.is_empty():
        kinds = ips.ident_attrs.get("kind", np.full(ips.n_idents, "unknown", dtype=object))
        factor = np.asarray([config.ip_kind_weight.get(str(k), config.ip_kind_weight["unknown"])
                             for k in kinds])
        anonymous = ips.ident_attrs.get("anonymous", np.zeros(ips.n_idents, dtype=bool)).astype(bool)
        proxied = np.asarray([bool(p) for p in ips.ident_attrs.get("proxy_network", [])], dtype=bool)
        if proxied.size:
            anonymous = anonymous | proxied
        factor = np.where(anonymous, np.minimum(factor, config.anonymous_ip_weight), factor)
        result["ip"] = factor * surprise(np.unique(ips.account).size, ips.degrees())
    for kind, factor_value in (("client", config.client_weight),
                               ("email_domain", config.email_domain_weight)):
        incidence = data.incidence(kind)
        if not incidence.is_empty():
            result[kind] = factor_value * surprise(np.unique(incidence.account).size, incidence.degrees())
    return result


def identifier_pairs(incidence: Incidence, nats: np.ndarray, cap: int) \
        -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All pairs sharing an identifier of degree 2..cap: (pairs, that identifier's evidence, its degree)."""
    degrees = incidence.degrees()
    usable = (degrees >= 2) & (degrees <= cap) & (nats > 0)
    keep = usable[incidence.ident]
    accounts, idents = incidence.account[keep], incidence.ident[keep]
    if accounts.size == 0:
        return EMPTY_PAIRS, np.zeros(0), np.zeros(0)
    order = np.lexsort((accounts, idents))
    accounts, idents = accounts[order].astype(np.int64), idents[order]
    starts = np.flatnonzero(np.r_[True, idents[1:] != idents[:-1]])
    sizes = np.diff(np.r_[starts, idents.size])
    pairs, blocks = block_pairs(starts, sizes, accounts, cap)
    shared = idents[starts[blocks]]
    return pairs, nats[shared], degrees[shared].astype(np.float64)


def pair_identifier_evidence(pairs: np.ndarray, nats: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per unique pair: the sum of its shared identifiers' evidence, capped at twice the strongest one —
    several addresses of one household or one provider are correlated, not independent coincidences."""
    if pairs.size == 0:
        return EMPTY_PAIRS, np.zeros(0)
    keys = pairs[:, 0] * n + pairs[:, 1]
    unique, inverse = np.unique(keys, return_inverse=True)
    total = np.bincount(inverse, weights=nats, minlength=unique.size)
    strongest = np.zeros(unique.size)
    np.maximum.at(strongest, inverse, nats)
    return np.stack([unique // n, unique % n], axis=1), np.minimum(total, 2.0 * strongest)


def sum_by_pair(pairs: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Unique pairs with their values summed."""
    if pairs.size == 0:
        return EMPTY_PAIRS, np.zeros(0)
    keys = pairs[:, 0] * n + pairs[:, 1]
    unique, inverse = np.unique(keys, return_inverse=True)
    sums = np.bincount(inverse, weights=values, minlength=unique.size)
    return np.stack([unique // n, unique % n], axis=1), sums


def activity_matrix(data: DetectionInput) -> sp.csr_matrix:
    """Accounts × active buckets (binary), columns renumbered to the buckets that occur."""
    if data.activity_bucket.size == 0:
        return sp.csr_matrix((data.n_accounts, 0))
    columns, inverse = np.unique(data.activity_bucket, return_inverse=True)
    ones = np.ones(inverse.size, dtype=np.float64)
    matrix = sp.csr_matrix((ones, inverse, data.activity_indptr), shape=(data.n_accounts, columns.size))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


@dataclass
class TemplateProfile:
    shares: sp.csr_matrix  # accounts × templates: share of the account's traffic, repetitive accounts only
    nats: np.ndarray  # per template: ln(senders / df)


def template_profile(data: DetectionInput, config: DetectionConfig) -> TemplateProfile:
    """Repetitive accounts' template shares. Templates below `template_min_share` of an account's traffic,
    used by one account, or by more than `template_max_document_share` of senders are dropped; an account
    keeps a row only when the remaining templates carry at least half its traffic."""
    incidence = data.incidence("template")
    if incidence.is_empty():
        return TemplateProfile(sp.csr_matrix((data.n_accounts, 0)), np.zeros(0))
    totals = np.bincount(incidence.account, weights=incidence.requests, minlength=data.n_accounts)
    share = incidence.requests / np.maximum(totals[incidence.account], 1.0)
    degrees = incidence.degrees()
    senders = max(int(np.count_nonzero(totals)), 2)
    ubiquitous = degrees > config.template_max_document_share * senders
    keep = (share >= config.template_min_share) & ~ubiquitous[incidence.ident] & (degrees[incidence.ident] >= 2)
    kept_share = np.bincount(incidence.account[keep], weights=share[keep], minlength=data.n_accounts)
    keep &= kept_share[incidence.account] >= 0.5
    matrix = sp.csr_matrix((share[keep], (incidence.account[keep], incidence.ident[keep])),
                           shape=(data.n_accounts, incidence.n_idents))
    matrix.sum_duplicates()
    return TemplateProfile(matrix, surprise(senders, degrees))


def lsh_pairs(matrix: sp.csr_matrix, min_items: int, config: DetectionConfig, salt: int) -> np.ndarray:
    """Candidate pairs of rows whose item sets are similar (MinHash LSH)."""
    if matrix.shape[1] == 0:
        return EMPTY_PAIRS
    indptr, tokens = matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64)
    eligible = np.diff(indptr) >= min_items
    if eligible.sum() < 2:
        return EMPTY_PAIRS
    signatures = minhash_signatures(indptr, tokens, config.minhash_permutations, config.seed + salt)
    return band_candidate_pairs(signatures, eligible, config.lsh_rows_per_band, config.lsh_max_bucket)


def _rowwise_sum(left: sp.csr_matrix, right: sp.csr_matrix) -> np.ndarray:
    return np.asarray(left.multiply(right).sum(axis=1)).ravel()


def timing_nats(activity: sp.csr_matrix, pairs: np.ndarray, config: DetectionConfig) -> np.ndarray:
    """Synchrony of each pair: co-active buckets against what the population's own rhythm predicts.

    Under independence, accounts with |A| and |B| active buckets, whose buckets follow the population's
    activity profile q, share |A||B|Σq² buckets on average. The Poisson log-likelihood ratio of the observed
    overlap o against that expectation e, o·ln(o/e) − (o − e), is the surprise in nats.
    """
    if pairs.size == 0 or activity.shape[1] == 0:
        return np.zeros(len(pairs))
    column_activity = np.asarray(activity.sum(axis=0)).ravel()
    profile = column_activity / max(column_activity.sum(), 1.0)
    concentration = float((profile ** 2).sum())
    sizes = np.diff(activity.indptr).astype(np.float64)
    overlap = np.zeros(len(pairs))
    for start in range(0, len(pairs), 500_000):
        chunk = pairs[start:start + 500_000]
        overlap[start:start + len(chunk)] = _rowwise_sum(activity[chunk[:, 0]], activity[chunk[:, 1]])
    expected = sizes[pairs[:, 0]] * sizes[pairs[:, 1]] * concentration
    enough = ((sizes[pairs[:, 0]] >= config.min_active_buckets)
              & (sizes[pairs[:, 1]] >= config.min_active_buckets) & (overlap >= 3))
    safe_overlap, safe_expected = np.maximum(overlap, 1e-12), np.maximum(expected, 1e-12)
    llr = overlap * np.log(safe_overlap / safe_expected) - (overlap - expected)
    return np.where(enough & (overlap > expected), np.minimum(llr, config.timing_max_nats), 0.0)


def template_nats(profile: TemplateProfile, pairs: np.ndarray) -> np.ndarray:
    """Σ over shared templates of min(share_u, share_v) · ln(senders/df): how much of both accounts'
    traffic follows the same, rarely used templates."""
    if pairs.size == 0 or profile.shares.shape[1] == 0:
        return np.zeros(len(pairs))
    result = np.zeros(len(pairs))
    for start in range(0, len(pairs), 500_000):
        chunk = pairs[start:start + 500_000]
        left, right = profile.shares[chunk[:, 0]], profile.shares[chunk[:, 1]]
        smaller = left.minimum(right)
        # min(share) weighted by each template's nats: (min ⊙ nats) summed per row.
        result[start:start + len(chunk)] = np.asarray(
            smaller.multiply(profile.nats[None, :]).sum(axis=1)).ravel()
    return result


def pivot_cohorts(data: DetectionInput, config: DetectionConfig) -> np.ndarray:
    """Per account, the id of its pivot cohort or -1: the model it moved most of its traffic to within
    `pivot_window_s` of the model's first appearance (for models that appear after the log starts), split
    by whether the account was young (created within `young_account_s` before that appearance)."""
    models = data.incidence("model")
    cohorts = np.full(data.n_accounts, -1, dtype=np.int64)
    model_first = models.ident_attrs.get("model_first_seen")
    if models.is_empty() or "first_seen" not in models.edge_attrs or model_first is None:
        return cohorts
    totals = np.bincount(models.account, weights=models.requests, minlength=data.n_accounts)
    share = models.requests / np.maximum(totals[models.account], 1.0)
    release = model_first[models.ident]
    lag = models.edge_attrs["first_seen"] - release
    log_start = np.nanmin(model_first)
    is_new = release > log_start + config.pivot_window_s
    pivoted = (is_new & (lag >= 0) & (lag <= config.pivot_window_s) & (share >= 0.5)
               & (models.requests >= config.pivot_min_requests))
    age = release - data.created_at[models.account]
    young = (age >= 0) & (age <= config.young_account_s)
    cohorts[models.account[pivoted]] = models.ident[pivoted] * 2 + young[pivoted]
    return cohorts


def cohort_pairs(cohorts: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs within each pivot cohort, and each cohort's size per pair."""
    members = np.flatnonzero(cohorts >= 0)
    if members.size < 2:
        return EMPTY_PAIRS, np.zeros(0)
    order = np.lexsort((members, cohorts[members]))
    members = members[order]
    keys = cohorts[members]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, keys.size])
    pairs, blocks = block_pairs(starts, sizes, members, cap)
    return pairs, sizes[blocks].astype(np.float64)


def creation_density(created: np.ndarray, window: float) -> np.ndarray:
    """Per account: how many accounts were created within ±window of it (itself included)."""
    known = ~np.isnan(created)
    counts = np.ones(created.size)
    values = np.sort(created[known])
    counts[known] = (np.searchsorted(values, created[known] + window, side="right")
                     - np.searchsorted(values, created[known] - window, side="left"))
    return counts


def build_links(data: DetectionInput, config: DetectionConfig) -> Links:
    """All glue and every candidate pair whose evidence passes the threshold and the support rule."""
    n = data.n_accounts
    cohorts = pivot_cohorts(data, config)
    glue = glue_edges(data)
    personal_parts, infrastructure_parts = [], []
    for kind, nats in identifier_nats(data, config).items():
        pairs, values, degrees = identifier_pairs(data.incidence(kind), nats, config.pair_degree_cap)
        # Household scale (a home line, one person's devices) is personal; beyond it an identifier is
        # infrastructure that unrelated customers share by design (a proxy exit, a NAT, a provider).
        personal = (degrees <= config.household_degree) & (kind != "email_domain")
        personal_parts.append(pair_identifier_evidence(pairs[personal], values[personal], n))
        infrastructure_parts.append(pair_identifier_evidence(pairs[~personal], values[~personal], n))
    activity = activity_matrix(data)
    templates = template_profile(data, config)
    candidate_parts = [p for p, _ in personal_parts + infrastructure_parts]
    cohort_candidates = cohort_pairs(cohorts, config.pair_degree_cap)[0]
    candidate_parts += [lsh_pairs(activity, config.min_active_buckets, config, salt=1),
                        lsh_pairs(templates.shares, 1, config, salt=2), cohort_candidates]
    pairs, _ = sum_by_pair(np.concatenate(candidate_parts), np.zeros(sum(len(p) for p in candidate_parts)), n)
    threshold = float(np.log(max(len(pairs), 1)) + config.link_margin_nats)
    if len(pairs) == 0:
        return Links(glue, pairs, np.zeros(0), 0, threshold, cohorts)
    keys = pairs[:, 0] * n + pairs[:, 1]

    def lookup(parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        values = np.zeros(len(pairs))
        for part_pairs, part_values in parts:
            if len(part_pairs):
                positions = np.searchsorted(keys, part_pairs[:, 0] * n + part_pairs[:, 1])
                np.add.at(values, positions, part_values)
        return values

    personal = lookup(personal_parts)
    infrastructure = lookup(infrastructure_parts)
    behaviour = timing_nats(activity, pairs, config) + template_nats(templates, pairs)
    cohort_sizes = np.bincount(cohorts[cohorts >= 0]) if (cohorts >= 0).any() else np.zeros(0)
    same_cohort = (cohorts[pairs[:, 0]] >= 0) & (cohorts[pairs[:, 0]] == cohorts[pairs[:, 1]])
    if same_cohort.any():
        behaviour[same_cohort] += surprise(n, cohort_sizes[cohorts[pairs[same_cohort, 0]]])
    # Shared infrastructure says "same proxy service, same NAT", which strangers share: it counts only
    # for pairs that also behave alike.
    evidence = personal + behaviour + np.where(behaviour >= config.behaviour_gate_nats, infrastructure, 0.0)
    # Creation close in time corroborates other evidence; alone it is a coincidence of calendars.
    density = creation_density(data.created_at, config.creation_window_s)
    gap = np.abs(data.created_at[pairs[:, 0]] - data.created_at[pairs[:, 1]])
    closeness = np.nan_to_num(1.0 - gap / config.creation_window_s, nan=0.0).clip(0.0, 1.0)
    creation = surprise(n, np.maximum(density[pairs[:, 0]], density[pairs[:, 1]])) * closeness
    evidence = evidence + np.where(evidence > 0, creation, 0.0)
    # A release cohort links its members whatever their pair evidence; like every link it must pass the
    # support rule, so a cohort member does not carry its company along.
    young = (cohorts[pairs[:, 0]] >= 0) & (cohorts[pairs[:, 0]] % 2 == 1)
    keep = (evidence >= threshold) | (same_cohort & young)
    supported = supported_links(n, glue, pairs[keep])
    return Links(glue, pairs[keep][supported], evidence[keep][supported], len(pairs), threshold, cohorts)


def supported_links(n: int, glue: np.ndarray, links: np.ndarray) -> np.ndarray:
    """Mask of links kept by the support rule, judged between glue groups (a card's accounts are one
    group): a link is supported when its two groups have a common neighbour group or are joined by more
    than one link; unsupported links survive only as isolated pairs."""
    if links.size == 0:
        return np.zeros(0, dtype=bool)
    groups = component_labels(n, glue)
    left, right = groups[links[:, 0]], groups[links[:, 1]]
    between = left != right
    low, high = np.minimum(left, right), np.maximum(left, right)
    keys = (low * n + high)[between]
    unique, inverse = np.unique(keys, return_inverse=True)
    a, b = unique // n, unique % n
    # Independent support needs different accounts on both sides: one account linked to many members of a
    # company is still one coincidence.
    low_accounts = np.where(left <= right, links[:, 0], links[:, 1])[between]
    high_accounts = np.where(left <= right, links[:, 1], links[:, 0])[between]
    distinct_low = _distinct_per_key(inverse, low_accounts, unique.size)
    distinct_high = _distinct_per_key(inverse, high_accounts, unique.size)
    multiplicity = np.minimum(distinct_low, distinct_high)
    adjacency = sp.coo_matrix((np.ones(unique.size), (a, b)), shape=(n, n)).tocsr()
    adjacency = ((adjacency + adjacency.T) > 0).astype(np.float64).tocsr()
    common = np.zeros(unique.size)
    for start in range(0, unique.size, 200_000):
        rows_a, rows_b = a[start:start + 200_000], b[start:start + 200_000]
        common[start:start + rows_a.size] = _rowwise_sum(adjacency[rows_a], adjacency[rows_b])
    degree = np.diff(adjacency.indptr)
    group_size = np.bincount(groups, minlength=n)
    # A glued group (a company on one invoice, a card's accounts) enters a cluster only through two or more
    # of its own accounts: one member's coincidence must not carry the whole group along.
    sides_ok = ((group_size[a] == 1) | (distinct_low >= 2)) & ((group_size[b] == 1) | (distinct_high >= 2))
    ok_pair = sides_ok & ((common > 0) | (multiplicity > 1))
    ok_pair |= (degree[a] == 1) & (degree[b] == 1)
    keep = np.ones(len(links), dtype=bool)
    keep[np.flatnonzero(between)] = ok_pair[inverse]
    return keep


def _distinct_per_key(keys: np.ndarray, values: np.ndarray, n_keys: int) -> np.ndarray:
    """Number of distinct values per key index."""
    pairs = np.unique(np.stack([keys, values], axis=1), axis=0)
    return np.bincount(pairs[:, 0], minlength=n_keys)
