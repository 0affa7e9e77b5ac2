"""Limits that act before GraphQL runs: request rate per key (and failed keys per client address), and the
size of a request body.

`RateLimiter` is a token bucket per key: `rate` requests per second on average, up to `burst` at once.

    >>> clock = iter([0.0, 0.0, 0.0, 0.5]).__next__
    >>> limiter = RateLimiter(rate=2.0, burst=2, clock=clock)
    >>> limiter.acquire("k"), limiter.acquire("k")
    (0.0, 0.0)
    >>> limiter.acquire("k")          # empty: the next token comes in half a second
    0.5
    >>> limiter.acquire("k")          # half a second later it has come
    0.0

`BodySizeLimit` is ASGI middleware: a body larger than `max_bytes` (declared or streamed) is answered with
HTTP 413 and a GraphQL-shaped error (code PAYLOAD_TOO_LARGE) before the app reads any of it.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import error_body

MAX_TRACKED_KEYS = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets by key, bounded in number (the least recently used are forgotten first: a forgotten
    bucket is full, which only ever errs towards letting a caller through)."""

    def __init__(self, *, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def _bucket(self, key: str) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.burst), updated=now)
            self._buckets[key] = bucket
            if len(self._buckets) > MAX_TRACKED_KEYS:
                self._buckets.popitem(last=False)
        else:
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            self._buckets.move_to_end(key)
        return bucket

    def acquire(self, key: str) -> float:
        """Take one token: 0.0 when the request may go ahead, else the seconds until a token is there."""
        bucket = self._bucket(key)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def wait_s(self, key: str) -> float:
        """Seconds until `key` has a token (0.0 now), without taking one."""
        bucket = self._bucket(key)
        return 0.0 if bucket.tokens >= 1.0 else (1.0 - bucket.tokens) / self.rate


class BodySizeLimit:
    """Refuses request bodies over `max_bytes` with 413; reads at most that much before the app runs."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(error_body(f"the request body is larger than {self.max_bytes} bytes",
                                     "PAYLOAD_TOO_LARGE")).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
