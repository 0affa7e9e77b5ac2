"""Legitimate lookalikes: customers an analyst must never flag that look coordinated to a naive detector.

Each builder writes one population (its own `population` in labels.csv) from how such customers really
behave; none of them is shaped after a detector. What makes each one a trap, and what tells it apart from
an operation, is in docs/synthetic-data.md.

- platform_billing       app-store, wallet, marketplace and regional-partner billing: one fingerprint for
                         thousands of unrelated payers
- scheduled_jobs         independent developers' cron jobs at round clock times through shared CI / cloud
                         egress, each with its own wording and card
- editor_extension       every user of a popular editor extension: one client fingerprint and user agent
                         per editor host, one system prompt, a synchronized auto-update
- agent_framework        users of an open-source agent framework: the same tool-calling scaffold and
                         loop cadence around everyone's own task
- benchmark_researchers  independent researchers running the same public benchmarks, item by item,
                         in bursts after a model release
- classroom_cohort       workshops: a cohort signs up within an hour on one NAT, runs the quickstart
                         prompts together, then diverges
- team_seats             self-serve team plans: one company card for 5-300 seats provisioned in a batch,
                         no organisation record
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from graph.synthetic.common import (
    CARD,
    OTHER,
    add_own_cards,
    draw_adoption,
    draw_countries,
    draw_created,
    fill_person_emails,
    sample_home_ips,
)
from graph.synthetic.config import (
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
    COUNTRY_OFFSETS,
    draw_person_locals,
    join_emails,
    make_company_domains,
    make_university_domains,
)
from graph.synthetic.network import CLOUD_REGION_SIZE, Network, sample_distinct_in_blocks
from graph.synthetic.populations import split_sizes
from graph.synthetic.prompts import (
    PAYLOAD_TEMPLATES,
    SET_AGENT,
    SET_EDITOR_VSCODE,
)
from graph.synthetic.roster import (
    AGENT_FRAMEWORK_AGENT,
    BATCHES,
    CRON,
    EVENT,
    EXTENSION,
    HUMAN_WORK,
    NEVER,
    PERSONAL_WEEKLY,
    SDK,
    SESSIONS,
    WORK_WEEKLY,
    Block,
    new_block,
)
from graph.synthetic.wording import compose_harness_instruction, compose_job_instruction

# Shares of the legitimate accounts for the traps that scale with the population.
TRAP_SHARES = {
    "platform_billing": 0.05,
    "scheduled_jobs": 0.03,
    "editor_extension": 0.04,
    "agent_framework": 0.02,
    "team_seats": 0.01,
}
# Fingerprint groups of the editor extension (per host, two versions each); campaign tools use 1..102.
EDITOR_FP_GROUP = 1_000
# The agent framework's next release (new default model) a few days after the model release.
FRAMEWORK_RELEASE_TS = RELEASE_TS + 4 * DAY
EXTENSION_RELEASE_TS = RELEASE_TS + 2 * DAY


def compute_trap_size(name: str, accounts: int, legit: int) -> int:
    """Default accounts of a trap population in a world of `accounts` (`legit` of them legitimate)."""
    if name in TRAP_SHARES:
        return max(20, round(TRAP_SHARES[name] * legit))
    if name == "benchmark_researchers":
        return clamp(round(0.002 * accounts), 25, 2_000)
    if name == "classroom_cohort":
        return clamp(round(0.002 * accounts), 40, 2_000)
    raise ValueError(f"unknown trap {name!r}")


def _index(name: str) -> int:
    return POPULATIONS.index(name)


def _tier_by_payment(block: Block, paying: np.ndarray) -> None:
    block.tier[:] = np.where(paying, 1, 0)


def _own_methods(rng: np.random.Generator, block: Block, owners: np.ndarray, first: int, kind: int = CARD) -> int:
    """Give `owners` one personal method each (numbered from `first`); returns the next free number."""
    added = np.minimum(block.created[owners] + rng.integers(60, 30 * DAY, owners.size), WINDOW_END - HOUR)
    block.payments.add(owners, first + np.arange(owners.size), kind, block.country[owners], added)
    return first + owners.size


# --- (a) platform billing -----------------------------------------------------------------------------------
# Countries where regional billing partners (resellers paying the provider with their own card) are common.
_PARTNER_COUNTRIES = ("IN", "BR", "ID", "TR", "NG", "VN", "PH", "MX", "AR", "ZA", "KR")


def build_platform_billing(rng: np.random.Generator, network: Network, n: int, accounts: int) -> Block:
    """Customers billed through a platform: whatever the channel, the provider sees the platform's payment
    fingerprint, not the payer's. App stores (two storefront entities), two mobile wallets whose processor
    returns one generic fingerprint, a cloud marketplace, and regional billing partners (a few large, many
    with a few dozen customers each: the heavy tail)."""
    channel = rng.choice(4, size=n, p=[0.40, 0.30, 0.15, 0.15])  # app store, wallet, marketplace, partner
    partners = max(2, round(int((channel == 3).sum()) / 60))
    partner_country = np.array(
        [COUNTRY_CODES.index(c) for c in rng.choice(_PARTNER_COUNTRIES, size=partners)], np.int64
    )
    zipf = 1.0 / np.arange(1, partners + 1) ** 1.1
    partner = rng.choice(partners, size=n, p=zipf / zipf.sum())
    countries = draw_countries(rng, n)
    local = (channel == 3) & (rng.random(n) < 0.85)
    countries[local] = partner_country[partner[local]]
    block = new_block(rng, n, _index("platform_billing"), countries, sample_home_ips(rng, network, countries))
    block.created = draw_created(rng, n, 0.1, 3 * 365)
    fill_person_emails(rng, block)
    market = np.flatnonzero(channel == 2)
    if market.size:
        domains = np.array(make_company_domains(rng, market.size), object)
        block.email[market] = join_emails(draw_person_locals(rng, market.size), domains)
    # App-store customers are on their phones a good part of the time.
    store = channel == 0
    phone = np.flatnonzero(store & (rng.random(n) < 0.5))
    carrier = rng.integers(0, len(network.carrier_ranges), phone.size)
    block.rot_start[phone] = np.array([s for s, _ in network.carrier_ranges])[carrier]
    block.rot_len[phone] = np.array([ln for _, ln in network.carrier_ranges])[carrier]
    block.p2[phone] = 0.6
    block.agent = np.where(store, rng.choice([2, 3], size=n), rng.integers(0, SDK, n))
    block.agent[market] = rng.integers(SDK, SDK + 8, market.size)
    block.timing[market] = HUMAN_WORK
    block.weight = rng.lognormal(0.0, 1.4, n)
    block.weight[market] = rng.lognormal(0.5, 1.4, market.size)
    # Shared methods: 0-1 app store (Americas / rest of world), 2-3 wallets, 4 marketplace, 5.. partners.
    americas = np.isin(np.array(COUNTRY_CODES)[countries], ["US", "CA", "BR", "MX", "AR"])
    method = np.select(
        [channel == 0, channel == 1, channel == 2],
        [np.where(americas, 0, 1), 2 + rng.integers(0, 2, n), np.full(n, 4)],
        5 + partner,
    )
    us, gb = COUNTRY_CODES.index("US"), COUNTRY_CODES.index("GB")
    method_kind = np.concatenate([[OTHER, OTHER, CARD, CARD, OTHER], np.full(partners, CARD)])
    method_issuer = np.concatenate([[us, gb, us, us, us], partner_country])
    added = np.minimum(block.created + rng.integers(60, 3 * DAY, n), WINDOW_END - HOUR)
    block.payments.add(np.arange(n), method, method_kind[method], method_issuer[method], added)
    # A few also keep a card of their own on file.
    _own_methods(rng, block, np.flatnonzero(rng.random(n) < 0.08), 5 + partners)
    block.tier[:] = 1
    draw_adoption(rng, block, 0.7, 5.0)
    return block


# --- (b) scheduled jobs ---------------------------------------------------------------------------------------
_PERIOD_HOURS = np.array([0.5, 1, 2, 4, 6, 12, 24])
_PERIOD_P = np.array([0.03, 0.30, 0.15, 0.17, 0.07, 0.08, 0.20])
# Jobs that call the model in every run (a digest, a sync); the others only when a run has work. Every
# call costs money, so every-run jobs lean to longer periods.
EVERY_RUN_SHARE = 0.1
_EVERY_RUN_PERIOD_P = np.array([0.02, 0.20, 0.13, 0.20, 0.10, 0.10, 0.25])
_RUNNER_DELAY = np.array([300, 30, 2])  # hosted CI queueing, a cloud scheduler, cron on one's own VM (s)


def draw_cron_phase(rng: np.random.Generator, period_s: np.ndarray, utc_offset: np.ndarray) -> np.ndarray:
    """When in its period a job fires (seconds after 00:00 UTC, modulo the period): mostly minute 0, some at
    :30, :15, :45 or another multiple of five; multi-hour jobs mostly at hour 0 of the period; daily jobs at
    midnight UTC, in the night, or in the developer's morning."""
    n = period_s.size
    minute = rng.choice([0, 30, 15, 45, -5, -1], size=n, p=[0.70, 0.10, 0.05, 0.03, 0.07, 0.05])
    minute = np.where(minute == -5, 5 * rng.integers(1, 12, n), minute)
    minute = np.where(minute == -1, rng.integers(1, 60, n), minute)
    hours = period_s // HOUR
    hour = np.where((hours >= 2) & (rng.random(n) < 0.15), rng.integers(0, np.maximum(hours, 1)), 0)
    daily = hours == 24
    kind = rng.choice(4, size=n, p=[0.25, 0.25, 0.35, 0.15])
    daily_hour = np.select(
        [kind == 0, kind == 1, kind == 2],
        [np.zeros(n, np.int64), rng.integers(2, 7, n), (rng.integers(7, 10, n) - utc_offset) % 24],
        rng.integers(0, 24, n),
    )
    hour = np.where(daily, daily_hour, hour)
    return (hour * HOUR + minute * 60) % period_s


