"""`linkage report CLUSTER_ID`: one self-contained HTML file an analyst can attach to a ticket or send to
another lab.

It holds the verdict and score, every evidence entry with its numbers (signal groups, cohesion), a picture
of the cluster's sample (members, shared cards, IPs, networks, proxy networks, client fingerprints,
templates; ≤ 206 nodes whatever the cluster's size), the members' activity against the population's rhythm,
the cluster's history across detection runs and the STIX ids when it was shared. CSS and SVG are inline,
there is no script, and a Content-Security-Policy forbids the page any fetch.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any

from app.report.charts import KIND_NAMES, picture_counts, sample_svg, timeline_svg
from app.report.sample import REPORT_MEMBERS, GraphSample, read_sample
from graph.db import Database
from graph.errors import NotFoundError
from graph.queries import get_query

POPULATION_SAMPLE = 20_000
HOURLY_UP_TO_DAYS = 21
GROUP_ORDER = ("control", "coordination", "purpose", "mitigation", "cohesion", "scale")
GROUP_MEANING = {
    "control": "common control: the same payers, addresses, registrations",
    "coordination": "coordinated operation: acting together in time",
    "purpose": "common purpose: the same templates, capability, model moves (never enough alone)",
    "mitigation": "what explains part of it innocently",
    "cohesion": "how the cluster holds together (informative: does not move the score)",
    "scale": "size",
}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


@dataclass
class ClusterReport:
    """Everything one report shows, read from the graph."""

    cluster: dict[str, Any]
    evidence: list[dict[str, Any]]
    sample: GraphSample
    step_minutes: int = 60
    timeline: list[tuple[int, int]] = field(default_factory=list)
    population: list[tuple[int, float]] = field(default_factory=list)
    population_accounts: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def native(value: Any) -> Any:
    """Neo4j temporal values as Python's (aware, UTC when the value has no zone)."""
    value = value.to_native() if hasattr(value, "to_native") else value
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def parse_evidence(raw: Any) -> list[dict[str, Any]]:
    """The stored evidence JSON as a list of entries (malformed evidence yields none, never an error)."""
    try:
        items = json.loads(raw) if isinstance(raw, str) else (raw or [])
    except ValueError:
        return []
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def timeline_step(first: datetime, last: datetime) -> int:
    """Hours for up to three weeks of activity, days beyond (a readable number of bars either way).

    >>> timeline_step(datetime(2025, 3, 1), datetime(2025, 3, 5))
    60
    >>> timeline_step(datetime(2025, 1, 1), datetime(2025, 3, 1))
    1440
    """
    return 60 if (last - first).days <= HOURLY_UP_TO_DAYS else 1440


def build_report(database: Database, cluster_id: str, *, members: int = REPORT_MEMBERS,
                 population_sample: int = POPULATION_SAMPLE) -> ClusterReport:
    """Read one cluster's report from the graph (NotFoundError when there is no such cluster)."""
    rows = database.run(get_query("report_cluster"), {"cluster_id": cluster_id})
    if not rows:
        raise NotFoundError(f"no cluster {cluster_id!r}")
    cluster = {key: native(value) for key, value in rows[0]["cluster"].items()}
    report = ClusterReport(cluster=cluster, evidence=parse_evidence(cluster.get("evidence")),
                           sample=read_sample(database, cluster_id, members))
    first, last = cluster.get("first_seen"), cluster.get("last_seen")
    if isinstance(first, datetime) and isinstance(last, datetime):
        read_activity(database, report, first, last, population_sample)
    history = database.run(get_query("api_cluster_history"), {"ids": [cluster_id], "limit": 20})
    report.history = [{"snapshot": entry["snapshot"], "run": {k: native(v) for k, v in entry["run"].items()}}
                      for entry in (history[0]["history"] if history else [])]
    return report


def read_activity(database: Database, report: ClusterReport, first: datetime, last: datetime,
                  population_sample: int) -> None:
    """The members' requests per step from first to last seen, and the population's over the same steps."""
    bucket_minutes = database.settings.activity_bucket_minutes
    step = max(timeline_step(first, last), bucket_minutes)
    width = bucket_minutes * 60
    from_bucket = int(first.timestamp()) // width
    to_bucket = int(last.timestamp()) // width + 1
    cluster_id = report.cluster["cluster_id"]
    rows = database.run(get_query("api_cluster_timeline"), {
        "requests": [{"cluster_id": cluster_id, "step_minutes": step, "from_bucket": from_bucket,
                      "to_bucket": to_bucket}], "bucket_minutes": bucket_minutes})
    report.step_minutes = step
    report.timeline = [(int(p["start"]), int(p["requests"])) for p in (rows[0]["points"] if rows else [])]
    rhythm = database.run(get_query("report_population_rhythm"), {
        "cluster_id": cluster_id, "step_minutes": step, "bucket_minutes": bucket_minutes,
        "from_bucket": from_bucket, "to_bucket": to_bucket, "sample": population_sample})
    if rhythm:
        points = rhythm[0]["points"]
        total = sum(int(p["requests"]) for p in points)
        report.population_accounts = int(rhythm[0]["sampled"])
        report.population = [(int(p["start"]), int(p["requests"]) / total) for p in points] if total else []


