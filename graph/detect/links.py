"""Which accounts are tied together: glue (same payer or credential) and links (pairs whose evidence is too
strong for independent customers), never by expanding every pair of a shared identifier.

**Glue.** A payment method or API key shared at household scale (a family's card, one person's few
accounts) joins its accounts outright. Beyond that scale a shared "payer" may be a pool of cards an operator
spreads over its accounts — or app-store billing, a marketplace wallet, a processor's generic fingerprint
used by thousands of strangers. The identifier alone cannot tell; its holders can. It glues only when they
look like one operator (**coherence**): in a sample of its holders' pairs, most have evidence beyond the
identifier itself (other shared identifiers, synchrony, the same templates, created or attached to it close
together). Otherwise it is infrastructure: worth its rarity pairwise when small, nothing when a hub, and
named at the cluster level.

**Links.** Candidate pairs come from identifiers shared by 2..`pair_degree_cap` accounts, MinHash LSH over
activity buckets and dominant templates, and pivot cohorts; large blocks yield a chain with skip links.
A pair links when its evidence (`graph.detect.evidence`) exceeds ln(#candidates) + `link_margin_nats` — a
multiple-testing bound: about e^-margin chance links among all candidates whatever the data's size — and
the link is supported: between two glued groups there is a second path (a common neighbour, or links from
two different accounts on each side). Coincidences are isolated; coordination is dense. An isolated pair
(neither side linked to anything else) is kept, since it cannot chain anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from graph.detect.activity import rowwise_dot
from graph.detect.blocks import EMPTY_PAIRS, block_pairs, distinct
from graph.detect.cohorts import cohort_pairs
from graph.detect.components import component_labels
from graph.detect.config import DetectionConfig
from graph.detect.evidence import EvidenceModel
from graph.detect.identifiers import GLUE_KINDS, PAIR_KINDS, identifier_pairs, member_sample_pairs, star_edges
from graph.detect.inputs import DetectionInput, Incidence
from graph.detect.lsh import band_candidate_pairs, minhash_signatures


@dataclass
class Pool:
    """An ownership identifier beyond household scale, as judged by its holders' coherence."""

    kind: str
    ident: int
    holders: int
    coherence: float  # share of sampled holder pairs with evidence beyond the identifier
    glued: bool


@dataclass
class Links:
    glue: np.ndarray  # (k, 2) account index pairs joined by a shared payer or credential
    pairs: np.ndarray  # (m, 2) candidate pairs whose evidence passed the threshold and the support rule
    weights: np.ndarray  # evidence (nats) of each kept pair
    candidates: int  # candidate pairs evaluated
    threshold: float  # nats a pair needed
    cohorts: np.ndarray  # per account: pivot cohort id (model * 2 + young) or -1, reused by the signals
    model: EvidenceModel | None = None
    pools: list[Pool] = field(default_factory=list)
    timing: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per kept pair: its synchrony (nats)
    glue_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # per glue edge
    glue_ident: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # per glue edge


