"""Constants and scaling formulas of the synthetic data set.

Everything that sizes the data set lives here so that docs/synthetic-data.md, the generator and the tests
agree on one set of numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

DAY = 86_400
HOUR = 3_600
WINDOW_DAYS = 28
# The window is a constant (not "now") so that a seed alone determines every byte.
WINDOW_START = int(datetime(2026, 10, 1, tzinfo=UTC).timestamp())
WINDOW_END = WINDOW_START + WINDOW_DAYS * DAY
# Monday=0; the window starts on a Thursday.
WINDOW_START_WEEKDAY = datetime(2026, 10, 1, tzinfo=UTC).weekday()

OLD_MODELS: tuple[str, ...] = ("model-a-2026-06", "model-b-2026-08", "model-mini-2026-05")
NEW_MODEL = "model-c-2026-10"
MODELS: tuple[str, ...] = (*OLD_MODELS, NEW_MODEL)
NEW_MODEL_INDEX = len(OLD_MODELS)
RELEASE_DAY = 18
RELEASE_TS = WINDOW_START + RELEASE_DAY * DAY

CAPABILITIES: tuple[str, ...] = (
    "chat",
    "coding",
    "agentic_coding",
    "tool_use",
    "reasoning",
    "math",
    "writing",
    "translation",
    "vision",
    "data_analysis",
)
TIERS: tuple[str, ...] = ("free", "build", "scale", "enterprise")
PAYMENT_KINDS: tuple[str, ...] = ("card", "paypal", "crypto", "bank", "invoice", "other")
IP_KINDS: tuple[str, ...] = ("residential", "mobile", "datacenter", "corporate", "education", "unknown")

POPULATIONS: tuple[str, ...] = (
    "individual",
    "family",
    "company",
    "university",
    "carrier",
    "cloud_developer",
    "evaluation_customer",
    "campaign",
    # Legitimate lookalikes (traps for detectors) of the full scenario; see lookalikes.py.
    "platform_billing",
    "scheduled_jobs",
    "editor_extension",
    "agent_framework",
    "benchmark_researchers",
    "classroom_cohort",
    "team_seats",
)
CLASSIC_POPULATIONS: tuple[str, ...] = POPULATIONS[: POPULATIONS.index("campaign") + 1]
TRAPS: tuple[str, ...] = POPULATIONS[len(CLASSIC_POPULATIONS) :]
CAMPAIGNS: tuple[str, ...] = (
    "",
    "campaign-1",
    "campaign-2",
    "campaign-3",
    # Evasive campaign shapes of the full scenario; see shapes.py.
    "relay-farm",
    "sleeper-cell",
    "low-and-slow",
    "free-tier-farm",
)
CLASSIC_CAMPAIGNS: tuple[str, ...] = CAMPAIGNS[1:4]
PROXY_CAMPAIGN, REASONING_CAMPAIGN, PIVOT_CAMPAIGN = 1, 2, 3
RELAY_CAMPAIGN, SLEEPER_CAMPAIGN, LOW_SLOW_CAMPAIGN, FREE_TIER_CAMPAIGN = 4, 5, 6, 7

MIN_ACCOUNTS = 1_000
REQUESTS_PER_ACCOUNT = 16
# Share of all requests sent by each group; campaigns together 42%.
PROXY_REQUEST_SHARE = 0.30
REASONING_REQUEST_SHARE = 0.04
PIVOT_REQUEST_SHARE = 0.08
EVALUATION_REQUEST_SHARE = 0.03
# Evasive shapes: 7% of requests together (their accounts are spread thin on purpose).
RELAY_REQUEST_SHARE = 0.02
SLEEPER_REQUEST_SHARE = 0.015
LOW_SLOW_REQUEST_SHARE = 0.02
FREE_TIER_REQUEST_SHARE = 0.015
MIN_CAMPAIGN_REQUESTS = 15

# The proxy campaign's per-account rate limit: a slot is a short active period of one account.
PROXY_SLOT_SECONDS = 1_200
PROXY_REQUESTS_PER_SLOT = 25
# The reasoning campaign fires in synchronized bursts.
BURSTS_PER_DAY = 4
BURST_SECONDS = 300

REQUEST_CHUNK_ROWS = 500_000
PROXY_SERVICE_NAME = "relaymesh"
PROXY_EXIT_LABELLED_SHARE = 0.7


def clamp(value: int, low: int, high: int) -> int:
    """Limit `value` to the closed range [low, high]."""
    return max(low, min(high, value))


@dataclass(frozen=True)
class CampaignSizes:
    """Number of accounts in each distillation campaign."""

    proxy: int
    reasoning: int
    pivot: int

    @property
    def total(self) -> int:
        return self.proxy + self.reasoning + self.pivot

    def as_dict(self) -> dict[str, int]:
        """Sizes keyed by the campaign names used in labels.csv."""
        return {CAMPAIGNS[1]: self.proxy, CAMPAIGNS[2]: self.reasoning, CAMPAIGNS[3]: self.pivot}


def compute_campaign_sizes(accounts: int) -> CampaignSizes:
    """Campaign sizes for a data set of `accounts` accounts (24,000 in total at one million)."""
    return CampaignSizes(
        proxy=round(0.02 * accounts),
        reasoning=clamp(round(0.003 * accounts), 30, 400),
        pivot=clamp(round(0.004 * accounts), 40, 3600),
    )


def compute_proxy_exit_count(proxy_accounts: int) -> int:
    """Exit IPs of the proxy service: thousands at full scale, each reused by several campaign accounts."""
    return clamp(round(0.3 * proxy_accounts), 20, 8_000)
