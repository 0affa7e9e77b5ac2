"""End to end in a real browser: headless Chromium (Debian's `chromium`) driven by Playwright opens Neo4j
Browser from the local server, connects, applies linkage's GraSS style, plays the guide served by the API,
runs the top-clusters query and one cluster's query (as `linkage browse` builds them), and checks that the
graph view draws styled nodes. Screenshots go to test-artifacts/.

Chromium comes from Debian (`make test` and .ci/run install it); without it the test fails with the command
to run (tests/e2e/conftest.py).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from playwright import sync_api

from app.api.main import create_app
from app.cli.browse import choose_query, editor_text
from graph.db import Database
from graph.settings import Settings
from tests.api.graph_fixture import CAMPAIGN
from tests.e2e.conftest import LAUNCH_ARGS
from tests.neo4j_harness import ROOT

ARTIFACTS = ROOT / "test-artifacts"
STYLE = ROOT / "deploy" / "browser" / "style.grass"
TIMEOUT_MS = 60_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def api_url(neo4j_settings: Settings, fixture_graph: Database,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API (which serves the guide and the style) on a free port, in a thread."""
    import uvicorn

    settings = neo4j_settings.model_copy(update={"audit_log": tmp_path_factory.mktemp("audit") / "a.jsonl"})
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API did not start")
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def browser_page(playwright: sync_api.Playwright, chromium: str) -> tuple[sync_api.Browser, sync_api.Page]:
    browser = playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS, headless=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return browser, page


def connect(page: sync_api.Page, settings: Settings) -> None:
    page.goto(f"http://127.0.0.1:{settings.neo4j_http_port}/browser/", wait_until="domcontentloaded")
    address = page.locator("[data-testid=boltaddress]")
    address.wait_for(state="visible")
    address.fill(f"bolt://127.0.0.1:{settings.bolt_port}")
    page.locator("[data-testid=username]").fill(settings.neo4j_user)
    page.locator("[data-testid=password]").fill(settings.neo4j_password.get_secret_value())
    page.locator("[data-testid=connect]").click()
    # Connected: the form goes away and Browser reports the server in a frame.
    address.wait_for(state="detached")


def run_in_editor(page: sync_api.Page, text: str) -> None:
    """Paste `text` into the editor, as an analyst would, and run it (Ctrl+Enter).

    Pasting, not typing: the editor closes brackets and quotes as they are typed, which would add a
    stray '}' to a GraSS stylesheet (and crash Browser's style model)."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    editor = page.locator("[data-testid=activeEditor]")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.press("Control+V")
    page.keyboard.press("Control+Enter")


def frame_with(page: sync_api.Page, text: str) -> sync_api.Locator:
    return page.locator("[data-testid=frame]", has_text=text).first


def graph_captions(frame: sync_api.Locator) -> list[str]:
    return [text.strip() for text in frame.locator("svg g.node text").all_text_contents() if text.strip()]


def test_analyst_walkthrough_in_neo4j_browser(neo4j_settings: Settings, fixture_graph: Database,
                                              api_url: str, chromium: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser, page = browser_page(playwright, chromium)
        try:
            connect(page, neo4j_settings)

            # The style, as its file content (the way docs/browser.md tells analysts to paste it).
            run_in_editor(page, ":style " + STYLE.read_text(encoding="utf-8"))
            style_frame = frame_with(page, "node.Cluster")
            style_frame.wait_for(state="visible")

            # The guide, fetched from the API across origins (CORS) like an analyst's `:play`.
            guide = page.locator("[data-testid=carousel]", has_text="Top clusters").first
            ours = page.locator("[data-testid=frame]", has_text=f"{api_url}/browser-guide")
            for attempt in range(1, 4):
                # Browser gives up on a remote guide quickly; on a loaded machine one fetch may miss.
                run_in_editor(page, f":play {api_url}/browser-guide")
                page.wait_for_function(
                    "([url, n]) => [...document.querySelectorAll('[data-testid=frame]')]"
                    ".filter(f => f.textContent.includes(url)).length >= n",
                    arg=[f"{api_url}/browser-guide", attempt])
                try:
                    ours.first.locator("[data-testid=carousel]").first.wait_for(state="attached", timeout=20_000)
                    break
                except sync_api.TimeoutError:
                    continue
            guide.wait_for(state="attached")
            assert guide.locator("pre.runnable").count() >= 1
            page.screenshot(path=str(ARTIFACTS / "browser-guide.png"))

            # Top clusters: the campaign cluster is drawn large, captioned with verdict and score.
            run_in_editor(page, editor_text(choose_query()))
            top = frame_with(page, "browse_top_clusters")
            top.locator("svg g.node").first.wait_for(state="visible")
            assert top.locator("svg g.node").count() >= 2  # cl-campaign-1 and cl-review-1
            page.wait_for_function(
                "() => [...document.querySelectorAll('svg g.node text')]"
                ".some(t => t.textContent.includes('suspicious'))", timeout=TIMEOUT_MS)
            assert any("suspicious" in caption for caption in graph_captions(top))
            page.screenshot(path=str(ARTIFACTS / "browser-top-clusters.png"))

            # One cluster: members plus shared cards, proxy exits and the proxy network, styled.
            run_in_editor(page, editor_text(choose_query(cluster=CAMPAIGN)))
            cluster = frame_with(page, "browse_cluster")
            cluster.locator("svg g.node").first.wait_for(state="visible")
            page.wait_for_function(
                "() => [...document.querySelectorAll('svg g.node text')]"
                ".some(t => t.textContent.includes('relaymesh'))", timeout=TIMEOUT_MS)
            nodes = cluster.locator("svg g.node").count()
            assert 30 < nodes <= 300  # 30 members, the cluster and their shared infrastructure
            captions = graph_captions(cluster)
            assert "relaymesh" in captions  # the ProxyNetwork caption {name}
            assert any(caption.startswith("acct-") for caption in captions)  # Account caption {account_id}
            # The Cluster node is drawn with the style's 80px diameter (radius 40).
            radii = {circle.get_attribute("r") for circle in cluster.locator("svg g.node circle.b-outline")
                     .all()}
            assert "40" in radii, radii
            cluster.screenshot(path=str(ARTIFACTS / "browser-cluster.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "browser-failure.png"))
            raise
        finally:
            browser.close()
