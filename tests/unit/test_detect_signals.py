"""Cluster signals and the score on small hand-made clusters: each principle fires where it should and stays
silent on the legitimate lookalike it is meant to pass."""

from __future__ import annotations

import numpy as np

from graph.detect.activity import ActivityModel, timing_nats
from graph.detect.config import DetectionConfig
from graph.detect.evidence import EvidenceModel
from graph.detect.inputs import DetectionInput, build_incidence
from graph.detect.scoring import score_cluster
from graph.detect.signals import (
    Context,
    Signal,
    declared_org,
    model_pivot,
    quota_pinning,
    relay,
    scripted_registration,
)

CONFIG = DetectionConfig()
DAY = 144  # ten-minute buckets per day


def with_activity(activity: dict[int, list[int]], n: int, counts: dict[int, list[float]] | None = None) \
        -> DetectionInput:
    data = DetectionInput.from_activity(activity, n_accounts=n)
    if counts:
        data.activity_count = np.concatenate([np.asarray(counts.get(i, [1.0] * len(sorted(set(activity.get(i, [])))))
                                                         , dtype=np.float64) for i in range(n)])
    return data


def add(data: DetectionInput, kind: str, rows: list[tuple[int, str]], **attrs: object) -> None:
    index = {account: i for i, account in enumerate(data.account_ids)}
    data.incidences[kind] = build_incidence(kind, [{"account_id": data.account_ids[a], "identifier": ident,
                                                    "requests": 1, **attrs} for a, ident in rows], index)


def context(data: DetectionInput, pivots: np.ndarray | None = None) -> Context:
    return Context.build(data, CONFIG, pivots if pivots is not None else np.full(data.n_accounts, -1))


def test_purpose_alone_is_never_suspicious_however_large() -> None:
    same_task = [Signal("template_playbook", 1.0, "a framework's scaffold"), Signal("capability_focus", 1.0, "x"),
                 Signal("model_pivot", 1.0, "upgraded with the framework")]
    assert score_cluster(2_000, same_task, None, CONFIG).verdict == "benign"
    operated = [Signal("load_balancing", 0.6, "taking turns")]
    assert score_cluster(200, operated + same_task, None, CONFIG).score > score_cluster(200, operated, None,
                                                                                         CONFIG).score


def test_an_organisation_explains_shared_billing_but_not_proxies_or_turn_taking() -> None:
    org = Signal("declared_org", 1.0, "one organisation")
    team = [Signal("shared_payment", 1.0, "one company card"), Signal("signup_burst", 1.0, "seats provisioned")]
    assert score_cluster(80, team, None, CONFIG).verdict == "suspicious"
    assert score_cluster(80, team, org, CONFIG).verdict != "suspicious"
    hidden = [Signal("proxy_network", 1.0, "residential proxies"), Signal("load_balancing", 1.0, "turns")]
    assert score_cluster(80, hidden, org, CONFIG).verdict == "suspicious"


def test_an_organisation_domain_is_a_declared_identity_and_webmail_is_not() -> None:
    n = 200
    data = with_activity({}, n)
    add(data, "email_domain", [(i, "acme-robotics.com") for i in range(20)]
        + [(i, "gmail.com") for i in range(20, n)])
    ctx = context(data)
    team = declared_org(ctx, np.arange(20))
    assert team is not None and team.metrics["domain"] == "acme-robotics.com"
    assert declared_org(ctx, np.arange(20, 60)) is None  # 40 of 180 gmail users is nobody's organisation


def test_a_team_on_its_company_domain_is_that_company_even_with_colleagues_outside() -> None:
    """45 seats of a company whose domain 112 accounts hold, among 20,000 customers: the cluster holds a
    minority of the domain, yet a domain that rare is an organisation's, not a mail provider's. The same
    share of a domain that 1.5 % of all customers use is a provider's and explains nothing."""
    n = 20_000
    data = with_activity({}, n)
    add(data, "email_domain", [(i, "harbor-logistics.io") for i in range(112)]
        + [(i, "regional-mail.example") for i in range(112, 412)] + [(i, "gmail.com") for i in range(412, n)])
    ctx = context(data)
    team = declared_org(ctx, np.arange(45))
    assert team is not None and team.metrics["domain"] == "harbor-logistics.io" and team.metrics["holders"] == 112
    assert declared_org(ctx, np.arange(112, 157)) is None  # 45 of 300 on a domain 1.5 % of customers use


def test_quota_pinning_finds_a_daily_cap_and_not_ordinary_days() -> None:
    rng = np.random.default_rng(4)
    activity, counts = {}, {}
    for account in range(10):  # a farm: fifteen requests in one bucket, every day, every account
        activity[account] = [day * DAY + int(rng.integers(0, DAY)) for day in range(8)]
        counts[account] = [15.0] * 8
    for account in range(10, 20):  # people: heavy-tailed, varying days
        activity[account] = sorted({day * DAY + int(rng.integers(0, DAY)) for day in range(8)})
        counts[account] = list(np.round(rng.lognormal(2.0, 0.8, len(activity[account]))) + 5)
    data = with_activity(activity, 20, counts)
    ctx = context(data)
    pinned = quota_pinning(ctx, np.arange(10))
    assert pinned is not None and pinned.metrics["daily_requests"] == 15 and pinned.score == 1.0
    assert quota_pinning(ctx, np.arange(10, 20)) is None


