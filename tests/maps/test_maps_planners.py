"""The planners' maps (/maps/*.html) as a planner reads them, in headless Chromium at 1280 × 800
over a real ``wsz serve`` of the Nieuwegein sample (real CBS buurten; SYNTHETIC voorzieningen
and street network): a buurt's tooltip and popup give its figures per category, walking and by
straight line; the legend stays clear of the layer list and explains every kind of layer;
buurten outside every zone are hatched; popups and the legend link to the wijkprofielen
(relative links, built as elements); the synthetic data is announced in a banner; axe-core
finds nothing serious (lang, a main landmark, a level-one heading).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser, Page

from geo.analysis import Analysis
from maps.layers import RELATIVE_LINK
from tests.maps.embed_support import AXE_RESULTS, VIEWPORTS, Visit, shoot

ZONE = "zuid"


def _open(browser: Browser, url: str, axe_source: str | None = None) -> Visit:
    """``url`` at 1280 × 800; axe-core, when given, as an init script (the page's policy
    refuses the inline script tag the embed tests use, and it must stay in force)."""
    visit = Visit(browser, "about:blank", VIEWPORTS["desktop"])
    if axe_source is not None:
        visit.page.add_init_script(axe_source)
    visit.page.goto(url)
    visit.page.wait_for_selector(".leaflet-marker-icon", timeout=15_000)
    return visit


def _check_axe(page: Page, name: str) -> None:
    """No serious or critical violation; counts by impact kept for test-artifacts/."""
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    counts: dict[str, int] = {}
    for violation in result["violations"]:
        counts[violation["impact"]] = counts.get(violation["impact"], 0) + 1
    AXE_RESULTS.setdefault(name, {})["desktop"] = counts
    severe = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert severe == [], severe


def _box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return {key: box[key] for key in ("x", "y", "width", "height")}


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _tooltip_of_a_buurt(page: Page) -> None:
    """Hovering a buurt: its name, zone, residents, and where its figures are."""
    buurt = page.locator("path.wsz-buurt").first
    buurt.dispatch_event("mouseover")
    tooltip = page.locator(".leaflet-tooltip").first
    tooltip.wait_for(timeout=5_000)
    text = tooltip.inner_text()
    assert "Woonservicezone / Residential service zone:" in text
    assert "Inwoners / Residents:" in text
    assert "Klik voor de cijfers per voorziening" in text
    buurt.dispatch_event("mouseout")


def _figures_of_a_buurt(page: Page, analysis: Analysis) -> None:
    """The first buurt's popup holds a row per category with a walking and a straight cell."""
    page.locator("path.wsz-buurt").first.dispatch_event("click")
    card = page.locator(".leaflet-popup-content .wsz-card")
    card.first.wait_for(timeout=5_000)
    head = card.locator("thead th").all_inner_texts()
    assert head[1:] == ["Lopend / Walking", "Hemelsbreed / Straight line"]
    rows = card.locator("tbody tr")
    assert rows.count() == len(analysis.vocabulary.categories)
    first = rows.first.locator("td").all_inner_texts()
    assert all("%" in cell or "onbekend" in cell for cell in first), first
    assert "Huisarts / General practitioner (> 500 m)" in card.first.inner_text()
    links = card.first.locator("a")
    assert links.count() >= 1  # its wijk's profile (and its zone's, in a zone)
    assert links.first.inner_text().startswith("Wijkprofiel van de ")
    assert re.fullmatch(RELATIVE_LINK, links.first.get_attribute("href") or "")


def _profiel_links(page: Page, base: str, name: str) -> None:
    """The legend links to the gemeente's wijkprofiel (and a zone map to the zone's), as
    relative links that open the profile pages of this service."""
    legend = page.locator(".wsz-legend a")
    texts = legend.all_inner_texts()
    assert texts[-1] == "Wijkprofiel van de gemeente / Profile of the municipality"
    hrefs = [legend.nth(i).get_attribute("href") for i in range(legend.count())]
    expected = (
        ["../profiel/GM0356"] if name == "index" else [f"../profiel/{ZONE}", "../profiel/GM0356"]
    )
    assert hrefs == expected
    for href in hrefs:
        answer = page.request.get(
            urljoin(f"{base}/maps/{name}.html", href), params={"format": "json"}
        )
        assert answer.status == 200, href


@pytest.mark.browser
@pytest.mark.e2e
@pytest.mark.parametrize("name", ["index", ZONE])
def test_planners_map_shows_figures_and_a_clear_legend(
    browser: Browser, live_server: str, sample_analysis: Analysis, axe_source: str, name: str
) -> None:
    visit = _open(browser, f"{live_server}/maps/{name}.html", axe_source)
    page = visit.page
    _tooltip_of_a_buurt(page)
    _figures_of_a_buurt(page, sample_analysis)
    shoot(page, f"maps-planners-{name}-popup")
    page.locator(".leaflet-popup-close-button").click()
    legend, layers = _box(page, ".wsz-legend"), _box(page, ".leaflet-control-layers")
    for other in (
        layers,
        _box(page, ".leaflet-control-zoom"),
        _box(page, ".leaflet-control-scale"),
    ):
        assert not _overlap(legend, other), (legend, other)
    assert legend["y"] + legend["height"] <= 800
    text = page.locator(".wsz-legend").inner_text()
    assert "Buiten elke woonservicezone / Outside every zone" in text
    assert "per voorziening" in text
    assert "Aanwezigheidsnormen / Presence norms" in text  # the areas failing a presence norm
    if name == "index":
        assert page.locator("path.wsz-presence").count() > 0
    _profiel_links(page, live_server, name)
    if name == ZONE:
        assert "Looptijd vanaf ontmoetingsplek en gezondheidscentrum" in text
        assert "Waar de inwoners verder dan de norm wonen" in text
    banner = page.locator(".wsz-banner")
    assert banner.is_visible()
    assert "synthetisch" in banner.inner_text()
    assert page.locator("h1").count() == 1
    assert page.locator("html").get_attribute("lang") == "nl"
    shoot(page, f"maps-planners-{name}")
    _check_axe(page, f"maps-{name}")
    visit.close()


@pytest.mark.browser
@pytest.mark.e2e
def test_buurten_outside_every_zone_are_hatched(
    browser: Browser, live_server: str, sample_analysis: Analysis
) -> None:
    outside = int(sample_analysis.dataset.buurten["zone_code"].isna().sum())
    assert outside > 0  # the sample's zones leave some buurten out
    visit = _open(browser, f"{live_server}/maps/index.html")
    hatched = visit.page.locator("path.wsz-gap[fill='url(#wsz-hatch)']")
    assert hatched.count() == outside
    hatched.first.dispatch_event("mouseover")
    tooltip = visit.page.locator(".leaflet-tooltip").first
    tooltip.wait_for(timeout=5_000)
    assert "Buiten elke woonservicezone" in tooltip.inner_text()
    visit.close()
