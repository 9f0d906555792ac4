"""The residents' map (/embed pages) in headless Chromium: what the pages draw from the API,
by straight lines or by walking, clicks and address searches answered as /lookup and /route
answer, names shown as text, the pages under a strict script policy, the switch to English.

Each page is loaded from a real ``wsz serve`` process with every request outside 127.0.0.1
blocked and counted, axe-core (from the npm registry, tests/package.json) run on it, and
screenshots saved at 1280 × 800 and 360 × 740 in ``test-artifacts/``
(tests/maps/embed_support.py). Servers: the Nieuwegein sample (real CBS buurten, SYNTHETIC
voorzieningen, walking over its synthetic network, or without a network: straight lines) and
the real ``delft-tu`` sample (OSM 2014 with its walking network and addresses).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from geo.analysis import Analysis
from tests.conftest import running_server
from tests.maps.embed_support import (
    VIEWPORTS,
    Visit,
    check_axe,
    no_sideways_scroll,
    shoot,
)


@pytest.fixture(scope="module")
def straight_server(
    sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The Nieuwegein sample without a street network: distances are straight lines."""
    folder = tmp_path_factory.mktemp("embed-straight")
    shutil.copy(sample_store_file, folder / "store.gpkg")
    env = {
        "WSZ_STORE_PATH": str(folder / "store.gpkg"),
        "WSZ_NETWORK_CACHE_DIR": str(folder / "no-network"),
    }
    with running_server(env, folder / "server.log") as base:
        yield base


@pytest.mark.browser
@pytest.mark.e2e
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_gemeente_page_draws_everything_from_the_api(
    browser: Browser, live_server: str, sample_analysis: Analysis, axe_source: str, viewport: str
) -> None:
    """Nieuwegein: polygons, markers, legend, the synthetic warning and the sources."""
    visit = Visit(browser, f"{live_server}/embed/", VIEWPORTS[viewport])
    page = visit.loaded()
    dataset = sample_analysis.dataset
    assert page.locator("path.wsz-buurt").count() == len(dataset.buurten)
    assert page.locator("path.wsz-zone").count() == len(dataset.zones)
    assert page.locator(".wsz-voorziening").count() == len(dataset.voorzieningen)
    legend = page.locator("#wsz-legend-body")
    assert legend.locator(".wsz-marker").count() == len(sample_analysis.vocabulary.categories)
    assert "Huisarts (≤ 500 m)" in legend.inner_text()
    warning = page.locator("#wsz-warning")
    assert warning.is_visible()
    assert "Voorzieningen, wegennet en adressen" in warning.inner_text()
    # Tiles are off: the walking network's streets are drawn as a light layer under the
    # buurten (issue 12, item 16), in their own pane, not clickable.
    page.wait_for_selector("#wsz-map[data-streets]")
    edges = int(page.locator("#wsz-map").get_attribute("data-streets") or 0)
    assert edges == len(sample_analysis.network.graph("walk").edge_u)  # type: ignore[union-attr]
    streets = page.locator(".leaflet-wsz-streets-pane path.wsz-street")
    assert streets.count() == 1
    assert len(streets.get_attribute("d") or "") > 10_000  # thousands of segments
    assert "synthetisch" in warning.inner_text()
    sources = page.locator("#wsz-sources").inner_text()
    assert "CBS" in sources
    assert "2024" in sources
    assert "synthetisch" in page.locator("#wsz-sources").inner_text()  # the network's badge
    assert "looproutes over het wegennet" in page.locator("#wsz-measure").inner_text()
    assert "0,8 m/s" in page.locator("#wsz-measure").inner_text()
    no_sideways_scroll(page)
    check_axe(page, axe_source, "embed-nieuwegein", viewport)
    shoot(page, f"embed-nieuwegein-{viewport}")
    visit.close()