def test_relay_finds_hand_overs_and_not_overlapping_lives() -> None:
    activity = {}
    start = 0
    for account in range(12):  # each account burns its quota over a day; the next starts 10 minutes later
        activity[account] = list(range(start, start + DAY))
        start += DAY + 1
    rng = np.random.default_rng(5)
    for account in range(12, 24):  # independent accounts with lives of their own
        begin = int(rng.integers(0, 12 * DAY))
        activity[account] = sorted(set(rng.integers(begin, begin + 5 * DAY, 40).tolist()))
    ctx = context(with_activity(activity, 24))
    lanes = relay(ctx, np.arange(12))
    assert lanes is not None and lanes.metrics["handovers"] == 11
    assert relay(ctx, np.arange(12, 24)) is None


def test_scripted_registration_is_a_server_and_a_class_signing_up_is_not() -> None:
    n = 40
    data = with_activity({}, n)
    data.created_at[:] = 1_000_000.0 + np.arange(n) * 60.0  # everyone within forty minutes
    data.incidences["signup_ip"] = build_incidence(
        "signup_ip",
        [{"account_id": data.account_ids[i], "identifier": "203.0.113.7", "requests": 0, "kind": "datacenter",
          "anonymous": False, "proxy_network": None} for i in range(20)]
        + [{"account_id": data.account_ids[i], "identifier": "198.51.100.9", "requests": 0, "kind": "education",
            "anonymous": False, "proxy_network": None} for i in range(20, n)],
        {a: i for i, a in enumerate(data.account_ids)})
    ctx = context(data)
    script = scripted_registration(ctx, np.arange(20))
    assert script is not None and script.score == 1.0
    assert scripted_registration(ctx, np.arange(20, n)) is None


def test_accounts_made_for_a_release_are_coordination_old_adopters_only_purpose() -> None:
    n = 20
    data = with_activity({}, n)
    add(data, "model", [(i, "model-new") for i in range(n)])
    pivots = np.r_[np.full(10, 1), np.full(10, 0)]  # cohort id = model * 2 + young: first ten were young
    ctx = context(data, pivots)
    names = {signal.name for signal in model_pivot(ctx, np.arange(10))}
    assert names == {"model_pivot", "release_cohort"}
    assert {signal.name for signal in model_pivot(ctx, np.arange(10, 20))} == {"model_pivot"}


def test_one_shared_event_is_one_coincidence_and_repeated_ones_add_up() -> None:
    rng = np.random.default_rng(6)
    activity = {i: sorted(set(rng.integers(0, 20 * DAY, 60).tolist())) for i in range(2, 200)}
    workshop = [3 * DAY + 60 + k for k in range(12)]  # two people in the same two-hour class
    activity[0] = [*workshop, 5 * DAY + 10, 9 * DAY + 90, 14 * DAY + 3]
    activity[1] = [*workshop, 6 * DAY + 40, 11 * DAY + 20, 17 * DAY + 70]
    operator = sorted({day * DAY + int(rng.integers(0, DAY)) for day in range(12)})
    activity[200], activity[201] = operator, operator  # the same ten minutes, at a new time every day
    model = ActivityModel.build(DetectionInput.from_activity(activity, n_accounts=202))
    class_mates, operated = timing_nats(model, np.asarray([[0, 1], [200, 201]]), CONFIG)
    assert class_mates <= np.log(DAY) + 1e-9
    assert operated >= 30


def test_registering_together_from_one_address_is_evidence_and_weeks_apart_is_not() -> None:
    n = 400
    data = with_activity({}, n)
    data.created_at[:] = np.arange(n) * 86_400.0  # one account a day
    data.created_at[1] = data.created_at[0] + 300.0  # account 1 registered five minutes after account 0
    data.incidences["signup_ip"] = build_incidence(
        "signup_ip", [{"account_id": data.account_ids[i], "identifier": "192.0.2.1" if i < 3 else f"own-{i}",
                       "requests": 0} for i in range(n)], {a: i for i, a in enumerate(data.account_ids)})
    model = EvidenceModel.build(data, CONFIG)
    together, apart = model.evaluate(np.asarray([[0, 1], [0, 2]]))["registration"]
    assert together > 8
    assert apart == 0


def test_one_api_key_under_many_accounts_is_one_credential() -> None:
    from graph.detect.links import judge_pools
    from graph.detect.signals import shared_credential

    n = 60
    data = with_activity({}, n)
    data.created_at[:] = np.arange(n) * 86_400.0 * 5  # strangers otherwise: months apart, nothing shared
    add(data, "api_key", [(i, "key_resold") for i in range(30)] + [(i, f"key_own_{i}") for i in range(30, n)])
    glue = judge_pools(EvidenceModel.build(data, CONFIG))
    assert {int(a) for edge in glue.edges for a in edge} == set(range(30))
    signal = shared_credential(context(data), np.arange(30))
    assert signal is not None and signal.score == 1.0
