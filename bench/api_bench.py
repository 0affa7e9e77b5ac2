"""API benchmark: `check`, `clusters` and `cluster` latency (p50/p99) on a warm server, and requests/s
under a small concurrent load. Loopback only; every loop is bounded.

    # a synthetic bench graph of N accounts (DELETES the target database's data first)
    NEO4J_URI=bolt://127.0.0.1:17710 NEO4J_PASSWORD=... python bench/api_bench.py --build --accounts 100000
    # measure against whatever graph the server holds: the bench graph, or one `linkage load` built and
    # `linkage detect` clustered (ids are sampled from the graph: accounts, cards, IPs, open clusters)
    NEO4J_URI=... python bench/api_bench.py --requests 300 --concurrency 8

The bench graph follows the fixture's shapes (tests/api/graph_fixture.py) at scale: 2% of accounts in
40 campaign clusters sharing a few cards and proxy exits; carriers' CGNAT IPs shared by ~300 accounts;
a residential IP and a card per ordinary account; 400 small review/benign clusters.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import statistics
import threading
import time
from dataclasses import dataclass
from typing import Any, LiteralString

import httpx
import uvicorn

from app.api.main import create_app
from graph.db import connect
from graph.maintenance import apply_schema, delete_all_data
from graph.queries import inline_query
from graph.settings import Settings

BOOTSTRAP = "bench-bootstrap-key-loopback-only"
BATCH = 10_000


def build_graph(settings: Settings, accounts: int) -> None:
    """Write the synthetic bench graph (after deleting all data)."""
    rng = random.Random(7)
    campaign_total = int(accounts * 0.02)
    per_campaign = max(campaign_total // 40, 2)
    with connect(settings) as db:
        apply_schema(db)
        delete_all_data(db)
        rows = []
        for i in range(accounts):
            campaign = i // per_campaign if i < campaign_total else None
            if campaign is not None:
                card, ip = f"pm-camp-{campaign}-{i % 5}", f"185.{220 + campaign % 30}.{campaign}.{i % 20}"
                domain = f"temp{campaign}.example"
            else:
                card = f"pm-{i}"
                ip = (f"37.120.0.{i % 20}" if i % 10 == 0
                      else f"81.{(i // 65536) % 200}.{(i // 256) % 256}.{i % 256}")
                domain = f"mail{i % 50}.example"
            base = 2_900_000 + rng.randrange(4000)
            rows.append({"id": f"acct-{i:06d}", "card": card, "ip": ip, "domain": domain,
                         "client": f"cf-camp-{campaign}" if campaign is not None else f"cf-{i % 500}",
                         "buckets": [base + k for k in range(8)],
                         "counts": [rng.randrange(1, 40) for _ in range(8)]})
        for start in range(0, len(rows), BATCH):
            db.run(inline_query("""
                UNWIND $rows AS row
                CREATE (a:Account {account_id: row.id, email_hash: row.id, status: 'active', requests: 100,
                                   activity_buckets: row.buckets, activity_counts: row.counts})
                MERGE (pm:PaymentMethod {fingerprint: row.card}) ON CREATE SET pm.kind = 'card'
                MERGE (ip:IP {address: row.ip}) ON CREATE SET ip.kind = 'residential'
                MERGE (d:EmailDomain {domain: row.domain})
                MERGE (cf:ClientFingerprint {fingerprint: row.client})
                CREATE (a)-[:PAID_WITH]->(pm), (a)-[:SIGNED_UP_FROM]->(ip),
                       (a)-[:USED_IP {requests: 100}]->(ip), (a)-[:HAS_EMAIL_DOMAIN]->(d),
                       (a)-[:USED_CLIENT {requests: 100}]->(cf)
                """, mode="write", name="bench accounts"), {"rows": rows[start:start + BATCH]})
        clusters = [{"id": f"cl-camp-{c:02d}", "verdict": "suspicious",
                     "score": round(0.8 + rng.random() / 5, 3),
                     "members": [f"acct-{i:06d}" for i in range(c * per_campaign, (c + 1) * per_campaign)]}
                    for c in range(40)]
        for c in range(400):
            first = campaign_total + rng.randrange(accounts - campaign_total - 5)
            clusters.append({"id": f"cl-small-{c:03d}", "verdict": rng.choice(["review", "benign"]),
                             "score": round(rng.random() * 0.6, 3),
                             "members": [f"acct-{i:06d}" for i in range(first, first + 5)]})
        db.run(inline_query("""
            UNWIND $clusters AS row
            CREATE (c:Cluster {cluster_id: row.id, size: size(row.members), score: row.score,
                               verdict: row.verdict,
                               evidence: '[]', signals: [], capabilities: [], proxy_networks: [],
                               case_status: 'OPEN', detected_at: datetime()})
            WITH c, row UNWIND row.members AS member
            MATCH (a:Account {account_id: member})
            CREATE (a)-[:MEMBER_OF {weight: 1.0}]->(c)
            """, mode="write", name="bench clusters"), {"clusters": clusters})


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(client: httpx.AsyncClient, bodies: list[dict[str, Any]], concurrency: int) \
        -> tuple[list[float], float]:
    """Latencies (ms) of every request, and requests/s, with `concurrency` requests in flight."""
    latencies: list[float] = []
    queue = list(bodies)

    async def worker() -> None:
        while queue:
            body = queue.pop()
            started = time.perf_counter()
            response = await client.post("/graphql", json=body)
            latencies.append((time.perf_counter() - started) * 1000)
            payload = response.json()
            assert response.status_code == 200 and "errors" not in payload, payload

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, len(bodies) / (time.perf_counter() - started)


@dataclass
class Ids:
    """Real ids to ask about, read from the graph the server holds (the bench graph or a loader-built one)."""

    accounts: list[str]
    cards: list[str]
    ips: list[str]
    clusters: list[str]  # suspicious and review clusters, the largest first
    total_accounts: int


def sample_ids(settings: Settings, count: int) -> Ids:
    """Random accounts, payment methods and IPs, and the clusters analysts open (suspicious and review,
    largest first); a graph without clusters is refused (run `linkage detect` first)."""
    with connect(settings) as db:
        def column(cypher: LiteralString) -> list[str]:
            return [row["id"] for row in db.run(inline_query(cypher, name="api_bench_sample"), {"n": count})]

        ids = Ids(
            accounts=column("MATCH (a:Account) WITH a, rand() AS r ORDER BY r LIMIT $n RETURN a.account_id AS id"),
            cards=column("MATCH (p:PaymentMethod) WITH p, rand() AS r ORDER BY r LIMIT $n "
                         "RETURN p.fingerprint AS id"),
            ips=column("MATCH (i:IP) WITH i, rand() AS r ORDER BY r LIMIT $n RETURN i.address AS id"),
            clusters=column("MATCH (c:Cluster) WHERE c.verdict IN ['suspicious', 'review'] "
                            "AND NOT coalesce(c.retired, false) "
                            "RETURN c.cluster_id AS id ORDER BY c.size DESC, c.cluster_id LIMIT $n"),
            total_accounts=db.run(inline_query("MATCH (a:Account) RETURN count(a) AS n",
                                               name="api_bench_count"))[0]["n"],
        )
    if not (ids.accounts and ids.cards and ids.ips and ids.clusters):
        raise SystemExit("the graph needs accounts, payment methods, IPs and suspicious or review clusters "
                         "(load, then `linkage detect`)")
    return ids


def operations(ids: Ids, count: int) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(11)
    check = "query($i: CheckInput!) { check(input: $i) { risk verdict reasons { kind sharedBy clusterId } } }"
    page = "{ clusters(first: 20) { edges { node { id score verdict size } } pageInfo { endCursor } } }"
    detail = ("query($id: ID!) { cluster(id: $id) { id size score evidence { signal } "
              "members(first: 20) { totalCount nodes { account { id } } } "
              "infrastructure(top: 5) { paymentMethods { value memberCount } ips { value memberCount } } "
              "timeline(resolution: HOUR) { start requests } notes { id } } }")
    signals = []
    for _ in range(count):
        kind = rng.randrange(3)  # an account in the graph, a signup's card and IP, a signup's IP and email
        signals.append({"accountId": rng.choice(ids.accounts)} if kind == 0 else
                       {"paymentFingerprint": rng.choice(ids.cards), "ip": rng.choice(ids.ips)} if kind == 1 else
                       {"ip": rng.choice(ids.ips), "email": f"new{rng.randrange(10**6)}@mail1.example"})
    # Clusters as analysts open them: mostly the largest, sometimes any of the sample.
    top = ids.clusters[: max(1, len(ids.clusters) // 10)]
    return {
        "check": [{"query": check, "variables": {"i": s}} for s in signals],
        "clusters": [{"query": page} for _ in range(count)],
        "cluster": [{"query": detail, "variables": {"id": rng.choice(top if rng.random() < 0.5 else ids.clusters)}}
                    for _ in range(count)],
    }


async def run_bench(port: int, ids: Ids, count: int, concurrency: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30,
                                 headers={"Authorization": f"Bearer {BOOTSTRAP}"}) as client:
        for name, bodies in operations(ids, count).items():
            await measure(client, bodies[: max(20, count // 10)], 1)  # warm up caches and plans
            serial, _ = await measure(client, bodies, 1)
            _, throughput = await measure(client, bodies, concurrency)
            results[name] = {"p50_ms": round(statistics.median(serial), 2),
                             "p99_ms": round(percentile(serial, 0.99), 2),
                             f"rps_at_{concurrency}": round(throughput, 1)}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="store_true", help="delete all data and write the bench graph")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="requests per operation (bounded)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--port", type=int, default=18931)
    args = parser.parse_args()
    # One key sends every request: its rate limit would measure the limiter, not the API.
    settings = Settings(api_bootstrap_key=BOOTSTRAP, env="test", api_rate_per_s=1e9,  # type: ignore[call-arg]
                        api_rate_burst=10**9)
    if args.build:
        started = time.perf_counter()
        build_graph(settings, args.accounts)
        print(f"built {args.accounts:,} accounts in {time.perf_counter() - started:.0f}s")
    ids = sample_ids(settings, 1_000)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=args.port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.1)
    try:
        results = asyncio.run(run_bench(args.port, ids, min(args.requests, 5000),
                                        min(args.concurrency, 32)))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    print(json.dumps({"accounts": ids.total_accounts, "clusters_sampled": len(ids.clusters),
                      "machine": f"{platform.machine()} {platform.processor()}",
                      "results": results}, indent=2))


if __name__ == "__main__":
    main()
