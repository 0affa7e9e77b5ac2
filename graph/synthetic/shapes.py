"""Evasive distillation campaigns: how operators who know about card pools, proxy networks, bursts and
playbooks spread their harvest instead. Each shape still leaves a trace an investigator can find (named
per builder and in docs/synthetic-data.md); without one, nobody could detect it.

- relay-farm       accounts used one after another: each burns its trial quota within a day on a fresh
                   virtual card and rotating residential exits, and the next one takes over
- sleeper-cell     accounts registered in batches months before use, activated one by one during the window,
                   then human-paced; a reworded wrapper with an exact output format
- low-and-slow     hundreds of "individuals" on static residential (ISP) proxies, each with its own card and
                   human-like local rhythm, sending a paraphrased curriculum with one hidden output format
- free-tier-farm   free accounts on a rotating pool of operator domains, each burning the daily free quota
                   from mobile proxies until it is banned
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from graph.synthetic.common import CARD, draw_countries, sample_home_ips
from graph.synthetic.config import (
    CAMPAIGNS,
    DAY,
    HOUR,
    POPULATIONS,
    RELEASE_TS,
    WINDOW_DAYS,
    WINDOW_END,
    WINDOW_START,
    clamp,
)
from graph.synthetic.identity import (
    COUNTRY_CODES,
    FIRST_NAMES,
    LAST_NAMES,
    draw_person_locals,
    draw_random_locals,
    join_emails,
    make_company_domains,
    make_throwaway_domains,
)
from graph.synthetic.network import Network, isp_proxy_blocks, sample_distinct_in_blocks, sample_in_blocks
from graph.synthetic.prompts import SET_CURRICULUM, SET_CURRICULUM_CAMOUFLAGED
from graph.synthetic.roster import (
    DAILY,
    LIFETIME,
    NEVER,
    PERSONAL_FLAT,
    PERSONAL_WEEKLY,
    SDK,
    SESSIONS,
    Block,
    new_block,
)
from graph.synthetic.schedules import day_of
from graph.synthetic.wording import (
    FREE_TIER_FORMAT,
    FREE_TIER_WRAPPER,
    LOW_SLOW_FORMAT,
    RELAY_FORMAT,
    RELAY_WRAPPER,
    SLEEPER_FORMAT,
    paraphrase_wrapper,
)

CAMPAIGN_POPULATION = POPULATIONS.index("campaign")
# The daily request cap of the free tier (the free-tier farm burns it every day).
FREE_DAILY_CAP = 15


def compute_shape_size(name: str, accounts: int) -> int:
    """Default accounts of an evasive campaign in a world of `accounts` accounts."""
    if name == "relay-farm":
        return clamp(round(0.003 * accounts), 40, 3_000)
    if name == "sleeper-cell":
        return clamp(round(0.004 * accounts), 40, 4_000)
    if name in ("low-and-slow", "free-tier-farm"):
        return clamp(round(0.005 * accounts), 50, 5_000)
    raise ValueError(f"unknown campaign shape {name!r}")


def _campaign_block(rng: np.random.Generator, n: int, name: str, countries: np.ndarray, ip1: np.ndarray) -> Block:
    block = new_block(rng, n, CAMPAIGN_POPULATION, countries, ip1)
    block.campaign[:] = CAMPAIGNS.index(name)
    return block


def _webmail_person_emails(rng: np.random.Generator, n: int) -> np.ndarray:
    """Bought or generated mailboxes at big webmail providers, person-like names."""
    domains = rng.choice(["gmail.com", "outlook.com", "yahoo.com", "hotmail.com"], size=n, p=[0.6, 0.2, 0.1, 0.1])
    return join_emails(draw_person_locals(rng, n), domains)


def build_relay_farm(rng: np.random.Generator, network: Network, n: int) -> Block:
    """Hand-over relays. The farm runs parallel lanes; in each lane one account at a time burns its trial
    credit at a steady pace over 10-30 hours, and a freshly registered account (new virtual card, new
    mailbox) takes over minutes after the previous one stops. Traffic leaves through a rotating residential
    proxy service (a new exit every ten minutes), prompts are a varied curriculum inside one wrapper.

    Trace: the lane's accounts tile time without overlapping (each starts within minutes of the previous
    one's last request, each created minutes before its first), every account has nearly the same volume
    and lifetime and is used only once, cards are single-use and come from one issuer country, and all
    prompts share one wrapper and one output-format instruction."""
    lanes = clamp(round(n / 23), 2, 150)
    lane = np.sort(rng.integers(0, lanes, n))
    lane[:lanes] = np.arange(lanes)  # every lane has at least one account
    lane = np.sort(lane)
    life = rng.uniform(10 * HOUR, 30 * HOUR, n).astype(np.int64)
    gap = rng.integers(30, 600, n)
    t_on = np.zeros(n, np.int64)
    for index in range(lanes):
        members = np.flatnonzero(lane == index)
        steps = life[members] + gap[members]
        span = int(steps.sum())
        room = (WINDOW_DAYS - 1) * DAY
        if span > room:  # a long lane runs the whole window: its accounts burn faster
            gaps = int(gap[members].sum())
            life[members] = (life[members] * (room - gaps) / (span - gaps)).astype(np.int64)
            steps = life[members] + gap[members]
            span = int(steps.sum())
        start = WINDOW_START + int(rng.integers(0, room - span + 1))
        t_on[members] = start + np.concatenate([[0], np.cumsum(steps)[:-1]])
    countries = draw_countries(rng, n)
    start, length = network.pool_range("relay")
    signup = network.pool[start + rng.integers(0, length, n)]
    block = _campaign_block(rng, n, "relay-farm", countries, signup)
    block.timing[:] = LIFETIME
    block.t_on = t_on
    block.t_off = np.minimum(t_on + life, WINDOW_END)
    block.created = t_on - rng.integers(5 * 60, 30 * 60, n)
    block.egress_start[:] = start
    block.egress_len[:] = length
    block.email = _webmail_person_emails(rng, n)
    throwaway = np.flatnonzero(rng.random(n) < 0.3)
    domains = np.array(make_throwaway_domains(rng, clamp(n // 60, 3, 40)), object)
    block.email[throwaway] = join_emails(
        draw_random_locals(rng, throwaway.size), domains[rng.integers(0, domains.size, throwaway.size)]
    )
    # One fresh virtual card per account, all from the card program's issuer countries.
    issuers = np.array([COUNTRY_CODES.index(c) for c in ("US", "GB")])
    block.payments.add(
        np.arange(n), np.arange(n), CARD, issuers[rng.integers(0, 2, n)], block.created + rng.integers(60, 300, n)
    )
    block.tier[:] = 1
    block.tset[:] = SET_CURRICULUM
    block.fav_p[:] = 0.0
    block.head_text[:] = RELAY_WRAPPER
    block.suffix_text[:] = RELAY_FORMAT
    block.weight = np.clip(rng.normal(1.0, 0.04, n), 0.85, 1.15)
    block.model_pref[:] = 0
    block.adopt[:] = RELEASE_TS
    block.c_prob[:] = 0.9
    block.agent = rng.choice([SDK, SDK + 1, SDK + 4], size=n)
    block.n_fp[:] = 1
    block.n_keys[:] = 1
    return block


def build_sleeper_cell(rng: np.random.Generator, network: Network, n: int) -> Block:
    """Sleepers. Accounts are registered in batches two to five months before use, by one script from a
    few servers, with one mailbox naming scheme; they lie dormant, then are activated one by one over the
    window and behave like people (sessions at local evening hours, home-like residential addresses, a
    card added just before activation). Prompts: a curriculum with some ordinary requests mixed in, a
    wrapper reworded in a dozen ways, and one exact output format.

    Trace: creation in tight batches long before any activity, from a handful of datacenter addresses,
    with a uniform mailbox scheme; a long dormancy then a card added minutes before first use; the same
    output-format instruction in every curriculum prompt."""
    batches = clamp(round(n / 150), 1, 30)
    batch = rng.integers(0, batches, n)
    batch_start = WINDOW_START - rng.integers(60, 150, batches) * DAY + rng.integers(0, 24, batches) * HOUR
    batch_length = rng.integers(2 * HOUR, 6 * HOUR, batches)
    servers = sample_distinct_in_blocks(rng, network.hosting_blocks, batches * 4).reshape(batches, 4)
    countries = draw_countries(rng, n)
    block = _campaign_block(rng, n, "sleeper-cell", countries, sample_home_ips(rng, network, countries))
    block.created = batch_start[batch] + (rng.random(n) * batch_length[batch]).astype(np.int64)
    block.signup_ip = servers[batch, rng.integers(0, 4, n)]
    first = rng.integers(0, len(FIRST_NAMES), n).tolist()
    last = rng.integers(0, len(LAST_NAMES), n).tolist()
    year = rng.integers(70, 100, n).tolist()
    locals_ = [f"{FIRST_NAMES[f]}.{LAST_NAMES[la]}{y}" for f, la, y in zip(first, last, year, strict=True)]
    block.email = join_emails(locals_, rng.choice(["gmail.com", "outlook.com"], size=n))
    block.timing[:] = SESSIONS
    block.t_on = WINDOW_START + rng.integers(2 * DAY, 20 * DAY, n)
    block.cadence = np.clip(rng.lognormal(np.log(60), 0.5, n), 15, 400).astype(np.int64)
    block.burst = np.clip(np.round(rng.lognormal(np.log(6), 0.5, n)), 2, 30).astype(np.int64)
    block.profile[:] = PERSONAL_WEEKLY
    block.delay[:] = 2 * HOUR  # put to work right after activation
    mobile = np.flatnonzero(rng.random(n) < 0.15)
    carrier = rng.integers(0, len(network.carrier_ranges), mobile.size)
    block.rot_start[mobile] = np.array([s for s, _ in network.carrier_ranges])[carrier]
    block.rot_len[mobile] = np.array([ln for _, ln in network.carrier_ranges])[carrier]
    block.p2[mobile] = 0.3
    paying = np.flatnonzero(rng.random(n) < 0.6)
    block.payments.add(
        paying, np.arange(paying.size), CARD, np.full(paying.size, COUNTRY_CODES.index("US")),
        block.t_on[paying] - rng.integers(5 * 60, HOUR, paying.size),
    )
    block.tier[:] = 0
    block.tier[paying] = 1
    block.tset[:] = SET_CURRICULUM_CAMOUFLAGED
    block.fav_p[:] = 0.0
    wrappers = [paraphrase_wrapper(rng) for _ in range(12)]
    block.head_text = np.array(wrappers, dtype=object)[rng.integers(0, len(wrappers), n)]
    block.suffix_text[:] = SLEEPER_FORMAT
    block.weight = rng.gamma(6.0, 1.0, n)
    block.adopt = RELEASE_TS + rng.exponential(12 * HOUR, n).astype(np.int64)
    block.c_prob[:] = 0.7
    block.agent = rng.integers(0, SDK + 2, n)
    return block


def build_low_and_slow(rng: np.random.Generator, network: Network, n: int) -> Block:
    """Low and slow. Each account passes as one person: its own card (issued in its claimed country), its
    own static residential address in that country (ISP proxies), evening-peaked local hours, moderate
    volume. Accounts were created gradually over the past year. Prompts: a shared curriculum, the system
    prompt paraphrased per account, a fifth ordinary requests as camouflage.

    Trace: one exact output-format instruction (a JSON schema the operator's parser needs) in hundreds of
    otherwise unrelated accounts; addresses concentrated in the few ISP blocks that sell static proxies;
    near-identical volume per account and no weekday/weekend difference (a scheduler, not a life)."""
    blocks, block_country = isp_proxy_blocks(network)
    share = np.array([0.5, 0.15, 0.15, 0.1, 0.1])
    which = rng.choice(blocks.size, size=n, p=share / share.sum())
    countries = block_country[which]
    addresses = np.empty(n, np.uint32)
    for i, b in enumerate(blocks.tolist()):
        m = which == i
        addresses[m] = sample_in_blocks(rng, np.array([b], np.uint32), int(m.sum()))
    block = _campaign_block(rng, n, "low-and-slow", countries, addresses)
    block.created = WINDOW_START - rng.integers(0, 365 * DAY, n)
    recent = rng.random(n) < 0.1
    block.created[recent] = WINDOW_START + rng.integers(0, 10 * DAY, int(recent.sum()))
    block.email = _webmail_person_emails(rng, n)
    block.timing[:] = SESSIONS
    block.cadence = np.clip(rng.lognormal(np.log(80), 0.4, n), 30, 300).astype(np.int64)
    block.burst = rng.integers(3, 9, n)
    block.profile[:] = PERSONAL_FLAT
    mobile = np.flatnonzero(rng.random(n) < 0.2)
    carrier = rng.integers(0, len(network.carrier_ranges), mobile.size)
    block.rot_start[mobile] = np.array([s for s, _ in network.carrier_ranges])[carrier]
    block.rot_len[mobile] = np.array([ln for _, ln in network.carrier_ranges])[carrier]
    block.p2[mobile] = 0.2
    paying = np.flatnonzero(rng.random(n) < 0.9)
    added = np.minimum(block.created[paying] + rng.integers(HOUR, 10 * DAY, paying.size), WINDOW_END - HOUR)
    block.payments.add(paying, np.arange(paying.size), CARD, countries[paying], added)
    block.tier[:] = 0
    block.tier[paying] = 1
    block.tset[:] = SET_CURRICULUM_CAMOUFLAGED
    block.fav_p[:] = 0.0
    block.head_text = np.array([paraphrase_wrapper(rng) for _ in range(n)], dtype=object)
    block.suffix_text[:] = LOW_SLOW_FORMAT
    block.weight = rng.gamma(20.0, 1.0, n)
    block.adopt = RELEASE_TS + rng.exponential(2 * DAY, n).astype(np.int64)
    block.c_prob[:] = 0.6
    block.agent = rng.integers(0, SDK + 8, n)
    return block


def build_free_tier_farm(rng: np.random.Generator, network: Network, n: int) -> Block:
    """Free-tier farm. Accounts are registered on the operator's own domains, a few days per domain before
    the next one takes over; no payment method. Each account burns the daily free quota in one sitting
    (at its own time of day) through mobile proxies (real phones behind carrier NAT, a new one each day)
    until it is banned after a few days to two weeks.

    Trace: sign-ups arrive domain by domain (dozens of fresh accounts on a new, unknown domain within a few
    days, then the domain goes quiet); every account is free tier and uses exactly the daily cap, every
    day of its life; one wrapper and one format instruction across all of them."""
    domains_count = clamp(round(n / 25), 3, 300)
    names = make_throwaway_domains(rng, domains_count // 2) + [
        d.split(".")[0] + ".site" for d in make_company_domains(rng, domains_count - domains_count // 2)
    ]
    domains = np.array(names, object)[rng.permutation(domains_count)]
    rotation = (WINDOW_DAYS + 3) * DAY / domains_count
    domain = np.sort(rng.integers(0, domains_count, n))
    active_for = rng.integers(1 * DAY, 4 * DAY, domains_count)
    opened = WINDOW_START - 3 * DAY + (np.arange(domains_count) * rotation).astype(np.int64)
    created = opened[domain] + (rng.random(n) * active_for[domain]).astype(np.int64)
    created = np.minimum(created, WINDOW_END - 3 * DAY)
    carriers = len(network.carrier_ranges)
    carrier = rng.integers(0, carriers, n)
    starts = np.array([s for s, _ in network.carrier_ranges])[carrier]
    lengths = np.array([ln for _, ln in network.carrier_ranges])[carrier]
    signup = network.pool[starts + (rng.random(n) * lengths).astype(np.int64)]
    block = _campaign_block(rng, n, "free-tier-farm", network.carrier_countries[carrier], signup)
    block.created = created
    block.email = join_emails(
        [a if r < 0.5 else b for a, b, r in zip(draw_random_locals(rng, n), draw_person_locals(rng, n),
                                                rng.random(n).tolist(), strict=True)],
        domains[domain],
    )
    block.timing[:] = DAILY
    block.t_on = created + rng.integers(2 * 60, 30 * 60, n)
    life = rng.integers(2 * DAY, 13 * DAY, n)
    block.t_off = np.minimum(block.t_on + life, WINDOW_END)
    block.cadence[:] = FREE_DAILY_CAP
    # The daily slot leaves time to finish before the quota resets at midnight UTC.
    block.phase = rng.integers(0, DAY - 900 - FREE_DAILY_CAP * 100, n)
    block.egress_start = starts
    block.egress_len = lengths
    block.tier[:] = 0
    block.tset[:] = SET_CURRICULUM
    block.fav_p[:] = 0.0
    block.head_text[:] = FREE_TIER_WRAPPER
    block.suffix_text[:] = FREE_TIER_FORMAT
    # Volume follows the days on which the account runs (schedules.daily_times: from its first slot after
    # activation to its ban): the same share of the cap every day.
    lo = np.maximum(np.maximum(block.created, block.t_on), WINDOW_START)
    first = day_of(lo)
    first = np.where(WINDOW_START + first * DAY + block.phase < lo, first + 1, first)
    # Every account runs on at least two days inside the window (its minimum volume fits under the cap).
    block.t_off = np.maximum(block.t_off, WINDOW_START + (first + 2) * DAY)
    last = day_of(np.minimum(block.t_off, WINDOW_END) - 1)
    block.weight = (last - first + 1).astype(np.float64)
    block.model_pref[:] = 2  # the free tier's model
    block.adopt[:] = NEVER
    block.agent = np.where(rng.random(n) < 0.7, SDK + 5, rng.integers(0, SDK, n))
    block.n_keys[:] = 1
    return block


SHAPE_BUILDERS: dict[str, Callable[[np.random.Generator, Network, int], Block]] = {
    "relay-farm": build_relay_farm,
    "sleeper-cell": build_sleeper_cell,
    "low-and-slow": build_low_and_slow,
    "free-tier-farm": build_free_tier_farm,
}
