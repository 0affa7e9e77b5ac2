"""Detection's building blocks on small hand-made inputs: glue and pools, hubs, support, timing against
schedules, templates against popularity, LSH, ids, scoring."""

from __future__ import annotations

import numpy as np

from graph.detect.activity import ActivityModel, timing_nats
from graph.detect.config import DetectionConfig
from graph.detect.content import template_nats, template_profile
from graph.detect.evidence import EvidenceModel
from graph.detect.identifiers import build_identifier_kinds, identifier_pairs, star_edges
from graph.detect.inputs import DetectionInput, Incidence, build_incidence
from graph.detect.links import build_links, judge_pools, supported_links
from graph.detect.lsh import band_candidate_pairs, minhash_signatures
from graph.detect.persist import assign_ids
from graph.detect.scoring import score_cluster, size_factor
from graph.detect.signals import Signal

CONFIG = DetectionConfig()


def make_input(n: int, activity: dict[int, list[int]] | None = None, **incidences: Incidence) -> DetectionInput:
    activity = activity or {}
    lengths = [len(activity.get(i, [])) for i in range(n)]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    buckets = np.asarray([b for i in range(n) for b in sorted(activity.get(i, []))], dtype=np.int64)
    return DetectionInput(
        account_ids=[f"acct_{i:05d}" for i in range(n)], created_at=np.full(n, np.nan),
        requests=np.full(n, 10.0), org=np.full(n, -1, dtype=np.int32), activity_indptr=indptr,
        activity_bucket=buckets, activity_count=np.ones(buckets.size), incidences=dict(incidences),
    )


def incidence(relationship: str, rows: list[tuple[int, str]], n: int, **attrs: str) -> Incidence:
    index = {f"acct_{i:05d}": i for i in range(n)}
    return build_incidence(relationship, [{"account_id": f"acct_{a:05d}", "identifier": ident, "requests": 1, **attrs}
                                  for a, ident in rows], index)


def test_a_card_shared_by_many_costs_linear_edges() -> None:
    n = 20_000
    cards = incidence("payment", [(i, "pm_pool") for i in range(n)], n, kind="card")
    edges = star_edges(cards, cards.degrees() >= 2)
    assert len(edges) == n - 1  # a star, not n²/2 pairs
    assert set(edges[:, 0].tolist()) == {0}


def test_household_sharing_glues_but_single_use_does_not() -> None:
    n = 4
    payments = incidence("payment", [(0, "pm_a"), (1, "pm_a"), (2, "pm_b"), (3, "pm_c")], n, kind="card")
    glue = judge_pools(EvidenceModel.build(make_input(n, payment=payments), CONFIG))
    assert glue.edges.tolist() == [[0, 1]]


def test_a_pool_glues_when_its_holders_look_like_one_operator_and_a_platform_does_not() -> None:
    rng = np.random.default_rng(3)
    n = 3000
    data = make_input(n, payment=incidence(
        "payment", [(i, "pm_pool") for i in range(40)] + [(i, "pm_appstore") for i in range(40, 2040)]
        + [(i, f"pm_own_{i}") for i in range(2040, n)], n, kind="card"))
    # The pool's 40 accounts were made within one hour; the platform's customers over a year, like everyone.
    data.created_at[:] = rng.uniform(0, 365 * 86400, n)
    data.created_at[:40] = 100 * 86400 + rng.uniform(0, 3600, 40)
    glue = judge_pools(EvidenceModel.build(data, CONFIG))
    glued = {int(a) for edge in glue.edges for a in edge}
    assert glued == set(range(40))
    verdicts = {data.incidence("payment").names[p.ident]: p.glued for p in glue.pools}
    assert verdicts == {"pm_pool": True, "pm_appstore": False}


