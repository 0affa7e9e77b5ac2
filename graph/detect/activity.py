"""When accounts are active, and what independent accounts with the same schedules would do together.

Co-activity is evidence of coordination only beyond what explains it innocently. Two explanations are
built in, and a coincidence must beat both:

- **the population's rhythm**: everybody is busier at noon than at 4 a.m., on weekdays than at weekends.
  Accounts whose activity followed the population profile q share |A||B|Σq² buckets on average.
- **each account's own schedule**: a cron job at the top of every hour, a nightly batch at 02:00, an
  office worker's 09:00 stand-up. Two such accounts meet every time their schedules overlap, whoever
  runs them; clock-aligned schedules are a convention, not coordination. On a day both accounts are
  active, account u is active in time-of-day slot s with its habitual probability h_u(s) — the share of
  u's *other* active days on which it was active in that slot (a slot used once is no habit; one used
  every day is a schedule) — so independent accounts with these schedules share Σ_days Σ_s h_u(s)h_v(s)
  slots, that is |common days| · (h_u · h_v).

What neither explains — both accounts in the same ten minutes on day after day although each moves its
time around, shared bursts at irregular times, a relay of fresh accounts active only on one day at the same
moments — is the surprise measured by `timing_nats`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from graph.detect.config import DetectionConfig
from graph.detect.inputs import DetectionInput
from graph.detect.kernels import daily_synchrony, row_products

CHUNK = 500_000


def rowwise_dot(left: sp.csr_matrix, right: sp.csr_matrix, pairs: np.ndarray) -> np.ndarray:
    """Σ_k left[u, k] · right[v, k] for every pair (u, v), in chunks (linear in the rows touched)."""
    return row_products(left, right, pairs)[0]


@dataclass
class ActivityModel:
    """Per-account activity in the three forms the null models need."""

    buckets: sp.csr_matrix  # accounts × occurring buckets, binary
    days: sp.csr_matrix  # accounts × occurring days, binary (active that day)
    day_columns: np.ndarray  # the day (bucket // slots_per_day) of each column of `days`
    habits: sp.csr_matrix  # accounts × time-of-day slots: h_u(s), the account's habitual probability
    sizes: np.ndarray  # active buckets per account
    concentration: float  # Σq² of the population's activity profile over buckets
    slots_per_day: int
    indptr: np.ndarray  # CSR over accounts into `sorted_buckets`
    sorted_buckets: np.ndarray  # each account's active buckets, ascending
    day_offset: int  # first day of `day_concentration`
    day_concentration: np.ndarray  # per day: Σ_t (q_t / Q_day)² over the day's buckets

    @classmethod
    def build(cls, data: DetectionInput) -> ActivityModel:
        n = data.n_accounts
        slots = max(1, round(1440 / data.bucket_minutes))
        if data.activity_bucket.size == 0:
            empty = sp.csr_matrix((n, 0))
            return cls(empty, empty, np.zeros(0, dtype=np.int64), sp.csr_matrix((n, slots)), np.zeros(n), 0.0,
                       slots, np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), 0, np.zeros(0))
        indptr = data.activity_indptr
        owner = np.repeat(np.arange(n), np.diff(indptr))
        bucket_columns, bucket_index = np.unique(data.activity_bucket, return_inverse=True)
        buckets = _binary(owner, bucket_index, (n, bucket_columns.size))
        day = data.activity_bucket // slots
        day_columns, day_index = np.unique(day, return_inverse=True)
        days = _binary(owner, day_index, (n, day_columns.size))
        # c_u(s): on how many days the account was active in slot s; m_u: its active days.
        slot = (data.activity_bucket % slots).astype(np.int64)
        slot_days = sp.csr_matrix((np.ones(owner.size), (owner, slot)), shape=(n, slots))
        slot_days.sum_duplicates()
        active_days = np.diff(days.indptr).astype(np.float64)
        # h_u(s) = (c_u(s) − 1) / (m_u − 1): the account's own occurrence is left out, so activity seen
        # once is no habit and an account seen on one day has no schedule to explain anything with.
        rows = np.repeat(np.arange(n), np.diff(slot_days.indptr))
        denominator = np.maximum(active_days[rows] - 1.0, 1.0)
        values = np.where(active_days[rows] > 1, (slot_days.data - 1.0) / denominator, 0.0)
        habits = sp.csr_matrix((values, slot_days.indices, slot_days.indptr), shape=(n, slots))
        habits.eliminate_zeros()
        column_activity = np.asarray(buckets.sum(axis=0)).ravel()
        profile = column_activity / max(column_activity.sum(), 1.0)
        sizes = np.diff(buckets.indptr).astype(np.float64)
        # The same active buckets as sorted, de-duplicated lists (the kernels walk two at a time).
        sorted_buckets = bucket_columns[buckets.indices]
        column_day = bucket_columns // slots
        day_offset = int(column_day.min())
        day_total = np.bincount(column_day - day_offset, weights=column_activity)
        day_squares = np.bincount(column_day - day_offset, weights=column_activity ** 2)
        day_concentration = day_squares / np.maximum(day_total, 1.0) ** 2
        return cls(buckets, days, day_columns, habits, sizes, float((profile ** 2).sum()), slots,
                   buckets.indptr.astype(np.int64), sorted_buckets.astype(np.int64), day_offset, day_concentration)

    def overlap(self, pairs: np.ndarray) -> np.ndarray:
        """Buckets in which both accounts of each pair were active."""
        if pairs.size == 0 or self.buckets.shape[1] == 0:
            return np.zeros(len(pairs))
        return rowwise_dot(self.buckets, self.buckets, pairs)

    def expected_by_schedule(self, pairs: np.ndarray) -> np.ndarray:
        """Co-active buckets that independent accounts with these habits would have: |common days| · h_u·h_v."""
        if pairs.size == 0 or self.buckets.shape[1] == 0:
            return np.zeros(len(pairs))
        common_days = rowwise_dot(self.days, self.days, pairs)
        return common_days * rowwise_dot(self.habits, self.habits, pairs)

    def expected_by_rhythm(self, pairs: np.ndarray) -> np.ndarray:
        """Co-active buckets that accounts following the population's rhythm would have: |A||B|Σq²."""
        if pairs.size == 0:
            return np.zeros(0)
        return self.sizes[pairs[:, 0]] * self.sizes[pairs[:, 1]] * self.concentration


