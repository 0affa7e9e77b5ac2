"""Orchestrates a generation run: network, accounts, small tables, then the streamed request log."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.synthetic.campaigns import build_pivot_campaign, build_proxy_campaign, build_reasoning_campaign
from graph.synthetic.config import (
    CAMPAIGNS,
    CLASSIC_CAMPAIGNS,
    CLASSIC_POPULATIONS,
    FREE_TIER_REQUEST_SHARE,
    LOW_SLOW_REQUEST_SHARE,
    MIN_ACCOUNTS,
    PAYMENT_KINDS,
    POPULATIONS,
    RELAY_REQUEST_SHARE,
    REQUESTS_PER_ACCOUNT,
    SLEEPER_REQUEST_SHARE,
    TIERS,
    clamp,
    compute_campaign_sizes,
    compute_proxy_exit_count,
)
from graph.synthetic.identity import COUNTRY_CODES, make_unique_emails
from graph.synthetic.ids import format_hex_ids, to_string_array
from graph.synthetic.lookalikes import TRAP_BUILDERS, compute_trap_size
from graph.synthetic.network import (
    ExtendedSizes,
    Network,
    NetworkSizes,
    build_network,
    extend_network,
    format_ips,
)
from graph.synthetic.populations import (
    build_carrier_users,
    build_cloud_developers,
    build_companies,
    build_evaluation_customer,
    build_families,
    build_individuals,
    build_universities,
)
from graph.synthetic.prompts import SET_LEGIT, build_prompt_pool, build_template_sets, extend_prompt_pool
from graph.synthetic.randomness import draw_unique_ids, make_rng
from graph.synthetic.roster import Block, Roster, concat_blocks, permute_block
from graph.synthetic.scenario import DEFAULT_SCENARIO, Scenario, ScenarioError, resolve_scenario
from graph.synthetic.shapes import SHAPE_BUILDERS, compute_shape_size
from graph.synthetic.summary import GenerationSummary
from graph.synthetic.timing import build_burst_schedule
from graph.synthetic.traffic import (
    CLASSIC_REQUEST_SHARES,
    PROMPT_MODES,
    TrafficContext,
    allocate_requests,
    iter_request_chunks,
)
from graph.synthetic.traffic_extended import resolve_texts
from graph.synthetic.writers import FORMATS, open_table_writer, write_whole_table

ProgressCallback = Callable[[str, int, int], None]
# Shares of legitimate accounts per population; individuals take the rest.
LEGIT_SHARES = {"family": 0.09, "company": 0.16, "university": 0.06, "carrier": 0.09, "cloud_developer": 0.04}
EVALUATION_ACCOUNTS = 6
_ISO = "%Y-%m-%dT%H:%M:%SZ"
# Request shares of the evasive shapes (the classic campaigns' are CLASSIC_REQUEST_SHARES).
SHAPE_REQUEST_SHARES = {
    "relay-farm": RELAY_REQUEST_SHARE,
    "sleeper-cell": SLEEPER_REQUEST_SHARE,
    "low-and-slow": LOW_SLOW_REQUEST_SHARE,
    "free-tier-farm": FREE_TIER_REQUEST_SHARE,
}


def plan_campaign_sizes(accounts: int, world: Scenario) -> dict[str, int]:
    """Accounts per selected campaign (labels.csv names), in CAMPAIGNS order."""
    classic = compute_campaign_sizes(accounts).as_dict()
    sizes = {}
    for name in world.campaigns:
        base = classic[name] if name in classic else compute_shape_size(name, accounts)
        sizes[name] = max(1, round(base * world.factor(name)))
    return sizes


def plan_population_sizes(accounts: int, campaign_sizes: dict[str, int], world: Scenario) -> dict[str, int]:
    """Accounts per population (legitimate ones, the scenario's traps, plus `campaign`), summing to
    `accounts`. Individuals take what the others leave."""
    total_campaign = sum(campaign_sizes.values())
    legit = accounts - total_campaign
    sizes = {name: round(share * legit) for name, share in LEGIT_SHARES.items()}
    sizes["evaluation_customer"] = EVALUATION_ACCOUNTS
    for trap in world.traps:
        sizes[trap] = max(1, round(compute_trap_size(trap, accounts, legit) * world.factor(trap)))
    individuals = legit - sum(sizes.values())
    if individuals < 0.1 * legit:
        raise ScenarioError(
            f"the scenario leaves {individuals} of {legit} legitimate accounts for ordinary individuals; "
            "scale the traps down or generate more accounts"
        )
    sizes = {"individual": individuals, **sizes, "campaign": total_campaign}
    names = CLASSIC_POPULATIONS + world.traps
    return {name: sizes[name] for name in POPULATIONS if name in names}


def campaign_request_shares(world: Scenario) -> dict[int, float]:
    """Share of all requests per selected campaign (by campaign index), scaled with the campaign's size."""
    shares = {}
    for name in world.campaigns:
        index = CAMPAIGNS.index(name)
        base = CLASSIC_REQUEST_SHARES[index] if name in CLASSIC_CAMPAIGNS else SHAPE_REQUEST_SHARES[name]
        shares[index] = base * world.factor(name)
    if sum(shares.values()) > 0.85:
        raise ScenarioError("the scenario's campaigns would take more than 85% of all requests; scale them down")
    return shares


def generate_dataset(
    out_dir: Path,
    accounts: int,
    seed: int,
    requests: int | None = None,
    fmt: str = "parquet",
    progress: ProgressCallback | None = None,
    prompts: str = "text",
    scenario: str | Path | Scenario = DEFAULT_SCENARIO,
    traps: list[str] | None = None,
    campaigns: list[str] | None = None,
) -> GenerationSummary:
    """Write a synthetic data set (accounts, payment methods, requests, ip_intel and labels) to `out_dir`.

    The same arguments always produce byte-identical files. `requests` defaults to 16 per account;
    `prompts="template"` writes `prompt_template` ids instead of raw prompt text. `scenario` names the
    world's composition (`"full"`, `"classic"`, a TOML file or a Scenario; see scenario.py), and `traps` /
    `campaigns` replace its lists.
    """
    started = time.perf_counter()
    requests = REQUESTS_PER_ACCOUNT * accounts if requests is None else requests
    _validate(accounts, seed, requests, fmt, prompts)
    world = resolve_scenario(scenario, traps, campaigns)
    report = progress or (lambda _table, _done, _total: None)
    out_dir = Path(out_dir)

    campaign_sizes = plan_campaign_sizes(accounts, world)
    sizes = plan_population_sizes(accounts, campaign_sizes, world)
    shares = campaign_request_shares(world)
    out_dir.mkdir(parents=True, exist_ok=True)
    network = build_network(
        make_rng(seed, "network"),
        NetworkSizes(
            accounts=accounts,
            carrier_users=sizes["carrier"] + sizes["individual"] // 10,
            cloud_developers=sizes["cloud_developer"],
            proxy_exits=compute_proxy_exit_count(campaign_sizes.get("campaign-1", 0)),
        ),
    )
    if world.extended:
        network = extend_network(
            network,
            make_rng(seed, "network:extended"),
            ExtendedSizes(
                ci_runners=max(64, round(sizes.get("scheduled_jobs", 0) / 10)),
                relay_exits=clamp(round(25 * campaign_sizes.get("relay-farm", 0)), 2_000, 60_000),
            ),
        )
    roster = build_roster(seed, network, sizes, campaign_sizes, world, accounts)
    prompt_pool = build_prompt_pool(make_rng(seed, "prompts"))
    extended = None
    if world.extended:
        extended, own_heads, own_suffixes = resolve_texts(roster)
        prompt_pool = extend_prompt_pool(prompt_pool, make_rng(seed, "prompts:extended"), own_heads, own_suffixes)
    roster.fav = build_template_sets()[SET_LEGIT].draw(make_rng(seed, "favourites").random(roster.size))
    counts = allocate_requests(roster, requests, shares)
    account_ids = format_hex_ids("acct_", roster.uid, 12)

    summary = GenerationSummary(
        out_dir=out_dir,
        seed=seed,
        fmt=fmt,
        prompts=prompts,
        campaign_sizes=campaign_sizes,
        population_sizes=sizes,
        scenario=world,
    )
    small_fmt = "csv" if fmt == "parquet" else fmt
    small_tables = {
        "accounts": build_accounts_table(roster, account_ids),
        "payment_methods": build_payments_table(seed, roster, account_ids),
        "ip_intel": network.intel,
    }
    for name, table in small_tables.items():
        summary.paths[name] = write_whole_table(out_dir, name, small_fmt, table)
        summary.rows[name] = table.num_rows
        report(name, table.num_rows, table.num_rows)
    labels = build_labels_table(roster, account_ids)
    # Ground truth is always CSV: it is for evaluation, not part of the loader's input contract.
    summary.paths["labels"] = write_whole_table(out_dir, "labels", "csv", labels)
    summary.rows["labels"] = labels.num_rows
    report("labels", labels.num_rows, labels.num_rows)

    ctx = TrafficContext(
        seed=seed,
        roster=roster,
        counts=counts,
        account_ids=account_ids,
        ip_pool=network.pool,
        proxy_range=network.pool_range("proxy"),
        prompts=prompt_pool,
        sets=build_template_sets(),
        bursts=build_burst_schedule(make_rng(seed, "bursts")),
        prompt_mode=prompts,
        extended=extended,
    )
    writer = open_table_writer(out_dir, "requests", fmt, ctx.schema, compress=fmt != "parquet")
    done = 0
    report("requests", 0, requests)
    for chunk in iter_request_chunks(ctx):
        writer.write(chunk)
        done += chunk.num_rows
        report("requests", done, requests)
    writer.close()
    summary.paths["requests"] = writer.path
    summary.rows["requests"] = done
    summary.rows["requests:campaigns"] = int(counts[roster.block.campaign > 0].sum())
    summary.seconds = time.perf_counter() - started
    return summary


def build_roster(
    seed: int,
    network: Network,
    sizes: dict[str, int],
    campaigns: dict[str, int],
    world: Scenario,
    accounts: int,
) -> Roster:
    """Build every population and campaign of the scenario, then shuffle accounts into one roster."""
    classic: list[tuple[str, Callable[[np.random.Generator], Block]]] = [
        ("individual", lambda r: build_individuals(r, network, sizes["individual"])),
        ("family", lambda r: build_families(r, network, sizes["family"])),
        ("company", lambda r: build_companies(r, network, sizes["company"])),
        ("university", lambda r: build_universities(r, network, sizes["university"], accounts)),
        ("carrier", lambda r: build_carrier_users(r, network, sizes["carrier"])),
        ("cloud_developer", lambda r: build_cloud_developers(r, network, sizes["cloud_developer"])),
        (
            "evaluation_customer",
            lambda r: build_evaluation_customer(r, network, sizes["evaluation_customer"]),
        ),
        ("campaign-1", lambda r: build_proxy_campaign(r, network, campaigns["campaign-1"])),
        ("campaign-2", lambda r: build_reasoning_campaign(r, network, campaigns["campaign-2"])),
        ("campaign-3", lambda r: build_pivot_campaign(r, network, campaigns["campaign-3"])),
    ]
    # One random stream per builder so that resizing one population leaves the others' draws unchanged.
    # Classic builders keep their positional stream keys (so classic worlds are what they always were);
    # the full scenario's builders are keyed by name.
    blocks = [
        build(make_rng(seed, "population", i))
        for i, (name, build) in enumerate(classic)
        if name not in CLASSIC_CAMPAIGNS or name in campaigns
    ]
    for trap in world.traps:
        blocks.append(TRAP_BUILDERS[trap](make_rng(seed, f"population:{trap}"), network, sizes[trap], accounts))
    for name in world.campaigns:
        if name not in CLASSIC_CAMPAIGNS:
            blocks.append(SHAPE_BUILDERS[name](make_rng(seed, f"campaign:{name}"), network, campaigns[name]))
    block = concat_blocks(blocks)
    rng = make_rng(seed, "roster")
    block = permute_block(block, rng.permutation(block.size))
    block.email = make_unique_emails(rng, block.email)
    return Roster(
        block=block,
        uid=draw_unique_ids(rng, block.size, 48),
        key_seed=rng.integers(0, 1 << 63, block.size, dtype=np.uint64),
        fp_seed=rng.integers(0, 1 << 63, block.size, dtype=np.uint64),
        suspended=rng.random(block.size) < 0.015,
        fav=np.zeros(block.size, np.int64),
    )


def _iso(seconds: np.ndarray) -> pa.Array:
    return pc.strftime(pa.array(seconds, pa.timestamp("s")), format=_ISO)


def build_accounts_table(roster: Roster, account_ids: np.ndarray) -> pa.Table:
    """The `accounts` table."""
    b = roster.block
    return pa.table(
        {
            "account_id": to_string_array(account_ids),
            "created_at": _iso(b.created),
            "email": pa.array(b.email.tolist(), pa.string()),
            "email_domain": pa.array([e.rsplit("@", 1)[1] for e in b.email.tolist()], pa.string()),
            "country": pa.array(COUNTRY_CODES).take(pa.array(b.country)),
            "org_id": pa.array(b.org.tolist(), pa.string()),
            "tier": pa.array(TIERS).take(pa.array(b.tier)),
            "signup_ip": format_ips(b.signup_ip),
            "status": pa.array(np.where(roster.suspended, "suspended", "active")),
        }
    )


def build_payments_table(seed: int, roster: Roster, account_ids: np.ndarray) -> pa.Table:
    """The `payment_methods` table: tokenised fingerprints, never card numbers."""
    p = roster.block.payments
    methods = int(p.method.max()) + 1 if p.method.size else 0
    tokens = format_hex_ids("pm_", draw_unique_ids(make_rng(seed, "payment-tokens"), methods, 64), 16)
    return pa.table(
        {
            "account_id": to_string_array(account_ids[p.account]),
            "fingerprint": to_string_array(tokens[p.method]),
            "kind": pa.array(PAYMENT_KINDS).take(pa.array(p.kind)),
            "issuer_country": pa.array(COUNTRY_CODES).take(pa.array(p.issuer)),
            "added_at": _iso(p.added),
        }
    )


def build_labels_table(roster: Roster, account_ids: np.ndarray) -> pa.Table:
    """Ground truth: campaign (null for legitimate accounts) and population of every account."""
    b = roster.block
    campaign = pa.array(CAMPAIGNS).take(pa.array(b.campaign))
    return pa.table(
        {
            "account_id": to_string_array(account_ids),
            "campaign": pc.if_else(pc.equal(campaign, ""), pa.scalar(None, pa.string()), campaign),
            "population": pa.array(POPULATIONS).take(pa.array(b.population)),
        }
    )


def _validate(accounts: int, seed: int, requests: int, fmt: str, prompts: str) -> None:
    if accounts < MIN_ACCOUNTS:
        raise ValueError(f"accounts must be at least {MIN_ACCOUNTS} (got {accounts})")
    if requests < accounts:
        raise ValueError(f"requests must be at least the number of accounts (got {requests})")
    if seed < 0:
        raise ValueError("seed must be non-negative")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if prompts not in PROMPT_MODES:
        raise ValueError(f"unknown prompts mode {prompts!r}; expected one of {', '.join(PROMPT_MODES)}")