def build_scheduled_jobs(rng: np.random.Generator, network: Network, n: int, accounts: int) -> Block:
    """Developers who each run their own scheduled job against the API: own card, own wording, own payload,
    clock-aligned periods, started from hosted CI runners (a huge shared pool, a random runner per run), a
    cloud scheduler behind a regional NAT, or cron on a VM of their own. Many also send requests by hand
    while developing."""
    countries = draw_countries(rng, n)
    block = new_block(rng, n, _index("scheduled_jobs"), countries, sample_home_ips(rng, network, countries))
    block.created = draw_created(rng, n, 0.08, 3 * 365)
    fill_person_emails(rng, block)
    corporate = np.flatnonzero(rng.random(n) < 0.3)
    block.email[corporate] = join_emails(
        draw_person_locals(rng, corporate.size), np.array(make_company_domains(rng, corporate.size), object)
    )
    block.timing[:] = CRON
    period = (rng.choice(_PERIOD_HOURS, size=n, p=_PERIOD_P) * HOUR).astype(np.int64)
    block.cadence = period
    block.phase = draw_cron_phase(rng, period, COUNTRY_OFFSETS[countries])
    block.profile = np.where((period >= HOUR) & (rng.random(n) < 0.25), WORK_WEEKLY, PERSONAL_WEEKLY)
    block.burst = np.clip(np.round(rng.lognormal(0.7, 0.9, n)), 1, 60).astype(np.int64)
    runner = rng.choice(3, size=n, p=[0.5, 0.35, 0.15])
    block.delay = _RUNNER_DELAY[runner]
    ci_start, ci_len = network.pool_range("ci")
    cloud_start, cloud_len = network.pool_range("cloud")
    regions = max(1, cloud_len // CLOUD_REGION_SIZE)
    region = rng.integers(0, regions, n)
    block.egress_start = np.select(
        [runner == 0, runner == 1], [np.full(n, ci_start), cloud_start + region * CLOUD_REGION_SIZE], 0
    )
    block.egress_len = np.select(
        [runner == 0, runner == 1], [np.full(n, ci_len), np.full(n, min(CLOUD_REGION_SIZE, cloud_len))], 0
    )
    own_vm = np.flatnonzero(runner == 2)
    block.site_ip[own_vm] = sample_distinct_in_blocks(
        rng, np.concatenate([network.cloud_blocks, network.hosting_blocks]), own_vm.size
    )
    # Jobs that started or stopped during the window.
    starts = rng.random(n) < 0.2
    block.t_on = np.where(starts, WINDOW_START + rng.integers(1, WINDOW_DAYS - 3, n) * DAY, 0)
    stops = rng.random(n) < 0.1
    block.t_off = np.where(stops, np.maximum(block.t_on, WINDOW_START) + rng.integers(3, 20, n) * DAY, WINDOW_END)
    block.t_off = np.minimum(block.t_off, WINDOW_END)
    block.p_manual = np.where(rng.random(n) < 0.6, rng.uniform(0.05, 0.35, n), 0.0)
    # Every-run jobs: a request group in each run of the job's life, nothing by hand, every day.
    every = np.flatnonzero(rng.random(n) < EVERY_RUN_SHARE)
    period[every] = (rng.choice(_PERIOD_HOURS, size=every.size, p=_EVERY_RUN_PERIOD_P) * HOUR).astype(np.int64)
    block.phase[every] = draw_cron_phase(rng, period[every], COUNTRY_OFFSETS[countries[every]])
    block.burst[every] = rng.choice([1, 2, 3], size=every.size, p=[0.8, 0.15, 0.05])
    block.p_manual[every] = 0.0
    block.profile[every] = PERSONAL_WEEKLY
    lo = np.maximum(np.maximum(block.created[every], block.t_on[every]), WINDOW_START)
    first = -(-(lo - WINDOW_START - block.phase[every]) // period[every])
    last = (block.t_off[every] - 1 - WINDOW_START - block.phase[every]) // period[every]
    block.quota[every] = np.maximum(last - first + 1, 1) * block.burst[every]
    block.cadence = period
    payload = rng.choice(PAYLOAD_TEMPLATES.size, size=n, p=[0.25, 0.2, 0.15, 0.15, 0.15, 0.1])
    block.job_template = PAYLOAD_TEMPLATES[payload]
    block.head_text = np.array([compose_job_instruction(rng, int(p)) for p in payload.tolist()], dtype=object)
    block.weight = rng.lognormal(1.5, 1.2, n)
    block.agent = rng.integers(SDK, SDK + 7, n)
    block.n_keys = rng.choice([1, 2], size=n, p=[0.8, 0.2])
    has = add_own_cards(rng, block, 0.85)
    block.tier = np.where(has & (rng.random(n) < 0.3), 2, block.tier)
    # A job is pinned to one model; some owners switch it to the new model days after the release.
    block.model_pref = rng.choice(3, size=n, p=[0.4, 0.3, 0.3])
    draw_adoption(rng, block, 0.4, 6.0)
    block.c_prob[:] = 0.97
    return block


# --- (c) editor extension -----------------------------------------------------------------------------------
def build_editor_extension(rng: np.random.Generator, network: Network, n: int, accounts: int) -> Block:
    """Every user of a popular editor extension: the extension's client (one fingerprint and user agent per
    editor host and version), its system prompt before each request, coding sessions. Many sit in offices
    where a few colleagues, each with their own account, share the egress address. The extension's next
    version ships two days after the model release and makes the new model its default; users move over
    as their editors auto-update."""
    countries = draw_countries(rng, n)
    block = new_block(rng, n, _index("editor_extension"), countries, sample_home_ips(rng, network, countries))
    block.created = draw_created(rng, n, 0.1, 2 * 365)
    fill_person_emails(rng, block)
    editor = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    block.tset = SET_EDITOR_VSCODE + editor
    block.fav_p[:] = 0.0
    block.agent = EXTENSION + 2 * editor
    block.fp_group = EDITOR_FP_GROUP + 2 * editor
    block.n_fp[:] = 1
    update = EXTENSION_RELEASE_TS + rng.exponential(1.5 * DAY, n).astype(np.int64)
    block.upgrade_ts = np.where(rng.random(n) < 0.9, update, NEVER)
    block.adopt = block.upgrade_ts.copy()
    block.c_prob[:] = 0.75
    block.model_pref = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    block.timing[:] = SESSIONS
    block.cadence = np.clip(rng.lognormal(np.log(60), 0.6, n), 15, 600).astype(np.int64)
    block.burst = np.clip(np.round(rng.lognormal(np.log(12), 0.7, n)), 2, 80).astype(np.int64)
    block.profile = np.where(rng.random(n) < 0.7, WORK_WEEKLY, PERSONAL_WEEKLY)
    # Offices: 40% work from a workplace of 1-12 extension users sharing one corporate address.
    office = np.flatnonzero(rng.random(n) < 0.4)
    if office.size:
        sizes = split_sizes(rng, office.size, lambda r, k: np.minimum(r.geometric(0.3, k), 12))
        egress = sample_distinct_in_blocks(rng, network.corporate_blocks, sizes.size)
        block.ip2[office] = block.ip1[office]  # home, on remote days
        block.ip1[office] = egress[np.repeat(np.arange(sizes.size), sizes)]
        block.p2[office] = 0.3
        block.profile[office] = WORK_WEEKLY
    block.weight = rng.lognormal(1.0, 1.3, n)
    add_own_cards(rng, block, 0.85)
    return block


# --- (d) agent framework ------------------------------------------------------------------------------------
def build_agent_framework(rng: np.random.Generator, network: Network, n: int, accounts: int) -> Block:
    """Users of a popular open-source agent framework: the framework's tool-calling scaffold around each
    user's own task, agent loops of a few to tens of calls seconds apart, and the framework's client string.
    Its next release (new default model) comes out after the model's; users upgrade slowly."""
    countries = draw_countries(rng, n)
    block = new_block(rng, n, _index("agent_framework"), countries, sample_home_ips(rng, network, countries))
    block.created = draw_created(rng, n, 0.1, 2 * 365)
    fill_person_emails(rng, block)
    block.tset[:] = SET_AGENT
    block.fav_p[:] = 0.05
    block.agent[:] = AGENT_FRAMEWORK_AGENT
    update = FRAMEWORK_RELEASE_TS + rng.exponential(7 * DAY, n).astype(np.int64)
    block.upgrade_ts = np.where(rng.random(n) < 0.6, update, NEVER)
    block.adopt = block.upgrade_ts.copy()
    block.c_prob[:] = 0.6
    block.model_pref = np.where(rng.random(n) < 0.6, 1, rng.integers(0, 3, n))
    block.timing[:] = SESSIONS
    block.cadence = np.clip(rng.lognormal(np.log(6), 0.5, n), 2, 40).astype(np.int64)
    block.burst = np.clip(np.round(rng.lognormal(np.log(8), 0.6, n)), 2, 40).astype(np.int64)
    block.profile = np.where(rng.random(n) < 0.6, WORK_WEEKLY, PERSONAL_WEEKLY)
    # Agents run on laptops, on a VM of one's own, or in a cloud region behind a shared NAT.
    where = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    vm = np.flatnonzero(where == 1)
    block.ip1[vm] = sample_distinct_in_blocks(rng, network.cloud_blocks, vm.size)
    shared = np.flatnonzero(where == 2)
    start, length = network.pool_range("cloud")
    region = rng.integers(0, max(1, length // CLOUD_REGION_SIZE), shared.size)
    block.rot_start[shared] = start + region * CLOUD_REGION_SIZE
    block.rot_len[shared] = min(CLOUD_REGION_SIZE, length)
    block.p2[shared] = 0.8
    block.weight = rng.lognormal(1.2, 1.3, n)
    add_own_cards(rng, block, 0.8)
    return block


# --- (e) benchmark researchers ------------------------------------------------------------------------------
def build_benchmark_researchers(rng: np.random.Generator, network: Network, n: int, accounts: int) -> Block:
    """Independent researchers (academics, independents, small labs) running public benchmarks: the
    published harness prompt and items, item after item, a few batches each; most react to the model
    release within a day or two. Some use a harness of their own wording around the same items."""
    kind = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])  # academic, independent, lab
    countries = draw_countries(rng, n)
    block = new_block(rng, n, _index("benchmark_researchers"), countries, sample_home_ips(rng, network, countries))
    block.created = draw_created(rng, n, 0.15, 2 * 365)
    fill_person_emails(rng, block)
    academic = np.flatnonzero(kind == 0)
    if academic.size:
        universities = max(1, academic.size // 3)
        domains = np.array(make_university_domains(rng, universities), object)
        nats = sample_distinct_in_blocks(rng, network.education_blocks, universities)
        which = rng.integers(0, universities, academic.size)
        block.email[academic] = join_emails(draw_person_locals(rng, academic.size), domains[which])
        block.ip2[academic] = block.ip1[academic]
        block.ip1[academic] = nats[which]
        block.p2[academic] = 0.3
    lab = np.flatnonzero(kind == 2)
    if lab.size:
        block.email[lab] = join_emails(
            draw_person_locals(rng, lab.size), np.array(make_company_domains(rng, lab.size), object)
        )
    on_vm = np.flatnonzero((kind != 0) & (rng.random(n) < 0.4))
    block.ip1[on_vm] = sample_distinct_in_blocks(rng, network.cloud_blocks, on_vm.size)
    block.timing[:] = BATCHES
    block.batches = np.clip(1 + rng.poisson(1.2, n), 1, 6)
    # Each batch covers a slice of a benchmark (a few dozen to a few hundred items).
    block.quota = block.batches * np.clip(rng.lognormal(np.log(120), 0.6, n), 30, 400).astype(np.int64)
    block.cadence = np.clip(rng.lognormal(np.log(3), 0.6, n), 1, 20).astype(np.int64)
    block.delay = np.where(rng.random(n) < 0.6, 20 * HOUR, 0)
    own = rng.random(n) < 0.3
    block.head_text[own] = [compose_harness_instruction(rng) for _ in range(int(own.sum()))]
    block.agent = rng.choice([SDK, SDK + 1, SDK + 4], size=n)
    block.model_pref = rng.integers(0, 3, n)
    has = add_own_cards(rng, block, 0.7)
    block.tier = np.where(has, rng.choice([1, 2], size=n), 0)
    return block


# --- (f) classroom and hackathon cohorts --------------------------------------------------------------------
def build_classroom_cohort(rng: np.random.Generator, network: Network, n: int, accounts: int) -> Block:
    """Workshops and hackathons: most participants sign up within the hour the event starts, behind the
    venue's NAT (campus or conference Wi-Fi), run the provider's quickstart exercises when the instructor
    says so, then most stop and some keep using the API from home."""
    sizes = split_sizes(rng, n, lambda r, k: np.clip(np.round(r.lognormal(np.log(30), 0.6, k)), 12, 150), 12)
    cohort = np.repeat(np.arange(sizes.size), sizes)
    k = sizes.size
    home_country = draw_countries(rng, k)
    workshop = rng.random(k) < 0.6
    venue = np.where(
        workshop,
        sample_distinct_in_blocks(rng, network.education_blocks, k),
        sample_distinct_in_blocks(rng, network.corporate_blocks, k),
    )
    start = (
        WINDOW_START
        + rng.integers(2, WINDOW_DAYS - 4, k) * DAY
        + (rng.integers(9, 15, k) - COUNTRY_OFFSETS[home_country]) * HOUR
    )
    exercises = rng.integers(4, 9, k)
    exercise_seconds = rng.integers(2 * HOUR, 6 * HOUR, k) // exercises
    countries = np.where(rng.random(n) < 0.9, home_country[cohort], draw_countries(rng, n))
    block = new_block(rng, n, _index("classroom_cohort"), countries, sample_home_ips(rng, network, countries))
    block.timing[:] = EVENT
    block.t_on = start[cohort]
    block.t_off = start[cohort] + exercises[cohort] * exercise_seconds[cohort]
    block.cadence = exercise_seconds[cohort]
    block.batches = exercises[cohort]
    block.burst = rng.integers(2, 5, n)
    block.delay[:] = 120
    block.site_ip = venue[cohort]
    fresh = rng.random(n) < 0.85
    block.created = np.where(
        fresh, block.t_on + rng.integers(-1_800, 1_800, n), draw_created(rng, n, 0.0, 2 * 365)
    )
    block.signup_ip = np.where(fresh, block.site_ip, block.ip1)
    fill_person_emails(rng, block)
    students = np.flatnonzero(workshop[cohort])
    if students.size:
        domains = np.array(make_university_domains(rng, k), object)[cohort[students]]
        numbers = rng.integers(10, 9999, students.size).tolist()
        names = draw_person_locals(rng, students.size)
        block.email[students] = join_emails(
            [f"{a.split('.')[0][:6]}{b}" for a, b in zip(names, numbers, strict=True)], domains
        )
    # Everyone does (most of) the exercises; 40% keep using the API afterwards, the others barely.
    keeps_going = rng.random(n) < 0.4
    after = np.where(keeps_going, np.round(rng.lognormal(2.0, 1.0, n)), rng.integers(0, 3, n))
    block.quota = block.batches * block.burst + after.astype(np.int64)
    block.agent = np.where(rng.random(n) < 0.5, rng.integers(0, SDK, n), SDK)
    upgraded = np.flatnonzero(rng.random(n) < 0.1)
    block.tier[:] = 0
    if upgraded.size:
        added = np.minimum(block.t_off[upgraded] + rng.integers(HOUR, 7 * DAY, upgraded.size), WINDOW_END - HOUR)
        block.payments.add(upgraded, np.arange(upgraded.size), CARD, block.country[upgraded], added)
        block.tier[upgraded] = 1
    return block


# --- (g) team seats -------------------------------------------------------------------------------------------
def build_team_seats(rng: np.random.Generator, network: Network, n: int, accounts: int) -> Block:
    """Self-serve team plans: an admin buys 5-300 seats on the company card. Most seats are provisioned in
    one batch within minutes, the rest trickle in; there is no organisation record (only invoiced
    enterprise customers get one), so the shared card, corporate domain and office egress are all there is."""
    sizes = split_sizes(rng, n, lambda r, k: np.clip(5 + np.floor(r.pareto(1.1, k) * 6), 5, 300), minimum=5)
    team = np.repeat(np.arange(sizes.size), sizes)
    k = sizes.size
    countries = draw_countries(rng, k)
    domains = np.array(make_company_domains(rng, k), object)
    egress_count = np.minimum(1 + sizes // 80, 3)
    egress = sample_distinct_in_blocks(rng, network.corporate_blocks, int(egress_count.sum()))
    first = np.concatenate([[0], np.cumsum(egress_count)[:-1]])
    office = egress[first[team] + (rng.random(n) * egress_count[team]).astype(np.int64)]
    block = new_block(rng, n, _index("team_seats"), countries[team], office)
    block.ip2 = sample_home_ips(rng, network, block.country)
    block.p2[:] = 0.3
    bought = WINDOW_START - rng.integers(10 * DAY, 400 * DAY, k)
    bought = np.where(rng.random(k) < 0.1, WINDOW_START + rng.integers(0, 20 * DAY, k), bought)
    batch = rng.random(n) < 0.6
    later = bought[team] + rng.exponential(60 * DAY, n).astype(np.int64)
    block.created = np.where(batch, bought[team] + rng.integers(0, 600, n), np.minimum(later, WINDOW_END - DAY))
    block.signup_ip = np.where(batch, office, block.signup_ip)
    block.email = join_emails(draw_person_locals(rng, n), domains[team])
    block.timing[:] = HUMAN_WORK
    block.weight = rng.lognormal(0.3, 1.3, n)
    block.agent = np.where(rng.random(n) < 0.5, rng.integers(SDK, SDK + 8, n), rng.integers(0, SDK, n))
    block.tier = np.where(sizes[team] >= 40, 2, 1)
    block.payments.add(np.arange(n), team, CARD, block.country, np.maximum(block.created, bought[team]))
    draw_adoption(rng, block, 0.7, 4.0)
    return block


TRAP_BUILDERS: dict[str, Callable[[np.random.Generator, Network, int, int], Block]] = {
    "platform_billing": build_platform_billing,
    "scheduled_jobs": build_scheduled_jobs,
    "editor_extension": build_editor_extension,
    "agent_framework": build_agent_framework,
    "benchmark_researchers": build_benchmark_researchers,
    "classroom_cohort": build_classroom_cohort,
    "team_seats": build_team_seats,
}
