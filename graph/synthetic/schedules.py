"""Timing of the full scenario's accounts: clock-aligned cron jobs, human sessions, benchmark batches,
short account lifetimes, daily quotas and workshop events.

Every random choice that several requests must agree on (the run a request belongs to, a session's start,
a batch's start) is a SplitMix64 hash of (account uid, unit, salt), so rows need no shared state and any
chunk of the request log can be generated on its own. How each mode reads the roster's fields:

- CRON: t_on/t_off = the job's life; cadence = period (s); phase = seconds after 00:00 UTC of a run
  (modulo the period); burst = requests per run; delay = mean start delay (s); profile WORK_WEEKLY =
  Mon-Fri only.
- SESSIONS: t_on/t_off = active interval; cadence = mean gap inside a session (s); burst = requests per
  session; profile = local-hour shape; delay > 0 = the first session starts within delay seconds of t_on.
- BATCHES: cadence = gap between items (s); batches = runs per account; delay = mean reaction to the
  model release (s, 0 = none).
- LIFETIME: t_on/t_off = first and last request.
- DAILY: cadence = requests per day; phase = time of day of the daily run (s).
- EVENT: t_on/t_off = the event; cadence = exercise length (s); batches = exercises; burst = requests per
  exercise; delay = mean lag behind the instructor (s).
"""

from __future__ import annotations

import numpy as np

from graph.synthetic.config import DAY, HOUR, RELEASE_TS, WINDOW_DAYS, WINDOW_END, WINDOW_START, WINDOW_START_WEEKDAY
from graph.synthetic.randomness import hash_unit, mix64
from graph.synthetic.roster import PERSONAL_FLAT, PERSONAL_WEEKLY, WORK_WEEKLY
from graph.synthetic.timing import DAY_CDFS, HOUR_CDFS, PERSONAL_PROFILE, WORK_PROFILE

_FLAT_DAYS = np.linspace(0.0, 1.0, WINDOW_DAYS + 1)


def unit(uid: np.ndarray, key: np.ndarray | int, salt: int) -> np.ndarray:
    """A uniform number in [0, 1) that depends only on (account uid, key, salt)."""
    base = mix64(np.asarray(uid, np.uint64) ^ np.uint64(salt * 0x9E3779B1 + 0x7F4A7C15))
    return hash_unit(base + np.asarray(key, np.int64).astype(np.uint64) * np.uint64(0xD1B54A32D192ED03))


