"""A small, realistic graph for API and check tests, written with parameterised Cypher.

* `cl-campaign-1` (suspicious, 0.92): 30 accounts of a distillation campaign: signups through exits of the
  `relaymesh` residential proxy network (185.220.10.0/24), 3 cards each shared by 10 accounts, one scripted
  client fingerprint, a reasoning-trace prompt template, a throwaway email domain, synchronised bursts.
* `cl-acme` (benign, 0.12): 8 employees of Acme Corp: one corporate IP, one invoice account, org `org-acme`.
* `cl-review-1` (review, 0.55): 5 accounts sharing a datacenter IP.
* 24 filler clusters (2 members each) with repeated scores, to exercise pagination ties.
* `acct-alice`: a legitimate individual on a mobile carrier's CGNAT IP shared by 250 accounts (gmail.com).

Until detection lands (graph/detect), clusters are written here exactly as its contract describes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from graph.check import hash_email
from graph.db import Database
from graph.settings import Settings
from tests.cypher import write

CAMPAIGN = "cl-campaign-1"
COMPANY = "cl-acme"
REVIEW = "cl-review-1"
CAMPAIGN_ACCOUNTS = [f"acct-camp-{i:03d}" for i in range(30)]
COMPANY_ACCOUNTS = [f"acct-acme-{i:02d}" for i in range(8)]
REVIEW_ACCOUNTS = [f"acct-rev-{i:02d}" for i in range(5)]
MOBILE_ACCOUNTS = [f"acct-mobile-{i:03d}" for i in range(249)]
ALICE = "acct-alice"
CAMPAIGN_CARDS = ["pm-tok-4f1a9c", "pm-tok-77be02", "pm-tok-c03d5e"]
PROXY_EXITS = [f"185.220.10.{i}" for i in range(1, 11)]
CGNAT_IP = "37.120.4.9"
CORPORATE_IP = "62.176.12.40"
DATACENTER_IP = "104.28.9.77"
CAMPAIGN_CLIENT = "cf-httpx-0.27-linux-x86"
CAMPAIGN_TEMPLATE = "tpl-reasoning-trace-7c1"
CAMPAIGN_EMAIL = "camp0@mailbox-temp.io"
FILLER = [f"cl-filler-{i:02d}" for i in range(24)]
BUCKET0 = int(datetime(2026, 10, 5, tzinfo=UTC).timestamp()) // 600

EVIDENCE = [
    {
        "signal": "shared_payment",
        "score": 0.95,
        "summary": "3 cards each shared by 10 accounts",
        "metrics": {"cards": 3, "accounts_per_card": 10, "card_ids": CAMPAIGN_CARDS},
    },
    {
        "signal": "proxy_network",
        "score": 0.9,
        "summary": "all signups through relaymesh exits",
        "metrics": {"proxy_network": "relaymesh", "share": 1.0},
    },
    {"signal": "timing", "score": 0.8, "summary": "synchronised bursts", "metrics": {"bursts": 4}},
]


def _account(
    account_id: str,
    email: str,
    *,
    country: str = "US",
    tier: str = "build",
    buckets: list[int] | None = None,
    counts: list[int] | None = None,
    key: str,
) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "email_hash": hash_email(email, key),
        "country": country,
        "tier": tier,
        "status": "active",
        "requests": sum(counts or [0]),
        "activity_buckets": buckets or [],
        "activity_counts": counts or [],
        "domain": email.rpartition("@")[2],
    }


def build_fixture_graph(database: Database, settings: Settings) -> None:
    """Write the fixture graph (on an empty database)."""
    write_accounts(database, account_rows(settings.hash_key.get_secret_value()))
    write_campaign(database)
    write_company(database)
    write_shared_ip(database, REVIEW_ACCOUNTS, DATACENTER_IP, "datacenter", name="fixture review")
    write_shared_ip(database, [*MOBILE_ACCOUNTS, ALICE], CGNAT_IP, "mobile", name="fixture carrier")
    write_clusters(database, cluster_rows())


def account_rows(key: str) -> list[dict[str, Any]]:
    """Every account of the fixture: campaign, company, review, mobile carrier, Alice."""
    accounts: list[dict[str, Any]] = []
    for i, account_id in enumerate(CAMPAIGN_ACCOUNTS):
        # Synchronised bursts: everyone active in the same 4 buckets.
        accounts.append(
            _account(
                account_id,
                f"camp{i}@mailbox-temp.io",
                country="SG",
                tier="scale",
                buckets=[BUCKET0 + b for b in (0, 1, 6, 7)],
                counts=[25, 25, 30, 30],
                key=key,
            )
        )
    for i, account_id in enumerate(COMPANY_ACCOUNTS):
        accounts.append(
            _account(
                account_id,
                f"dev{i}@acme.example",
                country="DE",
                tier="enterprise",
                buckets=[BUCKET0 + 3 * i],
                counts=[12],
                key=key,
            )
        )
    for i, account_id in enumerate(REVIEW_ACCOUNTS):
        accounts.append(
            _account(account_id, f"r{i}@proton.example", buckets=[BUCKET0 + 9], counts=[5], key=key)
        )
    for i, account_id in enumerate(MOBILE_ACCOUNTS):
        accounts.append(_account(account_id, f"user{i}@gmail.com", country="IN", tier="free", key=key))
    accounts.append(
        _account(
            ALICE, "alice@gmail.com", country="GB", tier="build", buckets=[BUCKET0 + 2], counts=[7], key=key
        )
    )
    return accounts


def write_accounts(database: Database, accounts: list[dict[str, Any]]) -> None:
    """The accounts with their activity and email domains."""
    write(
        database,
        """
        UNWIND $rows AS row
        CREATE (a:Account {account_id: row.account_id, email_hash: row.email_hash, country: row.country,
                           tier: row.tier, status: row.status, requests: row.requests,
                           activity_buckets: row.activity_buckets, activity_counts: row.activity_counts,
                           created_at: datetime('2026-10-01T00:00:00Z')})
        MERGE (d:EmailDomain {domain: row.domain})
        CREATE (a)-[:HAS_EMAIL_DOMAIN]->(d)
        """,
        {"rows": accounts},
        name="fixture accounts",
    )


def write_campaign(database: Database) -> None:
    """The relaymesh proxy network and the campaign's signups, cards, client, template, keys and models."""
    write(
        database,
        """
        CREATE (px:ProxyNetwork {name: 'relaymesh'})
        CREATE (n:Network {cidr: '185.220.10.0/24', kind: 'residential', asn: 64512, is_vpn: false,
                           is_tor: false, prefix_length: 24})-[:OPERATED_BY]->(px)
        WITH n
        UNWIND $exits AS address
        CREATE (ip:IP {address: address, version: 4, kind: 'residential', proxy_network: 'relaymesh',
                       is_vpn: false, is_tor: false})-[:IN_NETWORK]->(n)
        """,
        {"exits": PROXY_EXITS},
        name="fixture proxy",
    )
    write(
        database,
        """
        UNWIND range(0, size($accounts) - 1) AS i
        MATCH (a:Account {account_id: $accounts[i]})
        MATCH (ip:IP {address: $exits[i % size($exits)]})
        CREATE (a)-[:SIGNED_UP_FROM]->(ip)
        CREATE (a)-[:USED_IP {requests: 110, first_seen: datetime('2026-10-05T00:00:00Z'),
                              last_seen: datetime('2026-10-20T00:00:00Z')}]->(ip)
        MERGE (pm:PaymentMethod {fingerprint: $cards[i % size($cards)]}) ON CREATE SET pm.kind = 'card',
              pm.issuer_country = 'SG'
        CREATE (a)-[:PAID_WITH {added_at: datetime('2026-10-02T00:00:00Z')}]->(pm)
        MERGE (cf:ClientFingerprint {fingerprint: $client})
        CREATE (a)-[:USED_CLIENT {requests: 110}]->(cf)
        MERGE (t:PromptTemplate {template_id: $template})
          ON CREATE SET t.skeleton = 'Think step by step about <TOPIC>. Show all reasoning.', t.requests = 0
        SET t.requests = t.requests + 110
        CREATE (a)-[:SENT_TEMPLATE {requests: 110}]->(t)
        MERGE (c:Capability {name: 'reasoning'})
        CREATE (a)-[:USED_CAPABILITY {requests: 110}]->(c)
        MERGE (t)-[:TARGETS]->(c)
        MERGE (m:Model {name: 'model-c-2026-10'})
        CREATE (a)-[:USED_MODEL {requests: 110}]->(m)
        MERGE (k:ApiKey {key_id: 'key-' + $accounts[i]})
        CREATE (a)-[:USED_KEY {requests: 110}]->(k)
        """,
        {
            "accounts": CAMPAIGN_ACCOUNTS,
            "exits": PROXY_EXITS,
            "cards": CAMPAIGN_CARDS,
            "client": CAMPAIGN_CLIENT,
            "template": CAMPAIGN_TEMPLATE,
        },
        name="fixture campaign",
    )


