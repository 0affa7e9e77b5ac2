"""The analysts' GraphQL API (FastAPI + Strawberry over the async Neo4j driver). See docs/api.md.

Layout: `main` (app factory, lifespan, /healthz), `deps` (FastAPI dependencies), `auth` and `credentials`
(API keys), `context` and `loaders` (per-request state, DataLoaders), `schema` (root types and the gate),
`types/` (GraphQL types) and `resolvers/` (root resolvers), `errors` and `audit`.
"""

from app.api.main import create_app

__all__ = ["create_app"]