def _binary(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    matrix = sp.csr_matrix((np.ones(rows.size), (rows, columns)), shape=shape)
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def poisson_surprise(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """The Poisson log-likelihood ratio o·ln(o/e) − (o − e) of an excess (0 where o ≤ e)."""
    safe_observed, safe_expected = np.maximum(observed, 1e-12), np.maximum(expected, 1e-12)
    llr = observed * np.log(safe_observed / safe_expected) - (observed - expected)
    return np.where(observed > expected, llr, 0.0)


def timing_nats(activity: ActivityModel, pairs: np.ndarray, config: DetectionConfig) -> np.ndarray:
    """Synchrony of each pair beyond both innocent explanations (own schedules, population rhythm), day
    by day: each day both accounts were active, the surprise of their co-active buckets against the larger
    of what that day's rhythm and the pair's habits predict, capped at ln(slots per day) — the chance of
    two strangers' single visits landing in the same slot — because one shared event (a class, a launch,
    an outage) is one coincidence however long it lasts. Coordination repeats; its days add up.

    Two accounts running the same hourly job every day for a week meet 168 times, all explained:

    >>> hourly = [day * 144 + hour * 6 for day in range(7) for hour in range(24)]
    >>> model = ActivityModel.build(DetectionInput.from_activity({0: hourly, 1: hourly}))
    >>> float(timing_nats(model, np.array([[0, 1]]), DetectionConfig()).round(6)[0])
    0.0
    """
    if pairs.size == 0 or activity.buckets.shape[1] == 0:
        return np.zeros(len(pairs))
    habit_overlap = rowwise_dot(activity.habits, activity.habits, pairs)
    overlap, surprise = daily_synchrony(activity.indptr, activity.sorted_buckets, activity.slots_per_day,
                                        activity.day_offset, activity.day_concentration, habit_overlap,
                                        float(np.log(activity.slots_per_day)), pairs)
    sizes = activity.sizes
    enough = ((sizes[pairs[:, 0]] >= config.min_active_buckets)
              & (sizes[pairs[:, 1]] >= config.min_active_buckets) & (overlap >= 3))
    return np.where(enough, np.minimum(surprise, config.timing_max_nats), 0.0)