def write_company(database: Database) -> None:
    """Acme: one organisation, one invoice account, one corporate IP."""
    write(
        database,
        """
        CREATE (o:Org {org_id: 'org-acme'})
        CREATE (pm:PaymentMethod {fingerprint: 'pm-acme-invoice', kind: 'invoice', issuer_country: 'DE'})
        CREATE (ip:IP {address: $corporate, version: 4, kind: 'corporate', is_vpn: false, is_tor: false})
        WITH o, pm, ip
        UNWIND $accounts AS account_id
        MATCH (a:Account {account_id: account_id})
        CREATE (a)-[:BELONGS_TO]->(o), (a)-[:PAID_WITH]->(pm), (a)-[:SIGNED_UP_FROM]->(ip),
               (a)-[:USED_IP {requests: 12}]->(ip)
        MERGE (c:Capability {name: 'coding'})
        CREATE (a)-[:USED_CAPABILITY {requests: 12}]->(c)
        """,
        {"accounts": COMPANY_ACCOUNTS, "corporate": CORPORATE_IP},
        name="fixture company",
    )


def write_shared_ip(database: Database, accounts: list[str], address: str, kind: str, *, name: str) -> None:
    """Accounts that signed up from one IP of `kind`, each with its own card."""
    write(
        database,
        """
        CREATE (ip:IP {address: $address, version: 4, kind: $kind, is_vpn: false, is_tor: false})
        WITH ip
        UNWIND $accounts AS account_id
        MATCH (a:Account {account_id: account_id})
        CREATE (a)-[:SIGNED_UP_FROM]->(ip)
        MERGE (pm:PaymentMethod {fingerprint: 'pm-' + account_id}) ON CREATE SET pm.kind = 'card'
        CREATE (a)-[:PAID_WITH]->(pm)
        """,
        {"accounts": accounts, "address": address, "kind": kind},
        name=name,
    )


