"""The linkage check (graph/check/): scoring (rarity, cluster weights, verdicts), email hashing, JSONL input."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from pydantic import ValidationError

from graph.check import (
    CheckSignals,
    cluster_weight,
    hash_email,
    parse_signals,
    rarity,
    score_check,
)
from graph.errors import InputError

SUSPICIOUS = {"cluster_id": "c1", "verdict": "suspicious", "score": 0.9, "size": 40, "case_status": "OPEN"}
BENIGN = {"cluster_id": "c2", "verdict": "benign", "score": 0.1, "size": 8, "case_status": "OPEN"}


def test_email_hash_matches_the_loader_rule() -> None:
    expected = hmac.new(b"key", b"someone@example.com", hashlib.sha256).hexdigest()
    assert hash_email("  SomeOne@Example.COM ", "key") == expected


def test_rarity_depends_on_kind() -> None:
    assert rarity("PAYMENT_METHOD", 40) > 0.9  # a card on 40 accounts is still rare for a card
    assert rarity("IP", 300) < 0.01  # a CGNAT IP says almost nothing
    assert rarity("IP", 2) > 0.99


def test_cluster_weight_follows_verdict_and_case() -> None:
    assert cluster_weight(SUSPICIOUS) == pytest.approx(0.9)
    assert cluster_weight({**SUSPICIOUS, "verdict": "review"}) == pytest.approx(0.54)
    assert cluster_weight(BENIGN) == 0.0
    assert cluster_weight({**SUSPICIOUS, "case_status": "DISMISSED"}) == 0.0
    assert cluster_weight({**SUSPICIOUS, "score": 0.3, "case_status": "CONFIRMED"}) == 0.95


def test_card_into_suspicious_cluster_blocks_and_cgnat_ip_allows() -> None:
    card = {
        "label": "PaymentMethod",
        "value": "pm1",
        "shared_by": 40,
        "clusters": [{**SUSPICIOUS, "accounts": 38}],
    }
    cgnat = {
        "label": "IP",
        "value": "37.1.1.1",
        "shared_by": 300,
        "clusters": [{**SUSPICIOUS, "accounts": 3}],
    }
    assert score_check([card]).verdict == "block"
    result = score_check([cgnat])
    assert result.verdict == "allow" and result.risk < 0.05
    assert score_check([card, cgnat]).reasons[0].value == "pm1"


def test_company_sharing_explained_by_a_benign_cluster_allows() -> None:
    invoice = {
        "label": "PaymentMethod",
        "value": "inv",
        "shared_by": 7,
        "clusters": [{**BENIGN, "accounts": 7}],
    }
    assert score_check([invoice]).verdict == "allow"
    unexplained = {"label": "PaymentMethod", "value": "inv", "shared_by": 40, "clusters": []}
    assert score_check([unexplained]).verdict == "review"


def test_one_identifier_counts_once() -> None:
    card = {
        "label": "PaymentMethod",
        "value": "pm1",
        "shared_by": 10,
        "clusters": [{**SUSPICIOUS, "accounts": 10}],
    }
    result = score_check([card])
    assert result.risk == max(reason.contribution for reason in result.reasons)


def test_own_membership_counts() -> None:
    result = score_check([], [{**SUSPICIOUS, "weight": 1.0}], account_id="a1")
    assert result.verdict == "block" and result.reasons[0].kind == "MEMBERSHIP"


def test_signals_validation() -> None:
    assert CheckSignals(ip=" 2001:DB8::1 ").ip == "2001:db8::1"
    with pytest.raises(ValidationError):
        CheckSignals()
    with pytest.raises(ValidationError):
        CheckSignals(account_id="a", ip="1.2.3.4")
    with pytest.raises(InputError, match=r"in\.jsonl:3: not valid JSON"):
        parse_signals("{nope", path="in.jsonl", line_number=3)
    with pytest.raises(InputError, match=r"in\.jsonl:4: .*field 'ip'"):
        parse_signals('{"ip": "300.1.1.1"}', path="in.jsonl", line_number=4)
