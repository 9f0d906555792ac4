"""Fixtures of the map tests in a real browser: axe-core's script, and the contexts a test
left open in the session's Chromium (``browser`` in tests/conftest.py) closed after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.maps.embed_support import AXE


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `make browser` (scripts/ensure-axe, npm ci)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _close_contexts(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a browser test, every context it left open (a failed check, a bare new_page) is
    closed, so the session's browser starts each test empty."""
    yield
    if "browser" in request.fixturenames:
        launched: Browser = request.getfixturevalue("browser")
        for context in launched.contexts:
            context.close()
