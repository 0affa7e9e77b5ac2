"""Alerts: an optional webhook called after a detection run has switched, for each cluster that became
suspicious or grew by at least `LINKAGE_ALERT_GROWTH_SHARE` (growth counts for clusters judged suspicious or
review, or confirmed by an analyst).

Delivery never blocks or fails the run: it starts only after the switch committed, every failure is logged
and counted, nothing is raised. Each request is a POST of a JSON body without account ids or other personal
data (cluster id, run id, verdict, score, size, their previous values, signal names):

    Content-Type: application/json
    X-Linkage-Event: cluster.became_suspicious | cluster.grew
    X-Linkage-Delivery: <uuid>            the same on every retry of one alert: de-duplicate on it
    X-Linkage-Timestamp: <unix seconds>   when this attempt was signed
    X-Linkage-Signature: sha256=<hex>     HMAC-SHA256(LINKAGE_ALERT_WEBHOOK_SECRET, "<timestamp>.<raw body>")

A receiver recomputes the signature over the raw body bytes, compares it in constant time and refuses
timestamps older than a few minutes (replays); `verify_signature` below is that check:

    >>> body = b'{"event":"cluster.grew"}'
    >>> header = sign("s3cret", 1700000000, body)
    >>> header
    'sha256=d14aa17734b65327b705eccc47a17c62fffacc9c24bd85471adcae000b799d2f'
    >>> verify_signature("s3cret", "1700000000", body, header, now=1700000060)
    True
    >>> verify_signature("s3cret", "1700000000", body + b" ", header, now=1700000060)
    False
    >>> verify_signature("s3cret", "1700000000", body, header, now=1700009999)   # too old
    False

Retries: up to `LINKAGE_ALERT_MAX_ATTEMPTS` attempts, waiting `LINKAGE_ALERT_BACKOFF` × 2^(attempt − 1)
seconds between them, after a connection error, a timeout, HTTP 408, 429 or 5xx; other answers are final
(a receiver that refuses the signature will not change its mind). Every attempt is one JSON line in the
delivery log (`LINKAGE_ALERT_LOG`): time, delivery id, event, run and cluster ids, attempt, HTTP status,
outcome, error class, duration — never the body, the secret or the URL's query string.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from graph.detect.changes import ClusterChange, PreviousCluster
from graph.detect.persist import ClusterResult
from graph.settings import Settings

log = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({408, 429})
SIGNATURE_TOLERANCE_S = 300
DELIVERY_BUDGET_S = 300.0  # all of a run's alerts; what is left is logged as skipped


@dataclass(frozen=True)
class Alert:
    """One alert about one cluster, ready to send."""

    event: str
    delivery_id: str
    run_id: str
    cluster_id: str
    payload: dict[str, Any]

    def body(self) -> bytes:
        return json.dumps(self.payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def select_alerts(run_id: str, clusters: Sequence[ClusterResult], changes: Sequence[ClusterChange],
                  previous: Mapping[str, PreviousCluster], growth_share: float) -> list[Alert]:
    """The alerts a run raises: clusters that became suspicious, and flagged or confirmed clusters that grew
    by at least `growth_share` since the run before (a cluster that keeps its id).

    >>> found = [ClusterResult("cl_a", ["x"] * 30, 0.9, "suspicious", [], ["shared_payment"], [], [], None, None)]
    >>> grew = [ClusterChange("cl_a", "grown", True, 30, previous_size=20, previous_verdict="suspicious")]
    >>> [a.event for a in select_alerts("run_1", found, grew, {}, 0.5)], select_alerts("run_1", found, grew, {}, 0.6)
    (['cluster.grew'], [])
    """
    by_id = {change.cluster_id: change for change in changes if change.found}
    alerts = []
    for cluster in clusters:
        change = by_id.get(cluster.cluster_id)
        if change is None:
            continue
        size = len(cluster.members)
        before = previous.get(cluster.cluster_id)
        growth = (size / change.previous_size - 1.0) if change.previous_size else None
        flagged = cluster.verdict in ("suspicious", "review") or (before is not None and
                                                                  before.case_status == "CONFIRMED")
        if cluster.verdict == "suspicious" and change.previous_verdict != "suspicious":
            event = "cluster.became_suspicious"
        elif flagged and growth is not None and growth >= growth_share:
            event = "cluster.grew"
        else:
            continue
        delivery_id = str(uuid.uuid4())
        payload = {
            "event": event, "delivery_id": delivery_id, "run_id": run_id,
            "cluster": {"id": cluster.cluster_id, "verdict": cluster.verdict, "score": round(cluster.score, 4),
                        "size": size, "change": change.change, "related": change.related,
                        "previous_verdict": change.previous_verdict,
                        "previous_score": change.previous_score, "previous_size": change.previous_size,
                        "growth": None if growth is None else round(growth, 4),
                        "case_status": before.case_status if before else None,
                        "signals": cluster.signals[:10]},
        }
        alerts.append(Alert(event, delivery_id, run_id, cluster.cluster_id, payload))
    return alerts


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Linkage-Signature header value for `body` signed at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str, *, now: float | None = None,
                     tolerance_s: float = SIGNATURE_TOLERANCE_S) -> bool:
    """What a receiver checks: the signature matches the raw body and the timestamp is recent."""
    try:
        signed_at = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - signed_at) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, signed_at, body), signature)


class DeliveryLog:
    """Append-only JSONL of delivery attempts, readable by its owner only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, entry: Mapping[str, Any]) -> None:
        line = json.dumps({"at": datetime.now(UTC).isoformat(timespec="milliseconds"), **entry},
                          separators=(",", ":"), default=str) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
                handle.write(line)