def format_number(value: Any) -> str:
    """Numbers as people read them: thousands separated, at most four significant digits after the point.

    >>> format_number(12345), format_number(0.123456), format_number(3.0), format_number(True), format_number(None)
    ('12,345', '0.1235', '3', 'yes', '–')
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == int(value) and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:,.4g}" if abs(value) >= 1 else f"{value:.4g}"
    return str(value)


def metric_html(value: Any, depth: int = 0) -> str:
    """A metric's value: scalars formatted, lists of scalars joined, records as a small table, nested maps as
    key: value lines (at most 12 items of a list; the rest is counted)."""
    if isinstance(value, dict):
        if not value:
            return "–"
        return "<br>".join(f"<span class=\"key\">{escape(str(k))}</span>: {metric_html(v, depth + 1)}"
                           for k, v in value.items())
    if isinstance(value, list):
        shown, rest = value[:12], len(value) - 12
        more = f" … and {rest:,} more" if rest > 0 else ""
        if shown and all(isinstance(item, dict) for item in shown) and depth < 2:
            columns = list(dict.fromkeys(key for item in shown for key in item))
            head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
            body = "".join("<tr>" + "".join(f"<td>{metric_html(item.get(c), depth + 1)}</td>" for c in columns)
                           + "</tr>" for item in shown)
            return f'<table class="nested"><tr>{head}</tr>{body}</table>{escape(more)}'
        return escape(", ".join(format_number(item) if not isinstance(item, dict | list) else json.dumps(item)
                                for item in shown) + more) or "–"
    if value is None:
        return "–"
    return escape(format_number(value))


def evidence_html(evidence: list[dict[str, Any]]) -> str:
    """Evidence grouped as detection groups it (control, coordination, purpose, …), each entry with its
    score, contribution, summary and every metric."""
    by_group: dict[str, list[dict[str, Any]]] = {}
    for entry in evidence:
        group = "cohesion" if entry.get("signal") == "cohesion" else str(entry.get("group") or "other")
        by_group.setdefault(group, []).append(entry)
    order = [g for g in GROUP_ORDER if g in by_group] + sorted(g for g in by_group if g not in GROUP_ORDER)
    parts = []
    for group in order:
        parts.append(f'<section class="group" data-group="{escape(group)}"><h3>{escape(group)} '
                     f'<small>{escape(GROUP_MEANING.get(group, ""))}</small></h3>')
        for entry in by_group[group]:
            raw = entry.get("metrics")
            metrics: dict[str, Any] = raw if isinstance(raw, dict) else {}
            rows = "".join(f"<tr><th>{escape(str(key))}</th><td>{metric_html(value)}</td></tr>"
                           for key, value in metrics.items())
            contribution = entry.get("contribution")
            parts.append(
                f'<div class="evidence" data-signal="{escape(str(entry.get("signal")))}">'
                f'<h4>{escape(str(entry.get("signal")))} <span class="num">score '
                f'{escape(format_number(entry.get("score")))}</span>'
                + (f' <span class="num">contribution {escape(format_number(contribution))}</span>'
                   if contribution is not None else "")
                + f'</h4><p>{escape(str(entry.get("summary") or ""))}</p>'
                + (f'<table class="metrics">{rows}</table>' if rows else "") + "</div>")
        parts.append("</section>")
    return "".join(parts) or "<p>No evidence recorded.</p>"


def when(value: Any) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if isinstance(value, datetime) else "–"


def history_html(history: list[dict[str, Any]]) -> str:
    if not history:
        return "<p>No detection run recorded for this cluster.</p>"
    rows = []
    for entry in history:
        snapshot, run = entry["snapshot"], entry["run"]
        rows.append(f"<tr><td>{escape(when(run.get('switched_at')))}</td><td>{escape(str(run.get('run_id')))}</td>"
                    f"<td>{escape(str(snapshot.get('change') or ''))}</td>"
                    f"<td class=\"num\">{escape(format_number(snapshot.get('previous_size')))} → "
                    f"{escape(format_number(snapshot.get('size')))}</td>"
                    f"<td class=\"num\">{escape(format_number(snapshot.get('score')))}</td>"
                    f"<td>{escape(str(snapshot.get('verdict') or ''))}</td></tr>")
    return ("<table class=\"history\"><tr><th>run took effect</th><th>run</th><th>change</th><th>size</th>"
            "<th>score</th><th>verdict</th></tr>" + "".join(rows) + "</table>")


def sharing_html(cluster: dict[str, Any]) -> str:
    if not cluster.get("stix_bundle_id"):
        return (f"<p>Not exported as STIX yet (<code>linkage export stix {escape(str(cluster['cluster_id']))} "
                "--out cluster.json</code>).</p>")
    return (f'<dl class="facts"><dt>STIX campaign</dt><dd id="stix-campaign">'
            f'{escape(str(cluster.get("stix_campaign_id")))}</dd>'
            f'<dt>STIX bundle</dt><dd id="stix-bundle">{escape(str(cluster["stix_bundle_id"]))}</dd>'
            f'<dt>TLP</dt><dd>{escape(str(cluster.get("stix_tlp") or ""))}</dd>'
            f'<dt>exported</dt><dd>{escape(when(cluster.get("stix_exported_at")))}</dd></dl>')


STYLESHEET = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1000px;
 padding: 24px; color: #1d2733; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #dde3ea; }
h3 { font-size: 15px; margin: 16px 0 6px; text-transform: capitalize; }
h3 small { text-transform: none; color: #667; font-weight: normal; }
h4 { font-size: 14px; margin: 10px 0 2px; }
p { margin: 2px 0 6px; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 12px; color: #fff; font-weight: 600; }
.verdict.suspicious { background: #C0392B; }
.verdict.review { background: #D68910; }
.verdict.benign { background: #239B56; }
.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 8px 0; }
.facts dt { color: #667; }
.facts dd { margin: 0; }
.num { font-variant-numeric: tabular-nums; color: #445; font-weight: normal; font-size: 13px; margin-left: 8px; }
table { border-collapse: collapse; margin: 4px 0 8px; }
th, td { text-align: left; padding: 2px 8px; vertical-align: top; border-bottom: 1px solid #eef1f4; font-size: 13px; }
th { color: #556; font-weight: 600; }
table.nested th, table.nested td { font-size: 12px; padding: 1px 6px; }
.key { color: #667; }
.evidence { border-left: 3px solid #dde3ea; padding-left: 10px; margin: 8px 0; }
svg { max-width: 100%; height: auto; background: #fbfcfd; border: 1px solid #e3e8ee; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .legend text { font-size: 12px; }
svg .edge { stroke: #b8c2cc; stroke-width: 0.7; }
svg .edge.member_of { stroke: #e8b4ae; }
svg .node circle { stroke: #fff; stroke-width: 1; }
svg .grid { stroke: #e6eaef; }
svg .axis { fill: #667; font-size: 11px; }
svg .cluster rect { fill: #C0392B; opacity: 0.75; }
svg .population { fill: none; stroke: #2E86C1; stroke-width: 1.5; stroke-dasharray: 5 3; }
.key-cluster { color: #C0392B; }
.key-population { color: #2E86C1; }
footer { margin-top: 32px; color: #889; font-size: 12px; }
"""


