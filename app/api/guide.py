"""The Neo4j Browser guide and style, served as static files for `:play` and `:style`.

    :play http://127.0.0.1:8000/browser-guide
    :style http://127.0.0.1:8000/browser-guide/style.grass

Both come from `deploy/browser/`; the guide's query blocks are filled in from `queries/browse_*.cypher`, so
the guide and the query library never disagree. Browser (another origin) fetches them with `pragma` and
`cache-control` headers, hence the CORS headers and the OPTIONS answers. They hold no data — no ids, no
counts — so they need no API key, like /healthz.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse

from graph.queries import get_query

BROWSER_DIR = Path(__file__).resolve().parents[2] / "deploy" / "browser"
_PLACEHOLDER = re.compile(r"\{\{(query:[a-z_]+|style_url|bucket_minutes)\}\}")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, OPTIONS",
    "Access-Control-Allow-Headers": "pragma, cache-control",
    "Cache-Control": "no-cache",
}

router = APIRouter()


@cache
def _read(name: str) -> str:
    return (BROWSER_DIR / name).read_text(encoding="utf-8")


def render_guide(style_url: str, bucket_minutes: int) -> str:
    """The guide HTML with its placeholders replaced (query text HTML-escaped)."""

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "style_url":
            return html.escape(style_url)
        if key == "bucket_minutes":
            return str(bucket_minutes)
        return html.escape(get_query(key.removeprefix("query:")).text)

    return _PLACEHOLDER.sub(fill, _read("guide.html"))


@router.get("/browser-guide", include_in_schema=False)
async def browser_guide(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    style_url = str(request.url_for("browser_style"))
    return HTMLResponse(render_guide(style_url, settings.activity_bucket_minutes), headers=CORS_HEADERS)


@router.get("/browser-guide/style.grass", include_in_schema=False, name="browser_style")
async def browser_style() -> PlainTextResponse:
    return PlainTextResponse(_read("style.grass"), headers=CORS_HEADERS)


@router.options("/browser-guide", include_in_schema=False)
@router.options("/browser-guide/style.grass", include_in_schema=False)
async def browser_preflight() -> Response:
    return Response(status_code=204, headers=CORS_HEADERS)
