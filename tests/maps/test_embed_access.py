"""Accessibility of the residents' map in headless Chromium: keyboard-only use (focus order,
focus rings, search, routes, markers and the map itself by keyboard) and the help page at
both viewports. axe-core also runs on every page of test_embed_browser.py; serious or critical
violations fail there too.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.maps.embed_support import VIEWPORTS, Visit, check_axe, no_sideways_scroll, shoot


@pytest.mark.browser
@pytest.mark.e2e
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_help_page(browser: Browser, live_server: str, axe_source: str, viewport: str) -> None:
    visit = Visit(browser, f"{live_server}/embed/help", VIEWPORTS[viewport])
    page = visit.page
    snippet = page.locator("#wsz-snippet").inner_text()
    assert snippet.startswith(f'<iframe src="{live_server}/embed/"')
    no_sideways_scroll(page)
    check_axe(page, axe_source, "embed-help", viewport)
    shoot(page, f"embed-help-{viewport}")
    visit.close()


def _focus_trail(page: Page, presses: int) -> list[str]:
    """Press Tab ``presses`` times; the id (or tag.class) of each element focused."""
    trail = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        trail.append(
            page.evaluate(
                "() => { const e = document.activeElement; return e.id || "
                "(e.tagName.toLowerCase() + '.' + (e.className.baseVal ?? e.className)); }"
            )
        )
    return trail


@pytest.mark.browser
@pytest.mark.e2e
def test_keyboard_only(browser: Browser, delft_server: str) -> None:
    """Tab to the language switch and the search, search by keyboard, then Tab into the answer
    list and open a route with Enter; every focused control shows a focus ring."""
    visit = Visit(browser, f"{delft_server}/embed/", VIEWPORTS["desktop"])
    page = visit.loaded()
    trail = _focus_trail(page, 8)
    assert "wsz-lang-switch" in trail
    assert "wsz-q" in trail
    assert "wsz-centre" in trail
    assert "wsz-category" in trail
    while page.evaluate("document.activeElement.id") != "wsz-q":
        page.keyboard.press("Shift+Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.type("mekelweg 3")
    page.keyboard.press("Enter")
    page.wait_for_selector(".wsz-nearest li")
    expect(page.locator("#wsz-answer-title")).to_be_focused()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "wsz-route-button" in focused
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring not in ("", "none")
    page.keyboard.press("Enter")
    page.wait_for_selector("path.wsz-route")
    # A marker by keyboard, through the text list: Enter opens its popup (the address OSM
    # gives) with the focus in it; Escape closes it and the focus returns to the list.
    page.locator("#wsz-list-title").focus()
    page.keyboard.press("Enter")
    button = page.locator("#wsz-list button", has_text="Hans Meijer (Supermarkt)")
    button.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Adres: Rotterdamseweg 97, 2628 AK Delft")
    assert "Supermarkt" in popup.inner_text()
    expect(page.locator(".leaflet-popup-close-button")).to_be_focused()
    page.keyboard.press("Escape")
    expect(button).to_be_focused()
    # The map itself takes the keyboard: Enter on it looks up its centre.
    page.focus(".leaflet-container")
    page.keyboard.press("Enter")
    expect(page.locator("#wsz-answer-title")).to_be_focused()
    visit.close()


@pytest.mark.browser
@pytest.mark.e2e
def test_few_tab_stops_before_the_answer(browser: Browser, delft_server: str) -> None:
    """Issue 12, item 15: buurt polygons and markers are no Tab stops (the list reaches the
    markers), so an answer's first route button is a dozen Tabs from the top, not ~90; the
    zoom buttons speak Dutch on the Dutch page and the scale bar is metric only."""
    visit = Visit(browser, f"{delft_server}/embed/", VIEWPORTS["desktop"])
    page = visit.loaded()
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Inzoomen"
    assert page.locator(".leaflet-control-zoom-out").get_attribute("title") == "Uitzoomen"
    assert page.locator(".leaflet-control-scale-line").count() == 1
    assert " m" in page.locator(".leaflet-control-scale-line").inner_text()
    assert page.locator(".wsz-voorziening").count() == page.locator("#wsz-list li").count()
    assert (
        page.locator("#wsz-list-title")
        .inner_text()
        .endswith(f"({page.locator('#wsz-list li').count()})")
    )
    page.locator("#wsz-centre").click()
    page.wait_for_selector(".wsz-route-button")
    page.evaluate("document.activeElement.blur()")
    trail = _focus_trail(page, 20)
    assert not [t for t in trail if t.startswith(("path", "div.leaflet-marker"))], trail
    first = next(i for i, t in enumerate(trail) if "wsz-route-button" in t)
    assert first < 15, trail
    visit.close()
