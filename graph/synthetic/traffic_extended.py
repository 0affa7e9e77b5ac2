"""Per-row adjustments for the full scenario's accounts, applied inside traffic.build_request_chunk.

The classic code draws every column for every row (so a classic world consumes its random numbers exactly
as it always did); for rows of accounts in an extended timing mode this module then sets the time, and
where the mode says so the address, template, prompt parts, model and client. It draws nothing from the
chunk's classic stream: per-row choices are hashes of (uid, unit) or come from its own stream.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graph.synthetic.config import NEW_MODEL_INDEX, OLD_MODELS, RELEASE_TS, WINDOW_END
from graph.synthetic.identity import COUNTRY_OFFSETS
from graph.synthetic.prompts import BENCHMARK_TEMPLATES, CURRICULUM_TEMPLATES, STARTER_TEMPLATES, PromptPool
from graph.synthetic.randomness import mix64
from graph.synthetic.roster import (
    BATCHES,
    CRON,
    DAILY,
    EVENT,
    EXTENDED_MODES,
    LIFETIME,
    PERSONAL_WEEKLY,
    SESSIONS,
    WORK_WEEKLY,
    Roster,
)
from graph.synthetic.schedules import (
    batch_times,
    cron_times,
    daily_times,
    event_times,
    lifetime_times,
    session_times,
    unit,
    window_bounds,
)

# Proxy services keep a session on one exit for about ten minutes.
STICKY_SECONDS = 600
_DETAIL_SHARE = 0.7


@dataclass
class ExtendedAccounts:
    """Per-account prompt references resolved against the extended prompt pool (-1 = none)."""

    head_ref: np.ndarray
    aside_ref: np.ndarray


def resolve_texts(roster: Roster) -> tuple[ExtendedAccounts, list[str], list[str]]:
    """Number the distinct head and suffix texts of the roster (in first-seen order, deterministic).

    Returns the per-account references (relative to the lists) and the lists to add to the prompt pool."""
    refs = []
    lists = []
    for column in (roster.block.head_text, roster.block.suffix_text):
        index: dict[str, int] = {}
        ref = np.full(column.size, -1, np.int64)
        for i, text in enumerate(column.tolist()):
            if text is not None:
                ref[i] = index.setdefault(text, len(index))
        refs.append(ref)
        lists.append(list(index))
    return ExtendedAccounts(refs[0], refs[1]), lists[0], lists[1]


class ExtendedRows:
    """The rows of one chunk that belong to accounts in extended timing modes."""

    def __init__(
        self,
        roster: Roster,
        accounts: ExtendedAccounts,
        prompts: PromptPool,
        pool: np.ndarray,
        counts: np.ndarray,
        acct: np.ndarray,
        nth: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        b = roster.block
        self.b = b
        self.prompts = prompts
        self.pool = pool
        self.rng = rng
        self.rows = np.flatnonzero(np.isin(b.timing[acct], EXTENDED_MODES))
        self.acct = acct[self.rows]
        self.nth = nth[self.rows]
        self.count = counts[self.acct]
        self.uid = roster.uid[self.acct].astype(np.uint64)
        self.mode = b.timing[self.acct]
        self.head_ref = accounts.head_ref[self.acct]
        self.aside_ref = accounts.aside_ref[self.acct]
        self.lo, self.hi = window_bounds(b.created[self.acct], b.t_on[self.acct], b.t_off[self.acct])
        n = self.rows.size
        # Filled by `times`: what each row is inside its mode.
        self.ts = np.zeros(n, np.int64)
        self.scripted = np.zeros(n, bool)  # a cron job's request (not sent by hand)
        self.run = np.zeros(n, np.int64)  # cron run
        self.batch = np.full(n, -1, np.int64)
        self.position = np.zeros(n, np.int64)  # item within a batch / request within an exercise
        self.in_event = np.zeros(n, bool)
        self.exercise = np.zeros(n, np.int64)
        self.day = np.zeros(n, np.int64)

    @property
    def empty(self) -> bool:
        return self.rows.size == 0

    def times(self, ts: np.ndarray) -> None:
        """Set the time of every extended row (in place)."""
        if self.empty:
            return
        b, a = self.b, self.acct
        out = self.ts
        offset = COUNTRY_OFFSETS[b.country[a]]

        m = self.mode == CRON
        manual = m & (unit(self.uid, self.nth, 61) < b.p_manual[a])
        self.scripted = m & ~manual
        s = self.scripted
        out[s], self.run[s] = cron_times(
            self.uid[s], self.nth[s], self.lo[s], self.hi[s], b.cadence[a[s]], b.phase[a[s]], b.burst[a[s]],
            b.delay[a[s]], b.profile[a[s]] == WORK_WEEKLY, self.count[s],
        )
        # Work done by hand: short sessions in office hours from wherever the developer sits.
        out[manual] = session_times(
            self.uid[manual], self.nth[manual], self.lo[manual], self.hi[manual], np.full(int(manual.sum()), 90),
            np.full(int(manual.sum()), 3), np.full(int(manual.sum()), WORK_WEEKLY), offset[manual],
        )

        m = self.mode == SESSIONS
        out[m] = session_times(
            self.uid[m], self.nth[m], self.lo[m], self.hi[m], b.cadence[a[m]], b.burst[a[m]], b.profile[a[m]],
            offset[m], b.delay[a[m]],
        )

        m = self.mode == BATCHES
        out[m], self.batch[m], self.position[m] = batch_times(
            self.uid[m], self.nth[m], self.count[m], self.lo[m], self.hi[m], b.batches[a[m]], b.cadence[a[m]],
            b.delay[a[m]], offset[m],
        )

        m = self.mode == LIFETIME
        out[m] = lifetime_times(self.uid[m], self.nth[m], self.count[m], self.lo[m], self.hi[m])

        m = self.mode == DAILY
        out[m], self.day[m] = daily_times(
            self.uid[m], self.nth[m], self.lo[m], self.hi[m], b.cadence[a[m]], b.phase[a[m]]
        )

        m = self.mode == EVENT
        event_ts, in_event, exercise, position = event_times(
            self.uid[m], self.nth[m], b.t_on[a[m]], b.cadence[a[m]], b.batches[a[m]], b.burst[a[m]],
            b.delay[a[m]],
        )
        # After the event: ordinary personal use from home, for those who keep going.
        after_lo = np.maximum(self.lo[m], b.t_off[a[m]] + 3_600)
        after = session_times(
            self.uid[m], self.nth[m], after_lo, np.full(after_lo.size, WINDOW_END), np.full(after_lo.size, 120),
            np.full(after_lo.size, 3), np.full(after_lo.size, PERSONAL_WEEKLY), offset[m],
        )
        out[m] = np.where(in_event, np.clip(event_ts, self.lo[m], WINDOW_END - 1), after)
        self.in_event[m], self.exercise[m], self.position[m] = in_event, exercise, position
        ts[self.rows] = out

    def adjust_ips(self, ip: np.ndarray) -> None:
        """Scripted, relayed, mobile-proxied and on-site rows leave from their mode's addresses."""
        if self.empty:
            return
        b, a = self.b, self.acct
        out = ip[self.rows]
        start, length = b.egress_start[a], b.egress_len[a]
        pooled = length > 0
        # A cron run leaves from one runner / NAT address of its pool, or from the job's own machine.
        s = self.scripted
        pick = start + (unit(self.uid, self.run, 71) * np.maximum(length, 1)).astype(np.int64)
        out[s] = np.where(pooled[s], self.pool[pick[s]], b.site_ip[a[s]])
        # Rotating residential proxies: a new exit every sticky session.
        m = self.mode == LIFETIME
        sticky = self.ts // STICKY_SECONDS
        pick = start + (unit(self.uid, sticky, 72) * np.maximum(length, 1)).astype(np.int64)
        out[m & pooled] = self.pool[pick[m & pooled]]
        # Mobile proxies: one modem (carrier address) per day.
        m = (self.mode == DAILY) & pooled
        pick = start + (unit(self.uid, self.day, 73) * np.maximum(length, 1)).astype(np.int64)
        out[m] = self.pool[pick[m]]
        m = self.in_event
        out[m] = b.site_ip[a[m]]
        ip[self.rows] = out

    def adjust_templates(self, templates: np.ndarray) -> None:
        """Jobs send their own template, batches the benchmark's, workshop exercises the quickstart's."""
        if self.empty:
            return
        b, a = self.b, self.acct
        out = templates[self.rows]
        s = self.scripted
        out[s] = b.job_template[a[s]]
        m = self.batch >= 0
        which = (unit(self.uid, self.batch, 81) * BENCHMARK_TEMPLATES.size).astype(np.int64)
        out[m] = BENCHMARK_TEMPLATES[which[m]]
        m = self.in_event & (self.position == 0)
        out[m] = STARTER_TEMPLATES[self.exercise[m] % STARTER_TEMPLATES.size]
        templates[self.rows] = out

    def adjust_models(self, model: np.ndarray) -> None:
        """A benchmark batch runs against one model: the new one when it reacts to the release."""
        if self.empty:
            return
        m = self.batch >= 0
        if not m.any():
            return
        out = model[self.rows]
        started = self.ts - (self.position * self.b.cadence[self.acct])
        new = (started >= RELEASE_TS) & (unit(self.uid, self.batch, 91) < 0.8)
        old = (unit(self.uid, self.batch, 92) * len(OLD_MODELS)).astype(np.int64)
        out[m] = np.where(new[m], NEW_MODEL_INDEX, old[m])
        model[self.rows] = out

    def adjust_parts(
        self, templates: np.ndarray, head: np.ndarray, tail: np.ndarray, aside: np.ndarray
    ) -> np.ndarray:
        """Own heads, format suffixes, benchmark items in order and curriculum details; returns the detail
        index of every row (0 = none)."""
        detail = np.zeros(templates.size, np.int64)
        if self.empty:
            return detail
        p = self.prompts
        t = templates[self.rows]
        takes = p.takes_head[t]
        own = takes & (self.head_ref >= 0)
        h = head[self.rows]
        h[own] = p.own_heads_offset + self.head_ref[own]
        head[self.rows] = h
        suffix = takes & (self.aside_ref >= 0)
        s = aside[self.rows]
        s[suffix] = p.own_suffixes_offset + self.aside_ref[suffix]
        aside[self.rows] = s
        # A harness walks through the benchmark's items in order.
        m = self.batch >= 0
        tl = tail[self.rows]
        tl[m] = p.tail_offset[t[m]] + self.position[m] % p.variants[t[m]]
        tail[self.rows] = tl
        curriculum = np.isin(t, CURRICULUM_TEMPLATES)
        with_detail = curriculum & (self.rng.random(t.size) < _DETAIL_SHARE)
        d = np.zeros(t.size, np.int64)
        d[with_detail] = self.rng.integers(1, len(p.details), int(with_detail.sum()))
        detail[self.rows] = d
        return detail

    def template_numbers(
        self, templates: np.ndarray, tail: np.ndarray, detail: np.ndarray, numbers: np.ndarray
    ) -> None:
        """Template-mode ids: a prompt with its own head is its own template (per head and template); a
        curriculum prompt's varied task and detail make it one too."""
        if self.empty:
            return
        t = templates[self.rows]
        own = self.prompts.takes_head[t] & (self.head_ref >= 0)
        key = mix64(self.head_ref.astype(np.uint64) * np.uint64(1_000_003) + t.astype(np.uint64))
        curriculum = np.isin(t, CURRICULUM_TEMPLATES)
        content = tail[self.rows].astype(np.uint64) * np.uint64(4_099) + detail[self.rows].astype(np.uint64)
        key = np.where(curriculum, mix64(key ^ mix64(content)), key)
        out = numbers[self.rows]
        out[own] = key[own] & np.uint64(0xFFFFFFFF)
        numbers[self.rows] = out

    def adjust_clients(self, agent: np.ndarray, group: np.ndarray, ts: np.ndarray) -> None:
        """After an upgrade a client sends the next version's user agent and fingerprint."""
        if self.empty:
            return
        upgraded = ts[self.rows] >= self.b.upgrade_ts[self.acct]
        rows = self.rows[upgraded]
        agent[rows] += 1
        group[rows] = np.where(group[rows] >= 0, group[rows] + 1, group[rows])
