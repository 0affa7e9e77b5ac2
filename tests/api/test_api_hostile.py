"""Hostile queries: fan-out refused before it runs (cost), linkedAccounts batched, hub degree and pages
capped, a query budget and a deadline per request that stop the Neo4j work, a body size cap, a per-key rate
limit, a transaction memory limit on the server, and key lookups that no busy pool can starve."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import neo4j
import pytest

from app.api.main import create_app
from app.credentials import Role, create_key
from graph.aio import AsyncDatabase, make_async_driver, query_budget
from graph.db import Database
from graph.errors import DatabaseMemoryError, DeadlineExceededError
from graph.queries import inline_query
from graph.settings import Settings
from tests.api import graph_fixture as fx
from tests.api.conftest import AsgiClient, error_codes, serve_app
from tests.cypher import read

T = TypeVar("T")

# The operation from the hardening review: shallow and short, yet 10^8 objects if it ran.
FAN_OUT = """{ clusters(first: 100) { nodes { id members(first: 100) { nodes { account { id
  linkedAccounts(first: 100, includeHubs: true, hubDegree: 5000) { strength account { id
    linkedAccounts(first: 100, includeHubs: true, hubDegree: 5000) { strength account { id } } } } } } } } } }"""
CLUSTER = '{ cluster(id: "cl-campaign-1") { id size verdict } }'


def run_async(client: AsgiClient, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` in the event loop that serves the app (so requests can overlap)."""
    return client.portal.call(work)


