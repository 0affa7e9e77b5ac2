"""The per-account table the generator works from: identity columns plus the traffic parameters.

A population or campaign builder fills a `Block`; blocks are concatenated and shuffled into a `Roster`.
Traffic parameters are read by traffic.py when it expands accounts into requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from graph.synthetic.config import WINDOW_END

# Timing modes (how an account spreads its requests over the window). The first six are the classic
# world's (traffic.py); the others belong to the lookalikes and shapes of the full scenario (schedules.py).
HUMAN_PERSONAL, HUMAN_WORK, STEADY, PROXY_SLOTS, BURSTS, PIVOT = range(6)
CRON, SESSIONS, BATCHES, LIFETIME, DAILY, EVENT = range(6, 12)
EXTENDED_MODES: tuple[int, ...] = (CRON, SESSIONS, BATCHES, LIFETIME, DAILY, EVENT)
# Session profiles (`Block.profile`): local-hour shape and whether weekdays differ from weekends.
PERSONAL_WEEKLY, WORK_WEEKLY, PERSONAL_FLAT = range(3)
NEVER = WINDOW_END + 10 * 365 * 86_400
BROWSER_AGENTS: tuple[str, ...] = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 "
    "Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
)
SDK_AGENTS: tuple[str, ...] = (
    "provider-sdk-python/1.42.0",
    "provider-sdk-python/1.38.2",
    "provider-sdk-node/4.9.1",
    "provider-sdk-go/0.12.0",
    "python-httpx/0.27.2",
    "python-requests/2.32.3",
    "curl/8.9.1",
    "ide-assistant/2.3.1 (vscode)",
)
# Clients of the full scenario's populations, appended so that classic indices never move. An upgraded
# client (`Block.upgrade_ts`) uses the agent right after its own, so versions come in pairs.
EXTENSION_AGENTS: tuple[str, ...] = (
    "codemate/1.18.2 (vscode; electron 30)",
    "codemate/1.19.0 (vscode; electron 30)",
    "codemate/1.18.2 (jetbrains; jvm 21)",
    "codemate/1.19.0 (jetbrains; jvm 21)",
    "codemate/1.18.2 (neovim; node 20)",
    "codemate/1.19.0 (neovim; node 20)",
    "taskforge/0.9.3 python-httpx/0.27.2",
    "taskforge/0.10.0 python-httpx/0.27.2",
)
USER_AGENTS: tuple[str, ...] = BROWSER_AGENTS + SDK_AGENTS + EXTENSION_AGENTS
SDK = len(BROWSER_AGENTS)
EXTENSION = len(BROWSER_AGENTS) + len(SDK_AGENTS)
AGENT_FRAMEWORK_AGENT = EXTENSION + 6


@dataclass
class Payments:
    """Payment-method rows; `account` indexes accounts of the block (later of the roster)."""

    account: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    method: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    kind: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    issuer: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    added: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))

    def add(
        self,
        account: np.ndarray,
        method: np.ndarray,
        kind: np.ndarray | int,
        issuer: np.ndarray,
        added: np.ndarray,
    ) -> None:
        """Append rows; `method` numbers payment methods within the block (shared methods repeat)."""
        n = np.asarray(account).size
        self.account = np.concatenate([self.account, np.asarray(account, np.int64)])
        self.method = np.concatenate([self.method, np.asarray(method, np.int64)])
        self.kind = np.concatenate([self.kind, np.broadcast_to(np.asarray(kind, np.int64), n)])
        self.issuer = np.concatenate([self.issuer, np.asarray(issuer, np.int64)])
        self.added = np.concatenate([self.added, np.asarray(added, np.int64)])


@dataclass
class Block:
    """Accounts of one population or campaign (all arrays have one entry per account)."""

    created: np.ndarray
    email: np.ndarray
    country: np.ndarray
    org: np.ndarray
    tier: np.ndarray
    signup_ip: np.ndarray
    population: np.ndarray
    campaign: np.ndarray
    weight: np.ndarray
    timing: np.ndarray
    ip1: np.ndarray
    ip2: np.ndarray
    p2: np.ndarray
    switch_day: np.ndarray
    rot_start: np.ndarray
    rot_len: np.ndarray
    tset: np.ndarray
    fav_p: np.ndarray
    model_pref: np.ndarray
    adopt: np.ndarray
    c_prob: np.ndarray
    agent: np.ndarray
    fp_group: np.ndarray
    n_fp: np.ndarray
    n_keys: np.ndarray
    # Parameters of the extended timing modes (zero/neutral for classic accounts; schedules.py explains
    # each mode's reading): the active interval, cadence in seconds, clock phase in seconds, requests per
    # run/session/exercise, number of batches, delay scale in seconds, the session profile.
    t_on: np.ndarray
    t_off: np.ndarray
    cadence: np.ndarray
    phase: np.ndarray
    burst: np.ndarray
    batches: np.ndarray
    delay: np.ndarray
    profile: np.ndarray
    # Share of a scheduled account's requests sent by hand (human timing, home address, ordinary prompts).
    p_manual: np.ndarray
    # Where scripted traffic leaves from: a range of the shared address pool (len > 0) or `site_ip`.
    egress_start: np.ndarray
    egress_len: np.ndarray
    site_ip: np.ndarray
    # Prompt structure: the template a scripted job sends (-1 = none), a fixed head text (own wording, a
    # wrapper) and a fixed suffix text (an output-format instruction); None = none. Texts are turned into
    # entries of the prompt pool once the roster is complete (prompts.extend_prompt_pool).
    job_template: np.ndarray
    head_text: np.ndarray
    suffix_text: np.ndarray
    # From this time on the client is upgraded: the next user agent and fingerprint group.
    upgrade_ts: np.ndarray
    # Requests an account sends whatever the world's total (0 = a share of the rest, by weight): a
    # workshop's exercises, a benchmark's items.
    quota: np.ndarray
    payments: Payments = field(default_factory=Payments)

    @property
    def size(self) -> int:
        return int(self.created.size)


def new_block(
    rng: np.random.Generator, n: int, population: int, country: np.ndarray, ip1: np.ndarray
) -> Block:
    """A block with human defaults; builders override what differs."""
    return Block(
        created=np.zeros(n, np.int64),
        email=np.empty(n, object),
        country=np.asarray(country, np.int64),
        org=np.full(n, None, object),
        tier=np.ones(n, np.int64),
        signup_ip=np.asarray(ip1, np.uint32).copy(),
        population=np.full(n, population, np.int64),
        campaign=np.zeros(n, np.int64),
        weight=np.ones(n),
        timing=np.full(n, HUMAN_PERSONAL, np.int64),
        ip1=np.asarray(ip1, np.uint32).copy(),
        ip2=np.asarray(ip1, np.uint32).copy(),
        p2=np.zeros(n),
        switch_day=np.full(n, 99, np.int64),
        rot_start=np.zeros(n, np.int64),
        rot_len=np.zeros(n, np.int64),
        tset=np.zeros(n, np.int64),
        fav_p=rng.uniform(0.15, 0.6, n),
        model_pref=rng.choice(3, size=n, p=[0.45, 0.25, 0.3]),
        adopt=np.full(n, NEVER, np.int64),
        c_prob=np.full(n, 0.6),
        agent=rng.integers(0, SDK, n),
        fp_group=np.full(n, -1, np.int64),
        n_fp=rng.integers(1, 3, n),
        n_keys=rng.choice([1, 2, 3], size=n, p=[0.8, 0.15, 0.05]),
        # No random draws below: classic worlds must consume exactly the numbers they always did.
        t_on=np.zeros(n, np.int64),
        t_off=np.full(n, WINDOW_END, np.int64),
        cadence=np.zeros(n, np.int64),
        phase=np.zeros(n, np.int64),
        burst=np.ones(n, np.int64),
        batches=np.ones(n, np.int64),
        delay=np.zeros(n, np.int64),
        profile=np.zeros(n, np.int64),
        p_manual=np.zeros(n),
        egress_start=np.zeros(n, np.int64),
        egress_len=np.zeros(n, np.int64),
        site_ip=np.zeros(n, np.uint32),
        job_template=np.full(n, -1, np.int64),
        head_text=np.full(n, None, object),
        suffix_text=np.full(n, None, object),
        upgrade_ts=np.full(n, NEVER, np.int64),
        quota=np.zeros(n, np.int64),
    )


_ARRAY_FIELDS = tuple(f.name for f in fields(Block) if f.name != "payments")


@dataclass
class Roster:
    """All accounts, shuffled; `payments.account` indexes the roster."""

    block: Block
    uid: np.ndarray
    key_seed: np.ndarray
    fp_seed: np.ndarray
    suspended: np.ndarray
    fav: np.ndarray

    @property
    def size(self) -> int:
        return self.block.size


def concat_blocks(blocks: list[Block]) -> Block:
    """Join blocks; payment rows are re-indexed (accounts and methods) to stay attached to their owners."""
    merged = {name: np.concatenate([getattr(b, name) for b in blocks]) for name in _ARRAY_FIELDS}
    payments = Payments()
    account_offset = 0
    method_offset = 0
    for b in blocks:
        p = b.payments
        payments.add(p.account + account_offset, p.method + method_offset, p.kind, p.issuer, p.added)
        account_offset += b.size
        method_offset += int(p.method.max()) + 1 if p.method.size else 0
    return Block(**merged, payments=payments)


def permute_block(block: Block, order: np.ndarray) -> Block:
    """Reorder accounts (so that file order says nothing about populations) and remap payment rows."""
    moved = {name: getattr(block, name)[order] for name in _ARRAY_FIELDS}
    position = np.empty(order.size, np.int64)
    position[order] = np.arange(order.size)
    p = block.payments
    new_account = position[p.account]
    rows = np.lexsort((p.method, new_account))
    payments = Payments(new_account[rows], p.method[rows], p.kind[rows], p.issuer[rows], p.added[rows])
    return Block(**moved, payments=payments)