def test_hub_identifiers_are_not_expanded_into_pairs() -> None:
    n = 500
    ips = incidence("ip", [(i, "100.64.0.1") for i in range(n)] + [(0, "81.2.3.4"), (1, "81.2.3.4")], n,
                    kind="mobile")
    kinds = build_identifier_kinds(make_input(n, ip=ips), CONFIG)["ip"]
    pairs, shared = identifier_pairs(ips, kinds.nats > 0, CONFIG.pair_degree_cap)
    assert pairs.tolist() == [[0, 1]]  # only the rare address
    assert [ips.names[i] for i in shared] == ["81.2.3.4"]
    assert kinds.nats[ips.names.index("100.64.0.1")] == 0  # a hub is worth nothing pairwise


def test_shared_by_design_addresses_weigh_less_than_home_lines() -> None:
    n = 1000
    # Everyone else has an address of their own, so N (accounts with any address) is 1000.
    background = [(i, f"own-{i}") for i in range(2, n)]
    home = incidence("ip", [(0, "shared"), (1, "shared"), *background], n, kind="residential")
    campus = incidence("ip", [(0, "shared"), (1, "shared"), *background], n, kind="education")
    home_nats = build_identifier_kinds(make_input(n, ip=home), CONFIG)["ip"].nats[home.names.index("shared")]
    campus_nats = build_identifier_kinds(make_input(n, ip=campus), CONFIG)["ip"].nats[campus.names.index("shared")]
    assert home_nats > 5 * campus_nats > 0


def test_support_rule_drops_a_lone_coincidence_into_a_group() -> None:
    n = 10
    # Accounts 0-3 form a dense group; account 9 has one chance link into it.
    group = [[0, 1], [1, 2], [0, 2], [2, 3], [1, 3]]
    chance = [[3, 9]]
    links = np.asarray(group + chance)
    keep = supported_links(n, np.zeros((0, 2), dtype=np.int64), links)
    assert keep[: len(group)].all()
    assert not keep[-1]
    # An isolated pair (nothing else linked to either side) is kept: it cannot chain anything.
    assert supported_links(n, np.zeros((0, 2), dtype=np.int64), np.asarray([[5, 6]])).tolist() == [True]


def test_a_glued_group_does_not_follow_one_member_into_a_cluster() -> None:
    n = 12
    company_glue = np.asarray([[6, i] for i in range(7, 12)])  # accounts 6-11 share one invoice
    campaign = [[0, 1], [1, 2], [0, 2]]
    # One company member is linked to two linked campaign accounts (a triangle), still one member.
    links = np.asarray([*campaign, [2, 7], [1, 7]])
    keep = supported_links(n, company_glue, links)
    assert keep[:3].all()
    assert not keep[3:].any()


def test_a_second_account_on_a_members_own_card_joins_the_member() -> None:
    """A glued pair enters through one linked account: the member stays in its campaign and brings the
    account on its card along, instead of both being left out."""
    n = 8
    pair_glue = np.asarray([[2, 7]])  # account 7 pays with member 2's own card and does nothing else
    campaign = [[0, 1], [1, 2], [0, 2], [2, 3], [1, 3]]
    keep = supported_links(n, pair_glue, np.asarray(campaign))
    assert keep.all()


def test_synchrony_far_beyond_chance_is_strong_evidence() -> None:
    rng = np.random.default_rng(1)
    bursts = sorted(rng.choice(4000, 60, replace=False).tolist())
    activity = {0: bursts, 1: bursts}
    for i in range(2, 200):  # a background population active at random
        activity[i] = sorted(rng.choice(4000, 60, replace=False).tolist())
    model = ActivityModel.build(DetectionInput.from_activity(activity))
    synchronised = timing_nats(model, np.asarray([[0, 1]]), CONFIG)[0]
    independent = timing_nats(model, np.asarray([[2, 3], [4, 5], [6, 7]]), CONFIG)
    assert synchronised >= 30
    assert (independent < 3).all()