def post(client: AsgiClient, key: str, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    return client.post("/graphql", json={"query": query, "variables": variables or {}},
                       headers={"Authorization": f"Bearer {key}"})


def queries_run(client: AsgiClient) -> int:
    return int(client.app.state.database.queries_run)


@pytest.fixture(scope="module")
def hostile_settings(api_settings: Settings) -> Settings:
    """The API's defaults (page cap 100, cost limit, deadline) rather than the small test page cap."""
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    return api_settings.model_copy(update={"api_page_cap": defaults.api_page_cap})


@pytest.fixture(scope="module")
def hostile_client(hostile_settings: Settings, fixture_graph: Database) -> Any:
    with serve_app(create_app(hostile_settings)) as client:
        yield client


def test_fan_out_is_refused_before_it_runs_while_cluster_still_answers(
        hostile_client: AsgiClient, api_keys: dict[str, str]) -> None:
    key = api_keys["viewer"]
    assert post(hostile_client, key, CLUSTER).status_code == 200  # warm: the key cached, the query planned
    before = queries_run(hostile_client)
    response = post(hostile_client, key, FAN_OUT)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None and error_codes(body) == ["COST_LIMIT_EXCEEDED"], body
    assert "objects" in body["errors"][0]["message"]
    assert queries_run(hostile_client) - before == 0, "a refused operation must send no query to Neo4j"

    async def attack_and_measure() -> tuple[list[int], list[float]]:
        client = hostile_client.client
        headers = {"Authorization": f"Bearer {key}"}
        fan_outs = [client.post("/graphql", json={"query": FAN_OUT}, headers=headers) for _ in range(24)]
        attack = asyncio.gather(*fan_outs)
        latencies = []
        for _ in range(5):
            started = time.perf_counter()
            answer = await client.post("/graphql", json={"query": CLUSTER}, headers=headers)
            latencies.append(time.perf_counter() - started)
            assert answer.json()["data"]["cluster"]["id"] == fx.CAMPAIGN
        refused = await attack
        return [r.status_code for r in refused], latencies

    statuses, latencies = run_async(hostile_client, attack_and_measure)
    print(f"\nfan-out: refused with 0 queries; concurrent cluster(id) latencies "
          f"{', '.join(f'{s * 1000:.0f} ms' for s in latencies)}")
    assert set(statuses) == {200}
    assert max(latencies) < 2.0


def test_linked_accounts_of_a_page_cost_one_query(hostile_client: AsgiClient, api_keys: dict[str, str]) -> None:
    query = """{ cluster(id: "cl-campaign-1") { members(first: 30) { nodes { account { id
      linkedAccounts(first: 5, via: [PAYMENT_METHOD]) { strength account { id country } } } } } } }"""
    before = queries_run(hostile_client)
    body = post(hostile_client, api_keys["viewer"], query).json()
    assert "errors" not in body, body
    nodes = body["data"]["cluster"]["members"]["nodes"]
    assert len(nodes) == 30 and all(len(n["account"]["linkedAccounts"]) == 5 for n in nodes)
    # A card is shared by 10 campaign accounts: each member links to 9 others through it.
    assert all(link["strength"] == pytest.approx(0.1) for n in nodes for link in n["account"]["linkedAccounts"])
    used = queries_run(hostile_client) - before
    print(f"\n30 members with their linked accounts: {used} queries")
    assert used <= 6, f"{used} queries: linkedAccounts must be batched for the whole page"


def test_hub_degree_and_pages_are_capped_on_the_server(hostile_client: AsgiClient,
                                                      api_keys: dict[str, str]) -> None:
    key = api_keys["viewer"]
    hub = 'query($d: Int!) { account(id: "acct-alice") { linkedAccounts(includeHubs: true, hubDegree: $d, ' \
          "first: 1000) { account { id } } } }"
    body = post(hostile_client, key, hub, {"d": 5000}).json()
    assert error_codes(body) == ["BAD_USER_INPUT"] and "hubDegree" in body["errors"][0]["message"]
    assert error_codes(post(hostile_client, key, hub, {"d": 0}).json()) == ["BAD_USER_INPUT"]
    # Within the cap, hubs are followed (Alice's carrier IP has 250 accounts) and the page is capped.
    linked = post(hostile_client, key, hub, {"d": 1000}).json()["data"]["account"]["linkedAccounts"]
    assert len(linked) == Settings(_env_file=None).api_page_cap  # type: ignore[call-arg]
    members = post(hostile_client, key, '{ cluster(id: "cl-campaign-1") { members(first: 100000) '
                   "{ nodes { weight } } } }").json()
    assert len(members["data"]["cluster"]["members"]["nodes"]) == len(fx.CAMPAIGN_ACCOUNTS)


def test_a_request_runs_at_most_its_query_budget(hostile_settings: Settings, fixture_graph: Database,
                                                 api_keys: dict[str, str]) -> None:
    checks = " ".join(f'c{i}: check(input: {{paymentFingerprint: "pm-{i}"}}) {{ verdict }}' for i in range(6))
    settings = hostile_settings.model_copy(update={"api_max_queries": 3})
    with serve_app(create_app(settings)) as client:
        before = queries_run(client)
        body = post(client, api_keys["viewer"], "{ " + checks + " }").json()
        assert queries_run(client) - before <= 3
    codes = error_codes(body)
    assert codes and set(codes) == {"COST_LIMIT_EXCEEDED"}, body
    assert "more than 3 database queries" in body["errors"][0]["message"]


def _transactions(database: Database) -> list[str]:
    rows = read(database, "SHOW TRANSACTIONS YIELD currentQuery RETURN currentQuery")
    return [row["currentQuery"] for row in rows if not row["currentQuery"].startswith("SHOW TRANSACTIONS")]


def test_the_deadline_stops_the_request_and_its_neo4j_work(hostile_settings: Settings, fixture_graph: Database,
                                                           api_keys: dict[str, str]) -> None:
    """A write that waits for a lock held elsewhere: the request answers DEADLINE_EXCEEDED at its deadline,
    and Neo4j no longer runs its transaction afterwards."""
    settings = hostile_settings.model_copy(update={"api_deadline_s": 1.0})
    driver = neo4j.GraphDatabase.driver(settings.neo4j_uri, auth=(settings.neo4j_user,
                                                                  settings.neo4j_password.get_secret_value()))
    note = 'mutation { addNote(clusterId: "cl-acme", text: "waits for the lock") { note { id } } }'
    try:
        with driver.session() as session, session.begin_transaction() as locker:
            locker.run("MATCH (c:Cluster {cluster_id: 'cl-acme'}) SET c.locked_by_test = true")
            with serve_app(create_app(settings)) as client:

                async def timed() -> tuple[httpx.Response, float]:
                    started = time.perf_counter()
                    response = await asyncio.wait_for(client.client.post(
                        "/graphql", json={"query": note},
                        headers={"Authorization": f"Bearer {api_keys['analyst']}"}), timeout=20)
                    return response, time.perf_counter() - started

                response, seconds = run_async(client, timed)
                left = _transactions(fixture_graph)
                for _ in range(20):  # the server notices a closed connection within moments
                    if not any("CaseNote" in query for query in left):
                        break
                    time.sleep(0.1)
                    left = _transactions(fixture_graph)
            locker.rollback()
    finally:
        driver.close()
    print(f"\ndeadline 1 s: answered after {seconds:.2f} s")
    assert error_codes(response.json()) == ["DEADLINE_EXCEEDED"], response.text
    assert seconds < 3.0
    assert not any("CaseNote" in query for query in left), left


def test_a_query_budget_bounds_each_timeout_and_cancelling_ends_the_transaction(
        neo4j_settings: Settings, fixture_graph: Database) -> None:
    sleep = inline_query("CALL apoc.util.sleep(20000) RETURN 1 AS done", name="sleep")

    async def main() -> tuple[float, float]:
        database = AsyncDatabase(make_async_driver(neo4j_settings), neo4j_settings)
        try:
            started = time.perf_counter()
            with query_budget(seconds=1.0, max_queries=5), pytest.raises(DeadlineExceededError):
                await database.run(sleep)
            by_timeout = time.perf_counter() - started
            started = time.perf_counter()
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(1.0):
                    await database.run(sleep)
            by_cancel = time.perf_counter() - started
            return by_timeout, by_cancel
        finally:
            await database.close()

    by_timeout, by_cancel = asyncio.run(main())
    assert by_timeout < 3.0 and by_cancel < 3.0
    deadline = time.monotonic() + 3
    while any("apoc.util.sleep" in query for query in _transactions(fixture_graph)):
        assert time.monotonic() < deadline, "Neo4j still runs a cancelled query"
        time.sleep(0.1)


def test_request_body_size_is_capped(hostile_client: AsgiClient, hostile_settings: Settings,
                                     api_keys: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {api_keys['viewer']}", "content-type": "application/json"}
    padding = " " * (hostile_settings.api_max_body_bytes + 1)
    declared = hostile_client.post("/graphql", content=('{"query": "{ __typename }"' + padding + "}").encode(),
                                   headers=headers)
    assert declared.status_code == 413
    assert error_codes(declared.json()) == ["PAYLOAD_TOO_LARGE"] and declared.json()["data"] is None

    def chunks() -> Any:
        yield b'{"query": "{ __typename }"'
        for _ in range(hostile_settings.api_max_body_bytes // 1024 + 2):
            yield b" " * 1024
        yield b"}"

    async def streamed() -> httpx.Response:
        async def body() -> Any:
            for chunk in chunks():
                yield chunk
        return await hostile_client.client.post("/graphql", content=body(), headers=headers)

    chunked = run_async(hostile_client, streamed)
    assert chunked.status_code == 413 and error_codes(chunked.json()) == ["PAYLOAD_TOO_LARGE"]
    small = post(hostile_client, api_keys["viewer"], "{ __typename }")
    assert small.status_code == 200 and small.json()["data"] == {"__typename": "Query"}


def test_each_key_has_a_rate_limit(hostile_settings: Settings, fixture_graph: Database,
                                   api_keys: dict[str, str]) -> None:
    settings = hostile_settings.model_copy(update={"api_rate_per_s": 0.5, "api_rate_burst": 3})
    with serve_app(create_app(settings)) as client:
        answers = [post(client, api_keys["viewer"], "{ __typename }") for _ in range(4)]
        other = post(client, api_keys["analyst"], "{ __typename }")
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    limited = answers[-1]
    assert error_codes(limited.json()) == ["RATE_LIMITED"] and limited.json()["data"] is None
    assert int(limited.headers["retry-after"]) >= 1
    assert other.status_code == 200, "the limit is per key"


def test_a_runaway_transaction_hits_the_server_memory_limit(neo4j_settings: Settings,
                                                            fixture_graph: Database) -> None:
    configured = read(fixture_graph, "SHOW SETTINGS YIELD name, value WHERE name = 'db.memory.transaction.max' "
                                     "RETURN value")
    assert configured and configured[0]["value"] not in ("0B", "0"), configured
    hungry = inline_query("UNWIND range(1, 60000000) AS x WITH collect(x) AS xs RETURN size(xs) AS n",
                          name="hungry")

    async def main() -> float:
        database = AsyncDatabase(make_async_driver(neo4j_settings), neo4j_settings)
        started = time.perf_counter()
        try:
            with pytest.raises(DatabaseMemoryError):
                await database.run(hungry, timeout=60)
        finally:
            await database.close()
        return time.perf_counter() - started

    seconds = asyncio.run(main())
    print(f"\nmemory limit {configured[0]['value']}: refused after {seconds:.1f} s")
    assert seconds < 20, "a transaction over its memory limit must fail once, not be retried"


def test_key_lookups_have_their_own_connections(hostile_settings: Settings, fixture_graph: Database) -> None:
    """Every connection of the query pool is held; a key never seen before still authenticates at once."""
    with serve_app(create_app(hostile_settings)) as client:
        driver: neo4j.AsyncDriver = client.app.state.database.driver
        fresh = create_key(fixture_graph, name="fresh-during-starvation", role=Role.VIEWER).token

        async def starve_then_authenticate() -> tuple[int, float]:
            held = []
            try:
                for _ in range(getattr(hostile_settings, "api_pool_size", 32)):
                    session = driver.session()
                    held.append((session, await session.begin_transaction()))
                started = time.perf_counter()
                response = await asyncio.wait_for(client.client.post(
                    "/graphql", json={"query": "{ __typename }"},
                    headers={"Authorization": f"Bearer {fresh}"}), timeout=30)
                return response.status_code, time.perf_counter() - started
            finally:
                for session, transaction in held:
                    await transaction.rollback()
                    await session.close()

        status, seconds = run_async(client, starve_then_authenticate)
    print(f"\nquery pool exhausted: a new key authenticated in {seconds * 1000:.0f} ms")
    assert status == 200 and seconds < 2.0
