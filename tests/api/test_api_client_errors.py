"""Client errors stay client errors: a variable of the wrong type is BAD_USER_INPUT (not INTERNAL), a
malformed request is a GraphQL-shaped 400, no path answers with unmasked text or a traceback, and the
unused WebSocket route is off."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from starlette.routing import WebSocketRoute

from tests.api.conftest import AsgiClient, error_codes

CLUSTERS = "query($f: Int) { clusters(first: $f) { nodes { id } } }"
BAD_VARIABLES = [
    ("query($id: ID!) { cluster(id: $id) { id } }", {"id": {"nested": 1}}),
    ("query($id: ID!) { cluster(id: $id) { id } }", {"id": [1, 2]}),
    ("query($id: ID!) { cluster(id: $id) { id } }", {}),
    (CLUSTERS, {"f": "twenty"}),
    (CLUSTERS, {"f": 2**40}),
    (CLUSTERS, {"f": 1.5}),
    ("query($s: Float) { clusters(filter: {minScore: $s}) { nodes { id } } }", {"s": "NaN"}),
    ("query($d: DateTime) { clusters(filter: {seenAfter: $d}) { nodes { id } } }", {"d": "yesterday"}),
    ("query($v: Verdict) { clusters(filter: {verdict: $v}) { nodes { id } } }", {"v": "EVIL"}),
    ("query($i: CheckInput!) { check(input: $i) { risk } }", {"i": "not an object"}),
    ("query($i: CheckInput!) { check(input: $i) { risk } }", {"i": {"unknownField": 1}}),
    ("query($k: [IdentifierKind!]) { account(id: \"acct-alice\") { linkedAccounts(via: $k) { strength } } }",
     {"k": ["IP", None]}),
]
LEAKS = ("Traceback", 'File "', "graphql/", "strawberry", "neo4j", "MATCH (", "GraphQL request:")


def assert_masked(response: httpx.Response) -> None:
    text = response.text
    for leak in LEAKS:
        assert leak not in text, (leak, text)


def post(client: AsgiClient, key: str, body: Any = None, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}", **kwargs.pop("headers", {})}
    if body is not None:
        kwargs["json"] = body
    return client.post("/graphql", headers=headers, **kwargs)


@pytest.mark.parametrize(("query", "variables"), BAD_VARIABLES)
def test_a_bad_variable_is_bad_user_input(client: AsgiClient, api_keys: dict[str, str], query: str,
                                          variables: dict[str, Any]) -> None:
    response = post(client, api_keys["viewer"], {"query": query, "variables": variables})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None and error_codes(body) == ["BAD_USER_INPUT"], body
    message = body["errors"][0]["message"]
    assert "Variable '$" in message and "\n" not in message and len(message) <= 300
    assert_masked(response)


@pytest.mark.parametrize(("content", "content_type"), [
    (b"{not json", "application/json"),
    (b"hello", "text/plain"),
    (b'{"query": "{ __typename }", "variables": [1]}', "application/json"),
    (b'{"query": "{ __typename }", "variables": "x"}', "application/json"),
    (b'{"query": 5}', "application/json"),
    (b"{}", "application/json"),
    (b"[1, 2]", "application/json"),
    (b'{"query": "query A { __typename }", "operationName": "B"}', "application/json"),
    (b'{"query": "subscription { x }"}', "application/json"),
])
def test_malformed_requests_are_graphql_shaped_400s(client: AsgiClient, api_keys: dict[str, str],
                                                    content: bytes, content_type: str) -> None:
    response = post(client, api_keys["viewer"], content=content, headers={"content-type": content_type})
    assert response.status_code in (200, 400), response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["data"] is None and len(body["errors"]) == 1, body
    assert error_codes(body)[0] in ("BAD_REQUEST", "BAD_USER_INPUT")
    assert_masked(response)


def test_other_paths_and_methods_answer_in_the_same_shape(client: AsgiClient, api_keys: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {api_keys['viewer']}"}
    for method, url, status, code in [
        ("GET", "/graphql?query=%7B__typename%7D", 400, "BAD_REQUEST"),
        ("PUT", "/graphql", 405, "METHOD_NOT_ALLOWED"),
        ("DELETE", "/graphql", 405, "METHOD_NOT_ALLOWED"),
        ("GET", "/nothing-here", 404, "NOT_FOUND"),
        ("POST", "/healthz", 405, "METHOD_NOT_ALLOWED"),
    ]:
        response = client.request(method, url, headers=headers)
        assert response.status_code == status, (method, url, response.text)
        body = response.json()
        assert body["data"] is None and error_codes(body) == [code], body
        assert_masked(response)


def test_errors_in_the_resolvers_stay_typed(client: AsgiClient, api_keys: dict[str, str]) -> None:
    for query, code in [
        ('{ clusters(first: -1) { nodes { id } } }', "BAD_USER_INPUT"),
        ('{ clusters(after: "%%%") { nodes { id } } }', "BAD_USER_INPUT"),
        ('{ cluster(id: "") { id } }', "BAD_USER_INPUT"),
        ('{ infrastructure(kind: IP, value: "999.1.1.1") { value } }', "BAD_USER_INPUT"),
        ('{ cluster(id: "cl-acme") { infrastructure(top: 0) { ips { value } } } }', "BAD_USER_INPUT"),
        ('{ linkage(a: "acct-alice", b: "acct-alice") { paths { links } } }', "BAD_USER_INPUT"),
        ('{ cluster(id: "no-such-cluster") { id } }', "NOT_FOUND"),
    ]:
        response = post(client, api_keys["viewer"], {"query": query})
        assert error_codes(response.json()) == [code], (query, response.text)
        assert_masked(response)


def _websocket_routes(routes: list[Any]) -> list[Any]:
    found = []
    for route in routes:
        if isinstance(route, WebSocketRoute):
            found.append(route)
        nested = getattr(route, "routes", None) or getattr(getattr(route, "original_router", None), "routes", None)
        if nested:
            found.extend(_websocket_routes(list(nested)))
    return found


def test_a_websocket_upgrade_is_refused(client: AsgiClient, api_keys: dict[str, str]) -> None:
    assert _websocket_routes(list(client.app.routes)) == []
    sent: list[dict[str, Any]] = []
    incoming = [{"type": "websocket.connect"},
                {"type": "websocket.receive", "text": json.dumps({"type": "connection_init"})}]

    async def handshake() -> None:
        scope = {"type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws", "path": "/graphql",
                 "raw_path": b"/graphql", "root_path": "", "query_string": b"", "server": ("linkage.test", 80),
                 "client": ("127.0.0.1", 50000), "subprotocols": ["graphql-transport-ws"],
                 "headers": [(b"host", b"linkage.test"), (b"sec-websocket-protocol", b"graphql-transport-ws"),
                             (b"authorization", f"Bearer {api_keys['viewer']}".encode())]}

        async def receive() -> dict[str, Any]:
            return incoming.pop(0) if incoming else {"type": "websocket.disconnect", "code": 1000}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await client.app(scope, receive, send)

    client.portal.call(handshake)
    assert sent and sent[0]["type"] == "websocket.close", sent
    assert not any(message["type"] == "websocket.accept" for message in sent)
