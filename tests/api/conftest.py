"""API test fixtures: API keys per role on the fixture graph (tests/conftest.py), and an ASGI client.

`AsgiClient` drives `httpx.AsyncClient(transport=ASGITransport(app))` from synchronous tests through an
anyio blocking portal: one event loop per module runs the app's lifespan (one async driver), like uvicorn.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
import pytest
from fastapi import FastAPI

from app.api.main import create_app
from app.credentials import Role, create_key
from graph.db import Database
from graph.settings import Settings


@pytest.fixture(scope="module")
def api_keys(fixture_graph: Database) -> dict[str, str]:
    """One key per role, by role name."""
    return {
        role.value: create_key(fixture_graph, name=f"test-{role.value}", role=role).token for role in Role
    }


@pytest.fixture(scope="module")
def audit_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audit") / "audit.jsonl"


@pytest.fixture(scope="module")
def api_settings(neo4j_settings: Settings, audit_path: Path) -> Settings:
    return neo4j_settings.model_copy(update={"audit_log": audit_path, "api_page_cap": 10})


class AsgiClient:
    """A synchronous facade over an async ASGI client whose app lifespan runs in a portal's event loop."""

    def __init__(self, portal: anyio.from_thread.BlockingPortal, client: httpx.AsyncClient, app: FastAPI) -> None:
        self.portal, self.client, self.app = portal, client, app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(lambda: self.client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


@contextmanager
def serve_app(app: FastAPI) -> Iterator[AsgiClient]:
    """Run `app`'s lifespan and yield a client for it."""
    with anyio.from_thread.start_blocking_portal() as portal:
        lifespan = app.router.lifespan_context(app)
        portal.call(lifespan.__aenter__)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://linkage.test")
        try:
            yield AsgiClient(portal, client, app)
        finally:
            portal.call(client.aclose)
            portal.call(lifespan.__aexit__, None, None, None)


@pytest.fixture(scope="module")
def client(api_settings: Settings, fixture_graph: Database) -> Iterator[AsgiClient]:
    with serve_app(create_app(api_settings)) as api_client:
        yield api_client


class GraphQL:
    """Posts GraphQL operations with a role's key."""

    def __init__(self, client: AsgiClient, keys: dict[str, str]) -> None:
        self.client, self.keys = client, keys

    def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, role: str = "viewer"
    ) -> dict[str, Any]:
        response = self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.keys[role]}"},
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def data(
        self, query: str, variables: dict[str, Any] | None = None, *, role: str = "viewer"
    ) -> dict[str, Any]:
        body = self(query, variables, role=role)
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def gql(client: AsgiClient, api_keys: dict[str, str]) -> GraphQL:
    return GraphQL(client, api_keys)


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in body.get("errors", [])]
