"""Tests of the synthetic data generator (graph/synthetic): contract, determinism and planted signals."""

from __future__ import annotations

import gzip
import hashlib
import ipaddress
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from graph.synthetic import GenerationSummary, generate_dataset
from graph.synthetic.config import (
    CAMPAIGNS,
    CAPABILITIES,
    CLASSIC_CAMPAIGNS,
    CLASSIC_POPULATIONS,
    IP_KINDS,
    MODELS,
    NEW_MODEL,
    PAYMENT_KINDS,
    POPULATIONS,
    PROXY_REQUESTS_PER_SLOT,
    PROXY_SERVICE_NAME,
    RELEASE_TS,
    TIERS,
    WINDOW_END,
    WINDOW_START,
    compute_campaign_sizes,
)
from graph.synthetic.jsonl import encode_jsonl
from graph.synthetic.shapes import compute_shape_size

N = 3_000
SEED = 11
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
REQUIRED = {
    "accounts": {"account_id", "created_at"},
    "payment_methods": {"account_id", "fingerprint"},
    "requests": {"ts", "account_id", "ip"},
    "ip_intel": {"network"},
    "labels": {"account_id", "campaign", "population"},
}


def read_text_table(path: Path) -> pa.Table:
    """Read a CSV (optionally gzipped) with every column as nullable text, as a loader would see it."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        names = next(__import__("csv").reader(handle))
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True)
    # Prompts hold newlines inside quoted cells.
    return pacsv.read_csv(
        path, parse_options=pacsv.ParseOptions(newlines_in_values=True), convert_options=options
    )


def read_jsonl(path: Path) -> list[dict[str, object]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def epoch(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def file_bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


class Dataset:
    """A generated data set loaded into Python structures for assertions."""

    def __init__(self, summary: GenerationSummary) -> None:
        self.summary = summary
        out = summary.out_dir
        self.accounts = read_text_table(out / "accounts.csv").to_pylist()
        self.payments = read_text_table(out / "payment_methods.csv").to_pylist()
        self.intel = read_text_table(out / "ip_intel.csv").to_pylist()
        self.labels = read_text_table(out / "labels.csv").to_pylist()
        self.requests = pq.read_table(out / "requests.parquet")
        self.label_of = {row["account_id"]: row for row in self.labels}
        self.created = {row["account_id"]: epoch(row["created_at"]) for row in self.accounts}
        cols = self.requests.to_pydict()
        self.req = cols
        self.ts = np.array([epoch(t) for t in cols["ts"]], dtype=np.int64)
        self.campaign = np.array([self.label_of[a]["campaign"] or "" for a in cols["account_id"]])
        self.population = np.array([self.label_of[a]["population"] for a in cols["account_id"]])

    def accounts_of(self, campaign: str) -> set[str]:
        return {row["account_id"] for row in self.labels if (row["campaign"] or "") == campaign}

    def population_accounts(self, population: str) -> set[str]:
        return {row["account_id"] for row in self.labels if row["population"] == population}

    def ips_of(self, mask: np.ndarray) -> set[str]:
        return set(np.array(self.req["ip"], dtype=object)[mask].tolist())

    def intel_for(self, ip: str) -> dict[str, object] | None:
        """Longest-prefix match of `ip` in ip_intel."""
        address = ipaddress.ip_address(ip)
        best = None
        for row in self.intel:
            network = ipaddress.ip_network(str(row["network"]))
            if address in network and (best is None or network.prefixlen > best[0]):
                best = (network.prefixlen, row)
        return None if best is None else best[1]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The default (full) scenario: classic background and campaigns, every lookalike and shape."""
    return Dataset(generate_dataset(tmp_path_factory.mktemp("synthetic"), accounts=N, seed=SEED))


