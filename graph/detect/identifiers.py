"""Shared identifiers as evidence: every kind weighed by its rarity, none joining accounts at any degree.

Two accounts that share an identifier used by d of the N accounts that have one of its kind share
something a random pair would share with probability about d/N: the coincidence is worth ln(N/d) nats,
times a factor for how personal that kind of identifier is. That holds for payment methods as for IPs:
a card shared by 3 is a household or a payer with a few accounts; one "card" shared by 3,000 is app-store
billing, a marketplace's pooled wallet or a processor's generic fingerprint — infrastructure, not a payer.

Roles:
- **ownership** (payment methods, API keys): same payer, same credential. Up to household scale they join
  accounts outright (glue); beyond it they join only when their accounts also look like one operator
  (`graph.detect.links`, the coherence test), and otherwise count as pair evidence by rarity.
- **device** (IPs, client fingerprints): up to household scale personal (a home line, one person's
  devices); beyond it infrastructure that strangers share by design, which counts only for pairs that also
  behave alike.
- **domain** (e-mail domains): chosen by their owners; mainstream ones weigh nothing, rare ones a little.

Identifiers shared by more than `pair_degree_cap` accounts are hubs: never expanded into pairs, worth
nothing pairwise, judged at the cluster level (a proxy network, a card pool) where they can mean something.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, overload

import numpy as np
import scipy.sparse as sp

from graph.detect.blocks import EMPTY_PAIRS, block_pairs, distinct
from graph.detect.config import DetectionConfig
from graph.detect.inputs import DetectionInput, Incidence
from graph.minhash import seed64

OWNERSHIP_KINDS = ("payment", "api_key")
DEVICE_KINDS = ("ip", "client")
DOMAIN_KINDS = ("email_domain",)
PAIR_KINDS = OWNERSHIP_KINDS + DEVICE_KINDS + DOMAIN_KINDS
# Identifiers that can join their holders outright when the holders look like one operator: a payer, a
# credential, an organisation's own e-mail domain (a rare domain held by dozens is an organisation, real
# or made up for the occasion; mainstream mail providers are hubs and never join anything).
GLUE_KINDS = ("payment", "api_key", "email_domain")


def surprise(population: float, count: np.ndarray | float) -> np.ndarray:
    """ln(population / count): the nats of a coincidence shared by `count` of `population` accounts.

    >>> surprise(1000, np.array([1, 10, 1000])).round(2).tolist()
    [6.91, 4.61, 0.0]
    """
    return np.log(np.maximum(population, 1.0) / np.maximum(count, 1.0))


@dataclass
class IdentifierKind:
    """One kind of identifier as pair evidence: who holds what, and what sharing each one is worth."""

    kind: str
    role: str  # ownership, device or domain
    holders: sp.csr_matrix  # accounts × identifiers, binary
    degrees: np.ndarray  # accounts per identifier
    nats: np.ndarray  # evidence of two accounts sharing the identifier (0 for hubs and singletons)
    household: np.ndarray  # bool per identifier: shared at household scale (2..household_degree)

    def weighted(self, mask: np.ndarray) -> sp.csr_matrix:
        """holders with each selected identifier's nats as the value (others dropped)."""
        values = np.where(mask, self.nats, 0.0)
        matrix = self.holders @ sp.diags(values)
        matrix = sp.csr_matrix(matrix)
        matrix.eliminate_zeros()
        return matrix


def kind_factors(data: DetectionInput, kind: str, config: DetectionConfig) -> np.ndarray:
    """Per identifier, how personal its kind is (a factor on ln(N/d))."""
    incidence = data.incidence(kind)
    n = incidence.n_idents
    if kind == "payment":
        kinds = incidence.ident_attrs.get("kind", np.full(n, "", dtype=object))
        default = config.payment_kind_weight.get("unknown", 0.7)
        return np.asarray([config.payment_kind_weight.get(str(k), default) for k in kinds], dtype=np.float64)
    if kind == "api_key":
        return np.full(n, config.api_key_weight)
    if kind == "ip":
        kinds = incidence.ident_attrs.get("kind", np.full(n, "unknown", dtype=object))
        factor = np.asarray([config.ip_kind_weight.get(str(k), config.ip_kind_weight["unknown"]) for k in kinds])
        anonymous = incidence.ident_attrs.get("anonymous", np.zeros(n, dtype=bool)).astype(bool)
        proxied = np.asarray([bool(p) for p in incidence.ident_attrs.get("proxy_network", [])], dtype=bool)
        if proxied.size:
            anonymous = anonymous | proxied
        return np.where(anonymous, np.minimum(factor, config.anonymous_ip_weight), factor)
    if kind == "client":
        return np.full(n, config.client_weight)
    return np.full(n, config.email_domain_weight)


