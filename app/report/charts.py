"""SVG drawings for the report, written directly (no drawing library, nothing fetched when opened).

Every text that comes from data (ids, names, labels) is escaped; nodes carry `data-kind` and `data-key` so a
test (or a reader's own script) can find them; hovering a node shows its kind, id and detail (`<title>`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from app.report.layout import positions
from app.report.sample import KINDS, GraphSample

# The colours and relative sizes of deploy/browser/style.grass, so the report looks like Browser.
STYLE = {
    "Cluster": ("#C0392B", 18), "Account": ("#5DADE2", 5), "PaymentMethod": ("#F5B041", 9),
    "IP": ("#58D68D", 7), "Network": ("#1E8449", 10), "ProxyNetwork": ("#8E44AD", 14),
    "ClientFingerprint": ("#AF7AC5", 8), "PromptTemplate": ("#EC7063", 9),
}
KIND_NAMES = {
    "Cluster": "cluster", "Account": "member accounts", "PaymentMethod": "shared payment methods",
    "IP": "shared IPs", "Network": "networks", "ProxyNetwork": "proxy networks",
    "ClientFingerprint": "client fingerprints", "PromptTemplate": "prompt templates",
}
# Kinds whose names may be drawn beside the node (accounts are too many: their ids are in the tooltips), and
# how many names at most (the most connected first; every node's name is in its tooltip).
LABELLED = {"ProxyNetwork", "Network", "PaymentMethod", "PromptTemplate", "ClientFingerprint"}
MAX_LABELS = 14


def picture_counts(sample: GraphSample) -> dict[str, int]:
    """What the picture draws of each kind: every node but the cluster's own (every member is one)."""
    return {kind: count for kind, count in sample.count_by_kind().items() if kind != "Cluster"}


def sample_svg(sample: GraphSample, width: int = 960, height: int = 700) -> str:
    """The members and what they share as an SVG picture: edges under nodes, a legend with the count of each
    kind, the names of identifiers beside them (account ids in the tooltips)."""
    placed = positions(sample)
    margin, label_room, legend_height = 30, 140, 56
    inner_w, inner_h = width - 2 * margin - label_room, height - 2 * margin - legend_height

    def point(key: str) -> tuple[float, float]:
        x, y = placed[key]
        return margin + x * inner_w, margin + legend_height + y * inner_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="sample" class="sample" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="The cluster\'s sample">']
    counts = picture_counts(sample)
    x, y = margin, 16
    for kind in KINDS:
        if not counts.get(kind):
            continue
        colour, _ = STYLE[kind]
        text = f"{counts[kind]:,} {KIND_NAMES[kind]}"
        room = 26 + 7 * len(text)
        if x + room > width - margin:
            x, y = margin, y + 22
        parts.append(f'<g class="legend" data-kind="{kind}"><circle cx="{x + 6}" cy="{y}" r="6" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="{y + 4}">{escape(text)}</text></g>')
        x += room
    parts.append('<g class="edges">')
    for edge in sample.edges:
        if edge["source"] not in placed or edge["target"] not in placed:
            continue  # the cluster's own node and its MEMBER_OF edges are not drawn
        (x1, y1), (x2, y2) = point(edge["source"]), point(edge["target"])
        parts.append(f'<line class="edge {escape(edge["type"].lower())}" x1="{x1:.1f}" y1="{y1:.1f}" '
                     f'x2="{x2:.1f}" y2="{y2:.1f}"/>')
    degree: dict[str, int] = {}
    for edge in sample.edges:
        for end in (edge["source"], edge["target"]):
            degree[end] = degree.get(end, 0) + 1
    candidates = [n for n in sample.nodes if n["kind"] in LABELLED and n["key"] in placed]
    named = {n["key"] for n in sorted(candidates, key=lambda n: (n["kind"] != "ProxyNetwork",
                                                                 -degree.get(n["key"], 0), n["key"]))[:MAX_LABELS]}
    parts.append("</g><g class=\"nodes\">")
    for node in sorted(sample.nodes, key=lambda n: n["kind"] != "Account"):  # identifiers drawn on top
        kind, key = node["kind"], node["key"]
        if key not in placed:
            continue
        colour, radius = STYLE.get(kind, ("#A5ABB6", 6))
        cx, cy = point(key)
        detail = f" ({node['detail']})" if node.get("detail") else ""
        requests = f", {int(node['requests']):,} requests" if node.get("requests") is not None else ""
        tooltip = f"{kind} {node['label']}{detail}{requests}"
        parts.append(f'<g class="node" data-kind="{escape(kind)}" data-key="{escape(key)}">'
                     f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius}" fill="{colour}"/>'
                     f"<title>{escape(tooltip)}</title>")
        if key in named:
            label = str(node["label"])
            label = label if len(label) <= 28 else label[:27] + "…"
            parts.append(f'<text x="{cx + radius + 3:.1f}" y="{cy + 4:.1f}">{escape(label)}</text>')
        parts.append("</g>")
    parts.append("</g></svg>")
    return "".join(parts)