@pytest.mark.browser
@pytest.mark.e2e
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_zone_page_by_straight_lines(
    browser: Browser,
    straight_server: str,
    sample_analysis: Analysis,
    axe_source: str,
    viewport: str,
) -> None:
    """Without a street network the page says its distances are straight lines."""
    visit = Visit(browser, f"{straight_server}/embed/zuid", VIEWPORTS[viewport])
    page = visit.loaded()
    buurten = sample_analysis.dataset.buurten
    assert page.locator("path.wsz-buurt").count() == int((buurten["zone_code"] == "zuid").sum())
    assert page.locator("path.wsz-zone").count() == 1
    assert page.locator(".wsz-voorziening").count() >= 4
    assert page.title().startswith("Woonservicezone Zuid")
    page.wait_for_selector("#wsz-map[data-streets='0']")  # no network: no streets to draw
    assert page.locator("path.wsz-street").count() == 0
    # A click in the zone answers by straight line (no network) with a dashed line to draw.
    page.locator("#wsz-centre").click()
    page.wait_for_selector(".wsz-nearest li")
    assert "Afstanden zijn hemelsbreed" in page.locator("#wsz-measure").inner_text()
    page.locator(".wsz-route-button").first.scroll_into_view_if_needed()
    page.locator(".wsz-route-button").first.click()
    page.wait_for_selector("path.wsz-route-straight")
    # The line is drawn in sight: the map is scrolled into view and has the focus (on a
    # phone the button sits far below the map; issue 12, item 10).
    expect(page.locator("#wsz-map")).to_be_focused()
    box = page.evaluate(
        "(() => { const r = wszMap.getContainer().getBoundingClientRect();"
        " return [r.top, r.bottom, innerHeight]; })()"
    )
    assert box[0] >= -1, box
    assert box[0] < box[2] / 2, box
    no_sideways_scroll(page)
    check_axe(page, axe_source, "embed-zone-zuid", viewport)
    shoot(page, f"embed-zone-zuid-{viewport}")
    visit.close()


@pytest.mark.browser
@pytest.mark.e2e
@pytest.mark.parametrize("path", ["/embed/", "/embed/help"])
def test_pages_work_without_inline_script(browser: Browser, live_server: str, path: str) -> None:
    """Under the served policy (``script-src 'self'; style-src 'self'``, no 'unsafe-inline')
    the page loads, draws and answers, and the browser reports no violation (Visit.close
    refuses console errors and violations)."""
    policy = httpx.get(f"{live_server}{path}").headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "unsafe" not in policy
    visit = Visit(browser, f"{live_server}{path}", VIEWPORTS["desktop"])
    if path == "/embed/help":
        visit.page.locator("#wsz-copy").click()
    else:
        page = visit.loaded()
        assert page.locator("path.wsz-buurt").count() > 0
        page.locator("#wsz-centre").click()
        page.wait_for_selector(".wsz-nearest li")
    visit.close()


@pytest.mark.browser
@pytest.mark.e2e
def test_names_from_the_data_are_text_not_markup(browser: Browser, live_server: str) -> None:
    """A buurt whose name holds markup shows that markup as text in its tooltip."""
    markup = '<img src="data:," onerror="window.wszInjected = 1">'

    def rename(collection: dict[str, Any]) -> None:
        for feature in collection["features"]:
            feature["properties"]["bu_naam"] = markup + feature["properties"]["bu_naam"]

    visit = Visit(
        browser,
        f"{live_server}/embed/",
        VIEWPORTS["desktop"],
        json_edits={"/ogc/collections/buurten/items": rename},
    )
    page = visit.loaded()
    page.locator("path.wsz-buurt").first.dispatch_event("mouseover")
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text(markup)
    assert tooltip.locator("img").count() == 0
    assert page.evaluate("window.wszInjected") is None
    visit.close()


def _click_at(page: Page, lon: float, lat: float) -> None:
    point = page.evaluate(
        "([lat, lon]) => { const map = window.wszMap; map.setView([lat, lon], 16, "
        "{animate: false}); const p = map.latLngToContainerPoint([lat, lon]);"
        " const box = map.getContainer().getBoundingClientRect();"
        " return [box.left + p.x, box.top + p.y]; }",
        [lat, lon],
    )
    page.mouse.click(point[0], point[1])


