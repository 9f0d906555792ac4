"""The residents' map in a real headless Chromium (test_embed_browser.py,
test_embed_access.py): a page visited in its own browser context with every request outside
127.0.0.1 blocked and counted, axe-core run on it (results kept for test-artifacts/), and
screenshots. The ``browser`` and ``axe_source`` fixtures are in tests/maps/conftest.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from tests.conftest import ARTIFACTS, PROJECT_ROOT

AXE = PROJECT_ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": (1280, 800), "phone": (360, 740)}
#: axe-core results per page and viewport: {page: {viewport: {impact: count}}}.
AXE_RESULTS: dict[str, dict[str, dict[str, int]]] = {}


def chromium_path() -> str:
    path = os.environ.get("WSZ_CHROMIUM") or shutil.which("chromium")
    if path is None:
        pytest.fail("Debian's chromium is needed: run scripts/ensure-chromium")
    return path


#: Reports every Content-Security-Policy violation of the page to the test (an init script:
#: it runs before the page's own and whatever its policy says).
REPORT_VIOLATIONS = (
    "document.addEventListener('securitypolicyviolation', e => window.wszViolation("
    "e.effectiveDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));"
)


class Visit:
    """A page in its own browser context: requests leaving 127.0.0.1 are blocked and counted,
    console errors and Content-Security-Policy violations collected."""

    def __init__(
        self,
        browser: Browser,
        url: str,
        viewport: tuple[int, int],
        csp: str | None = None,
        json_edits: Mapping[str, Callable[[Any], None]] | None = None,
        bypass_csp: bool = False,
    ) -> None:
        """``csp`` replaces the page's Content-Security-Policy (``bypass_csp``: the browser
        ignores it); ``json_edits`` change the JSON answers of the API paths they name before
        the page sees them."""
        self.csp = csp
        self.json_edits = dict(json_edits or {})
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.violations: list[str] = []
        self.context: BrowserContext = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, bypass_csp=bypass_csp
        )
        self.context.route("**/*", self._route)
        self.context.expose_function("wszViolation", self._violation)
        self.context.add_init_script(REPORT_VIOLATIONS)
        self.page: Page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)

    def _violation(self, report: str) -> None:
        self.violations.append(report)

    def _route(self, route: Route) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            if self.csp is not None and route.request.resource_type == "document":
                response = route.fetch()
                headers = {**response.headers, "content-security-policy": self.csp}
                route.fulfill(response=response, headers=headers)
                return
            edit = self.json_edits.get(urlparse(route.request.url).path)
            if edit is not None:
                response = route.fetch()
                body = response.json()
                edit(body)
                route.fulfill(response=response, json=body)
                return
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def loaded(self) -> Page:
        self.page.wait_for_selector("body[data-loaded='true']", timeout=15_000)
        return self.page

    def close(self) -> None:
        assert self.violations == []
        assert self.errors == []
        assert self.blocked == []  # zero requests left the machine (tiles are off)
        assert self.context.cookies() == []
        self.context.close()


def check_axe(page: Page, axe_source: str, name: str, viewport: str) -> None:
    """Run axe-core; record the violations by impact and refuse serious or critical ones.
    axe-core is evaluated by the test (a script element of it would be inline script, which
    the page's policy refuses)."""
    page.evaluate(axe_source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    counts: dict[str, int] = {}
    for violation in result["violations"]:
        counts[violation["impact"]] = counts.get(violation["impact"], 0) + 1
    AXE_RESULTS.setdefault(name, {})[viewport] = counts
    severe = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert severe == [], severe


def no_sideways_scroll(page: Page) -> None:
    """Nothing wider than the viewport (a 360 px phone needs no sideways scrolling)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert page.viewport_size is not None
    assert width <= page.viewport_size["width"]


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")
