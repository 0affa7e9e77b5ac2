"""The three distillation campaigns. Each builder returns accounts that look like ordinary accounts column by
column; only their joint structure (shared cards, shared exits, timing, templates, model pivot) gives them
away. Labels live in the `campaign` array, which is written to labels.csv only."""

from __future__ import annotations

import numpy as np

from graph.synthetic.common import (
    CARD,
    CRYPTO,
    DISPOSABLE_SERVICES,
    OTHER,
    add_own_cards,
    draw_countries,
    fill_person_emails,
    sample_home_ips,
)
from graph.synthetic.config import (
    DAY,
    HOUR,
    PIVOT_CAMPAIGN,
    POPULATIONS,
    PROXY_CAMPAIGN,
    REASONING_CAMPAIGN,
    RELEASE_DAY,
    RELEASE_TS,
    WINDOW_START,
    clamp,
)
from graph.synthetic.identity import draw_random_locals, join_emails, make_throwaway_domains
from graph.synthetic.network import Network
from graph.synthetic.populations import assign_cloud_regions, split_sizes
from graph.synthetic.prompts import SET_PIVOT_BEFORE, SET_PROXY, SET_REASONING
from graph.synthetic.roster import BURSTS, PIVOT, PROXY_SLOTS, SDK, Block, new_block

CAMPAIGN_POPULATION = POPULATIONS.index("campaign")
# Fingerprint groups 1.. belong to campaign tooling (0 is the evaluation customer's harness).
PROXY_TOOL_GROUPS = 12
REASONING_TOOL_GROUP = 100