def test_jobs_on_the_same_clock_schedule_are_not_synchrony_but_shared_irregular_bursts_are() -> None:
    rng = np.random.default_rng(2)
    days = range(20)
    activity: dict[int, list[int]] = {}
    # Accounts 0-5: cron jobs at the top of every hour, every 2 h or every 4 h, with a little jitter.
    for account, period in enumerate((1, 1, 2, 2, 4, 4)):
        activity[account] = [day * 144 + hour * 6 + int(rng.random() < 0.1) for day in days
                             for hour in range(0, 24, period) if rng.random() < 0.95]
    # Accounts 6-7: one operator's two accounts, in the same ten minutes at a different time every day.
    burst_times = [day * 144 + int(rng.integers(0, 144)) for day in days]
    activity[6] = burst_times
    activity[7] = burst_times
    for i in range(8, 300):  # a background population active at random
        activity[i] = sorted(rng.choice(20 * 144, 40, replace=False).tolist())
    model = ActivityModel.build(DetectionInput.from_activity(activity))
    crons = timing_nats(model, np.asarray([[0, 1], [2, 3], [0, 2], [0, 4], [4, 5]]), CONFIG)
    operator = timing_nats(model, np.asarray([[6, 7]]), CONFIG)[0]
    assert crons.max() < 3, crons
    assert operator >= 30


def test_a_shared_playbook_is_strong_evidence_and_popular_templates_are_not() -> None:
    rows: list[tuple[int, str]] = []
    n = 400
    for account in range(n):  # everyone asks a few of the ten popular things
        rows += [(account, f"popular-{t}") for t in np.random.default_rng(account).choice(10, 4, replace=False)]
    rows += [(account, f"playbook-{t}") for account in (0, 1) for t in range(15)]  # two accounts, one script
    rows += [(account, f"own-{account}-{t}") for account in range(2, n) for t in range(15)]
    rows += [(2, "coincidence"), (3, "coincidence")]  # two strangers once asked the same unusual thing
    data = make_input(n, template=incidence("template", rows, n))
    profile = template_profile(data, CONFIG)
    script = template_nats(profile, np.asarray([[0, 1]]), CONFIG)[0]
    ordinary = template_nats(profile, np.asarray([[4, 5], [6, 7], [4, 9]]), CONFIG)
    coincidence = template_nats(profile, np.asarray([[2, 3]]), CONFIG)[0]
    assert script >= 30
    assert (ordinary < 3).all(), ordinary
    # One unusual template in common is worth what its rarity says (one pair in ~80,000), not a playbook.
    assert 3 < coincidence < 15


def test_lsh_finds_identical_sets_and_not_disjoint_ones() -> None:
    indptr = np.asarray([0, 20, 40, 60])
    tokens = np.concatenate([np.arange(20), np.arange(20), np.arange(1000, 1020)])
    signatures = minhash_signatures(indptr, tokens, permutations=32, seed=5)
    pairs = band_candidate_pairs(signatures, np.ones(3, dtype=bool), rows_per_band=4, max_bucket=10)
    assert pairs.tolist() == [[0, 1]]


def test_cluster_ids_are_stable_and_follow_membership() -> None:
    first = assign_ids([["a", "b", "c"], ["x", "y"]], {})
    previous = {"a": first[0], "b": first[0], "c": first[0], "x": first[1], "y": first[1]}
    # Same data: same ids. One member more: the id follows the majority.
    assert assign_ids([["a", "b", "c"], ["x", "y"]], previous) == first
    assert assign_ids([["a", "b", "c", "d"], ["x", "y"]], previous) == first
    # A cluster that shares too little with any old one gets a new id.
    assert assign_ids([["c", "q", "r", "s"]], previous)[0] not in first