def render_report(report: ClusterReport) -> str:
    """The report as one HTML document (UTF-8 text, no external reference)."""
    cluster, sample = report.cluster, report.sample
    cluster_id = str(cluster["cluster_id"])
    verdict = str(cluster.get("verdict") or "unknown")
    size = int(cluster.get("size") or sample.members_total)
    counts = picture_counts(sample)
    shown = ", ".join(f"{counts[kind]:,} {KIND_NAMES[kind]}" for kind in counts if counts[kind])
    step = "hour" if report.step_minutes == 60 else "day" if report.step_minutes == 1440 \
        else f"{report.step_minutes} minutes"
    rhythm = (f"the dashed line is the same number of requests spread as {report.population_accounts:,} other "
              f"accounts spread theirs (the population's rhythm over the same {step}s)"
              if report.population else "no activity of other accounts in this period to compare with")
    facts = [("score", format_number(cluster.get("score"))), ("members", f"{size:,}"),
             ("first seen", when(cluster.get("first_seen"))), ("last seen", when(cluster.get("last_seen"))),
             ("detected", when(cluster.get("detected_at"))), ("detection run", str(cluster.get("run_id") or "–")),
             ("case status", str(cluster.get("case_status") or "open")),
             ("signals", ", ".join(cluster.get("signals") or []) or "–")]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="linkage">
<title>linkage report: cluster {escape(cluster_id)}</title>
<style>{STYLESHEET}</style></head>
<body>
<header><h1>Cluster <span id="cluster-id">{escape(cluster_id)}</span>
<span class="verdict {escape(verdict)}" id="verdict">{escape(verdict)}</span></h1>
<dl class="facts">{"".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)}</dl></header>
<h2>Evidence</h2>
{evidence_html(report.evidence)}
<h2>The cluster's sample</h2>
<p>The {counts["Account"]:,} most active of {sample.members_total:,} members and the identifiers at least two
accounts share ({escape(shown)}); hover a node for its id.</p>
{sample_svg(sample)}
<h2>Activity</h2>
<p>Requests of all members per {step} (<span class="key-cluster">bars</span>); <span class="key-population">
{escape(rhythm)}</span>. Peaks the rhythm lacks are activity in step.</p>
{timeline_svg(report.timeline, report.population, report.step_minutes)}
<h2>History</h2>
{history_html(report.history)}
<h2>Sharing</h2>
{sharing_html(cluster)}
<footer>Generated by linkage at {escape(when(report.generated_at))}. Account ids are the provider's own; no
e-mail addresses, card numbers or prompts are stored in linkage, so none appear here.</footer>
</body></html>
"""