def build_proxy_campaign(rng: np.random.Generator, network: Network, n: int) -> Block:
    """Campaign 1: thousands of accounts behind one residential proxy service, cards shared by 10-60 accounts,
    throwaway domains, accounts created in waves, load-balanced agentic-coding/tool-use traffic."""
    countries = draw_countries(rng, n)
    start, length = network.pool_range("proxy")
    signup = network.pool[start + rng.integers(0, length, n)]
    block = new_block(rng, n, CAMPAIGN_POPULATION, countries, signup)
    block.campaign[:] = PROXY_CAMPAIGN
    waves = clamp(n // 400, 3, 8)
    wave_start = (
        WINDOW_START + np.sort(rng.integers(-45, 20, waves)) * DAY + rng.integers(0, 24, waves) * HOUR
    )
    block.created = wave_start[rng.integers(0, waves, n)] + rng.integers(0, 8 * HOUR, n)
    domains = np.array(
        make_throwaway_domains(rng, clamp(n // 150, 5, 150)) + list(DISPOSABLE_SERVICES), object
    )
    block.email = join_emails(draw_random_locals(rng, n), domains[rng.integers(0, domains.size, n)])
    webmail = rng.random(n) < 0.3
    block.email[webmail] = join_emails(
        draw_random_locals(rng, int(webmail.sum())),
        rng.choice(["gmail.com", "outlook.com"], int(webmail.sum())),
    )
    # Cards are shared by 10-60 accounts; small data sets use smaller groups so there are still several cards.
    largest = clamp(n // 4, 10, 60)
    sizes = split_sizes(rng, n, lambda r, k: r.integers(10, largest + 1, k), minimum=10)
    card = rng.permutation(np.repeat(np.arange(sizes.size), sizes))
    kind = rng.choice([CARD, CRYPTO, OTHER], size=sizes.size, p=[0.8, 0.13, 0.07])
    issuer = draw_countries(rng, sizes.size)
    block.payments.add(
        np.arange(n), card, kind[card], issuer[card], block.created + rng.integers(60, HOUR, n)
    )
    block.tier[:] = 1
    block.timing[:] = PROXY_SLOTS
    block.tset[:] = SET_PROXY
    block.fav_p[:] = 0.0
    block.model_pref = rng.choice([0, 1], size=n, p=[0.7, 0.3])
    block.weight = rng.gamma(8.0, 1.0, n)
    block.agent = rng.choice([SDK, SDK + 4, SDK + 5], size=n)
    block.fp_group = 1 + rng.integers(0, PROXY_TOOL_GROUPS, n)
    block.n_fp[:] = 1
    block.n_keys[:] = 1
    return block


def build_reasoning_campaign(rng: np.random.Generator, network: Network, n: int) -> Block:
    """Campaign 2: a few hundred accounts on the shared cloud egress legitimate developers use, no shared
    payment methods, chain-of-thought elicitation fired in synchronized bursts."""
    countries = draw_countries(rng, n)
    block = new_block(rng, n, CAMPAIGN_POPULATION, countries, np.zeros(n, np.uint32))
    assign_cloud_regions(rng, network, block, 0.6)
    block.campaign[:] = REASONING_CAMPAIGN
    block.created = WINDOW_START + rng.integers(-60 * DAY, 5 * DAY, n)
    fill_person_emails(rng, block)
    add_own_cards(rng, block, 0.6)
    block.timing[:] = BURSTS
    block.tset[:] = SET_REASONING
    block.fav_p[:] = 0.0
    block.model_pref[:] = 0
    block.weight = rng.gamma(4.0, 1.0, n)
    block.agent[:] = SDK + 4
    block.fp_group = REASONING_TOOL_GROUP + rng.integers(0, 3, n)
    block.n_fp[:] = 1
    return block


def build_pivot_campaign(rng: np.random.Generator, network: Network, n: int) -> Block:
    """Campaign 3: accounts created shortly before the new model's release that move most of their traffic
    to it within a day; residential and VPN addresses; a few small card-sharing groups."""
    countries = draw_countries(rng, n)
    block = new_block(rng, n, CAMPAIGN_POPULATION, countries, sample_home_ips(rng, network, countries))
    block.campaign[:] = PIVOT_CAMPAIGN
    block.created = WINDOW_START + rng.integers((RELEASE_DAY - 10) * DAY, RELEASE_DAY * DAY - 6 * HOUR, n)
    fill_person_emails(rng, block)
    throwaway = rng.random(n) < 0.4
    domains = np.array(make_throwaway_domains(rng, clamp(n // 100, 3, 40)), object)
    block.email[throwaway] = join_emails(
        draw_random_locals(rng, int(throwaway.sum())),
        domains[rng.integers(0, domains.size, int(throwaway.sum()))],
    )
    vpn = rng.random(n) < 0.3
    start, length = network.pool_range("vpn")
    block.ip2[vpn] = network.pool[start + rng.integers(0, length, int(vpn.sum()))]
    block.p2[vpn] = 0.5
    block.signup_ip[vpn] = block.ip2[vpn]
    has = add_own_cards(rng, block, 0.75)
    # A quarter of the paying accounts share cards in groups of two to four.
    payers = np.flatnonzero(has)
    grouped = payers[rng.random(payers.size) < 0.25]
    if grouped.size >= 2:
        sizes = split_sizes(rng, grouped.size, lambda r, k: r.integers(2, 5, k), minimum=2)
        leader = grouped[np.repeat(np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)]
        p = block.payments
        # First methods are numbered 0..payers-1 by add_own_cards; extra PayPal rows stay personal.
        first_rows = np.flatnonzero(p.method < payers.size)
        row_of = np.full(n, -1, np.int64)
        row_of[p.account[first_rows]] = first_rows
        members, leaders = row_of[grouped], row_of[leader]
        p.method[members] = p.method[leaders]
        p.kind[members] = p.kind[leaders]
        p.issuer[members] = p.issuer[leaders]
    block.timing[:] = PIVOT
    block.tset[:] = SET_PIVOT_BEFORE
    block.fav_p[:] = 0.0
    block.adopt = RELEASE_TS + rng.integers(0, 24 * HOUR, n)
    block.c_prob[:] = 0.92
    block.weight = rng.lognormal(0.0, 0.5, n)
    block.agent = rng.choice([0, 1, SDK, SDK + 7], size=n)
    return block