def build_identifier_kinds(data: DetectionInput, config: DetectionConfig) -> dict[str, IdentifierKind]:
    result: dict[str, IdentifierKind] = {}
    for kind in PAIR_KINDS:
        incidence = data.incidence(kind)
        if incidence.is_empty():
            continue
        holders = sp.csr_matrix((np.ones(incidence.account.size), (incidence.account, incidence.ident)),
                                shape=(data.n_accounts, incidence.n_idents))
        holders.sum_duplicates()
        holders.data[:] = 1.0
        degrees = incidence.degrees()
        population = distinct(incidence.account).size
        usable = (degrees >= 2) & (degrees <= config.pair_degree_cap)
        nats = np.where(usable, kind_factors(data, kind, config) * surprise(population, degrees), 0.0)
        role = "ownership" if kind in OWNERSHIP_KINDS else "device" if kind in DEVICE_KINDS else "domain"
        scale = config.household_card_degree if role == "ownership" else config.household_degree
        household = (degrees >= 2) & (degrees <= scale)
        result[kind] = IdentifierKind(kind, role, holders, degrees, nats, household)
    return result


def identifier_pairs(incidence: Incidence, usable: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs sharing a usable identifier (all pairs up to `cap` holders, a chain with skip links
    above), and the identifier each pair came from."""
    keep = usable[incidence.ident]
    accounts, idents = incidence.account[keep], incidence.ident[keep]
    if accounts.size == 0:
        return EMPTY_PAIRS, np.zeros(0, dtype=np.int64)
    order = np.lexsort((accounts, idents))
    accounts, idents = accounts[order].astype(np.int64), idents[order]
    starts = np.flatnonzero(np.r_[True, idents[1:] != idents[:-1]])
    sizes = np.diff(np.r_[starts, idents.size])
    pairs, blocks = block_pairs(starts, sizes, accounts, cap)
    return pairs, idents[starts[blocks]].astype(np.int64)


@overload
def star_edges(incidence: Incidence, ident_mask: np.ndarray) -> np.ndarray: ...
@overload
def star_edges(incidence: Incidence, ident_mask: np.ndarray, with_identifiers: Literal[True]) \
    -> tuple[np.ndarray, np.ndarray]: ...


def star_edges(incidence: Incidence, ident_mask: np.ndarray, with_identifiers: bool = False) \
        -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Edges joining every account of each selected identifier to that identifier's first account (and,
    with `with_identifiers`, the identifier of each edge).

    >>> from graph.detect.inputs import build_incidence
    >>> pool = build_incidence("payment", [{"account_id": a, "identifier": "pm", "requests": 1}
    ...                                    for a in "abc"], {"a": 0, "b": 1, "c": 2})
    >>> star_edges(pool, np.array([True])).tolist()
    [[0, 1], [0, 2]]
    """
    keep = ident_mask[incidence.ident]
    accounts, idents = incidence.account[keep], incidence.ident[keep]
    if accounts.size == 0:
        return (EMPTY_PAIRS, np.zeros(0, dtype=np.int64)) if with_identifiers else EMPTY_PAIRS
    order = np.lexsort((accounts, idents))
    accounts, idents = accounts[order], idents[order]
    first = np.flatnonzero(np.r_[True, idents[1:] != idents[:-1]])
    anchor = np.repeat(accounts[first], np.diff(np.r_[first, idents.size]))
    edges = np.stack([anchor, accounts], axis=1).astype(np.int64)
    distinct = edges[:, 0] != edges[:, 1]
    if with_identifiers:
        return edges[distinct], idents[distinct].astype(np.int64)
    return edges[distinct]


def member_sample_pairs(incidence: Incidence, idents: np.ndarray, salt: int, account_keys: np.ndarray) \
        -> tuple[np.ndarray, np.ndarray]:
    """Pairs among each given identifier's holders to judge it by: all pairs of up to 12 holders, else
    each holder with its 1st, 2nd, 3rd, 5th, 8th and 13th successor in an order hashed from the account ids
    (`account_keys`; indices can follow creation order, which would make neighbours look alike, and shift
    when other accounts come or go). Returns (pairs, identifier per pair)."""
    selected = np.zeros(incidence.n_idents, dtype=bool)
    selected[idents] = True
    keep = selected[incidence.ident]
    accounts, owners = incidence.account[keep].astype(np.int64), incidence.ident[keep].astype(np.int64)
    if accounts.size == 0:
        return EMPTY_PAIRS, np.zeros(0, dtype=np.int64)
    salted = account_keys[accounts] ^ np.uint64(seed64(f"member-sample:{salt}"))
    scramble = (salted * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(1)  # wraps modulo 2**64 by design
    order = np.lexsort((scramble, owners))
    accounts, owners = accounts[order], owners[order]
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    sizes = np.diff(np.r_[starts, owners.size])
    pairs, blocks = block_pairs(starts, sizes, accounts, 12)
    return pairs, owners[starts[blocks]]
