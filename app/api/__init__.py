"""The analysts' GraphQL API (FastAPI + Strawberry over the async Neo4j driver). See docs/api.md.

Layout: `main` (app factory, lifespan, /healthz), `deps` (FastAPI dependencies), `auth` (bearer keys →
caller), `context` and `loaders` (per-request state, DataLoaders), `schema` (root types and the gate),
`types/` (GraphQL types) and `resolvers/` (root resolvers), `errors` (masking). API keys themselves
(`app.credentials`) and the audit trail (`app.audit`) are shared with the CLI, so they live beside both.
"""

from app.api.main import create_app
from app.api.schema import export_sdl

__all__ = ["create_app", "export_sdl"]
