"""When requests happen: human diurnal/weekly rhythms, steady automation, load-balanced slots, bursts."""

from __future__ import annotations

import numpy as np

from graph.synthetic.config import (
    BURST_SECONDS,
    BURSTS_PER_DAY,
    DAY,
    HOUR,
    PROXY_REQUESTS_PER_SLOT,
    PROXY_SLOT_SECONDS,
    WINDOW_DAYS,
    WINDOW_END,
    WINDOW_START,
    WINDOW_START_WEEKDAY,
)
from graph.synthetic.randomness import hash_unit, mix64

# Local-hour activity: private use peaks in the evening, work use in office hours with a lunch dip.
_PERSONAL_HOURS = [
    1.0,
    0.6,
    0.35,
    0.2,
    0.15,
    0.15,
    0.3,
    0.6,
    1.0,
    1.3,
    1.4,
    1.5,
    1.6,
    1.5,
    1.5,
    1.5,
    1.6,
    1.8,
    2.1,
    2.4,
    2.6,
    2.5,
    2.1,
    1.5,
]
_WORK_HOURS = [
    0.15,
    0.1,
    0.08,
    0.06,
    0.06,
    0.1,
    0.3,
    0.8,
    1.8,
    2.8,
    3.0,
    3.0,
    2.2,
    2.8,
    3.0,
    2.9,
    2.6,
    2.0,
    1.2,
    0.8,
    0.6,
    0.5,
    0.4,
    0.25,
]
# Monday..Sunday.
_PERSONAL_WEEK = [1.0, 1.0, 1.0, 1.0, 1.0, 0.85, 0.85]
_WORK_WEEK = [1.0, 1.0, 1.0, 1.0, 0.95, 0.25, 0.2]
PERSONAL_PROFILE, WORK_PROFILE = 0, 1
_SALT_SLOT_TIME = np.uint64(0x5EED_0001)
_SALT_SLOT_EXIT = np.uint64(0x5EED_0002)


def _cdf(weights: list[float] | np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    return np.concatenate([[0.0], np.cumsum(w) / w.sum()])


def _day_cdf(week: list[float]) -> np.ndarray:
    weekday = (WINDOW_START_WEEKDAY + np.arange(WINDOW_DAYS)) % 7
    return _cdf(np.asarray(week)[weekday])


DAY_CDFS = (_day_cdf(_PERSONAL_WEEK), _day_cdf(_WORK_WEEK))
HOUR_CDFS = (_cdf(_PERSONAL_HOURS), _cdf(_WORK_HOURS))


def sample_human(
    rng: np.random.Generator, profile: int, lo_day: np.ndarray, hi_day: np.ndarray, utc_offset: np.ndarray
) -> np.ndarray:
    """Timestamps on days in [lo_day, hi_day] (weekday-weighted) at local hours typical of the profile."""
    days, hours = DAY_CDFS[profile], HOUR_CDFS[profile]
    n = lo_day.size
    lo_c, hi_c = days[lo_day], days[hi_day + 1]
    day = np.searchsorted(days, lo_c + rng.random(n) * (hi_c - lo_c), side="right") - 1
    day = np.clip(day, lo_day, hi_day)
    hour = np.clip(np.searchsorted(hours, rng.random(n), side="right") - 1, 0, 23)
    return WINDOW_START + day * DAY + (hour - utc_offset) * HOUR + rng.integers(0, HOUR, n)


def sample_steady(
    rng: np.random.Generator, created: np.ndarray, index: np.ndarray, count: np.ndarray
) -> np.ndarray:
    """Evenly spaced requests with small jitter from signup (or window start) to the window end."""
    t0 = np.maximum(created, WINDOW_START)
    span = (WINDOW_END - t0).astype(np.float64)
    return t0 + ((index + rng.random(index.size)) * span / count).astype(np.int64)


def slot_keys(uid: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Identify the (account, slot) a proxy-campaign request belongs to."""
    slot = (index // PROXY_REQUESTS_PER_SLOT).astype(np.uint64)
    return (uid.astype(np.uint64) << np.uint64(16)) ^ slot


def sample_proxy_slots(
    rng: np.random.Generator, created: np.ndarray, keys: np.ndarray, index: np.ndarray, count: np.ndarray
) -> np.ndarray:
    """Load-balanced timing: each account is active in short slots, one at a random point of each equal
    stretch of its lifetime, so the campaign's total rate is flat around the clock while no account ever
    exceeds two slots' worth of requests in any hour."""
    t0 = np.maximum(created, WINDOW_START)
    slots = -(-count // PROXY_REQUESTS_PER_SLOT)
    stretch = (WINDOW_END - PROXY_SLOT_SECONDS - t0).clip(min=1).astype(np.float64) / slots
    slot = index // PROXY_REQUESTS_PER_SLOT
    start = t0 + ((slot + hash_unit(keys ^ _SALT_SLOT_TIME)) * stretch).astype(np.int64)
    return start + rng.integers(0, PROXY_SLOT_SECONDS, keys.size)


def pick_slot_exits(keys: np.ndarray, exits: int) -> np.ndarray:
    """The proxy exit (index into the exit pool) each slot goes through."""
    return (mix64(keys ^ _SALT_SLOT_EXIT) % np.uint64(exits)).astype(np.int64)


def build_burst_schedule(rng: np.random.Generator) -> np.ndarray:
    """Start times of the reasoning campaign's synchronized bursts: a few fixed hours a day, minutes vary."""
    hours = np.sort(rng.choice(24, size=BURSTS_PER_DAY, replace=False))
    days = np.repeat(np.arange(WINDOW_DAYS), BURSTS_PER_DAY)
    minutes = rng.integers(0, 50, days.size)
    return WINDOW_START + days * DAY + np.tile(hours, WINDOW_DAYS) * HOUR + minutes * 60


def sample_bursts(rng: np.random.Generator, bursts: np.ndarray, created: np.ndarray) -> np.ndarray:
    """Each request lands in one of the bursts after its account's signup."""
    first = np.minimum(np.searchsorted(bursts, created, side="left"), bursts.size - 1)
    pick = first + (rng.random(created.size) * (bursts.size - first)).astype(np.int64)
    return bursts[pick] + rng.integers(0, BURST_SECONDS, created.size)


def settle_timestamps(rng: np.random.Generator, ts: np.ndarray, created: np.ndarray) -> np.ndarray:
    """Keep every request inside the window and after its account's signup.

    Local-time sampling can spill over the window's edges; shifting by a week keeps weekday and hour.
    """
    ts = np.where(ts >= WINDOW_END, ts - 7 * DAY, ts)
    ts = np.where(ts < WINDOW_START, ts + 7 * DAY, ts)
    early = ts < created
    ts[early] = created[early] + rng.integers(60, 6 * HOUR, int(early.sum()))
    return np.minimum(ts, WINDOW_END - 1)