def cluster_rows() -> list[dict[str, Any]]:
    """The clusters, as detection would write them: campaign, company, review and 24 fillers."""
    clusters = [
        {
            "cluster_id": CAMPAIGN,
            "size": 30,
            "score": 0.92,
            "verdict": "suspicious",
            "evidence": json.dumps(EVIDENCE),
            "signals": [e["signal"] for e in EVIDENCE],
            "capabilities": ["reasoning"],
            "proxy_networks": ["relaymesh"],
            "members": CAMPAIGN_ACCOUNTS,
        },
        {
            "cluster_id": COMPANY,
            "size": 8,
            "score": 0.12,
            "verdict": "benign",
            "evidence": json.dumps(
                [
                    {
                        "signal": "shared_org",
                        "score": 0.1,
                        "summary": "one organisation",
                        "metrics": {"org": "org-acme"},
                    }
                ]
            ),
            "signals": ["shared_org"],
            "capabilities": ["coding"],
            "proxy_networks": [],
            "members": COMPANY_ACCOUNTS,
        },
        {
            "cluster_id": REVIEW,
            "size": 5,
            "score": 0.55,
            "verdict": "review",
            "evidence": json.dumps(
                [
                    {
                        "signal": "shared_ip",
                        "score": 0.55,
                        "summary": "one datacenter IP",
                        "metrics": {"ip_kind": "datacenter"},
                    }
                ]
            ),
            "signals": ["shared_ip"],
            "capabilities": [],
            "proxy_networks": [],
            "members": REVIEW_ACCOUNTS,
        },
    ]
    for i, cluster_id in enumerate(FILLER):
        clusters.append(
            {
                "cluster_id": cluster_id,
                "size": 2,
                "score": [0.3, 0.4, 0.5][i % 3],
                "verdict": "review",
                "evidence": "[]",
                "signals": [],
                "capabilities": ["chat"],
                "proxy_networks": [],
                "members": [f"acct-mobile-{2 * i:03d}", f"acct-mobile-{2 * i + 1:03d}"],
            }
        )
    return clusters


def write_clusters(database: Database, clusters: list[dict[str, Any]]) -> None:
    """The clusters and their MEMBER_OF links."""
    write(
        database,
        """
        UNWIND $clusters AS row
        CREATE (c:Cluster {cluster_id: row.cluster_id, size: row.size, score: row.score, verdict: row.verdict,
                           evidence: row.evidence, signals: row.signals, capabilities: row.capabilities,
                           proxy_networks: row.proxy_networks, case_status: 'OPEN',
                           first_seen: datetime('2026-10-05T00:00:00Z'),
                           last_seen: datetime('2026-10-20T00:00:00Z'),
                           detected_at: datetime('2026-10-29T00:00:00Z')})
        WITH c, row
        UNWIND row.members AS account_id
        MATCH (a:Account {account_id: account_id})
        CREATE (a)-[:MEMBER_OF {weight: 0.9}]->(c)
        """,
        {"clusters": clusters},
        name="fixture clusters",
    )