@pytest.fixture(scope="module")
def classic(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return Dataset(
        generate_dataset(tmp_path_factory.mktemp("classic"), accounts=N, seed=SEED, scenario="classic")
    )


# --- determinism -------------------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate_dataset(tmp_path / name, accounts=1_500, seed=seed)
    first, second, other = (file_bytes(tmp_path / n) for n in "abc")
    assert set(first) == {
        "accounts.csv",
        "payment_methods.csv",
        "ip_intel.csv",
        "labels.csv",
        "requests.parquet",
    }
    assert first == second
    for name in first:
        assert first[name] != other[name], name


# SHA-256 of each file (requests decompressed) of the classic world at 1,500 accounts, seed 5, CSV, as
# written by the generator before scenarios existed (commit c27da88): the classic scenario must keep them.
CLASSIC_DIGESTS = {
    "accounts.csv": "5f0641868eded2b97bde80f736421ce90c9fb8bf209c7969635014bd315c7227",
    "ip_intel.csv": "84928aa24e5d115642e611178a60eee856c105a9d272d4b1432c46cd5400fd73",
    "labels.csv": "8d4312639916c5c57737f4838a32c5fa1d8b831365fe7af5409e86ffe578e410",
    "payment_methods.csv": "7852a98c49a7b1ea622271b01561f12ea2ab8ffdfa664485d6b1d68d208d48b4",
    "requests.csv.gz": "f077d1f51a9306369843849e2c4199761d4c0c377fe2ef83aa285c82db63ade7",
}


def test_classic_scenario_reproduces_the_earlier_generator_byte_for_byte(tmp_path: Path) -> None:
    generate_dataset(tmp_path, accounts=1_500, seed=5, fmt="csv", scenario="classic")
    digests = {}
    for path in sorted(tmp_path.iterdir()):
        content = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        digests[path.name] = hashlib.sha256(content).hexdigest()
    assert digests == CLASSIC_DIGESTS


def test_text_formats_are_deterministic(tmp_path: Path) -> None:
    for fmt in ("csv", "jsonl"):
        generate_dataset(tmp_path / f"{fmt}1", accounts=1_000, seed=3, fmt=fmt)
        generate_dataset(tmp_path / f"{fmt}2", accounts=1_000, seed=3, fmt=fmt)
        assert file_bytes(tmp_path / f"{fmt}1") == file_bytes(tmp_path / f"{fmt}2")


# --- the input contract ------------------------------------------------------------------------------------


def test_tables_have_required_columns(data: Dataset) -> None:
    tables = {
        "accounts": data.accounts,
        "payment_methods": data.payments,
        "ip_intel": data.intel,
        "labels": data.labels,
    }
    for name, rows in tables.items():
        assert REQUIRED[name] <= set(rows[0]), name
    assert REQUIRED["requests"] <= set(data.requests.column_names)
    assert {
        "api_key_id",
        "user_agent",
        "client_fingerprint",
        "model",
        "capability",
        "prompt",
        "input_tokens",
        "output_tokens",
    } <= set(data.requests.column_names)


def test_accounts_values_are_valid(data: Dataset) -> None:
    ids = [row["account_id"] for row in data.accounts]
    assert len(ids) == N == len(set(ids))
    # Every id has the same shape, so ids cannot leak which accounts are campaign accounts.
    assert all(re.fullmatch(r"acct_[0-9a-f]{12}", i) for i in ids)
    emails = [row["email"] for row in data.accounts]
    assert len(set(emails)) == N
    for row in data.accounts:
        assert ISO.match(row["created_at"])
        assert epoch(row["created_at"]) < WINDOW_END
        assert row["email"].split("@")[1] == row["email_domain"]
        assert re.fullmatch(r"[A-Z]{2}", row["country"])
        assert row["tier"] in TIERS
        assert row["status"] in {"active", "suspended"}
        ipaddress.IPv4Address(row["signup_ip"])
        assert row["org_id"] is None or re.fullmatch(r"org_[0-9a-f]{12}", row["org_id"])


def test_payment_methods_are_opaque_tokens(data: Dataset) -> None:
    known = {row["account_id"] for row in data.accounts}
    for row in data.payments:
        assert row["account_id"] in known
        assert re.fullmatch(r"pm_[0-9a-f]{16}", row["fingerprint"])
        assert row["kind"] in PAYMENT_KINDS
        assert ISO.match(row["added_at"])
    # One fingerprint has one kind and one issuing country, whoever uses it.
    seen: dict[str, tuple[str, str]] = {}
    for row in data.payments:
        assert seen.setdefault(row["fingerprint"], (row["kind"], row["issuer_country"])) == (
            row["kind"],
            row["issuer_country"],
        )


def test_ip_intel_values_are_valid(data: Dataset) -> None:
    networks = [row["network"] for row in data.intel]
    assert len(networks) == len(set(networks))
    for row in data.intel:
        network = ipaddress.ip_network(row["network"])
        assert network.is_global
        assert row["kind"] in IP_KINDS
        assert row["is_vpn"] in {"true", "false"} and row["is_tor"] in {"true", "false"}
        assert int(row["asn"]) > 0 and row["asn_org"]
    kinds = {row["kind"] for row in data.intel}
    assert {"residential", "mobile", "datacenter", "corporate", "education"} <= kinds
    assert any(row["is_tor"] == "true" for row in data.intel)
    assert any(row["is_vpn"] == "true" for row in data.intel)


def test_requests_values_are_valid(data: Dataset) -> None:
    r = data.req
    assert data.requests.num_rows == 16 * N
    assert all(ISO.match(t) for t in r["ts"])
    assert data.ts.min() >= WINDOW_START and data.ts.max() < WINDOW_END
    created = np.array([data.created[a] for a in r["account_id"]])
    assert (data.ts >= created).all(), "no request before its account exists"
    for ip in set(r["ip"]):
        assert ipaddress.IPv4Address(ip).is_global
    assert set(r["model"]) <= set(MODELS)
    assert set(r["capability"]) <= set(CAPABILITIES)
    assert all(p and p.strip() for p in r["prompt"])
    assert all(re.fullmatch(r"key_[0-9a-f]{16}", k) for k in r["api_key_id"])
    assert all(re.fullmatch(r"cfp_[0-9a-f]{16}", k) for k in r["client_fingerprint"])
    assert min(r["input_tokens"]) >= 1 and min(r["output_tokens"]) >= 1
    for column in ("api_key_id", "user_agent", "client_fingerprint", "model", "capability", "prompt"):
        assert data.requests.column(column).null_count == 0, column


def test_new_model_appears_only_after_release(data: Dataset) -> None:
    model = np.array(data.req["model"])
    assert not ((model == NEW_MODEL) & (data.ts < RELEASE_TS)).any()
    assert ((model == NEW_MODEL) & (data.campaign == "")).any()


@pytest.mark.parametrize("world", ["data", "classic"])
def test_labels_cover_every_account_once(world: str, request: pytest.FixtureRequest) -> None:
    data: Dataset = request.getfixturevalue(world)
    ids = [row["account_id"] for row in data.labels]
    assert sorted(ids) == sorted(row["account_id"] for row in data.accounts)
    assert len(ids) == len(set(ids))
    for row in data.labels:
        assert row["population"] in POPULATIONS
        assert (row["campaign"] is None) == (row["population"] != "campaign")
    populations = set(Counter(row["population"] for row in data.labels))
    campaigns = {row["campaign"] for row in data.labels if row["campaign"]}
    if world == "classic":
        assert populations == set(CLASSIC_POPULATIONS) and campaigns == set(CLASSIC_CAMPAIGNS)
    else:
        assert populations == set(POPULATIONS) and campaigns == set(CAMPAIGNS[1:])
    assert data.summary.population_sizes == Counter(row["population"] for row in data.labels)


def test_campaign_sizes_follow_the_formulas(classic: Dataset, data: Dataset) -> None:
    sizes = compute_campaign_sizes(N)
    assert (sizes.proxy, sizes.reasoning, sizes.pivot) == (60, 30, 40)
    counts = Counter(row["campaign"] for row in classic.labels if row["campaign"])
    assert counts == {"campaign-1": 60, "campaign-2": 30, "campaign-3": 40}
    assert classic.summary.campaign_sizes == dict(counts)
    full = compute_campaign_sizes(1_000_000)
    assert (full.proxy, full.reasoning, full.pivot) == (20_000, 400, 3_600)
    assert full.total == 24_000
    assert compute_campaign_sizes(50_000).reasoning == 150
    # The full scenario adds the evasive shapes with their own formulas; the classic three are unchanged.
    counts = Counter(row["campaign"] for row in data.labels if row["campaign"])
    expected = {name: compute_shape_size(name, N) for name in CAMPAIGNS[4:]}
    assert counts == {"campaign-1": 60, "campaign-2": 30, "campaign-3": 40, **expected}
    assert {name: compute_shape_size(name, 1_000_000) for name in CAMPAIGNS[4:]} == {
        "relay-farm": 3_000, "sleeper-cell": 4_000, "low-and-slow": 5_000, "free-tier-farm": 5_000,
    }


@pytest.mark.parametrize("world", ["data", "classic"])
def test_request_volume_and_campaign_share(world: str, request: pytest.FixtureRequest) -> None:
    data: Dataset = request.getfixturevalue(world)
    assert data.summary.rows["requests"] == 16 * N
    share = (data.campaign != "").mean()
    # Classic campaigns send 42% of all requests; the evasive shapes add 7%.
    assert (0.35 <= share <= 0.5) if world == "classic" else (0.42 <= share <= 0.57)
    per_account = Counter(np.array(data.req["account_id"])[data.campaign != ""].tolist())
    campaign_accounts = {row["account_id"] for row in data.labels if row["campaign"]}
    assert set(per_account) == campaign_accounts
    assert min(per_account.values()) >= 15


def test_explicit_request_count_is_honoured(tmp_path: Path) -> None:
    summary = generate_dataset(tmp_path, accounts=1_000, seed=1, requests=23_457)
    assert pq.read_metadata(tmp_path / "requests.parquet").num_rows == 23_457
    assert summary.rows["requests"] == 23_457


# --- legitimate background and traps -----------------------------------------------------------------------


def test_families_share_a_card_and_home_ip(data: Dataset) -> None:
    family = data.population_accounts("family")
    holders: dict[str, set[str]] = defaultdict(set)
    for row in data.payments:
        if row["account_id"] in family:
            holders[row["fingerprint"]].add(row["account_id"])
    sizes = [len(v) for v in holders.values()]
    assert min(sizes) >= 2 and max(sizes) <= 5
    signup = Counter(row["signup_ip"] for row in data.accounts if row["account_id"] in family)
    assert max(signup.values()) >= 2


def test_companies_share_invoice_and_corporate_egress(data: Dataset) -> None:
    company = {
        row["account_id"]: row
        for row in data.accounts
        if row["account_id"] in data.population_accounts("company")
    }
    assert all(row["org_id"] for row in company.values())
    invoices = [row for row in data.payments if row["account_id"] in company]
    assert {row["kind"] for row in invoices} == {"invoice"}
    per_org: dict[str, set[str]] = defaultdict(set)
    for row in invoices:
        per_org[company[row["account_id"]]["org_id"]].add(row["fingerprint"])
    assert all(len(v) == 1 for v in per_org.values())
    sizes = Counter(row["org_id"] for row in company.values())
    assert min(sizes.values()) >= 3 and max(sizes.values()) <= 200
    egress = Counter(row["signup_ip"] for row in company.values())
    assert data.intel_for(egress.most_common(1)[0][0])["kind"] == "corporate"


def test_carrier_nat_addresses_are_shared_by_many(data: Dataset) -> None:
    carrier = data.population == "carrier"
    accounts_per_ip: dict[str, set[str]] = defaultdict(set)
    for ip, account in zip(
        np.array(data.req["ip"])[carrier], np.array(data.req["account_id"])[carrier], strict=True
    ):
        accounts_per_ip[ip].add(account)
    busiest = max(accounts_per_ip, key=lambda ip: len(accounts_per_ip[ip]))
    assert len(accounts_per_ip[busiest]) >= 15
    assert data.intel_for(busiest)["kind"] == "mobile"


def test_evaluation_customer_is_a_legitimate_look_alike(data: Dataset) -> None:
    mask = data.population == "evaluation_customer"
    assert (data.campaign[mask] == "").all()
    per_account = Counter(np.array(data.req["account_id"])[mask].tolist())
    assert 4 <= len(per_account) <= 8
    assert min(per_account.values()) > 10 * np.median(list(Counter(data.req["account_id"]).values()))
    assert {data.intel_for(ip)["kind"] for ip in data.ips_of(mask)} == {"datacenter"}
    prompts = np.array(data.req["prompt"], dtype=object)[mask]
    assert all(p.lstrip().lower().startswith("[eval-run]") for p in prompts)
    # Automated timing: gaps between an account's consecutive requests are nearly constant.
    one = sorted(data.ts[mask & (np.array(data.req["account_id"]) == next(iter(per_account)))])
    gaps = np.diff(one)
    assert gaps.std() < gaps.mean()


def test_some_legitimate_traffic_uses_vpn_and_tor(data: Dataset) -> None:
    flagged = {row["network"].split("/")[0]: row for row in data.intel if row["network"].endswith("/32")}
    legit_ips = data.ips_of(data.campaign == "")
    assert any(flagged[ip]["is_vpn"] == "true" for ip in legit_ips if ip in flagged)
    assert any(flagged[ip]["is_tor"] == "true" for ip in legit_ips if ip in flagged)


def test_university_signup_bursts_are_legitimate(data: Dataset) -> None:
    university = data.population_accounts("university")
    hours = Counter(data.created[a] // 3600 for a in university)
    assert max(hours.values()) >= 10


# --- campaign signals ---------------------------------------------------------------------------------------


def test_proxy_campaign_shares_cards_and_proxy_exits(data: Dataset) -> None:
    members = data.accounts_of("campaign-1")
    holders: dict[str, set[str]] = defaultdict(set)
    for row in data.payments:
        holders[row["fingerprint"]].add(row["account_id"])
    cards = {row["fingerprint"] for row in data.payments if row["account_id"] in members}
    assert len(cards) >= 2
    assert all(10 <= len(holders[c]) <= 60 and holders[c] <= members for c in cards)
    mask = data.campaign == "campaign-1"
    exits = data.ips_of(mask)
    accounts_per_exit: dict[str, set[str]] = defaultdict(set)
    for ip, account in zip(
        np.array(data.req["ip"])[mask], np.array(data.req["account_id"])[mask], strict=True
    ):
        accounts_per_exit[ip].add(account)
    assert np.median([len(v) for v in accounts_per_exit.values()]) >= 3
    matches = [data.intel_for(ip) for ip in exits]
    labelled = [m for m in matches if m and m["proxy_network"] == PROXY_SERVICE_NAME]
    assert 0.5 <= len(labelled) / len(exits) <= 0.9, "threat intel labels only part of the exits"
    unlabelled = [m for m in matches if m is None or m["proxy_network"] is None]
    assert all(m is None or m["kind"] in {"residential", "unknown"} for m in unlabelled)


def test_proxy_campaign_is_load_balanced(data: Dataset) -> None:
    mask = data.campaign == "campaign-1"
    accounts = np.array(data.req["account_id"])[mask]
    hourly = Counter(zip(accounts.tolist(), (data.ts[mask] // 3600).tolist(), strict=True))
    # Each account stays under its rate: at most two slots can touch one clock hour.
    assert max(hourly.values()) <= 2 * PROXY_REQUESTS_PER_SLOT
    by_hour_of_day = np.bincount((data.ts[mask] // 3600) % 24, minlength=24)
    assert by_hour_of_day.min() > 0.4 * by_hour_of_day.mean()
    templates = Counter(np.array(data.req["capability"])[mask].tolist())
    focus = (templates["agentic_coding"] + templates["tool_use"]) / mask.sum()
    assert 0.75 <= focus <= 0.95 and templates["chat"] > 0


def test_reasoning_campaign_hides_in_shared_cloud_egress(data: Dataset) -> None:
    mask = data.campaign == "campaign-2"
    campaign_ips = data.ips_of(mask)
    developer_ips = data.ips_of(data.population == "cloud_developer")
    assert {data.intel_for(ip)["kind"] for ip in campaign_ips} == {"datacenter"}
    assert len(campaign_ips & developer_ips) >= 0.8 * len(campaign_ips)
    members = data.accounts_of("campaign-2")
    fingerprints = Counter(row["fingerprint"] for row in data.payments)
    mine = [row["fingerprint"] for row in data.payments if row["account_id"] in members]
    assert mine and all(fingerprints[f] == 1 for f in mine), "no shared payment methods"
    prompts = np.array(data.req["prompt"], dtype=object)[mask]
    assert np.mean(["step" in p.lower() or "reason" in p.lower() for p in prompts]) > 0.9


def test_reasoning_campaign_fires_in_synchronized_bursts(data: Dataset) -> None:
    mask = data.campaign == "campaign-2"
    assert len(set(((data.ts[mask] // 3600) % 24).tolist())) <= 4
    windows: dict[int, set[str]] = defaultdict(set)
    for t, account in zip(data.ts[mask] // 3600, np.array(data.req["account_id"])[mask], strict=True):
        windows[int(t)].add(account)
    assert np.median([len(v) for v in windows.values()]) >= 0.25 * len(data.accounts_of("campaign-2"))


def test_pivot_campaign_moves_to_the_new_model(data: Dataset) -> None:
    model = np.array(data.req["model"])
    mask = data.campaign == "campaign-3"
    after = data.ts >= RELEASE_TS + 24 * 3600
    assert (model[mask & after] == NEW_MODEL).mean() > 0.8
    assert (model[mask & (data.ts < RELEASE_TS)] != NEW_MODEL).all()
    assert (mask & (data.ts < RELEASE_TS)).sum() > 0
    # The classic background adopts the new model gradually (the full scenario's benchmark researchers and
    # editor-extension users react faster, on purpose; they have their own tests).
    background = np.isin(data.population, CLASSIC_POPULATIONS) & (data.campaign == "")
    legit_first_day = background & (data.ts >= RELEASE_TS) & (data.ts < RELEASE_TS + 24 * 3600)
    assert (model[legit_first_day] == NEW_MODEL).mean() < 0.3
    created = [data.created[a] for a in data.accounts_of("campaign-3")]
    assert min(created) >= RELEASE_TS - 11 * 86_400 and max(created) < RELEASE_TS
    capabilities = Counter(np.array(data.req["capability"])[mask & after].tolist())
    focused = sum(capabilities[c] for c in ("coding", "reasoning", "agentic_coding", "math"))
    assert focused / sum(capabilities.values()) > 0.8


# --- legitimate lookalikes of the full scenario -------------------------------------------------------------


def group_mask(data: Dataset, group: str) -> np.ndarray:
    """Request rows of a campaign or a population."""
    return (data.campaign == group) | ((data.campaign == "") & (data.population == group))


def group_accounts(data: Dataset, group: str) -> set[str]:
    return data.accounts_of(group) or data.population_accounts(group)


def holders_by_method(data: Dataset) -> dict[str, set[str]]:
    holders: dict[str, set[str]] = defaultdict(set)
    for row in data.payments:
        holders[row["fingerprint"]].add(row["account_id"])
    return holders


def test_platform_billing_puts_unrelated_payers_on_one_fingerprint(data: Dataset) -> None:
    members = data.population_accounts("platform_billing")
    holders = holders_by_method(data)
    platform = {f: h for f, h in holders.items() if h & members and len(h) >= 2}
    assert len(platform) >= 5, "app store, wallets, marketplace and partners"
    largest = max(platform.values(), key=len)
    assert len(largest) >= 0.15 * len(members) and largest <= members
    accounts = {row["account_id"]: row for row in data.accounts}
    assert len({accounts[a]["country"] for a in largest}) >= 5
    assert len({accounts[a]["signup_ip"] for a in largest}) >= 0.9 * len(largest), "unrelated homes"
    kinds = {row["kind"] for row in data.payments if row["account_id"] in members}
    assert kinds <= {"other", "card"} and "other" in kinds


def test_scheduled_jobs_fire_at_round_clock_times_with_their_own_wording(data: Dataset) -> None:
    mask = group_mask(data, "scheduled_jobs")
    after_hour = (data.ts[mask] % 3600) < 600
    background = (data.ts[data.population == "individual"] % 3600) < 600
    assert after_hour.mean() >= max(0.3, 1.8 * background.mean())
    account = np.array(data.req["account_id"])
    # Some jobs call the model in every run: requests on every day of the window, always just after :00.
    every_day = [
        a for a in data.population_accounts("scheduled_jobs")
        if len(set((data.ts[account == a] // 86_400).tolist())) == 28
        and ((data.ts[account == a] % 1_800) < 900).mean() > 0.9
    ]
    assert every_day
    # Own wording: the instruction in front of each job's payload differs from job to job.
    prompts = np.array(data.req["prompt"], dtype=object)
    own = {}
    for a in data.population_accounts("scheduled_jobs"):
        texts = prompts[mask & (account == a)]
        if texts.size:
            own[a] = Counter(t[:40] for t in texts.tolist()).most_common(1)[0][0]
    assert len(set(own.values())) >= 0.9 * len(own)
    # Shared egress: a datacenter address (a CI runner or cloud NAT) serves several unrelated jobs.
    users: dict[str, set[str]] = defaultdict(set)
    for ip, a in zip(np.array(data.req["ip"])[mask].tolist(), account[mask].tolist(), strict=True):
        users[ip].add(a)
    busiest = max(users, key=lambda ip: len(users[ip]))
    assert len(users[busiest]) >= 5 and data.intel_for(busiest)["kind"] == "datacenter"


def test_editor_extension_users_share_one_client_fingerprint_and_system_prompt(data: Dataset) -> None:
    from graph.synthetic.lookalikes import EXTENSION_RELEASE_TS

    mask = group_mask(data, "editor_extension")
    members = data.population_accounts("editor_extension")
    fingerprint = np.array(data.req["client_fingerprint"])
    account = np.array(data.req["account_id"])
    top, _ = Counter(fingerprint[mask].tolist()).most_common(1)[0]
    users = set(account[fingerprint == top].tolist())
    assert len(users) >= 0.4 * len(members) and users <= members
    agents = np.array(data.req["user_agent"])
    assert all(a.startswith("codemate/") for a in set(agents[mask].tolist()))
    new_version = np.char.find(agents.astype(str), "1.19.0") >= 0
    assert not (mask & new_version & (data.ts < EXTENSION_RELEASE_TS)).any()
    late = mask & (data.ts >= EXTENSION_RELEASE_TS + 5 * 86_400)
    assert new_version[late].mean() >= 0.5
    prompts = np.array(data.req["prompt"], dtype=object)[mask]
    assert np.mean([p.lstrip().startswith("You are Codemate") for p in prompts]) >= 0.75


def test_agent_framework_users_share_the_scaffold_and_the_loop_cadence(data: Dataset) -> None:
    mask = group_mask(data, "agent_framework")
    prompts = np.array(data.req["prompt"], dtype=object)[mask]
    assert np.mean(["Action Input:" in p for p in prompts]) >= 0.75
    assert {a.split("/")[0] for a in np.array(data.req["user_agent"])[mask].tolist()} == {"taskforge"}
    account = np.array(data.req["account_id"])[mask]
    order = np.lexsort((data.ts[mask], account))
    same = account[order][1:] == account[order][:-1]
    gaps = np.diff(data.ts[mask][order])[same]
    assert np.median(gaps[gaps < 300]) <= 30, "agent loops call the model seconds apart"


def test_benchmark_researchers_send_identical_items_and_react_to_the_release(data: Dataset) -> None:
    mask = group_mask(data, "benchmark_researchers")
    prompts = np.array(data.req["prompt"], dtype=object)[mask]
    account = np.array(data.req["account_id"])[mask]
    senders: dict[str, set[str]] = defaultdict(set)
    for p, a in zip(prompts.tolist(), account.tolist(), strict=True):
        senders[p].add(a)
    assert np.mean([len(senders[p]) >= 2 for p in prompts.tolist()]) >= 0.4
    after_release = (data.ts[mask] >= RELEASE_TS) & (data.ts[mask] < RELEASE_TS + 72 * 3600)
    assert after_release.mean() >= 0.2
    model = np.array(data.req["model"])[mask]
    assert (model[after_release] == NEW_MODEL).mean() >= 0.5


def test_classroom_cohorts_sign_up_together_and_run_the_quickstart(data: Dataset) -> None:
    members = data.population_accounts("classroom_cohort")
    by_venue: dict[str, list[int]] = defaultdict(list)
    for row in data.accounts:
        if row["account_id"] in members:
            by_venue[row["signup_ip"]].append(data.created[row["account_id"]])
    created = max(by_venue.values(), key=len)
    assert len(created) >= 10 and max(created) - min(created) <= 3_600
    mask = group_mask(data, "classroom_cohort")
    prompts = np.array(data.req["prompt"], dtype=object)
    account = np.array(data.req["account_id"])
    haiku = mask & (prompts == "Hello! Write a haiku about the ocean.")
    assert len(set(account[haiku].tolist())) >= 10


def test_team_seats_share_a_company_card_without_an_organisation(data: Dataset) -> None:
    members = data.population_accounts("team_seats")
    accounts = {row["account_id"]: row for row in data.accounts if row["account_id"] in members}
    holders = holders_by_method(data)
    teams = [h for f, h in holders.items() if h & members]
    assert teams and all(len(h) >= 5 and h <= members for h in teams)
    for team in teams:
        assert len({accounts[a]["email_domain"] for a in team}) == 1
        assert all(accounts[a]["org_id"] is None for a in team)
        created = np.sort([data.created[a] for a in team])
        batch = max(np.searchsorted(created, created + 600, side="right") - np.arange(created.size))
        assert batch >= 0.4 * len(team), "most seats are provisioned in one batch"
    assert {row["kind"] for row in data.payments if row["account_id"] in members} == {"card"}


# --- evasive campaign shapes of the full scenario ------------------------------------------------------------


def first_last(data: Dataset, group: str) -> dict[str, tuple[int, int, int]]:
    """(first request, last request, requests) per account of a group."""
    mask = group_mask(data, group)
    out: dict[str, tuple[int, int, int]] = {}
    for a, t in zip(np.array(data.req["account_id"])[mask].tolist(), data.ts[mask].tolist(), strict=True):
        f, la, n = out.get(a, (t, t, 0))
        out[a] = (min(f, t), max(la, t), n + 1)
    return out


def test_relay_farm_accounts_hand_over_one_after_another(data: Dataset) -> None:
    spans = first_last(data, "relay-farm")
    members = data.accounts_of("relay-farm")
    assert set(spans) == members
    for a, (first, last, _) in spans.items():
        assert last - first <= 31 * 3600, "each account lives about a day"
        assert 0 <= first - data.created[a] <= 1_860, "registered minutes before use"
    lasts = np.array([last for _, last, _ in spans.values()])
    # The predecessor's last request comes one pacing step (its life / its requests) before it stops.
    step = np.median([(last - first) / max(n - 1, 1) for first, last, n in spans.values()])
    handed = [((first - lasts > 0) & (first - lasts <= 1.5 * step + 660)).any() for first, _, _ in spans.values()]
    assert np.mean(handed) >= 0.8, "a successor starts right after its predecessor stops"
    volume = np.array([n for _, _, n in spans.values()])
    assert volume.std() / volume.mean() <= 0.1, "the same quota burnt by every account"
    holders = holders_by_method(data)
    cards = [row for row in data.payments if row["account_id"] in members]
    assert len(cards) == len(members) and all(len(holders[row["fingerprint"]]) == 1 for row in cards)
    assert {row["issuer_country"] for row in cards} <= {"US", "GB"}
    mask = group_mask(data, "relay-farm")
    assert len(data.ips_of(mask)) >= 10 * len(members) / 2, "rotating residential exits"


def test_sleeper_cell_is_registered_in_batches_long_before_activation(data: Dataset) -> None:
    members = data.accounts_of("sleeper-cell")
    created = np.sort([data.created[a] for a in members])
    assert created.max() <= WINDOW_START - 60 * 86_400
    in_six_hours = max(np.searchsorted(created, created + 6 * 3600, side="right") - np.arange(created.size))
    assert in_six_hours >= 0.5 * len(members)
    signup = {row["signup_ip"] for row in data.accounts if row["account_id"] in members}
    assert len(signup) <= 4 * max(1, round(len(members) / 150))
    assert {data.intel_for(ip)["kind"] for ip in signup} == {"datacenter"}
    spans = first_last(data, "sleeper-cell")
    assert min(first for first, _, _ in spans.values()) >= WINDOW_START + 2 * 86_400
    for row in data.payments:
        if row["account_id"] in members:
            first = spans[row["account_id"]][0]
            assert 0 <= first - epoch(row["added_at"]) <= 3 * 3_600, "card added right before activation"
    prompts = np.array(data.req["prompt"], dtype=object)[group_mask(data, "sleeper-cell")]
    assert np.mean(["## Verification" in p for p in prompts]) >= 0.7


def test_low_and_slow_accounts_pass_as_individuals_but_share_a_hidden_format(data: Dataset) -> None:
    members = data.accounts_of("low-and-slow")
    accounts = {row["account_id"]: row for row in data.accounts if row["account_id"] in members}
    holders = holders_by_method(data)
    cards = [row for row in data.payments if row["account_id"] in members]
    assert len(cards) >= 0.8 * len(members)
    assert all(len(holders[row["fingerprint"]]) == 1 for row in cards)
    assert all(row["issuer_country"] == accounts[row["account_id"]]["country"] for row in cards)
    blocks = {".".join(row["signup_ip"].split(".")[:2]) for row in accounts.values()}
    assert len(blocks) <= 5, "static ISP proxies come from a few blocks"
    mask = group_mask(data, "low-and-slow")
    prompts = np.array(data.req["prompt"], dtype=object)[mask]
    assert np.mean([p.endswith("with no text before or after it.") for p in prompts]) >= 0.7
    openers = Counter(p.split("\n")[0] for p in prompts.tolist() if p.endswith("after it."))
    assert len(openers) >= 0.5 * len(members), "the wrapper is reworded per account"
    weekday = ((data.ts[mask] - WINDOW_START) // 86_400 + 3) % 7  # the window starts on a Thursday
    per_day = np.bincount(weekday, minlength=7) / np.bincount(((np.arange(28) + 3) % 7), minlength=7)
    assert per_day[5:].mean() >= 0.85 * per_day[:5].mean(), "no weekend dip"
    volume = np.array([n for _, _, n in first_last(data, "low-and-slow").values()])
    assert volume.std() / volume.mean() <= 0.35


def test_free_tier_farm_burns_the_daily_cap_on_rotating_domains(data: Dataset) -> None:
    from graph.synthetic.shapes import FREE_DAILY_CAP

    members = data.accounts_of("free-tier-farm")
    assert not any(row["account_id"] in members for row in data.payments)
    accounts = {row["account_id"]: row for row in data.accounts}
    assert {accounts[a]["tier"] for a in members} == {"free"}
    mask = group_mask(data, "free-tier-farm")
    days = Counter(zip(np.array(data.req["account_id"])[mask].tolist(), (data.ts[mask] // 86_400).tolist(),
                       strict=True))
    assert max(days.values()) == FREE_DAILY_CAP
    assert np.mean([n == FREE_DAILY_CAP for n in days.values()]) >= 0.6
    by_domain: dict[str, list[int]] = defaultdict(list)
    for a in members:
        by_domain[accounts[a]["email_domain"]].append(data.created[a])
    assert all(max(c) - min(c) <= 4 * 86_400 for c in by_domain.values()), "each domain is used a few days"
    outsiders = {row["email_domain"] for row in data.accounts if row["account_id"] not in members}
    assert not set(by_domain) & outsiders
    assert {data.intel_for(ip)["kind"] for ip in data.ips_of(mask)} == {"mobile"}


# --- scenarios ----------------------------------------------------------------------------------------------


def test_traps_and_campaigns_lists_choose_the_composition(tmp_path: Path) -> None:
    summary = generate_dataset(tmp_path, accounts=1_000, seed=2, traps=["team_seats"], campaigns=["relay-farm"])
    labels = read_text_table(tmp_path / "labels.csv").to_pylist()
    assert {r["campaign"] for r in labels if r["campaign"]} == {"relay-farm"}
    assert {r["population"] for r in labels} == {*CLASSIC_POPULATIONS, "team_seats"}
    assert summary.scenario.traps == ("team_seats",) and summary.scenario.campaigns == ("relay-farm",)
    assert sum(summary.population_sizes.values()) == 1_000


def test_scenario_files_scale_and_validate(tmp_path: Path) -> None:
    from graph.synthetic.scenario import resolve_scenario

    path = tmp_path / "world.toml"
    path.write_text('base = "full"\ncampaigns = ["campaign-1", "sleeper-cell"]\n[scale]\nplatform_billing = 2\n')
    world = resolve_scenario(path)
    assert world.traps == resolve_scenario("full").traps
    assert world.campaigns == ("campaign-1", "sleeper-cell")
    one = generate_dataset(tmp_path / "a", accounts=2_000, seed=1, campaigns=["campaign-1", "sleeper-cell"])
    two = generate_dataset(tmp_path / "b", accounts=2_000, seed=1, scenario=path)
    assert abs(two.population_sizes["platform_billing"] - 2 * one.population_sizes["platform_billing"]) <= 2
    for text, message in (
        ("traps = ['nope']\n", "unknown trap 'nope'"),
        ("colour = 'red'\n", "unknown keys colour"),
        ("campaigns = 'campaign-1'\n", "must be a list"),
        ("[scale]\nrelay-farm = 0\n", "must be in"),
        ("base = [\n", "not valid TOML"),
    ):
        path.write_text(text)
        with pytest.raises(ValueError, match=message):
            resolve_scenario(path)
    with pytest.raises(ValueError, match="unknown scenario"):
        resolve_scenario("everything")


# --- formats and options -----------------------------------------------------------------------------------


def test_every_format_writes_the_same_readable_data(tmp_path: Path) -> None:
    kwargs = {"accounts": 1_000, "seed": 21}
    generate_dataset(tmp_path / "parquet", fmt="parquet", **kwargs)
    generate_dataset(tmp_path / "csv", fmt="csv", **kwargs)
    generate_dataset(tmp_path / "jsonl", fmt="jsonl", **kwargs)
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "accounts.csv",
        "ip_intel.csv",
        "labels.csv",
        "payment_methods.csv",
        "requests.csv.gz",
    ]
    assert sorted(p.name for p in (tmp_path / "jsonl").iterdir()) == [
        "accounts.jsonl",
        "ip_intel.jsonl",
        "labels.csv",
        "payment_methods.jsonl",
        "requests.jsonl.gz",
    ]
    reference = pq.read_table(tmp_path / "parquet" / "requests.parquet").to_pylist()
    from_csv = read_text_table(tmp_path / "csv" / "requests.csv.gz").to_pylist()
    from_jsonl = read_jsonl(tmp_path / "jsonl" / "requests.jsonl.gz")
    assert len(reference) == len(from_csv) == len(from_jsonl) == 16_000
    for expected, csv_row, json_row in zip(reference[::97], from_csv[::97], from_jsonl[::97], strict=True):
        assert json_row == expected
        assert csv_row == {k: str(v) for k, v in expected.items()}
    accounts_csv = read_text_table(tmp_path / "parquet" / "accounts.csv").to_pylist()
    assert read_jsonl(tmp_path / "jsonl" / "accounts.jsonl") == accounts_csv
    intel = read_jsonl(tmp_path / "jsonl" / "ip_intel.jsonl")
    assert all(isinstance(row["is_tor"], bool) and isinstance(row["asn"], int) for row in intel)


@pytest.mark.parametrize("scenario", ["classic", "full"])
def test_template_mode_writes_ids_instead_of_text(tmp_path: Path, scenario: str) -> None:
    generate_dataset(tmp_path / "text", accounts=1_000, seed=4, scenario=scenario)
    generate_dataset(tmp_path / "tpl", accounts=1_000, seed=4, prompts="template", scenario=scenario)
    text = pq.read_table(tmp_path / "text" / "requests.parquet")
    tpl = pq.read_table(tmp_path / "tpl" / "requests.parquet")
    assert "prompt" not in tpl.column_names and "prompt_template" in tpl.column_names
    ids = tpl.column("prompt_template").to_pylist()
    assert all(re.fullmatch(r"tpl_[0-9a-f]{8}", i) for i in ids)
    if scenario == "classic":
        assert 10 < len(set(ids)) < 100
    else:
        # Own wording (one template per job) and varied curricula (near one per prompt) add many.
        assert 100 < len(set(ids)) < len(ids)
    # Everything except the prompt column is identical between the two modes.
    assert tpl.drop(["prompt_template"]).equals(text.drop(["prompt"]))


def test_progress_is_reported(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    generate_dataset(tmp_path, accounts=1_000, seed=2, progress=lambda t, d, n: calls.append((t, d, n)))
    assert {c[0] for c in calls} == {"accounts", "payment_methods", "ip_intel", "labels", "requests"}
    requests = [c for c in calls if c[0] == "requests"]
    assert requests[-1] == ("requests", 16_000, 16_000)
    assert [d for _, d, _ in requests] == sorted(d for _, d, _ in requests)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"accounts": 10}, "at least"), ({"fmt": "xml"}, "unknown format"), ({"prompts": "none"}, "prompts")],
)
def test_invalid_arguments_are_rejected(tmp_path: Path, kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"accounts": 1_000, "seed": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        generate_dataset(tmp_path, **arguments)  # type: ignore[arg-type]


def test_jsonl_encoding_round_trips_awkward_text() -> None:
    values = ["plain", 'quote " and \\ backslash', "new\nline\tand\r", "unicode: café ✓", None]
    table = pa.table(
        {
            "s": pa.array(values),
            "n": pa.array([1, None, -3, 4, 5]),
            "b": pa.array([True, False, None, True, False]),
        }
    )
    lines = encode_jsonl(table).decode("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == table.to_pylist()
    assert list(json.loads(lines[0])) == ["s", "n", "b"]
