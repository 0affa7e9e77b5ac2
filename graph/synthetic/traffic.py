"""Expand accounts into the request log, one chunk of accounts at a time, fully vectorised."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.synthetic.config import (
    CAPABILITIES,
    DAY,
    EVALUATION_REQUEST_SHARE,
    MIN_CAMPAIGN_REQUESTS,
    MODELS,
    NEW_MODEL_INDEX,
    PIVOT_CAMPAIGN,
    PIVOT_REQUEST_SHARE,
    PROXY_CAMPAIGN,
    PROXY_REQUEST_SHARE,
    REASONING_CAMPAIGN,
    REASONING_REQUEST_SHARE,
    RELEASE_DAY,
    REQUEST_CHUNK_ROWS,
    WINDOW_DAYS,
    WINDOW_START,
)
from graph.synthetic.identity import COUNTRY_OFFSETS
from graph.synthetic.ids import format_hex_ids, to_string_array
from graph.synthetic.network import format_ips
from graph.synthetic.populations import EVALUATION
from graph.synthetic.prompts import SET_PIVOT_AFTER, SET_PIVOT_BEFORE, PromptPool, TemplateSet
from graph.synthetic.randomness import make_rng, mix64
from graph.synthetic.roster import (
    BURSTS,
    HUMAN_PERSONAL,
    HUMAN_WORK,
    PIVOT,
    PROXY_SLOTS,
    STEADY,
    USER_AGENTS,
    Roster,
)
from graph.synthetic.timing import (
    PERSONAL_PROFILE,
    WORK_PROFILE,
    pick_slot_exits,
    sample_bursts,
    sample_human,
    sample_proxy_slots,
    sample_steady,
    settle_timestamps,
    slot_keys,
)
from graph.synthetic.traffic_extended import ExtendedAccounts, ExtendedRows

PROMPT_MODES = ("text", "template")
_AGENTS = pa.array(USER_AGENTS, pa.string())
_MODELS = pa.array(MODELS, pa.string())
_CAPABILITIES = pa.array(CAPABILITIES, pa.string())
# Pivot-campaign rows fall after the release with this probability.
_PIVOT_AFTER_SHARE = 0.75

REQUEST_SCHEMA_TEXT = pa.schema(
    [
        ("ts", pa.string()),
        ("account_id", pa.string()),
        ("ip", pa.string()),
        ("api_key_id", pa.string()),
        ("user_agent", pa.string()),
        ("client_fingerprint", pa.string()),
        ("model", pa.string()),
        ("capability", pa.string()),
        ("prompt", pa.string()),
        ("input_tokens", pa.int32()),
        ("output_tokens", pa.int32()),
    ]
)
REQUEST_SCHEMA_TEMPLATE = pa.schema(
    [f if f.name != "prompt" else pa.field("prompt_template", pa.string()) for f in REQUEST_SCHEMA_TEXT]
)


def apportion(weights: np.ndarray, total: int, minimum: int = 0) -> np.ndarray:
    """Integers proportional to `weights` summing exactly to `total` (largest remainder), each >= `minimum`
    when the total allows it."""
    n = weights.size
    if n == 0:
        return np.zeros(0, np.int64)
    floor_each = min(minimum, total // n)
    rest = total - floor_each * n
    share = weights / weights.sum() * rest
    counts = np.floor(share).astype(np.int64)
    short = rest - int(counts.sum())
    if short:
        # Stable order so ties resolve the same way on every run.
        counts[np.argsort(-(share - counts), kind="stable")[:short]] += 1
    return counts + floor_each


CLASSIC_REQUEST_SHARES: dict[int, float] = {
    PROXY_CAMPAIGN: PROXY_REQUEST_SHARE,
    REASONING_CAMPAIGN: REASONING_REQUEST_SHARE,
    PIVOT_CAMPAIGN: PIVOT_REQUEST_SHARE,
}


def allocate_requests(
    roster: Roster, total: int, campaign_shares: Mapping[int, float] = CLASSIC_REQUEST_SHARES
) -> np.ndarray:
    """Requests per account: fixed shares for campaigns (by campaign index) and the evaluation customer,
    heavy-tailed rest. Campaigns without accounts take no share."""
    b = roster.block
    groups = [
        (b.campaign == campaign, share, MIN_CAMPAIGN_REQUESTS)
        for campaign, share in campaign_shares.items()
        if (b.campaign == campaign).any()
    ]
    groups.append((b.population == EVALUATION, EVALUATION_REQUEST_SHARE, 1))
    rest = np.ones(b.size, bool)
    for mask, _, _ in groups:
        rest &= ~mask
    group_totals = apportion(np.array([g[1] for g in groups] + [1 - sum(g[1] for g in groups)]), total)
    # A small world can give a group less than its per-account minimum: top it up from the rest.
    for i, (mask, _, minimum) in enumerate(groups):
        short = minimum * int(mask.sum()) - int(group_totals[i])
        if 0 < short < group_totals[-1] // 2:
            group_totals[i] += short
            group_totals[-1] -= short
    counts = np.zeros(b.size, np.int64)
    for (mask, _, minimum), group_total in zip(groups, group_totals[:-1].tolist(), strict=True):
        counts[mask] = apportion(b.weight[mask], group_total, minimum)
    # Accounts with a quota send exactly that and the rest share what is left; when quotas would take
    # more than half of it (a small world, few requests), they shrink in proportion.
    quota = rest & (b.quota > 0)
    wanted = int(b.quota[quota].sum())
    budget = int(group_totals[-1]) // 2
    if wanted > budget:
        counts[quota] = np.maximum(1, b.quota[quota] * budget // wanted)
    else:
        counts[quota] = b.quota[quota]
    rest_total = int(group_totals[-1]) - int(counts[quota].sum())
    rest &= ~quota
    # Accounts that sign up during the window have less time to send requests.
    lifetime = np.clip((WINDOW_START + WINDOW_DAYS * DAY - b.created) / (WINDOW_DAYS * DAY), 0.02, 1.0)
    counts[rest] = apportion(b.weight[rest] * lifetime[rest], rest_total)
    return counts


def plan_chunks(counts: np.ndarray, chunk_rows: int = REQUEST_CHUNK_ROWS) -> list[tuple[int, int]]:
    """Split accounts into consecutive ranges of about `chunk_rows` requests each."""
    cumulative = np.cumsum(counts)
    total = int(cumulative[-1]) if cumulative.size else 0
    cuts = np.searchsorted(cumulative, np.arange(chunk_rows, total, chunk_rows), side="left") + 1
    bounds = np.unique(np.concatenate([[0], cuts, [counts.size]]))
    return [(int(lo), int(hi)) for lo, hi in pairwise(bounds.tolist())]


@dataclass
class TrafficContext:
    """Everything chunk generation reads; built once per data set."""

    seed: int
    roster: Roster
    counts: np.ndarray
    account_ids: np.ndarray
    ip_pool: np.ndarray
    proxy_range: tuple[int, int]
    prompts: PromptPool
    sets: list[TemplateSet]
    bursts: np.ndarray
    prompt_mode: str
    # The full scenario's per-account prompt references (None in a classic world).
    extended: ExtendedAccounts | None = None

    @property
    def schema(self) -> pa.Schema:
        return REQUEST_SCHEMA_TEXT if self.prompt_mode == "text" else REQUEST_SCHEMA_TEMPLATE


def iter_request_chunks(ctx: TrafficContext) -> Iterator[pa.Table]:
    """Yield the request log chunk by chunk (each chunk sorted by time)."""
    for index, (lo, hi) in enumerate(plan_chunks(ctx.counts)):
        if ctx.counts[lo:hi].sum():
            yield build_request_chunk(ctx, lo, hi, index)


def build_request_chunk(ctx: TrafficContext, lo: int, hi: int, index: int) -> pa.Table:
    """All requests of accounts lo..hi-1. Each chunk has its own random stream, so chunks are independent."""
    rng = make_rng(ctx.seed, "requests", index)
    b = ctx.roster.block
    counts = ctx.counts[lo:hi]
    acct = np.repeat(np.arange(lo, hi), counts)
    nth = np.arange(acct.size) - np.repeat(np.cumsum(counts) - counts, counts)
    created = b.created[acct]

    ts, proxy_rows, proxy_keys = _draw_times(ctx, rng, acct, nth, created)
    ext = None
    if ctx.extended is not None:
        ext = ExtendedRows(
            ctx.roster, ctx.extended, ctx.prompts, ctx.ip_pool, ctx.counts, acct, nth,
            make_rng(ctx.seed, "requests:extended", index),
        )
        ext.times(ts)
    ts = settle_timestamps(rng, ts, created)
    ip = _draw_ips(ctx, rng, acct, ts)
    ip[proxy_rows] = ctx.ip_pool[ctx.proxy_range[0] + pick_slot_exits(proxy_keys, ctx.proxy_range[1])]
    templates = _draw_templates(ctx, rng, acct, ts)
    model = _draw_models(rng, ctx, acct, ts)
    if ext is not None:
        ext.adjust_ips(ip)
        ext.adjust_templates(templates)
        ext.adjust_models(model)
    head, tail, aside = ctx.prompts.draw_parts(rng, templates)
    detail = ext.adjust_parts(templates, head, tail, aside) if ext is not None else None
    chars = ctx.prompts.prompt_chars(head, tail, aside)
    if detail is not None:
        chars = chars + ctx.prompts.detail_lengths[detail]
    input_tokens = chars / 4 + ctx.prompts.context_tokens[templates] * rng.lognormal(0.0, 0.5, acct.size)
    output_tokens = ctx.prompts.output_tokens[templates] * rng.lognormal(0.0, 0.45, acct.size)
    key = mix64(ctx.roster.key_seed[acct] + (rng.random(acct.size) * b.n_keys[acct]).astype(np.uint64))
    device = (rng.random(acct.size) * b.n_fp[acct]).astype(np.uint64)
    group = b.fp_group[acct]
    agent = b.agent[acct]
    if ext is not None:
        ext.adjust_clients(agent, group, ts)
    fp_base = np.where(
        group >= 0, mix64(group.astype(np.uint64) + np.uint64(ctx.seed)), ctx.roster.fp_seed[acct]
    )
    fingerprint = mix64(fp_base + device)

    order = np.argsort(ts, kind="stable")
    if ext is None:
        prompt_column = (
            ctx.prompts.assemble(head[order], tail[order], aside[order])
            if ctx.prompt_mode == "text"
            else ctx.prompts.template_ids.take(pa.array(templates[order]))
        )
    elif ctx.prompt_mode == "text":
        assert detail is not None, "extended rows carry task details"
        prompt_column = ctx.prompts.assemble_with_details(head[order], tail[order], aside[order], detail[order])
    else:
        assert ctx.prompts.template_numbers is not None and detail is not None, "extended template rows"
        numbers = ctx.prompts.template_numbers[templates]
        ext.template_numbers(templates, tail, detail, numbers)
        prompt_column = to_string_array(format_hex_ids("tpl_", numbers[order], 8))
    columns = [
        pc.strftime(pa.array(ts[order], pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%SZ"),
        to_string_array(ctx.account_ids[acct[order]]),
        format_ips(ip[order]),
        to_string_array(format_hex_ids("key_", key[order], 16)),
        _AGENTS.take(pa.array(agent[order])),
        to_string_array(format_hex_ids("cfp_", fingerprint[order], 16)),
        _MODELS.take(pa.array(model[order])),
        _CAPABILITIES.take(pa.array(ctx.prompts.capability[templates[order]])),
        prompt_column,
        pa.array(np.maximum(1, np.rint(input_tokens[order])).astype(np.int32)),
        pa.array(np.maximum(1, np.rint(output_tokens[order])).astype(np.int32)),
    ]
    return pa.Table.from_arrays(columns, schema=ctx.schema)


def _draw_times(
    ctx: TrafficContext, rng: np.random.Generator, acct: np.ndarray, nth: np.ndarray, created: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    b = ctx.roster.block
    timing = b.timing[acct]
    ts = np.empty(acct.size, np.int64)
    created_day = np.clip((created - WINDOW_START) // DAY, 0, WINDOW_DAYS - 1)
    offset = COUNTRY_OFFSETS[b.country[acct]]
    last = np.full(acct.size, WINDOW_DAYS - 1)
    for mode, profile in ((HUMAN_PERSONAL, PERSONAL_PROFILE), (HUMAN_WORK, WORK_PROFILE)):
        m = timing == mode
        ts[m] = sample_human(rng, profile, created_day[m], last[m], offset[m])
    m = timing == PIVOT
    after = rng.random(int(m.sum())) < _PIVOT_AFTER_SHARE
    lo = np.where(after, RELEASE_DAY, created_day[m])
    hi = np.where(after, WINDOW_DAYS - 1, np.maximum(created_day[m], RELEASE_DAY - 1))
    ts[m] = sample_human(rng, PERSONAL_PROFILE, lo, hi, offset[m])
    m = timing == STEADY
    ts[m] = sample_steady(rng, created[m], nth[m], ctx.counts[acct[m]])
    m = timing == BURSTS
    ts[m] = sample_bursts(rng, ctx.bursts, created[m])
    proxy_rows = np.flatnonzero(timing == PROXY_SLOTS)
    keys = slot_keys(ctx.roster.uid[acct[proxy_rows]], nth[proxy_rows])
    ts[proxy_rows] = sample_proxy_slots(
        rng, created[proxy_rows], keys, nth[proxy_rows], ctx.counts[acct[proxy_rows]]
    )
    return ts, proxy_rows, keys


def _draw_ips(ctx: TrafficContext, rng: np.random.Generator, acct: np.ndarray, ts: np.ndarray) -> np.ndarray:
    b = ctx.roster.block
    day = (ts - WINDOW_START) // DAY
    use2 = (day >= b.switch_day[acct]) | (rng.random(acct.size) < b.p2[acct])
    ip = np.where(use2, b.ip2[acct], b.ip1[acct])
    rotating = use2 & (b.rot_len[acct] > 0)
    a = acct[rotating]
    pick = b.rot_start[a] + (rng.random(a.size) * b.rot_len[a]).astype(np.int64)
    ip[rotating] = ctx.ip_pool[pick]
    return ip


def _draw_templates(
    ctx: TrafficContext, rng: np.random.Generator, acct: np.ndarray, ts: np.ndarray
) -> np.ndarray:
    b = ctx.roster.block
    tset = b.tset[acct]
    # The pivot campaign switches template mix at the same moment it switches model.
    pivot = tset == SET_PIVOT_BEFORE
    tset[pivot & (ts >= b.adopt[acct])] = SET_PIVOT_AFTER
    u = rng.random(acct.size)
    templates = np.empty(acct.size, np.int64)
    for s in np.unique(tset).tolist():
        m = tset == s
        templates[m] = ctx.sets[s].draw(u[m])
    favourite = rng.random(acct.size) < b.fav_p[acct]
    templates[favourite] = ctx.roster.fav[acct[favourite]]
    return templates


def _draw_models(
    rng: np.random.Generator, ctx: TrafficContext, acct: np.ndarray, ts: np.ndarray
) -> np.ndarray:
    b = ctx.roster.block
    model = np.where(
        rng.random(acct.size) < 0.8, b.model_pref[acct], rng.integers(0, NEW_MODEL_INDEX, acct.size)
    )
    new = (ts >= b.adopt[acct]) & (rng.random(acct.size) < b.c_prob[acct])
    model[new] = NEW_MODEL_INDEX
    return model
