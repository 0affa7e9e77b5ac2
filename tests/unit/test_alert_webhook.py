"""Alert delivery against a real HTTP receiver on 127.0.0.1: signed bodies the receiver verifies, retries
with exponential backoff on a receiver that fails and then succeeds, final answers not retried, a dead
receiver logged as failed without raising, and a delivery log without the body or the URL's secrets."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from graph.detect.alerts import Alert, deliver_alerts, verify_signature
from graph.settings import Settings
from tests.webhook_receiver import webhook_receiver

SECRET = "webhook-test-secret"


def settings_for(url: str, log: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"alert_webhook_url": url, "alert_webhook_secret": SECRET, "alert_log": log,
                                 "alert_max_attempts": 4, "alert_backoff_s": 0.5}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def alert(cluster_id: str = "cl_1") -> Alert:
    payload = {"event": "cluster.grew", "delivery_id": f"d-{cluster_id}", "run_id": "run_x",
               "cluster": {"id": cluster_id, "verdict": "suspicious", "size": 30, "previous_size": 20}}
    return Alert("cluster.grew", f"d-{cluster_id}", "run_x", cluster_id, payload)


def log_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_failing_then_succeeding_receiver_gets_one_signed_alert_after_backoff(tmp_path: Path) -> None:
    waits: list[float] = []
    log = tmp_path / "alerts.jsonl"
    with webhook_receiver([503, 500, 200]) as receiver:
        counts = deliver_alerts(settings_for(receiver.url, log), [alert()], sleep=waits.append)
    assert counts == {"delivered": 1, "failed": 0, "skipped": 0}
    assert [r.status for r in receiver.received] == [503, 500, 200]
    assert waits == [0.5, 1.0], "exponential backoff between attempts"
    for request in receiver.received:
        assert verify_signature(SECRET, request.headers["x-linkage-timestamp"], request.body,
                                request.headers["x-linkage-signature"])
        assert not verify_signature("other-secret", request.headers["x-linkage-timestamp"], request.body,
                                    request.headers["x-linkage-signature"])
        assert request.headers["x-linkage-delivery"] == "d-cl_1", "one delivery id across retries"
        assert request.headers["x-linkage-event"] == "cluster.grew"
        assert json.loads(request.body)["cluster"]["id"] == "cl_1"
    lines = log_lines(log)
    assert [(line["attempt"], line["status"], line["outcome"]) for line in lines] == [
        (1, 503, "retrying"), (2, 500, "retrying"), (3, 200, "delivered")]
    text = log.read_text()
    assert "not-logged" not in text and SECRET not in text and "previous_size" not in text
    assert lines[0]["endpoint"].endswith("/hooks/linkage")
    assert log.stat().st_mode & 0o077 == 0, "the delivery log is readable by its owner only"


def test_a_refusal_is_final_and_the_next_alert_still_goes(tmp_path: Path) -> None:
    log = tmp_path / "alerts.jsonl"
    with webhook_receiver([401, 200]) as receiver:
        counts = deliver_alerts(settings_for(receiver.url, log), [alert("cl_a"), alert("cl_b")],
                                sleep=lambda _: None)
    assert counts == {"delivered": 1, "failed": 1, "skipped": 0}
    assert [(line["cluster_id"], line["status"], line["outcome"]) for line in log_lines(log)] == [
        ("cl_a", 401, "failed"), ("cl_b", 200, "delivered")]


def test_a_dead_receiver_is_retried_then_logged_as_failed_without_raising(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "alerts.jsonl"
    waits: list[float] = []
    counts = deliver_alerts(settings_for(f"http://127.0.0.1:{port}/x", log, alert_timeout_s=2.0), [alert()],
                            sleep=waits.append)
    assert counts == {"delivered": 0, "failed": 1, "skipped": 0}
    assert waits == [0.5, 1.0, 2.0]
    lines = log_lines(log)
    assert [line["outcome"] for line in lines] == ["retrying", "retrying", "retrying", "failed"]
    assert all(line["status"] is None and line["error"] == "ConnectError" for line in lines)


def test_a_spent_budget_skips_what_is_left(tmp_path: Path) -> None:
    log = tmp_path / "alerts.jsonl"
    with webhook_receiver([200]) as receiver:
        counts = deliver_alerts(settings_for(receiver.url, log), [alert("cl_a"), alert("cl_b")], budget_s=0.0)
    assert counts == {"delivered": 0, "failed": 0, "skipped": 2} and receiver.received == []


def test_a_webhook_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="LINKAGE_ALERT_WEBHOOK_SECRET"):
        Settings(_env_file=None, alert_webhook_url="https://hooks.example.org/x")  # type: ignore[call-arg]