def day_of(ts: np.ndarray) -> np.ndarray:
    """Window day (0-based) of timestamps, clipped to the window."""
    return np.clip((np.asarray(ts) - WINDOW_START) // DAY, 0, WINDOW_DAYS - 1)


def local_time(
    u_day: np.ndarray,
    u_hour: np.ndarray,
    u_second: np.ndarray,
    profile: np.ndarray,
    lo_day: np.ndarray,
    hi_day: np.ndarray,
    utc_offset: np.ndarray,
) -> np.ndarray:
    """A timestamp on a day in [lo_day, hi_day] at a local hour typical of `profile` (PERSONAL_WEEKLY,
    WORK_WEEKLY or PERSONAL_FLAT: evening-peaked hours without the weekday rhythm)."""
    day = np.empty(u_day.size, np.int64)
    hour = np.empty(u_day.size, np.int64)
    for p, days, hours in (
        (PERSONAL_WEEKLY, DAY_CDFS[PERSONAL_PROFILE], HOUR_CDFS[PERSONAL_PROFILE]),
        (WORK_WEEKLY, DAY_CDFS[WORK_PROFILE], HOUR_CDFS[WORK_PROFILE]),
        (PERSONAL_FLAT, _FLAT_DAYS, HOUR_CDFS[PERSONAL_PROFILE]),
    ):
        m = profile == p
        lo_c, hi_c = days[lo_day[m]], days[hi_day[m] + 1]
        d = np.searchsorted(days, lo_c + u_day[m] * (hi_c - lo_c), side="right") - 1
        day[m] = np.clip(d, lo_day[m], hi_day[m])
        hour[m] = np.clip(np.searchsorted(hours, u_hour[m], side="right") - 1, 0, 23)
    return WINDOW_START + day * DAY + (hour - utc_offset) * HOUR + (u_second * HOUR).astype(np.int64)


def fit_into(ts: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Move times into [lo, hi) by whole days where possible (keeps the hour of day), else clip."""
    early = ts < lo
    ts = np.where(early, ts + -(-(lo - ts) // DAY) * DAY, ts)
    late = ts >= hi
    ts = np.where(late, ts - ((ts - hi) // DAY + 1) * DAY, ts)
    return np.clip(ts, lo, np.maximum(hi - 1, lo))


def cron_times(
    uid: np.ndarray,
    nth: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    period: np.ndarray,
    phase: np.ndarray,
    per_run: np.ndarray,
    delay: np.ndarray,
    weekdays_only: np.ndarray,
    count: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Scheduled runs at `phase + k * period` (UTC). Each group of `per_run` requests lands in one run: the
    next one when the account's `count` covers every run in [lo, hi), otherwise one chosen at random
    (a job that calls the model only when it has work; Mon-Fri jobs skip weekends); a run
    starts after a delay (scheduler queueing, exponential with mean `delay`, the same for every request
    of the run) and its requests follow each other a few seconds apart. Returns (timestamps, run ids)."""
    first = -(-(lo - WINDOW_START - phase) // period)
    last = (hi - 1 - WINDOW_START - phase) // period
    runs = np.maximum(last - first + 1, 1)
    group = nth // per_run
    # A job with requests for every run fires in every run; one with fewer only in runs that have work.
    every_run = count >= runs * per_run
    run = first + np.where(every_run, group % runs, (unit(uid, group, 1) * runs).astype(np.int64))
    # Mon-Fri jobs: try again (the same run for every request of the group) until the run is a weekday.
    for attempt in range(2, 6):
        start = WINDOW_START + phase + run * period
        weekend = weekdays_only & ~every_run & (((start - WINDOW_START) // DAY + WINDOW_START_WEEKDAY) % 7 >= 5)
        if not weekend.any():
            break
        run = np.where(weekend, first + (unit(uid, group, attempt) * runs).astype(np.int64), run)
    start = WINDOW_START + phase + run * period
    wait = np.minimum(-np.log1p(-unit(uid, run, 6)) * delay, 10 * delay).astype(np.int64)
    spacing = 2 + (unit(uid, 0, 7) * 18).astype(np.int64)
    within = (nth % per_run) * spacing + (unit(uid, nth, 8) * spacing).astype(np.int64)
    return np.clip(start + wait + within, lo, np.maximum(hi - 1, lo)), run


def session_times(
    uid: np.ndarray,
    nth: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    gap: np.ndarray,
    per_session: np.ndarray,
    profile: np.ndarray,
    utc_offset: np.ndarray,
    kickoff: np.ndarray | None = None,
) -> np.ndarray:
    """Human sessions: `per_session` consecutive requests, `gap` seconds apart on average, starting at a
    local hour typical of the profile on a day between lo and hi. Where `kickoff` > 0 the first session
    starts within `kickoff` seconds of lo (an account put to use at a known moment)."""
    session = nth // per_session
    start = local_time(
        unit(uid, session, 11),
        unit(uid, session, 12),
        unit(uid, session, 13),
        profile,
        day_of(lo),
        day_of(hi - 1),
        utc_offset,
    )
    if kickoff is not None:
        first = (session == 0) & (kickoff > 0)
        start = np.where(first, lo + (unit(uid, 0, 15) * kickoff).astype(np.int64), start)
    within = ((nth % per_session) + unit(uid, nth, 14)) * gap
    return fit_into(start + within.astype(np.int64), lo, hi)


def batch_times(
    uid: np.ndarray,
    nth: np.ndarray,
    count: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    batches: np.ndarray,
    gap: np.ndarray,
    reaction: np.ndarray,
    utc_offset: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluation batches: an account's requests split into `batches` runs of consecutive items, `gap`
    seconds apart. A run is launched at a working hour, except the first run of an account that reacts to
    the model release (`reaction` > 0): it starts an exponential delay (mean `reaction`) after the release.
    Returns (timestamps, batch index, position in the batch)."""
    batch = nth * batches // count
    first_of_batch = -(-(batch * count) // batches)
    position = nth - first_of_batch
    start = local_time(
        unit(uid, batch, 21),
        unit(uid, batch, 22),
        unit(uid, batch, 23),
        np.full(nth.size, WORK_WEEKLY),
        day_of(lo),
        day_of(hi - 1),
        utc_offset,
    )
    react = (reaction > 0) & (batch == 0) & (hi > RELEASE_TS)
    delay = np.minimum(-np.log1p(-unit(uid, 0, 24)) * reaction, 5 * DAY).astype(np.int64)
    start = np.where(react, np.maximum(RELEASE_TS, lo) + delay, start)
    within = (position * gap * (0.8 + 0.4 * unit(uid, nth, 25))).astype(np.int64)
    return np.clip(start + within, lo, np.maximum(hi - 1, lo)), batch, position


def lifetime_times(uid: np.ndarray, nth: np.ndarray, count: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A quota burnt at a steady pace over a short life: the first request right at `lo`, then one every
    (hi - lo) / count seconds, each up to a minute late."""
    step = (hi - lo).astype(np.float64) / count
    jitter = unit(uid, nth, 31) * np.minimum(step, 60.0)
    return np.clip(lo + (nth * step + jitter).astype(np.int64), lo, np.maximum(hi - 1, lo))


def daily_times(
    uid: np.ndarray, nth: np.ndarray, lo: np.ndarray, hi: np.ndarray, per_day: np.ndarray, phase: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A daily quota run: `per_day` requests on each UTC day from lo to hi (the quota resets at midnight
    UTC), starting at the account's time of day (`phase`, plus up to 15 minutes, early enough to finish
    before midnight) and a few tens of seconds apart. An account activated after its time of day starts
    the next day; a longer allocation wraps around. Returns (timestamps, window day)."""
    spacing = 20 + (unit(uid, 0, 41) * 70).astype(np.int64)
    phase = np.minimum(phase, DAY - 900 - per_day * (spacing + 10))
    first, last = day_of(lo), day_of(hi - 1)
    first = np.where(WINDOW_START + first * DAY + phase < lo, first + 1, first)
    first = np.minimum(first, last)
    days = np.maximum(last - first + 1, 1)
    day = first + (nth // per_day) % days
    start = WINDOW_START + day * DAY + phase + (unit(uid, day, 42) * 900).astype(np.int64)
    ts = start + (nth % per_day) * spacing + (unit(uid, nth, 43) * 10).astype(np.int64)
    return np.clip(ts, lo, np.maximum(hi - 1, lo)), day


def event_times(
    uid: np.ndarray,
    nth: np.ndarray,
    start: np.ndarray,
    exercise_seconds: np.ndarray,
    exercises: np.ndarray,
    per_exercise: np.ndarray,
    lag: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A workshop: exercise e starts at `start + e * exercise_seconds` for everyone; each participant
    follows after a lag (exponential, mean `lag`) with `per_exercise` requests a minute or two apart.
    Returns (timestamps, in-event flag, exercise, position in the exercise); rows after the last exercise
    are not in the event (the caller times them)."""
    exercise = nth // per_exercise
    in_event = exercise < exercises
    behind = (-np.log1p(-unit(uid, exercise, 51)) * lag).astype(np.int64)
    position = nth % per_exercise
    step = (60 + unit(uid, nth, 52) * 180).astype(np.int64)
    ts = start + exercise * exercise_seconds + behind + position * step
    return ts, in_event, exercise, position


def window_bounds(created: np.ndarray, t_on: np.ndarray, t_off: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The interval an account can send requests in: after signup and t_on, before t_off and the window end."""
    lo = np.maximum(np.maximum(created, t_on), WINDOW_START)
    hi = np.minimum(t_off, WINDOW_END)
    return lo, np.maximum(hi, lo + 1)


__all__ = [
    "batch_times",
    "cron_times",
    "daily_times",
    "day_of",
    "event_times",
    "fit_into",
    "lifetime_times",
    "local_time",
    "session_times",
    "unit",
    "window_bounds",
]
