"""The IP address space: ISPs, mobile carriers, clouds, VPN/Tor exits, a residential proxy service.

Addresses are public-looking IPv4 addresses carved out of /16 blocks (never private or reserved ranges).
Each block belongs to a fictional autonomous system; `ip_intel` lists most blocks and the known VPN, Tor and
proxy exits, but deliberately not all of them, because real threat intelligence is incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.synthetic.config import PROXY_EXIT_LABELLED_SHARE, PROXY_SERVICE_NAME
from graph.synthetic.identity import COUNTRIES, COUNTRY_WEIGHTS
from graph.synthetic.randomness import draw_unique_ids

# First octets of public unicast space (avoids 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12,
# 192.168/16, 198.18/15 and multicast) so that every address looks like a real public one.
_FIRST_OCTETS = (
    5,
    24,
    31,
    37,
    46,
    50,
    62,
    68,
    73,
    77,
    81,
    86,
    91,
    98,
    104,
    109,
    122,
    142,
    151,
    176,
    185,
    188,
    195,
    203,
    212,
    217,
)
_ISP_WORDS = (
    "North",
    "Blue",
    "Metro",
    "Atlas",
    "Summit",
    "River",
    "Pioneer",
    "Coastal",
    "Iron",
    "Silver",
    "Star",
    "Vista",
    "Harbor",
    "Sun",
    "Valley",
    "Alpine",
)
_ISP_KINDS = ("Broadband", "Telecom", "Fiber", "Net", "Cable", "Communications")
_CLOUDS = ("Nimbus Cloud", "Stratus Compute", "Cumulo Hosting", "Altocloud Networks")
_HOSTERS = ("Keel Hosting", "Bastion Servers", "Lattice Datacenters")
_NRENS = ("National Research and Education Network", "Academic Backbone Consortium", "Campus Net Alliance")
_CARRIER_COUNTRIES = ("US", "US", "IN", "GB", "DE", "BR", "JP", "ID", "NG", "PH", "MX")
_OCTET_STRINGS = pa.array([str(i) for i in range(256)])
CLOUD_REGION_SIZE = 8
USERS_PER_CGNAT_IP = 300


@dataclass
class IntelRows:
    """Rows of the ip_intel table under construction."""

    network: list[str] = field(default_factory=list)
    asn: list[int] = field(default_factory=list)
    asn_org: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    proxy_network: list[str | None] = field(default_factory=list)
    is_vpn: list[bool] = field(default_factory=list)
    is_tor: list[bool] = field(default_factory=list)

    def add(
        self,
        network: str,
        asn: int,
        org: str,
        kind: str,
        *,
        proxy: str | None = None,
        vpn: bool = False,
        tor: bool = False,
    ) -> None:
        """Append one row."""
        self.network.append(network)
        self.asn.append(asn)
        self.asn_org.append(org)
        self.kind.append(kind)
        self.proxy_network.append(proxy)
        self.is_vpn.append(vpn)
        self.is_tor.append(tor)

    def to_table(self) -> pa.Table:
        """The rows as an Arrow table in the contract's column order."""
        return pa.table(
            {
                "network": pa.array(self.network, pa.string()),
                "asn": pa.array(self.asn, pa.int64()),
                "asn_org": pa.array(self.asn_org, pa.string()),
                "kind": pa.array(self.kind, pa.string()),
                "proxy_network": pa.array(self.proxy_network, pa.string()),
                "is_vpn": pa.array(self.is_vpn, pa.bool_()),
                "is_tor": pa.array(self.is_tor, pa.bool_()),
            }
        )


@dataclass
class Network:
    """Address pools the populations draw from. `pool` concatenates every shared pool; ranges index it."""

    pool: np.ndarray
    ranges: dict[str, tuple[int, int]]
    carrier_ranges: list[tuple[int, int]]
    carrier_countries: np.ndarray
    residential_blocks: list[np.ndarray]
    corporate_blocks: np.ndarray
    education_blocks: np.ndarray
    cloud_blocks: np.ndarray
    intel: pa.Table
    # Kept so that the full scenario can add pools and intel rows without disturbing the classic layout.
    hosting_blocks: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint32))
    block_asn: dict[int, tuple[int, str]] = field(default_factory=dict)
    allocator: _Allocator | None = None
    residential_countries: list[int] = field(default_factory=list)

    def pool_range(self, name: str) -> tuple[int, int]:
        """(start, length) of a named pool inside `pool`."""
        return self.ranges[name]

    def pool_ips(self, name: str) -> np.ndarray:
        """The addresses of a named pool."""
        start, length = self.ranges[name]
        return self.pool[start : start + length]


