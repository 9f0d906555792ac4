"""A saved scenario on the planners' map in headless Chromium, over the session's real
``wsz serve`` of the Nieuwegein sample (real CBS buurten; SYNTHETIC voorzieningen and street
network): the page shows the scenario (its card, chosen site, candidates and gap polygons
after it) and a click on the map evaluates "a new voorziening here" at once, under the page's
Content-Security-Policy (script-src 'self')."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from geo.analysis import Analysis
from geo.pipeline import save_scenario, whatif_candidates, whatif_place, whatif_scenario
from geo.store.geopackage import GeoPackageStore
from geo.whatif.scenarios import placement_parts
from tests.maps.embed_support import VIEWPORTS, Visit, shoot

NAME = "kaart-test"


def _save(analysis: Analysis, folder: Path) -> None:
    """A one-site huisarts placement among 40 generated candidates, saved on the live
    server's store as the CLI would (`wsz whatif place … --save`)."""
    store = GeoPackageStore(folder / "store.gpkg")
    candidates = whatif_candidates(analysis, None, 400.0).iloc[:40]
    placement = whatif_place(analysis, "huisarts", candidates, 1)
    request, sites, solution = placement_parts(placement, candidates, {"spacing_m": 400.0})
    scenario = whatif_scenario(
        analysis, NAME, ("placement", request, sites), version=store.version(), solution=solution
    )
    save_scenario(store, scenario, replace=True)


@pytest.mark.browser
@pytest.mark.e2e
def test_the_map_shows_a_saved_scenario_and_answers_a_click(
    browser: Browser, live_server: str, live_folder: Path, sample_analysis: Analysis
) -> None:
    _save(sample_analysis, live_folder)
    visit = Visit(browser, f"{live_server}/maps/scenario/{NAME}.html", VIEWPORTS["desktop"])
    page = visit.page
    page.wait_for_selector(".wsz-scenario-chosen", timeout=15_000)
    card = page.locator(".wsz-scenario-card").inner_text()
    assert f"Scenario: {NAME}" in card
    assert "Nieuw binnen de norm / Newly within the norm:" in card
    assert page.locator("path.wsz-scenario-candidate").count() >= 1
    assert page.locator(".leaflet-control-layers").inner_text().count("Huisarts") >= 1
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    with page.expect_response("**/whatif/evaluate") as answered:
        page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.45)
    assert answered.value.status == 200, answered.value.text()
    total = page.locator(".wsz-evaluate-total")
    total.wait_for(timeout=5_000)
    assert total.inner_text().startswith("Nieuw binnen de norm / Newly within the norm: ")
    assert "Een nieuwe voorziening hier" in page.locator(".wsz-evaluate").inner_text()
    shoot(page, "maps-scenario-click")
    assert visit.violations == [], visit.violations
    assert visit.errors == [], visit.errors
    visit.close()
