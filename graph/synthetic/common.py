"""Helpers shared by the population and campaign builders."""

from __future__ import annotations

import numpy as np

from graph.synthetic.config import DAY, HOUR, RELEASE_TS, WINDOW_DAYS, WINDOW_START
from graph.synthetic.identity import COUNTRY_WEIGHTS, draw_person_locals, draw_webmail_domains, join_emails
from graph.synthetic.network import Network, sample_in_blocks
from graph.synthetic.roster import Block

CARD, PAYPAL, CRYPTO, BANK, INVOICE, OTHER = range(6)
DISPOSABLE_SERVICES: tuple[str, ...] = ("tempmail.dev", "burnbox.email", "inboxdrop.net")


def draw_countries(rng: np.random.Generator, n: int) -> np.ndarray:
    """Account countries in proportion to the world mix."""
    return rng.choice(COUNTRY_WEIGHTS.size, size=n, p=COUNTRY_WEIGHTS)


def sample_home_ips(rng: np.random.Generator, network: Network, countries: np.ndarray) -> np.ndarray:
    """A residential address from an ISP of each account's country."""
    out = np.empty(countries.size, np.uint32)
    for c, blocks in enumerate(network.residential_blocks):
        mask = countries == c
        out[mask] = sample_in_blocks(rng, blocks, int(mask.sum()))
    return out


def draw_created(rng: np.random.Generator, n: int, in_window_share: float, max_age_days: int) -> np.ndarray:
    """Signup times: most accounts predate the window (recent ones more likely), some sign up during it."""
    age = (rng.random(n) ** 1.6) * max_age_days * DAY
    created = WINDOW_START - 3_600 - age.astype(np.int64)
    inside = rng.random(n) < in_window_share
    created[inside] = WINDOW_START + rng.integers(0, (WINDOW_DAYS - 1) * DAY, int(inside.sum()))
    return created


def draw_adoption(rng: np.random.Generator, block: Block, share: float, mean_days: float) -> None:
    """Legitimate, gradual uptake of the new model: some accounts start using it days after release."""
    adopters = rng.random(block.size) < share
    delay = rng.exponential(mean_days * DAY, int(adopters.sum())).astype(np.int64)
    block.adopt[adopters] = RELEASE_TS + HOUR + delay


def fill_person_emails(rng: np.random.Generator, block: Block, last_names: np.ndarray | None = None) -> None:
    """Webmail addresses built from names."""
    domains = draw_webmail_domains(rng, block.country)
    block.email = join_emails(draw_person_locals(rng, block.size, last_names), domains)


def add_own_cards(rng: np.random.Generator, block: Block, share: float, first_method: int = 0) -> np.ndarray:
    """Give `share` of the block's accounts a payment method of their own; returns who has one."""
    has = rng.random(block.size) < share
    owners = np.flatnonzero(has)
    kind = rng.choice([CARD, PAYPAL, BANK], size=owners.size, p=[0.85, 0.12, 0.03])
    added = np.maximum(block.created[owners], 0) + rng.integers(60, 30 * DAY, owners.size)
    methods = first_method + np.arange(owners.size)
    block.payments.add(
        owners, methods, kind, block.country[owners], np.minimum(added, _latest(block, owners))
    )
    # Some people keep a second method on file (e.g. PayPal next to a card).
    second = owners[rng.random(owners.size) < 0.04]
    if second.size:
        more = first_method + owners.size + np.arange(second.size)
        block.payments.add(
            second,
            more,
            PAYPAL,
            block.country[second],
            np.minimum(
                block.created[second] + rng.integers(DAY, 200 * DAY, second.size), _latest(block, second)
            ),
        )
    block.tier[:] = np.where(has, 1, 0)
    return has


def _latest(block: Block, idx: np.ndarray) -> np.ndarray:
    """Payment methods are added before the end of the window."""
    return np.full(idx.size, WINDOW_START + WINDOW_DAYS * DAY - HOUR, np.int64)