def endpoint_for_log(url: str) -> str:
    """The URL without query string, fragment or credentials (what the log may show).

    >>> endpoint_for_log("https://user:pw@hooks.example.org:8443/in/x?token=abc#f")
    'https://hooks.example.org:8443/in/x'
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}{parts.path}"


def deliver_alerts(settings: Settings, alerts: Sequence[Alert], *, client: httpx.Client | None = None,
                   sleep: Callable[[float], None] = time.sleep,
                   budget_s: float = DELIVERY_BUDGET_S) -> dict[str, int]:
    """Send each alert (with retries) and log every attempt; never raises. Counts by final outcome."""
    counts = {"delivered": 0, "failed": 0, "skipped": 0}
    if not alerts or not settings.alert_webhook_url or settings.alert_webhook_secret is None:
        return counts
    own_client = client is None
    http = client or httpx.Client(timeout=settings.alert_timeout_s, follow_redirects=False)
    deadline = time.monotonic() + budget_s
    try:
        url, secret = settings.alert_webhook_url, settings.alert_webhook_secret.get_secret_value()
        delivery_log = DeliveryLog(settings.alert_log)
        for alert in alerts:
            if time.monotonic() >= deadline:
                counts["skipped"] += 1
                _log_attempt(delivery_log, alert, url, 0, None, "skipped", "delivery budget spent", 0.0)
                continue
            outcome = _deliver_one(http, delivery_log, alert, url, secret, settings, sleep, deadline)
            counts[outcome] += 1
    except Exception:  # alerts never fail detection (the log may be what failed): the server log says why
        log.exception("alert delivery stopped")
        counts["failed"] += len(alerts) - sum(counts.values())
    finally:
        if own_client:
            http.close()
    return counts


def _deliver_one(http: httpx.Client, delivery_log: DeliveryLog, alert: Alert, url: str, secret: str,
                 settings: Settings, sleep: Callable[[float], None], deadline: float) -> str:
    body = alert.body()
    for attempt in range(1, settings.alert_max_attempts + 1):
        timestamp = int(time.time())
        headers = {"Content-Type": "application/json", "User-Agent": "linkage-alerts/1",
                   "X-Linkage-Event": alert.event, "X-Linkage-Delivery": alert.delivery_id,
                   "X-Linkage-Timestamp": str(timestamp), "X-Linkage-Signature": sign(secret, timestamp, body)}
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            response = http.post(url, content=body, headers=headers)
            status = response.status_code
        except httpx.HTTPError as caught:
            error = type(caught).__name__
        elapsed = time.perf_counter() - started
        if status is not None and 200 <= status < 300:
            _log_attempt(delivery_log, alert, url, attempt, status, "delivered", None, elapsed)
            return "delivered"
        retryable = status is None or status in RETRY_STATUSES or status >= 500
        last = attempt == settings.alert_max_attempts or not retryable
        wait = settings.alert_backoff_s * 2 ** (attempt - 1)
        if not last and time.monotonic() + wait >= deadline:
            last, error = True, (error or f"HTTP {status}") + "; delivery budget spent"
        _log_attempt(delivery_log, alert, url, attempt, status, "failed" if last else "retrying", error, elapsed)
        if last:
            return "failed"
        sleep(wait)
    return "failed"


def _log_attempt(delivery_log: DeliveryLog, alert: Alert, url: str, attempt: int, status: int | None,
                 outcome: str, error: str | None, seconds: float) -> None:
    delivery_log.write({"delivery_id": alert.delivery_id, "event": alert.event, "run_id": alert.run_id,
                        "cluster_id": alert.cluster_id, "endpoint": endpoint_for_log(url), "attempt": attempt,
                        "status": status, "outcome": outcome, "error": error,
                        "duration_ms": round(seconds * 1000, 1)})