def test_household_scale_clusters_stay_benign_and_coordination_at_scale_does_not() -> None:
    weak = [Signal("shared_ips", 0.2, "one home line")]
    assert score_cluster(3, weak, None, CONFIG).verdict == "benign"
    strong = [Signal("shared_payment", 1.0, "pool"), Signal("template_playbook", 0.9, "playbook")]
    assert score_cluster(400, strong, None, CONFIG).verdict == "suspicious"
    assert score_cluster(2, strong, None, CONFIG).score < score_cluster(400, strong, None, CONFIG).score
    org = Signal("declared_org", 1.0, "one organisation")
    assert score_cluster(400, strong, org, CONFIG).verdict != "suspicious"
    assert size_factor(2, CONFIG) < size_factor(20, CONFIG) == 1.0


def test_detection_with_payment_methods_only_still_clusters() -> None:
    n = 5000
    rows = [(i, "pm_pool") for i in range(12)] + [(i, f"pm_own_{i}") for i in range(12, n)]
    data = make_input(n, payment=incidence("payment", rows, n, kind="card"))
    data.created_at[:] = np.arange(n) * 12_000.0  # steadily over two years, except the pool: one afternoon
    data.created_at[:12] = 3.5 * 86400.0 + np.arange(12) * 600.0
    links = build_links(data, CONFIG)
    joined = {int(a) for edge in links.glue for a in edge}
    assert joined == set(range(12))


def test_identifier_numbering_does_not_depend_on_row_order() -> None:
    """The server returns rows in no guaranteed order; the same rows in any order give the same arrays."""
    rows = [{"account_id": f"acct_{a:05d}", "identifier": f"ip-{(a * 7) % 5}", "requests": a,
             "kind": "dc" if (a * 7) % 5 < 2 else "res", "proxy_network": None, "anonymous": (a * 7) % 5 == 4}
            for a in range(12)]
    index = {f"acct_{a:05d}": a for a in range(12)}
    forward = build_incidence("ip", rows, index)
    backward = build_incidence("ip", list(reversed(rows)), index)
    assert forward.names == backward.names == sorted(forward.names)
    for name in ("account", "ident", "requests"):
        assert np.array_equal(getattr(forward, name), getattr(backward, name)), name
    for name, values in forward.ident_attrs.items():
        assert list(values) == list(backward.ident_attrs[name]), name


def test_holder_samples_do_not_move_when_other_accounts_arrive() -> None:
    """A pool's holders are compared with partners drawn in an order hashed from their ids: accounts that
    arrive elsewhere (and shift every index after them) leave the sampled pairs as they were."""
    from graph.detect.identifiers import member_sample_pairs

    def sampled(ids: list[str]) -> set[tuple[str, str]]:
        holders = [i for i in ids if i.startswith("acct_h")]
        index = {account: n for n, account in enumerate(ids)}
        incidence = build_incidence("payment", [{"account_id": h, "identifier": "pool-card", "requests": 1,
                                                 "kind": "card"} for h in holders], index)
        keys = DetectionInput(account_ids=ids, created_at=np.zeros(len(ids)), requests=np.zeros(len(ids)),
                              org=np.full(len(ids), -1, dtype=np.int32),
                              activity_indptr=np.zeros(len(ids) + 1, dtype=np.int64),
                              activity_bucket=np.zeros(0, dtype=np.int64), activity_count=np.zeros(0),
                              incidences={}).account_keys()
        pairs, _ = member_sample_pairs(incidence, np.asarray([0]), salt=7, account_keys=keys)
        return {tuple(sorted((ids[a], ids[b]))) for a, b in pairs.tolist()}

    before = sorted([f"acct_h{i:03d}" for i in range(40)] + [f"acct_x{i:03d}" for i in range(20)])
    after = sorted([*before, "acct_a000", "acct_h0005b", "acct_b999"])  # newcomers, one among the holders
    first, second = sampled(before), sampled(after)
    assert len(first) > 40 * 3  # beyond 12 holders: each with several successors, not all pairs
    unchanged = {pair for pair in first if "acct_h0005b" not in pair}
    assert len(unchanged & second) >= 0.9 * len(first)
