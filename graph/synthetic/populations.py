"""Legitimate populations: individuals, families, companies, universities, mobile carriers, cloud developers
and one high-volume evaluation customer. Several are deliberate traps for detectors (shared IPs, shared
payment methods, automated timing, repetitive prompts, VPN/Tor/residential-proxy use)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from graph.synthetic.common import (
    CARD,
    DISPOSABLE_SERVICES,
    INVOICE,
    PAYPAL,
    add_own_cards,
    draw_adoption,
    draw_countries,
    draw_created,
    fill_person_emails,
    sample_home_ips,
)
from graph.synthetic.config import DAY, HOUR, POPULATIONS, WINDOW_DAYS, WINDOW_START
from graph.synthetic.identity import (
    LAST_NAMES,
    draw_person_locals,
    join_emails,
    make_company_domains,
    make_university_domains,
)
from graph.synthetic.network import CLOUD_REGION_SIZE, Network, sample_distinct_in_blocks
from graph.synthetic.prompts import SET_EVALUATION
from graph.synthetic.randomness import draw_unique_ids
from graph.synthetic.roster import HUMAN_WORK, SDK, STEADY, Block, new_block

INDIVIDUAL, FAMILY, COMPANY, UNIVERSITY, CARRIER, CLOUD_DEVELOPER, EVALUATION = range(7)
assert POPULATIONS[EVALUATION] == "evaluation_customer"


def split_sizes(
    rng: np.random.Generator,
    total: int,
    draw: Callable[[np.random.Generator, int], np.ndarray],
    minimum: int = 1,
) -> np.ndarray:
    """Group sizes drawn by `draw(rng, k)` summing exactly to `total`; a short last group borrows from (or
    merges into) the previous one so that every group has at least `minimum` members when possible."""
    sizes: list[int] = []
    remaining = total
    while remaining > 0:
        for s in np.asarray(draw(rng, 64)).tolist():
            s = min(int(s), remaining)
            sizes.append(s)
            remaining -= s
            if remaining == 0:
                break
    if len(sizes) > 1 and sizes[-1] < minimum:
        need = minimum - sizes[-1]
        if sizes[-2] - need >= minimum:
            sizes[-2] -= need
            sizes[-1] += need
        else:
            last = sizes.pop()
            sizes[-1] += last
    return np.array(sizes, np.int64)


def build_individuals(rng: np.random.Generator, network: Network, n: int) -> Block:
    """Single users on home broadband; some move ISP, use their phone, a VPN, Tor or a residential proxy."""
    countries = draw_countries(rng, n)
    block = new_block(rng, n, INDIVIDUAL, countries, sample_home_ips(rng, network, countries))
    block.created = draw_created(rng, n, 0.12, 3 * 365)
    fill_person_emails(rng, block)
    disposable = rng.random(n) < 0.01
    if disposable.any():
        domains = np.array(DISPOSABLE_SERVICES, object)[rng.integers(0, 3, int(disposable.sum()))]
        block.email[disposable] = join_emails(draw_person_locals(rng, int(disposable.sum())), domains)
    roll = rng.random(n)
    mover = roll < 0.15
    block.ip2[mover] = sample_home_ips(rng, network, countries[mover])
    block.switch_day[mover] = rng.integers(1, WINDOW_DAYS, int(mover.sum()))
    phone = (roll >= 0.15) & (roll < 0.25)
    _use_carrier(rng, network, block, np.flatnonzero(phone), 0.12)
    vpn = (roll >= 0.25) & (roll < 0.28)
    start, length = network.pool_range("vpn")
    block.ip2[vpn] = network.pool[start + rng.integers(0, length, int(vpn.sum()))]
    block.p2[vpn] = 0.7
    _rotate(block, (roll >= 0.28) & (roll < 0.283), network.pool_range("tor"), 0.85)
    # Legitimate customers of the same residential proxy service the large campaign uses (a trap).
    _rotate(block, (roll >= 0.283) & (roll < 0.2836), network.pool_range("proxy"), 0.9)
    block.weight = rng.lognormal(0.0, 1.5, n)
    block.timing[rng.random(n) < 0.2] = HUMAN_WORK
    block.agent = np.where(rng.random(n) < 0.25, rng.integers(SDK, SDK + 8, n), rng.integers(0, SDK, n))
    add_own_cards(rng, block, 0.72)
    draw_adoption(rng, block, 0.7, 5.0)
    return block


def build_families(rng: np.random.Generator, network: Network, n: int) -> Block:
    """Households of 2-5 accounts sharing one card and one home connection."""
    sizes = split_sizes(rng, n, lambda r, k: r.integers(2, 6, k), minimum=2)
    family = np.repeat(np.arange(sizes.size), sizes)
    home_country = draw_countries(rng, sizes.size)
    home = sample_home_ips(rng, network, home_country)
    block = new_block(rng, n, FAMILY, home_country[family], home[family])
    block.created = draw_created(rng, n, 0.1, 4 * 365)
    fill_person_emails(rng, block, rng.integers(0, len(LAST_NAMES), sizes.size)[family])
    movers = rng.random(sizes.size) < 0.2
    new_home = sample_home_ips(rng, network, home_country)
    moved = movers[family]
    block.ip2[moved] = new_home[family][moved]
    block.switch_day[moved] = rng.integers(1, WINDOW_DAYS, sizes.size)[family][moved]
    block.weight = rng.lognormal(-0.3, 1.3, n)
    block.agent = rng.integers(0, SDK, n)
    kind = rng.choice([CARD, PAYPAL], size=sizes.size, p=[0.9, 0.1])
    added = np.minimum(block.created + rng.integers(60, 20 * DAY, n), WINDOW_START + (WINDOW_DAYS - 1) * DAY)
    block.payments.add(np.arange(n), family, kind[family], block.country, added)
    draw_adoption(rng, block, 0.6, 6.0)
    return block


def build_companies(rng: np.random.Generator, network: Network, n: int) -> Block:
    """Organisations of 3-200 accounts: corporate domain, one shared invoice, shared corporate egress IPs."""
    sizes = split_sizes(rng, n, lambda r, k: np.clip(3 + np.floor(r.pareto(1.2, k) * 5), 3, 200), minimum=3)
    org = np.repeat(np.arange(sizes.size), sizes)
    countries = draw_countries(rng, sizes.size)
    domains = np.array(make_company_domains(rng, sizes.size), object)
    egress_count = np.minimum(1 + sizes // 60, 4)
    egress = sample_distinct_in_blocks(rng, network.corporate_blocks, int(egress_count.sum()))
    first = np.concatenate([[0], np.cumsum(egress_count)[:-1]])
    pick1 = first[org] + (rng.random(n) * egress_count[org]).astype(np.int64)
    pick2 = first[org] + (rng.random(n) * egress_count[org]).astype(np.int64)
    block = new_block(rng, n, COMPANY, countries[org], egress[pick1])
    block.ip2 = egress[pick2]
    block.p2[:] = 0.3
    org_ids = draw_unique_ids(rng, sizes.size, 48)
    block.org = np.array([f"org_{v:012x}" for v in org_ids.tolist()], object)[org]
    org_created = WINDOW_START - rng.integers(30 * DAY, 3 * 365 * DAY, sizes.size)
    block.created = org_created[org] + rng.integers(0, 400 * DAY, n)
    block.created = np.minimum(block.created, WINDOW_START + rng.integers(0, 25 * DAY, n))
    block.email = join_emails(draw_person_locals(rng, n), domains[org])
    # A few developers call the API from their cloud workloads (shared cloud egress).
    dev = rng.random(n) < 0.1
    start, length = network.pool_range("cloud")
    block.ip2[dev] = network.pool[start + rng.integers(0, length, int(dev.sum()))]
    block.p2[dev] = 0.6
    block.timing[:] = HUMAN_WORK
    block.weight = rng.lognormal(0.4, 1.4, n)
    block.agent = np.where(rng.random(n) < 0.6, rng.integers(SDK, SDK + 8, n), rng.integers(0, SDK, n))
    block.tier = np.where(sizes[org] >= 40, 3, 2)
    block.payments.add(
        np.arange(n), org, INVOICE, block.country, np.maximum(block.created, org_created[org] + DAY)
    )
    draw_adoption(rng, block, 0.8, 4.0)
    return block


def build_universities(rng: np.random.Generator, network: Network, n: int, scale: int) -> Block:
    """Students behind a few campus NAT addresses, with individual cards and legitimate signup bursts."""
    mean = int(np.clip(round(scale * 0.0004), 25, 600))
    sizes = split_sizes(rng, n, lambda r, k: r.integers(mean // 2, mean * 3 // 2 + 1, k), minimum=mean // 2)
    uni = np.repeat(np.arange(sizes.size), sizes)
    countries = draw_countries(rng, sizes.size)
    domains = np.array(make_university_domains(rng, sizes.size), object)
    nat_count = rng.integers(2, 5, sizes.size)
    nat = sample_distinct_in_blocks(rng, network.education_blocks, int(nat_count.sum()))
    first = np.concatenate([[0], np.cumsum(nat_count)[:-1]])
    pick = first[uni] + (rng.random(n) * nat_count[uni]).astype(np.int64)
    block = new_block(rng, n, UNIVERSITY, countries[uni], nat[pick])
    block.created = draw_created(rng, n, 0.1, 3 * 365)
    # A class signs up in the same hour (legitimate burst): a third of each university's accounts.
    class_hour = (
        WINDOW_START + rng.integers(-60, 20, sizes.size) * DAY + rng.integers(8, 17, sizes.size) * HOUR
    )
    in_class = rng.random(n) < 0.35
    block.created[in_class] = class_hour[uni][in_class] + rng.integers(0, HOUR, int(in_class.sum()))
    first_names = draw_person_locals(rng, n)
    numbers = rng.integers(10, 9999, n).tolist()
    locals_ = [f"{name.split('.')[0][:6]}{num}" for name, num in zip(first_names, numbers, strict=True)]
    block.email = join_emails(locals_, domains[uni])
    block.ip2 = sample_home_ips(rng, network, block.country)
    block.p2[:] = 0.3
    block.weight = rng.lognormal(-0.3, 1.3, n)
    block.agent = rng.integers(0, SDK, n)
    add_own_cards(rng, block, 0.55)
    draw_adoption(rng, block, 0.75, 3.0)
    return block


def build_carrier_users(rng: np.random.Generator, network: Network, n: int) -> Block:
    """Mobile subscribers behind carrier-grade NAT: hundreds of unrelated users per address."""
    share = np.array([length for _, length in network.carrier_ranges], np.float64)
    carrier = rng.choice(share.size, size=n, p=share / share.sum())
    starts = np.array([s for s, _ in network.carrier_ranges])
    lengths = np.array([ln for _, ln in network.carrier_ranges])
    ip1 = network.pool[starts[carrier] + (rng.random(n) * lengths[carrier]).astype(np.int64)]
    block = new_block(rng, n, CARRIER, network.carrier_countries[carrier], ip1)
    block.created = draw_created(rng, n, 0.12, 2 * 365)
    fill_person_emails(rng, block)
    block.rot_start, block.rot_len = starts[carrier], lengths[carrier]
    block.p2[:] = 0.5
    block.weight = rng.lognormal(-0.4, 1.3, n)
    block.agent = rng.choice([2, 3], size=n)
    add_own_cards(rng, block, 0.6)
    draw_adoption(rng, block, 0.6, 6.0)
    return block


def assign_cloud_regions(rng: np.random.Generator, network: Network, block: Block, p2: float) -> None:
    """Put accounts on the shared cloud egress pool: each uses the addresses of one region."""
    start, length = network.pool_range("cloud")
    regions = max(1, length // CLOUD_REGION_SIZE)
    region = rng.integers(0, regions, block.size)
    block.rot_start = start + region * CLOUD_REGION_SIZE
    block.rot_len = np.full(block.size, min(CLOUD_REGION_SIZE, length))
    block.ip1 = network.pool[block.rot_start + rng.integers(0, block.rot_len)]
    block.signup_ip = block.ip1.copy()
    block.p2[:] = p2


def build_cloud_developers(rng: np.random.Generator, network: Network, n: int) -> Block:
    """Developers calling from cloud workloads whose egress addresses many unrelated developers share."""
    countries = draw_countries(rng, n)
    block = new_block(rng, n, CLOUD_DEVELOPER, countries, sample_home_ips(rng, network, countries))
    home = block.ip1.copy()
    assign_cloud_regions(rng, network, block, 0.6)
    block.signup_ip = home
    block.created = draw_created(rng, n, 0.08, 3 * 365)
    fill_person_emails(rng, block)
    # Cron jobs and pipelines: a fifth of developers send perfectly regular automated traffic (a trap).
    roll = rng.random(n)
    block.timing = np.where(roll < 0.2, STEADY, HUMAN_WORK)
    block.weight = rng.lognormal(1.0, 1.4, n)
    block.agent = rng.integers(SDK, SDK + 8, n)
    has = add_own_cards(rng, block, 0.85)
    block.tier = np.where(has & (rng.random(n) < 0.3), 2, block.tier)
    draw_adoption(rng, block, 0.85, 2.0)
    return block


def build_evaluation_customer(rng: np.random.Generator, network: Network, n: int) -> Block:
    """One legitimate org running a benchmark harness: datacenter IPs, few templates, steady high volume."""
    country = np.zeros(n, np.int64)
    ips = sample_distinct_in_blocks(rng, network.cloud_blocks, 4)
    block = new_block(rng, n, EVALUATION, country, ips[rng.integers(0, 4, n)])
    block.ip2 = ips[rng.integers(0, 4, n)]
    block.p2[:] = 0.5
    domain = make_company_domains(rng, 1)[0]
    block.email = join_emails([f"eval-runner{i + 1}" for i in range(n)], [domain] * n)
    block.org[:] = f"org_{int(draw_unique_ids(rng, 1, 48)[0]):012x}"
    block.created = WINDOW_START - 60 * DAY + rng.integers(0, 4 * HOUR, n)
    block.tier[:] = 3
    block.timing[:] = STEADY
    block.tset[:] = SET_EVALUATION
    block.fav_p[:] = 0.0
    block.weight[:] = 1.0
    block.agent[:] = SDK
    block.fp_group[:] = 0
    block.n_fp[:] = 1
    block.payments.add(np.arange(n), np.zeros(n, np.int64), INVOICE, country, block.created + DAY)
    draw_adoption(rng, block, 1.0, 1.0)
    return block


def _use_carrier(
    rng: np.random.Generator, network: Network, block: Block, idx: np.ndarray, p2: float
) -> None:
    carrier = rng.integers(0, len(network.carrier_ranges), idx.size)
    starts = np.array([s for s, _ in network.carrier_ranges])[carrier]
    lengths = np.array([ln for _, ln in network.carrier_ranges])[carrier]
    block.rot_start[idx], block.rot_len[idx] = starts, lengths
    block.p2[idx] = p2


def _rotate(block: Block, mask: np.ndarray, pool: tuple[int, int], p2: float) -> None:
    block.rot_start[mask], block.rot_len[mask] = pool
    block.p2[mask] = p2