def format_ip(value: int) -> str:
    """Dotted-quad text of one IPv4 address held as an integer."""
    return ".".join(str((value >> s) & 255) for s in (24, 16, 8, 0))


def format_ips(values: np.ndarray) -> pa.Array:
    """Dotted-quad text of many IPv4 addresses, vectorised."""
    v = np.asarray(values, dtype=np.uint32)
    octets = [pc.take(_OCTET_STRINGS, pa.array(((v >> s) & 255).astype(np.int32))) for s in (24, 16, 8, 0)]
    return pc.binary_join_element_wise(*octets, ".")


def sample_in_blocks(rng: np.random.Generator, blocks: np.ndarray, count: int) -> np.ndarray:
    """`count` host addresses inside randomly chosen /16 `blocks`."""
    base = blocks[rng.integers(0, blocks.size, size=count)]
    return (base + rng.integers(1, 65_535, size=count)).astype(np.uint32)


def sample_distinct_in_blocks(rng: np.random.Generator, blocks: np.ndarray, count: int) -> np.ndarray:
    """Like `sample_in_blocks` but without repeats (an exit or NAT address is one machine)."""
    slots = draw_unique_ids(rng, count, 40) % np.uint64(blocks.size * 65_534)
    # A second pass guards against the rare collision the modulo can create.
    slots = np.unique(slots)
    while slots.size < count:
        extra = rng.integers(0, blocks.size * 65_534, size=count - slots.size, dtype=np.uint64)
        slots = np.unique(np.concatenate([slots, extra]))
    slots = rng.permutation(slots)[:count]
    return (blocks[(slots // np.uint64(65_534)).astype(np.intp)] + (slots % np.uint64(65_534)) + 1).astype(
        np.uint32
    )


class _Allocator:
    """Hands out distinct /16 blocks and AS numbers."""

    def __init__(self, rng: np.random.Generator) -> None:
        first = np.repeat(np.array(_FIRST_OCTETS, dtype=np.uint64), 256)
        second = np.tile(np.arange(256, dtype=np.uint64), len(_FIRST_OCTETS))
        self._blocks = rng.permutation((first << np.uint64(24)) | (second << np.uint64(16))).astype(np.uint32)
        self._asns = rng.permutation(np.arange(1_000, 64_000))
        self._next_block = 0
        self._next_asn = 0

    def blocks(self, count: int) -> np.ndarray:
        out = self._blocks[self._next_block : self._next_block + count]
        self._next_block += count
        return out

    def asn(self) -> int:
        self._next_asn += 1
        return int(self._asns[self._next_asn - 1])


@dataclass(frozen=True)
class NetworkSizes:
    """How many addresses of each kind the populations need."""

    accounts: int
    carrier_users: int
    cloud_developers: int
    proxy_exits: int


def build_network(rng: np.random.Generator, sizes: NetworkSizes) -> Network:
    """Lay out the address space and the matching threat-intelligence rows."""
    alloc = _Allocator(rng)
    intel = IntelRows()
    block_asn: dict[int, tuple[int, str]] = {}

    residential = _build_residential(rng, alloc, intel, block_asn, sizes.accounts)
    carrier_countries, carrier_ips = _build_carriers(rng, alloc, intel, sizes.carrier_users)
    cloud_blocks = _add_blocks(alloc, intel, block_asn, _CLOUDS, 2, "datacenter")
    hosting_blocks = _add_blocks(alloc, intel, block_asn, _HOSTERS, 1, "datacenter")
    corporate_names = tuple(f"{w} Business {k}" for w, k in zip(_ISP_WORDS[:4], _ISP_KINDS[:4], strict=True))
    corporate_blocks = _add_blocks(alloc, intel, block_asn, corporate_names, 2, "corporate")
    education_blocks = _add_blocks(alloc, intel, block_asn, _NRENS, 1, "education")

    vpn_count = max(20, round(sizes.accounts / 4_000))
    tor_count = max(10, round(sizes.accounts / 20_000))
    exits = sample_distinct_in_blocks(rng, hosting_blocks, vpn_count + tor_count)
    vpn, tor = exits[:vpn_count], exits[vpn_count:]
    listed_vpn = rng.random(vpn_count) < 0.9
    for ip, listed in zip(vpn.tolist(), listed_vpn.tolist(), strict=True):
        if listed:
            asn, org = block_asn[ip & 0xFFFF0000]
            intel.add(f"{format_ip(ip)}/32", asn, org, "datacenter", vpn=True)
    for ip in tor.tolist():
        asn, org = block_asn[ip & 0xFFFF0000]
        intel.add(f"{format_ip(ip)}/32", asn, org, "datacenter", tor=True)

    all_residential = np.concatenate(residential)
    proxy = sample_distinct_in_blocks(rng, all_residential, sizes.proxy_exits)
    labelled = rng.random(proxy.size) < PROXY_EXIT_LABELLED_SHARE
    for ip, is_labelled in zip(proxy.tolist(), labelled.tolist(), strict=True):
        if is_labelled:
            asn, org = block_asn[ip & 0xFFFF0000]
            intel.add(f"{format_ip(ip)}/32", asn, org, "residential", proxy=PROXY_SERVICE_NAME)

    cloud_pool = sample_distinct_in_blocks(rng, cloud_blocks, max(16, round(sizes.cloud_developers / 5)))
    pools = {"vpn": vpn, "tor": tor, "proxy": proxy, "cloud": cloud_pool}
    ranges: dict[str, tuple[int, int]] = {}
    parts: list[np.ndarray] = []
    offset = 0
    for name, ips in pools.items():
        ranges[name] = (offset, ips.size)
        parts.append(ips)
        offset += ips.size
    carrier_ranges: list[tuple[int, int]] = []
    for ips in carrier_ips:
        carrier_ranges.append((offset, ips.size))
        parts.append(ips)
        offset += ips.size

    # Sort intel rows by network text so that row order says nothing about how they were made.
    table = intel.to_table()
    table = table.take(pc.sort_indices(table, sort_keys=[("network", "ascending")]))
    return Network(
        pool=np.concatenate(parts).astype(np.uint32),
        ranges=ranges,
        carrier_ranges=carrier_ranges,
        carrier_countries=carrier_countries,
        residential_blocks=residential,
        corporate_blocks=corporate_blocks,
        education_blocks=education_blocks,
        cloud_blocks=cloud_blocks,
        intel=table,
        hosting_blocks=hosting_blocks,
        block_asn=block_asn,
        allocator=alloc,
        residential_countries=list(range(len(residential))),
    )


def _add_blocks(
    alloc: _Allocator,
    intel: IntelRows,
    block_asn: dict[int, tuple[int, str]],
    names: tuple[str, ...],
    per_name: int,
    kind: str,
) -> np.ndarray:
    out: list[np.ndarray] = []
    for name in names:
        asn = alloc.asn()
        blocks = alloc.blocks(per_name)
        for b in blocks.tolist():
            block_asn[b] = (asn, name)
            intel.add(f"{format_ip(b)}/16", asn, name, kind)
        out.append(blocks)
    return np.concatenate(out)


def _build_residential(
    rng: np.random.Generator,
    alloc: _Allocator,
    intel: IntelRows,
    block_asn: dict[int, tuple[int, str]],
    accounts: int,
) -> list[np.ndarray]:
    total = max(2 * len(COUNTRIES), -(-accounts // 4_000))
    per_country = np.maximum(1, np.floor(COUNTRY_WEIGHTS * total)).astype(int)
    out: list[np.ndarray] = []
    for (code, *_), count in zip(COUNTRIES, per_country.tolist(), strict=True):
        blocks = alloc.blocks(count)
        isps = []
        for _ in range(int(rng.integers(2, 4))):
            word = _ISP_WORDS[int(rng.integers(0, len(_ISP_WORDS)))]
            kind = _ISP_KINDS[int(rng.integers(0, len(_ISP_KINDS)))]
            isps.append((alloc.asn(), f"{word} {kind} {code}"))
        for i, b in enumerate(blocks.tolist()):
            asn, org = isps[i % len(isps)]
            block_asn[b] = (asn, org)
            listing = rng.random()
            # Roughly 5% of residential space is missing from intel and 3% is of unknown kind.
            if listing < 0.92:
                intel.add(f"{format_ip(b)}/16", asn, org, "residential")
            elif listing < 0.95:
                intel.add(f"{format_ip(b)}/16", asn, org, "unknown")
        out.append(blocks)
    return out


def _build_carriers(
    rng: np.random.Generator, alloc: _Allocator, intel: IntelRows, carrier_users: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    codes = list(COUNTRIES[i][0] for i in range(len(COUNTRIES)))
    countries = np.array([codes.index(c) for c in _CARRIER_COUNTRIES])
    share = COUNTRY_WEIGHTS[countries] / COUNTRY_WEIGHTS[countries].sum()
    pools: list[np.ndarray] = []
    for i, code in enumerate(_CARRIER_COUNTRIES):
        asn = alloc.asn()
        block = alloc.blocks(1)
        name = f"{_ISP_WORDS[(i * 5) % len(_ISP_WORDS)]} Mobile {code}"
        intel.add(f"{format_ip(int(block[0]))}/16", asn, name, "mobile")
        # Carrier-grade NAT: hundreds of subscribers share each public address.
        n_ips = max(2, -(-round(share[i] * carrier_users) // USERS_PER_CGNAT_IP))
        pools.append(sample_distinct_in_blocks(rng, block, n_ips))
    return countries, pools


# --- the full scenario's additions ------------------------------------------------------------------------
_CI_PROVIDER = "Conveyor CI Hosted Runners"
RELAY_PROXY_SERVICE = "peerlane"
RELAY_EXIT_LABELLED_SHARE = 0.35
# Countries where "static residential" (ISP) proxies are sold: addresses announced by a few ordinary ISPs.
ISP_PROXY_COUNTRIES = ("US", "GB", "DE", "NL", "CA")


@dataclass(frozen=True)
class ExtendedSizes:
    """Pools the lookalikes and shapes of the full scenario need."""

    ci_runners: int
    relay_exits: int


def extend_network(network: Network, rng: np.random.Generator, sizes: ExtendedSizes) -> Network:
    """Add the hosted-CI runner pool and a second residential proxy service (with partial intel) to a
    classic network. The classic pools, ranges and intel rows are kept as they are; new pools are appended
    to `pool` and the intel table is re-sorted."""
    assert network.allocator is not None, "extend_network needs a network made by build_network"
    intel = IntelRows()
    ci_blocks = _add_blocks(network.allocator, intel, network.block_asn, (_CI_PROVIDER,), 2, "datacenter")
    ci = sample_distinct_in_blocks(rng, ci_blocks, sizes.ci_runners)
    taken = np.unique(network.pool)
    residential = np.concatenate(network.residential_blocks)
    exits = sample_distinct_in_blocks(rng, residential, sizes.relay_exits + 64)
    exits = exits[~np.isin(exits, taken)][: sizes.relay_exits]
    labelled = rng.random(exits.size) < RELAY_EXIT_LABELLED_SHARE
    for ip, is_labelled in zip(exits.tolist(), labelled.tolist(), strict=True):
        if is_labelled:
            asn, org = network.block_asn[ip & 0xFFFF0000]
            intel.add(f"{format_ip(ip)}/32", asn, org, "residential", proxy=RELAY_PROXY_SERVICE)
    ranges = dict(network.ranges)
    offset = network.pool.size
    parts = [network.pool]
    for name, ips in (("ci", ci), ("relay", exits)):
        ranges[name] = (offset, ips.size)
        parts.append(ips)
        offset += ips.size
    table = pa.concat_tables([network.intel, intel.to_table()])
    table = table.take(pc.sort_indices(table, sort_keys=[("network", "ascending")]))
    return Network(
        pool=np.concatenate(parts).astype(np.uint32),
        ranges=ranges,
        carrier_ranges=network.carrier_ranges,
        carrier_countries=network.carrier_countries,
        residential_blocks=network.residential_blocks,
        corporate_blocks=network.corporate_blocks,
        education_blocks=network.education_blocks,
        cloud_blocks=network.cloud_blocks,
        intel=table,
        hosting_blocks=network.hosting_blocks,
        block_asn=network.block_asn,
        allocator=network.allocator,
        residential_countries=network.residential_countries,
    )


def isp_proxy_blocks(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """The residential /16 blocks whose ISPs sell static proxies (the first block of each listed country)
    and each block's country index."""
    codes = [c[0] for c in COUNTRIES]
    blocks, countries = [], []
    for code in ISP_PROXY_COUNTRIES:
        c = codes.index(code)
        blocks.append(network.residential_blocks[c][0])
        countries.append(c)
    return np.array(blocks, np.uint32), np.array(countries, np.int64)
