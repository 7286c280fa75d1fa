"""Browser tests: Debian's Chromium driven by Playwright against a live server.

They run when Chromium is found, and are required (they fail rather than skip) when CI=true.
"""

import os
from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import sync_playwright

from articles.importers import load_content

# Playwright's sync API runs an event loop in this thread; the tests' own database calls are
# ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_SCRIPT = Path(axe_playwright_python.__file__).parent / "axe.min.js"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"browser tests need Chromium at {CHROMIUM} (Debian package 'chromium')"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def site(live_server, transactional_db, shipped_content) -> str:
    """The live site with the shipped articles loaded; returns its base URL."""
    load_content(shipped_content)
    return live_server.url


def axe_violations(page) -> list[dict]:
    """What axe-core finds on the page with every one of its rules switched on (WCAG A and AA,
    best practices, and the rules axe leaves off by default), in a readable form."""
    # Evaluated by the browser's own tools, so the page's Content-Security-Policy stays on.
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate(
        """() => axe.run(document, {rules: Object.fromEntries(
            axe.getRules().map(rule => [rule.ruleId, {enabled: true}]))})"""
    )
    return [
        {"rule": v["id"], "impact": v["impact"], "where": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