@pytest.mark.browser
@pytest.mark.e2e
def test_click_answers_as_lookup_and_draws_the_walk(
    browser: Browser, delft_server: str, axe_source: str
) -> None:
    """Real Delft: a click on the map gives /lookup's answer as a text list, by walking."""
    visit = Visit(browser, f"{delft_server}/embed/", VIEWPORTS["desktop"])
    page = visit.loaded()
    _click_at(page, 4.37425, 52.00151)  # on the TU campus, off every marker
    page.wait_for_selector(".wsz-nearest li")
    query = parse_qs(urlparse(page.url).query)
    lon, lat = query["lon"][0], query["lat"][0]
    expected = httpx.get(f"{delft_server}/lookup", params={"lon": lon, "lat": lat}).json()
    assert expected["source"] == "walking"
    items = page.locator(".wsz-nearest li")
    assert items.count() == len(expected["nearest"])
    for position, nearest in enumerate(expected["nearest"]):
        item = items.nth(position)
        assert item.get_attribute("data-category") == nearest["category"]
        if nearest["id"] is None:
            assert "geen gevonden" in item.inner_text()
            continue
        assert item.get_attribute("data-id") == nearest["id"]
        assert float(item.get_attribute("data-distance-m") or "nan") == nearest["distance_m"]
        assert float(item.get_attribute("data-minutes") or "nan") == nearest["walking_minutes"]
        assert nearest["name"] in item.inner_text()
    answer = page.locator("#wsz-answer").inner_text()
    assert f"Buurt: {expected['bu_naam']}" in answer
    measure = page.locator("#wsz-measure").inner_text()
    assert "looproutes over het wegennet" in measure
    assert "0,8 m/s (48 m per minuut)" in measure
    # Pick the huisarts: the walking route is drawn and described, as long as /route says.
    huisarts = page.locator(".wsz-nearest li[data-category='huisarts'] .wsz-route-button")
    huisarts.click()
    page.wait_for_selector("path.wsz-route")
    route = httpx.get(
        f"{delft_server}/route", params={"lon": lon, "lat": lat, "category": "huisarts"}
    ).json()
    status = page.locator("#wsz-route-status")
    assert (
        float(status.get_attribute("data-distance-m") or "nan") == route["properties"]["distance_m"]
    )
    assert "Looproute naar Gezondheidscentrum Wippolder" in status.inner_text()
    assert re.search(r"\d min lopen\.$", status.inner_text())  # said once (item 11)
    check_axe(page, axe_source, "embed-delft-answer", "desktop")
    shoot(page, "embed-delft-route-desktop")
    visit.close()


@pytest.mark.browser
@pytest.mark.e2e
def test_address_search_on_a_phone(browser: Browser, delft_server: str, axe_source: str) -> None:
    visit = Visit(browser, f"{delft_server}/embed/", VIEWPORTS["phone"])
    page = visit.loaded()
    page.locator("#wsz-q").click()
    page.fill("#wsz-q", "2628 CC 3")
    page.locator("#wsz-search-form button[type=submit]").click()
    page.wait_for_selector(".wsz-nearest li")
    found = httpx.get(f"{delft_server}/addresses", params={"q": "2628 CC 3"}).json()
    hit = found["features"][0]
    assert hit["properties"]["address"] == "Mekelweg 3, 2628 CC Delft"
    answer = page.locator("#wsz-answer").inner_text()
    assert "Plek: Mekelweg 3, 2628 CC Delft" in answer
    assert f"Buurt: {hit['properties']['bu_naam']}" in answer
    assert "Woonservicezone: TU-campus" in answer
    lon, lat = hit["geometry"]["coordinates"]
    query = parse_qs(urlparse(page.url).query)
    assert (float(query["lon"][0]), float(query["lat"][0])) == (lon, lat)
    # Several matches: a list of buttons to choose from.
    page.fill("#wsz-q", "Mekelweg")
    page.press("#wsz-q", "Enter")
    page.wait_for_selector(".wsz-result-list button")
    assert page.locator(".wsz-result-list button").count() >= 3
    no_sideways_scroll(page)
    check_axe(page, axe_source, "embed-delft-search", "phone")
    shoot(page, "embed-delft-search-phone")
    visit.close()


@pytest.mark.browser
@pytest.mark.e2e
def test_english_switch_keeps_the_place(
    browser: Browser, delft_server: str, axe_source: str
) -> None:
    visit = Visit(browser, f"{delft_server}/embed/", VIEWPORTS["desktop"])
    page = visit.loaded()
    assert page.evaluate("document.documentElement.lang") == "nl"
    page.fill("#wsz-q", "Kloosterkade 137")
    page.press("#wsz-q", "Enter")
    page.wait_for_selector(".wsz-nearest li")
    page.locator("#wsz-lang-switch").click()
    page.wait_for_url(re.compile(r"lang=en"))
    page.wait_for_selector("body[data-loaded='true']")
    page.wait_for_selector(".wsz-nearest li")  # the place is in the URL: asked again
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#wsz-q-label").inner_text() == "Find your address"
    assert page.locator("#wsz-legend-title").inner_text() == "Legend"
    assert "General practitioner (≤ 500 m)" in page.locator("#wsz-legend-body").inner_text()
    answer = page.locator("#wsz-answer").inner_text()
    assert "Place: Kloosterkade 137, Delft" in answer
    assert "Neighbourhood: Wippolder-Zuid" in answer
    assert "min walk" in answer
    assert "walking routes over the street network" in page.locator("#wsz-measure").inner_text()
    assert page.locator("#wsz-lang-switch").inner_text() == "Nederlands"
    check_axe(page, axe_source, "embed-delft-english", "desktop")
    shoot(page, "embed-delft-english-desktop")
    visit.close()
