"""Fixtures of the map tests in a real browser: Debian's Chromium (headless, one per session:
each test opens its own contexts, closed after it) and axe-core's script; the browser writes
the axe-core results to test-artifacts/ when it closes (one file per xdist worker, merged by
tests/conftest.py at the end of the run)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import ARTIFACTS
from tests.maps.embed_support import AXE, AXE_RESULTS, chromium_path


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `make browser` (scripts/ensure-axe, npm ci)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session (a launch costs seconds; a context, milliseconds)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
            ],
        )
        yield launched
        launched.close()
    ARTIFACTS.mkdir(exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = "axe-results.json" if worker is None else f"axe-results.{worker}.json"
    (ARTIFACTS / name).write_text(json.dumps(AXE_RESULTS, indent=2, sort_keys=True))


@pytest.fixture(autouse=True)
def _close_contexts(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a browser test, every context it left open (a failed check, a bare new_page) is
    closed, so the session's browser starts each test empty."""
    yield
    if "browser" in request.fixturenames:
        launched: Browser = request.getfixturevalue("browser")
        for context in launched.contexts:
            context.close()
