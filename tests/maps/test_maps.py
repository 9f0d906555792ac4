"""Maps: the HTML we generate, and the page drawn by a real headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlparse, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from playwright.sync_api import Browser, Page

from geo.analysis import Analysis
from maps.assets import OfflineMap
from maps.build import overview_map, render_page, write_map, zone_map
from maps.layers import RELATIVE_LINK, profiel_link
from maps.style import share_colour
from tests.conftest import ARTIFACTS

OSM = ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "&copy; OpenStreetMap")


def map_html(fmap: OfflineMap) -> str:
    """The page and its script together (the script holds the layers, tooltips, legend)."""
    page = render_page(fmap, "map.js")
    return page.html + page.script


def test_share_colour_classes() -> None:
    assert share_colour(0.0) == "#ffffb2"
    assert share_colour(1.0) == "#bd0026"
    assert share_colour(float("nan")) == "#bdbdbd"


def test_no_tiles_means_no_url_at_all(sample_analysis: Analysis) -> None:
    html = map_html(overview_map(sample_analysis, tiles=None, asset_base="/static/vendor"))
    assert not re.search(r"https?://", html)


def test_configured_tiles_are_the_only_remote_url(sample_analysis: Analysis) -> None:
    html = map_html(overview_map(sample_analysis, tiles=OSM, asset_base="/static/vendor"))
    assert set(re.findall(r"https?://[^\s\"'\\]+", html)) == {OSM[0]}


def test_labels_are_dutch_and_english(sample_analysis: Analysis) -> None:
    html = map_html(zone_map(sample_analysis, "zuid", tiles=None, asset_base="vendor"))
    for text in (
        "Inwoners / Residents",
        "Huisarts / General practitioner",
        "Buurten / Neighbourhoods",
        "Buiten bereik / Out of reach",
        "Zuid (Vreeswijk, Zandveld, Hoogzandveld, Lekboulevard)",
        # The sample's voorzieningen, street network and addresses are generated: the legend
        # says so.
        "Voorzieningen, wegennet en adressen: synthetisch (gegenereerd) / "
        "Facilities, street network and addresses: synthetic (generated)",
    ):
        assert text in html


def test_legend_says_which_distance_is_shown(
    straight_analysis: Analysis, walking_analysis: Analysis
) -> None:
    walking = map_html(overview_map(walking_analysis, tiles=None, asset_base="vendor"))
    assert "lopend over het wegennet / walking over the street network" in walking
    straight = map_html(overview_map(straight_analysis, tiles=None, asset_base="vendor"))
    assert "hemelsbreed (rechte lijn) / straight line" in straight


def test_zone_map_draws_isochrones_and_gap_polygons(walking_analysis: Analysis) -> None:
    dataset = walking_analysis.dataset
    voorzieningen = dataset.voorzieningen
    zone = next(
        code
        for code in dataset.zones["zone_code"]
        if (
            (voorzieningen["zone_code"] == code)
            & voorzieningen["category"].isin(["ontmoetingsplek", "gezondheidscentrum"])
        ).any()
    )
    html = map_html(zone_map(walking_analysis, zone, tiles=None, asset_base="vendor"))
    assert "Looptijd vanaf ontmoetingsplek en gezondheidscentrum" in html
    assert "15 min lopen / walk" in html
    assert "waar inwoners buiten bereik wonen / where residents out of reach live" in html


def test_written_map_carries_its_own_leaflet(sample_analysis: Analysis, tmp_path: Path) -> None:
    path = write_map(
        overview_map(sample_analysis, tiles=None, asset_base="vendor"), tmp_path / "index.html"
    )
    sources = re.findall(r'(?:src|href)="([^"]+)"', path.read_text())
    assert "index.js" in sources
    for source in sources:
        if source.startswith("data:"):
            continue
        assert (tmp_path / source).is_file(), source


# --------------------------------------------------------------------------- real browser


def open_map(browser: Browser, url: str) -> tuple[Page, list[str], list[str]]:
    """Open ``url``; return the page, console errors and requests to other hosts."""
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors: list[str] = []
    foreign: list[str] = []
    host = urlparse(url).netloc
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: foreign.append(r.url) if urlparse(r.url).netloc not in (host, "") else None,
    )
    page.goto(url)
    page.wait_for_selector(".leaflet-marker-icon", timeout=15_000)
    return page, errors, foreign


@pytest.mark.browser
@pytest.mark.e2e
def test_overview_map_draws_zones_buurten_and_markers(
    browser: Browser, live_server: str, sample_analysis: Analysis
) -> None:
    page, errors, foreign = open_map(browser, f"{live_server}/maps/index.html")
    dataset = sample_analysis.dataset
    polygons = page.locator("path.leaflet-interactive:not(.wsz-presence)").count()
    # The shown gap layer and the buurten layer draw every buurt; zones add their outlines;
    # the wijken and zones failing a presence norm are a layer of their own.
    assert polygons == 2 * len(dataset.buurten) + len(dataset.zones)
    assert page.locator("path.wsz-presence").count() > 0
    assert page.locator(".leaflet-marker-icon").count() == len(dataset.voorzieningen)
    assert page.locator(".wsz-legend").is_visible()
    assert page.locator(".leaflet-control-layers").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "map-overview.png")
    assert errors == []
    assert foreign == []


@pytest.mark.browser
@pytest.mark.e2e
def test_zone_map_and_tooltip(browser: Browser, live_server: str) -> None:
    page, errors, foreign = open_map(browser, f"{live_server}/maps/zuid.html")
    assert page.locator(".leaflet-marker-icon").count() >= 4
    page.locator(".leaflet-marker-icon").first.hover()
    assert page.locator(".leaflet-tooltip").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "map-zuid.png")
    assert errors == []
    assert foreign == []


@given(st.text(min_size=1, max_size=40))
def test_profiel_links_stay_on_this_service(code: str) -> None:
    """Whatever a zone or wijk code holds, its profile link is a relative path that resolves
    under /profiel/ of the page's own origin (never a scheme, a host or a way out)."""
    link = profiel_link("../profiel/", code, "profiel_zone")
    assert link is not None
    assert re.fullmatch(RELATIVE_LINK, link["href"])
    resolved = urlsplit(urljoin("https://gemeente.example/maps/noord.html", link["href"]))
    assert (resolved.scheme, resolved.netloc) == ("https", "gemeente.example")
    assert resolved.path.startswith("/profiel/")
    assert resolved.path.count("/") == 2
    assert profiel_link(None, code, "profiel_zone") is None