def unique_pairs(parts: list[np.ndarray], n: int) -> np.ndarray:
    """Sorted unique (i < j) pairs of the given arrays."""
    stacked = np.concatenate([p for p in parts if len(p)]) if any(len(p) for p in parts) else EMPTY_PAIRS
    if stacked.size == 0:
        return EMPTY_PAIRS
    stacked = np.sort(stacked, axis=1)
    stacked = stacked[stacked[:, 0] != stacked[:, 1]]
    keys = distinct(stacked[:, 0] * np.int64(n) + stacked[:, 1])
    return np.stack([keys // n, keys % n], axis=1)


def lsh_signatures(matrix: sp.csr_matrix, min_items: int, config: DetectionConfig, salt: int) \
        -> tuple[np.ndarray, np.ndarray] | None:
    """MinHash signatures of every row and which rows are eligible (at least `min_items` items); None when
    fewer than two are."""
    if matrix.shape[1] == 0:
        return None
    indptr, tokens = matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64)
    eligible = np.diff(indptr) >= min_items
    if eligible.sum() < 2:
        return None
    return minhash_signatures(indptr, tokens, config.minhash_permutations, config.seed + salt), eligible


def lsh_pairs(matrix: sp.csr_matrix, min_items: int, config: DetectionConfig, salt: int) -> np.ndarray:
    """Candidate pairs of rows whose item sets are similar (MinHash LSH)."""
    found = lsh_signatures(matrix, min_items, config, salt)
    if found is None:
        return EMPTY_PAIRS
    signatures, eligible = found
    return band_candidate_pairs(signatures, eligible, config.lsh_rows_per_band, config.block_all_pairs)


def token_block_pairs(rows: np.ndarray, tokens: np.ndarray, block_all: int) -> np.ndarray:
    """Candidate pairs of rows sharing a token (one block per token; chained above `block_all` rows)."""
    if rows.size == 0:
        return EMPTY_PAIRS
    order = np.lexsort((rows, tokens))
    rows, tokens = rows[order], tokens[order]
    block_starts = np.flatnonzero(np.r_[True, tokens[1:] != tokens[:-1]])
    sizes = np.diff(np.r_[block_starts, tokens.size])
    pairs, _ = block_pairs(block_starts, sizes, rows.astype(np.int64), block_all)
    return pairs


def first_per_row(rows: np.ndarray, tokens: np.ndarray, keys: tuple[np.ndarray, ...], per_row: int) \
        -> tuple[np.ndarray, np.ndarray]:
    """Each row's first `per_row` tokens in the order of `keys` (lexsort keys, most significant last)."""
    order = np.lexsort((*keys, rows))
    rows, tokens = rows[order], tokens[order]
    starts = np.r_[0, np.flatnonzero(rows[1:] != rows[:-1]) + 1]
    rank = np.arange(rows.size) - np.repeat(starts, np.diff(np.r_[starts, rows.size]))
    keep = rank < per_row
    return rows[keep], tokens[keep]


def template_candidate_pairs(data: DetectionInput, config: DetectionConfig) -> np.ndarray:
    """Accounts that may share a playbook: blocked on each account's rarest templates (prefix filtering, as
    in set-similarity joins: alike sets share their rarest members) and on the templates carrying most of
    its traffic, unless those are used by more than `template_block_max_share` of senders (what everybody
    sends blocks nobody)."""
    incidence = data.incidence("template")
    if incidence.is_empty():
        return EMPTY_PAIRS
    degrees = incidence.degrees()
    shareable = degrees[incidence.ident] >= 2
    rows = incidence.account[shareable].astype(np.int64)
    tokens = incidence.ident[shareable].astype(np.int64)
    requests = incidence.requests[shareable]
    if rows.size == 0:
        return EMPTY_PAIRS
    rare_rows, rare_tokens = first_per_row(rows, tokens, (tokens, degrees[tokens]), config.rarest_templates)
    senders = max(distinct(incidence.account).size, 1)
    blockable = degrees[tokens] <= config.template_block_max_share * senders
    top_rows, top_tokens = first_per_row(rows[blockable], tokens[blockable],
                                         (tokens[blockable], -requests[blockable]), config.dominant_templates)
    return np.concatenate([token_block_pairs(rare_rows, rare_tokens, config.block_all_pairs),
                           token_block_pairs(top_rows, top_tokens, config.block_all_pairs)])


def candidate_pairs(model: EvidenceModel) -> np.ndarray:
    data, config = model.data, model.config
    parts = []
    for kind, identifiers in model.identifiers.items():
        pairs, _ = identifier_pairs(data.incidence(kind), identifiers.nats > 0, config.block_all_pairs)
        parts.append(pairs)
    # Accounts whose template sets are alike share their rarest templates (a playbook's are rare; the
    # popular ones everybody sends never form a block).
    parts.append(template_candidate_pairs(data, config))
    parts.append(lsh_pairs(model.activity.buckets, config.min_active_buckets, config, salt=1))
    parts.append(cohort_pairs(model.cohorts, config.block_all_pairs)[0])
    return unique_pairs(parts, data.n_accounts)


@dataclass
class Glue:
    edges: np.ndarray  # (k, 2)
    kind: np.ndarray  # per edge: index into PAIR_KINDS of the identifier that glues it
    ident: np.ndarray  # per edge: that identifier
    pools: list[Pool]


def holder_coherence(model: EvidenceModel, kind: str, idents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per identifier (of the given ones): the share of its holders tied to another holder by evidence
    beyond the identifier itself.

    Each holder is compared with up to 12 others (`member_sample_pairs`); it is tied when the best of
    them has at least `coherence_nats` + ln(partners compared) of other evidence — the logarithm pays for
    taking the best of several, so a chance tie stays about e^-coherence_nats likely. An operator's
    accounts made in a few waves, or sharing a playbook, are tied within their wave or script; a
    platform's customers are strangers to one another.

    Returns the share per identifier and the keys (identifier · N + account) of the tied holders.
    """
    config = model.config
    incidence = model.data.incidence(kind)
    pairs, owners = member_sample_pairs(incidence, idents, salt=config.seed,
                                         account_keys=model.data.account_keys())
    share = np.zeros(incidence.n_idents)
    if len(pairs) == 0:
        return share, np.zeros(0, dtype=np.int64)
    evidence = model.without(model.evaluate(pairs), kind, owners).total(config, corroborated=True)
    # Best partner per (identifier, holder), over both ends of each sampled pair.
    holder = np.concatenate([pairs[:, 0], pairs[:, 1]])
    owner = np.concatenate([owners, owners])
    value = np.concatenate([evidence, evidence])
    key = owner * np.int64(model.data.n_accounts) + holder
    unique, inverse = np.unique(key, return_inverse=True)
    best = np.full(unique.size, -np.inf)
    np.maximum.at(best, inverse, value)
    partners = np.bincount(inverse, minlength=unique.size)
    tied = best >= config.coherence_nats + np.log(np.maximum(partners, 1))
    holder_owner = unique // model.data.n_accounts
    counted = np.bincount(holder_owner, minlength=incidence.n_idents)
    share = np.bincount(holder_owner, weights=tied, minlength=incidence.n_idents) / np.maximum(counted, 1)
    return share, unique[tied]


def judge_pools(model: EvidenceModel) -> Glue:
    """Glue edges of every payer, credential or organisation domain that joins: household scale, or holders
    that look like one operator."""
    config = model.config
    edges: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    idents: list[np.ndarray] = []
    pools: list[Pool] = []
    for kind in GLUE_KINDS:
        identifiers = model.identifiers.get(kind)
        if identifiers is None:
            continue
        incidence = model.data.incidence(kind)
        glue = (identifiers.degrees >= 2) & (identifiers.degrees <= config.household_card_degree)
        larger = np.flatnonzero(identifiers.degrees > config.household_card_degree)
        if kind == "api_key":
            # A key is issued to one account: the same key under several accounts is one credential, shared
            # or resold, whatever else they have in common.
            glue = identifiers.degrees >= 2
            larger = larger[:0]
        if identifiers.role != "ownership":  # a domain beyond the pair cap is a mail provider, not an org
            larger = larger[identifiers.degrees[larger] <= config.pair_degree_cap]
        rows = np.ones(incidence.account.size, dtype=bool)
        if larger.size:
            share, tied = holder_coherence(model, kind, larger)
            coherent = share >= config.coherence_share
            glue[larger] = coherent[larger]
            pools.extend(Pool(kind, int(i), int(identifiers.degrees[i]), round(float(share[i]), 4),
                              bool(coherent[i])) for i in larger)
            if identifiers.role != "ownership":
                # A domain is not a payer: strangers can share a small mail provider with an operator's
                # accounts, so only holders tied to another holder join through it.
                key = incidence.ident.astype(np.int64) * np.int64(model.data.n_accounts) + incidence.account
                large_row = identifiers.degrees[incidence.ident] > config.household_card_degree
                rows = ~large_row | np.isin(key, tied)
        chosen = Incidence(incidence.kind, incidence.account[rows], incidence.ident[rows],
                           incidence.requests[rows], incidence.names)
        star, owner = star_edges(chosen, glue, with_identifiers=True)
        edges.append(star)
        idents.append(owner)
        kinds.append(np.full(len(star), PAIR_KINDS.index(kind), dtype=np.int64))
    if not edges:
        return Glue(EMPTY_PAIRS, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), pools)
    return Glue(np.concatenate(edges), np.concatenate(kinds), np.concatenate(idents), pools)


@dataclass
class ScoredCandidates:
    """Candidate pairs after scoring: how many were evaluated, the threshold, and those that passed it (sorted
    by (i, j)) with their evidence and synchrony (nats)."""

    candidates: int
    threshold: float
    pairs: np.ndarray
    evidence: np.ndarray
    timing: np.ndarray


class LinkEngine(Protocol):
    """Where detection's data-parallel work runs: candidate generation and pair scoring, connected
    components, and each cluster's signals. The embedded engine is numpy/scipy in this process;
    graph/engine/detect.py runs the same work as Spark jobs. Both must give the same result (tests/engine)."""

    def score_candidates(self, model: EvidenceModel) -> ScoredCandidates: ...

    def component_labels(self, n_accounts: int, edges: np.ndarray) -> np.ndarray: ...

    def map_clusters(self, work: ClusterTask) -> list[Any]: ...


class ClusterTask(Protocol):
    """Independent work per cluster (graph.detect.pipeline.ClusterWork): `len(task)` clusters, `task(k)`."""

    def __len__(self) -> int: ...

    def __call__(self, k: int) -> Any: ...


def link_threshold(candidates: int, config: DetectionConfig) -> float:
    """Nats a pair needs: ln(#candidates) + margin (multiple testing over every candidate evaluated)."""
    return float(np.log(max(candidates, 1)) + config.link_margin_nats)


def passing_pairs(model: EvidenceModel, pairs: np.ndarray, threshold: float) \
        -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs whose evidence reaches `threshold`, with their evidence and synchrony (nats); any batch of
    candidates scores the same as the whole, so engines may score them in pieces."""
    parts = model.evaluate(pairs)
    evidence = parts.total(model.config) if len(pairs) else np.zeros(0)
    keep = evidence >= threshold
    return pairs[keep], evidence[keep], parts["timing"][keep]


class EmbeddedLinks:
    """The embedded engine: numpy and scipy in this process."""

    def score_candidates(self, model: EvidenceModel) -> ScoredCandidates:
        pairs = candidate_pairs(model)
        threshold = link_threshold(len(pairs), model.config)
        return ScoredCandidates(len(pairs), threshold, *passing_pairs(model, pairs, threshold))

    def component_labels(self, n_accounts: int, edges: np.ndarray) -> np.ndarray:
        return component_labels(n_accounts, edges)

    def map_clusters(self, work: ClusterTask) -> list[Any]:
        return [work(k) for k in range(len(work))]


EMBEDDED = EmbeddedLinks()


def build_links(data: DetectionInput, config: DetectionConfig, engine: LinkEngine = EMBEDDED) -> Links:
    """All glue and every candidate pair whose evidence passes the threshold and the support rule."""
    n = data.n_accounts
    model = EvidenceModel.build(data, config)
    glue = judge_pools(model)
    scored = engine.score_candidates(model)
    supported = supported_links(n, glue.edges, scored.pairs, engine.component_labels)
    return Links(glue.edges, scored.pairs[supported], scored.evidence[supported], scored.candidates,
                 scored.threshold, model.cohorts, model, glue.pools, scored.timing[supported], glue.kind, glue.ident)


# The largest glued group that may enter a cluster through one of its accounts: one coincidence then carries
# at most one other account along, and an operator who adds a fresh account on a member's own card does not
# thereby pull the member out of its campaign (larger groups still need two of their accounts linked).
CARRY_ALONG = 2


def supported_links(n: int, glue: np.ndarray, links: np.ndarray,
                    labels: Callable[[int, np.ndarray], np.ndarray] = component_labels) -> np.ndarray:
    """Mask of links kept by the support rule, judged between glue groups (a card's accounts are one
    group): a link is supported when its two groups have a common neighbour group or are joined by more
    than one link; unsupported links survive only as isolated pairs."""
    if links.size == 0:
        return np.zeros(0, dtype=bool)
    groups = labels(n, glue)
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
    common = rowwise_dot(adjacency, adjacency, np.stack([a, b], axis=1))
    degree = np.diff(adjacency.indptr)
    group_size = np.bincount(groups, minlength=n)
    # A glued group (a company on one invoice, a card's accounts) enters a cluster only through two or more
    # of its own accounts: one member's coincidence must not carry the whole group along (a glued pair may).
    sides_ok = (((group_size[a] <= CARRY_ALONG) | (distinct_low >= 2))
                & ((group_size[b] <= CARRY_ALONG) | (distinct_high >= 2)))
    ok_pair = sides_ok & ((common > 0) | (multiplicity > 1))
    ok_pair |= (degree[a] == 1) & (degree[b] == 1)
    keep = np.ones(len(links), dtype=bool)
    keep[np.flatnonzero(between)] = ok_pair[inverse]
    return keep


def _distinct_per_key(keys: np.ndarray, values: np.ndarray, n_keys: int) -> np.ndarray:
    """Number of distinct values per key index."""
    span = np.int64(max(int(values.max()) + 1, 1)) if values.size else np.int64(1)
    combined = distinct(keys.astype(np.int64) * span + values)
    return np.bincount(combined // span, minlength=n_keys)
