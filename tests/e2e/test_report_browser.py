"""The cluster report in a real browser (headless Debian Chromium driven by Playwright): it renders, the
picture holds the sample's nodes by kind, the timeline its bars, nothing is fetched beyond the file itself and
the console stays free of errors. A screenshot goes to test-artifacts/report.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright import sync_api

from app.report import build_report, read_sample, render_report
from graph.db import Database
from tests.api import graph_fixture as fx
from tests.e2e.conftest import LAUNCH_ARGS
from tests.neo4j_harness import ROOT

ARTIFACTS = ROOT / "test-artifacts"


def test_report_renders_offline_with_the_expected_picture(fixture_graph: Database, chromium: str,
                                                          tmp_path: Path) -> None:
    sample = read_sample(fixture_graph, fx.CAMPAIGN)
    expected = {kind: n for kind, n in sample.count_by_kind().items() if kind != "Cluster"}  # members shown
    path = tmp_path / "report.html"
    path.write_text(render_report(build_report(fixture_graph, fx.CAMPAIGN)), encoding="utf-8")
    requests: list[str] = []
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda message: problems.append(f"{message.type}: {message.text}")
                    if message.type in ("error", "warning") else None)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.goto(path.as_uri(), wait_until="load")
            picture = page.locator("svg#sample")
            picture.wait_for(state="visible")
            box = picture.bounding_box()
            assert box is not None and box["width"] > 500 and box["height"] > 300
            drawn = {kind: page.locator(f'svg#sample g.node[data-kind="{kind}"]').count() for kind in expected}
            assert drawn == expected and drawn["Account"] == 30 and drawn["ProxyNetwork"] == 1
            assert page.locator('svg#sample g.node[data-key="ProxyNetwork:relaymesh"] text').text_content() \
                == "relaymesh"
            # Each circle is drawn inside the picture.
            for circle in page.locator("svg#sample g.node circle").all()[:40]:
                inner = circle.bounding_box()
                assert inner is not None and box["x"] <= inner["x"] <= box["x"] + box["width"]
            assert page.locator("svg#timeline .cluster rect").count() == 2
            assert page.locator("#verdict").inner_text() == "suspicious"
            assert page.locator(".evidence").count() == len(fx.EVIDENCE)
            assert page.title() == f"linkage report: cluster {fx.CAMPAIGN}"
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        finally:
            browser.close()
    assert requests == [path.as_uri()], "the report fetched something besides itself"
    assert problems == []


@pytest.mark.parametrize("hostile", ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'])
def test_values_from_data_cannot_become_markup(hostile: str) -> None:
    """Ids and names come from the provider's files: the report escapes them (no script can appear)."""
    from app.report.html import ClusterReport
    from app.report.sample import sample_from_row

    row = {"cluster": {"cluster_id": hostile, "verdict": hostile, "score": 0.5, "size": 2},
           "members": [{"key": f"Account:{hostile}", "kind": "Account", "label": hostile, "detail": hostile}],
           "members_total": 1}
    page = render_report(ClusterReport(cluster={"cluster_id": hostile, "verdict": hostile},
                                       evidence=[{"signal": hostile, "summary": hostile,
                                                  "metrics": {hostile: [hostile]}}],
                                       sample=sample_from_row(row)))
    assert "<script" not in page and "<img" not in page
