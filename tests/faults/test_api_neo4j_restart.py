"""Neo4j stopped and restarted under API load, on a throwaway managed instance of its own (own folder, own
free ports), so the session's server is untouched. Eight clients keep asking while the server stops, stays
down past the key cache time and comes back. While it is down every answer is a typed error (HTTP 503,
DATABASE_UNAVAILABLE), never a 500; after the restart every client is answered again within 30 s."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.api.main import create_app
from app.credentials import Role, create_key
from graph.db import connect
from graph.devserver import start_server, stop_server
from graph.maintenance import apply_schema
from graph.settings import Settings
from tests.api import graph_fixture as fx
from tests.api.conftest import AsgiClient, serve_app
from tests.neo4j_harness import local_test_settings

CLIENTS = 8
DOWN_S = 8.0          # longer than the key cache (5 s): cached and uncached keys both meet the outage
RECOVERY_LIMIT_S = 30.0
QUERIES = [
    '{ cluster(id: "cl-campaign-1") { id size verdict } }',
    '{ check(input: {paymentFingerprint: "pm-tok-4f1a9c"}) { verdict } }',
    '{ account(id: "acct-alice") { id ips { address sharedBy } } }',
]
TYPED_WHILE_DOWN = {"DATABASE_UNAVAILABLE", "DATABASE_ERROR", "DEADLINE_EXCEEDED"}


@dataclass
class Answer:
    client: int
    at: float
    status: int
    codes: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.codes


@dataclass
class Load:
    answers: list[Answer] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture()
def throwaway_neo4j(neo4j_settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    if not neo4j_settings.is_local_server:
        pytest.skip("the session uses an external Neo4j; this test needs a managed local instance")
    bolt, http = free_ports(2)
    settings = local_test_settings(
        neo4j_uri=f"bolt://127.0.0.1:{bolt}", neo4j_http_port=http, neo4j_home=tmp_path / "restart-neo4j",
        neo4j_heap="512m", neo4j_pagecache="128m", neo4j_tx_memory="256m", neo4j_tx_max="128m",
        audit_log=tmp_path / "audit.jsonl", api_rate_per_s=1_000_000.0, api_rate_burst=1_000_000)
    try:
        start_server(settings, echo=lambda _: None)
        with connect(settings) as database:
            apply_schema(database)
            fx.build_fixture_graph(database, settings)
        yield settings
    finally:
        stop_server(settings)


def _client_loop(client: AsgiClient, key: str, number: int, load: Load) -> None:
    async def loop() -> None:
        turn = number
        while not load.stop.is_set():
            query = QUERIES[turn % len(QUERIES)]
            turn += 1
            try:
                response = await client.client.post("/graphql", json={"query": query},
                                                     headers={"Authorization": f"Bearer {key}"})
            except Exception as error:  # the app raised: a real server would have answered 500
                load.answers.append(Answer(number, time.monotonic(), 500, (type(error).__name__,)))
            else:
                body = response.json()
                codes = tuple(str(e.get("extensions", {}).get("code")) for e in body.get("errors") or [])
                load.answers.append(Answer(number, time.monotonic(), response.status_code, codes))
            await asyncio.sleep(0.05)

    client.portal.call(loop)


def test_neo4j_restart_under_load(throwaway_neo4j: Settings) -> None:
    settings = throwaway_neo4j
    with connect(settings) as database:
        key = create_key(database, name="restart-load", role=Role.VIEWER).token
    load = Load()
    with serve_app(create_app(settings)) as client:
        threads = [threading.Thread(target=_client_loop, args=(client, key, n, load), daemon=True)
                   for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(3)
            stop_began = time.monotonic()
            stop_server(settings)
            stopped = time.monotonic()
            time.sleep(DOWN_S)
            restart_began = time.monotonic()
            start_server(settings, echo=lambda _: None)
            restarted = time.monotonic()
            deadline = restarted + RECOVERY_LIMIT_S + 5
            while time.monotonic() < deadline:
                recovered = {a.client for a in load.answers if a.at > restarted and a.ok}
                if len(recovered) == CLIENTS:
                    break
                time.sleep(0.2)
            time.sleep(3)  # the tail: everyone answered, every time
        finally:
            load.stop.set()
            for thread in threads:
                thread.join(timeout=30)

    answers = list(load.answers)
    before = [a for a in answers if a.at < stop_began]
    down = [a for a in answers if stopped < a.at < restart_began]
    statuses = Counter(a.status for a in answers)
    codes = Counter(code for a in answers for code in a.codes)
    first_ok = {n: min((a.at for a in answers if a.client == n and a.at > restarted and a.ok), default=None)
                for n in range(CLIENTS)}
    recovery = max((t - restarted for t in first_ok.values() if t is not None), default=float("inf"))
    tail = [a for a in answers if a.at > restarted + recovery]
    print(f"\nNeo4j restart under load ({CLIENTS} clients): {len(answers)} requests, {len(down)} while down; "
          f"statuses {dict(statuses)}; error codes {dict(codes)}; stop took {stopped - stop_began:.1f} s, "
          f"restart {restarted - restart_began:.1f} s; every client answered again {recovery:.1f} s after the "
          f"restart; 500s: {statuses.get(500, 0)}")
    assert before and all(a.ok for a in before), "the load must succeed before the outage"
    assert statuses.get(500, 0) == 0 and all(a.status in (200, 503) for a in answers), statuses
    assert down and all(a.status == 503 and set(a.codes) <= TYPED_WHILE_DOWN and a.codes for a in down), \
        Counter((a.status, a.codes) for a in down)
    assert "DATABASE_UNAVAILABLE" in codes
    assert None not in first_ok.values() and recovery <= RECOVERY_LIMIT_S, first_ok
    assert tail and all(a.ok for a in tail), Counter((a.status, a.codes) for a in tail if not a.ok)
