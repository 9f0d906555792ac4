"""The click on the planners' overview map in headless Chromium, over the session's real
``wsz serve`` of the Nieuwegein sample (real CBS buurten; SYNTHETIC voorzieningen and street
network): the map carries a selector of the deployment's categories, and a click asks
``POST /whatif/evaluate`` what a new voorziening of the chosen one (at its own norm) would
bring there, under the page's Content-Security-Policy (script-src and connect-src 'self'),
with the click's script served by the service (shared with the scenario map)."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from geo.analysis import Analysis
from tests.maps.embed_support import VIEWPORTS, Visit, shoot


@pytest.mark.browser
@pytest.mark.e2e
def test_the_overview_map_answers_a_click_for_the_chosen_category(
    browser: Browser, live_server: str, sample_analysis: Analysis
) -> None:
    visit = Visit(browser, f"{live_server}/maps/index.html", VIEWPORTS["desktop"])
    page = visit.page
    select = page.locator("select.wsz-evaluate-category")
    select.wait_for(timeout=15_000)
    categories = sample_analysis.vocabulary.categories
    assert select.locator("option").count() == len(categories)
    label = page.locator("label[for=wsz-evaluate-category]").inner_text()
    assert label == "Nieuwe voorziening / New voorziening"
    chosen = categories[-1]
    select.select_option(chosen.code)
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    with page.expect_response("**/whatif/evaluate") as answered:
        page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55)
    response = answered.value
    assert response.status == 200, response.text()
    asked = json.loads(response.request.post_data or "{}")
    assert asked["category"] == chosen.code
    assert asked["norm_m"] is None
    assert response.json()["norm_m"] == chosen.threshold_m
    total = page.locator(".wsz-evaluate-total")
    total.wait_for(timeout=5_000)
    assert total.inner_text().startswith("Nieuw binnen de norm / Newly within the norm: ")
    card = page.locator(".wsz-evaluate").inner_text()
    assert "Een nieuwe voorziening hier / A new voorziening here" in card
    assert f"{chosen.label_nl} / {chosen.label_en} ≤ " in card
    shoot(page, "maps-overview-click")
    assert visit.violations == [], visit.violations
    assert visit.errors == [], visit.errors
    visit.close()


@pytest.mark.parametrize("name", ["index", "zuid"])
def test_the_maps_share_one_served_click_script(client: TestClient, name: str) -> None:
    """The overview and a zone's map load the shared click script (the policy lets it fetch
    from this service), and their own script starts it."""
    page = client.get(f"/maps/{name}.html")
    assert "connect-src 'self'" in page.headers["content-security-policy"]
    src = re.search(r'<script src="(/maps/static/evaluate\.js\?v=[0-9a-f]{16})">', page.text)
    assert src is not None, page.text[-600:]
    script = client.get(src.group(1))
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "wszPlanner" in script.text
    assert "innerHTML" not in script.text
    assert "wszPlanner.attach(" in client.get(f"/maps/{name}.js").text