def _ticks(low: float, high: float, count: int) -> list[float]:
    if high <= low:
        return [low]
    step = (high - low) / (count - 1)
    return [low + i * step for i in range(count)]


def timeline_svg(cluster: Sequence[tuple[int, int]], population: Sequence[tuple[int, float]], step_minutes: int,
                 width: int = 960, height: int = 300) -> str:
    """The cluster's requests per step (a filled line) against what the same number of requests would look
    like if spread as the population's (a dashed line): coordination shows as peaks the rhythm lacks.

    `cluster` is (start epoch seconds, requests); `population` is (start epoch seconds, share of the
    population's requests in that step), shares summing to 1 over the plotted range.

    >>> svg = timeline_svg([(0, 10), (3600, 30)], [(0, 0.5), (3600, 0.5)], 60)
    >>> 'data-points="2"' in svg and 'class="population"' in svg
    True
    """
    margin_left, margin_right, margin_top, margin_bottom = 60, 20, 20, 40
    inner_w, inner_h = width - margin_left - margin_right, height - margin_top - margin_bottom
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="timeline" class="timeline" viewBox="0 0 {width} '
             f'{height}" width="{width}" height="{height}" data-points="{len(cluster)}" role="img" '
             f'aria-label="Activity timeline">']
    if not cluster:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">no activity recorded</text></svg>')
        return "".join(parts)
    total = sum(requests for _, requests in cluster)
    expected = [(start, share * total) for start, share in population]
    starts = [start for start, _ in cluster] + [start for start, _ in expected]
    low_t, high_t = min(starts), max(starts) + step_minutes * 60
    high_v = max([requests for _, requests in cluster] + [value for _, value in expected] + [1])

    def xy(start: float, value: float) -> tuple[float, float]:
        x = margin_left + (start - low_t) / max(high_t - low_t, 1) * inner_w
        return x, margin_top + inner_h - value / high_v * inner_h

    for value in _ticks(0, high_v, 4):
        _, y = xy(low_t, value)
        parts.append(f'<line class="grid" x1="{margin_left}" x2="{width - margin_right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="axis" x="{margin_left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:,.0f}</text>')
    day = step_minutes >= 1440
    ticks = _ticks(low_t, high_t, 6)
    for position, moment in enumerate(ticks):
        x, _ = xy(moment, 0)
        when = datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d" if day else "%m-%d %H:%M")
        anchor = "end" if position == len(ticks) - 1 else "start" if position == 0 else "middle"
        parts.append(f'<text class="axis" x="{x:.1f}" y="{height - 12}" text-anchor="{anchor}">{when}</text>')
    width_step = inner_w * step_minutes * 60 / max(high_t - low_t, 1)
    parts.append('<g class="cluster">')
    for start, requests in cluster:
        x, y = xy(start, requests)
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width_step - 0.5, 0.8):.1f}" '
                     f'height="{margin_top + inner_h - y:.1f}"><title>'
                     f'{datetime.fromtimestamp(start, UTC):%Y-%m-%d %H:%M} UTC: {requests:,} requests</title></rect>')
    parts.append("</g>")
    if expected:
        line = " ".join(f"{x + width_step / 2:.1f},{y:.1f}" for x, y in (xy(s, v) for s, v in expected))
        parts.append(f'<polyline class="population" points="{line}"/>')
    parts.append("</svg>")
    return "".join(parts)
