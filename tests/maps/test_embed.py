"""The residents' map (/embed pages): headers and HTML, then real pages in headless Chromium.

The browser tests load each page from a real ``wsz serve`` process with every request outside
127.0.0.1 blocked and counted, run axe-core (from the npm registry, tests/package.json) on it,
and save screenshots at 1280 × 800 and 360 × 740 in ``test-artifacts/``. Two servers: the
Nieuwegein sample (real CBS buurten, SYNTHETIC voorzieningen, no street network: straight
lines) and the real ``delft-tu`` sample (OSM 2014 with its walking network and addresses).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import branca.element
import folium
import httpx
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright
from pydantic import ValidationError

from geo.analysis import Analysis
from geo.read.voorzieningen import read_voorzieningen
from geo.settings import Settings
from maps.embed import EMBED_LABELS, LANGS, TEMPLATES, embed_page, help_page, tile_origin
from service.state import Published
from tests.conftest import (
    ARTIFACTS,
    PROJECT_ROOT,
    SHARED_DATA,
    make_app,
    make_service,
    make_settings,
    running_server,
)

AXE = PROJECT_ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": (1280, 800), "phone": (360, 740)}
OSM = ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "&copy; OpenStreetMap")
#: Every kind of embed page, for the checks that hold on all of them.
EMBED_PAGES = ["/embed/", "/embed/zuid", "/embed/?lang=en", "/embed/help", "/embed/help?lang=en"]
#: The policy the hardening issue wants on every page: scripts from this service only.
STRICT_SCRIPTS = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'"
)
#: axe-core results per page and viewport: {page: {viewport: {impact: count}}}.
AXE_RESULTS: dict[str, dict[str, dict[str, int]]] = {}


# --------------------------------------------------------------------------- headers, HTML


def test_only_embed_pages_may_be_framed(client: TestClient) -> None:
    embed = client.get("/embed/")
    assert embed.status_code == 200
    assert "frame-ancestors 'self'" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers
    assert embed.headers["referrer-policy"] == "no-referrer"
    assert "set-cookie" not in embed.headers
    for path in ("/zones", "/maps/index.html", "/docs", "/health", "/static/embed/main.js"):
        response = client.get(path)
        assert response.headers["x-frame-options"] == "DENY", path
        assert response.headers["content-security-policy"] == "frame-ancestors 'none'", path


def test_framing_origins_come_from_the_settings(
    published: Published, sample_store_file: Path
) -> None:
    origins = "https://www.nieuwegein.nl https://*.nieuwegein.nl"
    app = make_app(make_settings(sample_store_file), published, embed_frame_ancestors=origins)
    with TestClient(app) as client:
        for path in ("/embed/", "/embed/zuid", "/embed/help"):
            policy = client.get(path).headers["content-security-policy"]
            assert policy.endswith(f"frame-ancestors {origins}"), path
        assert origins in client.get("/embed/help").text


@pytest.mark.parametrize(
    "value", ["https://a.nl; script-src *", "", "'none' https://a.nl", "javascript:alert(1)"]
)
def test_bad_framing_origins_are_refused(value: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="WSZ_EMBED_FRAME_ANCESTORS"):
        make_service(embed_frame_ancestors=value)


def test_page_holds_the_map_setup_but_no_data(sample_analysis: Analysis) -> None:
    """No GeoJSON and no remote URL inlined; with tiles, the tile URL is the only one."""
    kwargs: dict[str, Any] = {
        "zone_code": None,
        "lang": "nl",
        "vendor_base": "/static/vendor",
        "static_base": "/static/embed",
        "api_base": "",
        "speed_m_per_s": 0.8,
    }
    html = embed_page(sample_analysis, tiles=None, **kwargs)
    assert not re.search(r"https?://", html)
    assert "FeatureCollection" not in html
    assert "coordinates" not in html
    assert len(html) < 20_000  # the same size for a gemeente of any size
    assert '<html lang="nl">' in html
    assert "user-scalable=no" not in html
    tiled = embed_page(sample_analysis, tiles=OSM, **kwargs)
    assert set(re.findall(r"https?://[^\s\"'\\]+", tiled)) == {OSM[0]}
    assert tile_origin(OSM[0]) == "https://tile.openstreetmap.org"
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )


def _page_kwargs(**overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "zone_code": None,
        "lang": "nl",
        "tiles": None,
        "vendor_base": "/static/vendor",
        "static_base": "/static/embed",
        "api_base": "",
        "speed_m_per_s": 0.8,
    }
    return {**kwargs, **overrides}


def _config(html: str) -> dict[str, Any]:
    """The page's configuration: its JSON data block (up to the first ``</script>``)."""
    found = re.search(r'<script type="application/json" id="wsz-config">(.*?)</script>', html)
    assert found is not None
    config: dict[str, Any] = json.loads(found.group(1))
    return config


class _Scripts(HTMLParser):
    """A page's ``<script>`` elements (attributes and text), and anything else that would run
    inline: event-handler attributes and ``javascript:`` URLs."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], list[str]]] = []
        self.inline: list[str] = []
        self._text: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.inline.append(f"<{tag} {name}>")
        if tag == "script":
            self._text = []
            self.scripts.append((dict(attrs), self._text))

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._text = None


@pytest.mark.parametrize("path", EMBED_PAGES)
def test_no_inline_executable_script(
    client: TestClient, sample_analysis: Analysis, path: str
) -> None:
    """Every <script> loads a file of this service or is a JSON data block (never executed);
    no element carries an event handler: the page can run under ``script-src 'self'``."""
    page = _Scripts(client.get(path).text)
    assert page.scripts
    for attrs, text in page.scripts:
        if attrs.get("type") == "application/json":
            assert "src" not in attrs
            json.loads("".join(text))
        else:
            assert str(attrs.get("src")).startswith("/static/"), attrs
            assert "".join(text).strip() == "", attrs
    assert page.inline == []
    tiled = _Scripts(embed_page(sample_analysis, **_page_kwargs(tiles=OSM)))
    assert all(a.get("src") or a.get("type") == "application/json" for a, _ in tiled.scripts)


def test_pages_come_from_templates_not_folium(
    sample_analysis: Analysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages are rendered from maps/templates, not cut out of Folium's output: with Folium
    unable to build or render a map they still render, ``<html lang>`` straight from the
    template."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Folium was used for an embed page")

    monkeypatch.setattr(folium.Map, "__init__", refuse)
    monkeypatch.setattr(branca.element.Figure, "render", refuse)
    assert {"base.html", "embed.html", "help.html"} <= set(TEMPLATES.list_templates())
    for lang in LANGS:
        start = f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        html = embed_page(sample_analysis, **_page_kwargs(zone_code="zuid", lang=lang))
        assert html.startswith(start)
        assert 'id="wsz-map"' in html
        assert "folium" not in html
        helped = help_page(
            lang=lang,
            embed_url="http://kaart.example.nl/embed/",
            zones=[("zuid", "Zuid")],
            frame_ancestors="'self'",
            static_base="/static/embed",
        )
        assert helped.startswith(start)


def test_config_block_holds_the_map_setup(sample_analysis: Analysis) -> None:
    """Extent, tiles, zone and texts of the page's language reach the script as JSON."""
    config = _config(embed_page(sample_analysis, **_page_kwargs(zone_code="zuid", tiles=OSM)))
    assert config["tiles"] == {"url": OSM[0], "attribution": OSM[1]}
    assert config["zone"] == "zuid"
    (south, west), (north, east) = config["bounds"]
    assert 51.9 < south < north < 52.1
    assert 5.0 < west < east < 5.2
    assert config["labels"]["answer_title"] == EMBED_LABELS["answer_title"][0]
    assert not any(key.startswith("help_") for key in config["labels"])
    assert _config(embed_page(sample_analysis, **_page_kwargs()))["tiles"] is None


def test_every_value_is_escaped(sample_analysis: Analysis) -> None:
    """Autoescaped text and attributes; a configuration value cannot close its data block."""
    hostile = '</script><script>alert(1)</script>"<b>x</b>'
    html = embed_page(sample_analysis, **_page_kwargs(api_base=hostile, static_base=hostile))
    assert _config(html)["api"] == hostile
    helped = help_page(
        lang="nl",
        embed_url="http://kaart.example.nl/embed/",
        zones=[("zuid", hostile)],
        frame_ancestors="'self'",
        static_base=hostile,
    )
    for page in (html, helped):
        assert "<script>alert" not in page
        assert "<b>" not in page
    assert hostile in unescape(helped)


def test_unknown_zone_and_language(client: TestClient) -> None:
    missing = client.get("/embed/nergens")
    assert missing.status_code == 404
    assert "zuid" in missing.json()["detail"]
    assert client.get("/embed/", params={"lang": "de"}).status_code == 422


def test_help_page_gives_the_snippet(client: TestClient) -> None:
    text = unescape(client.get("/embed/help").text)
    assert '<iframe src="http://testserver/embed/"' in text
    assert "http://testserver/embed/zuid" in text
    english = unescape(client.get("/embed/help", params={"lang": "en"}).text)
    assert '<iframe src="http://testserver/embed/?lang=en"' in english
    assert EMBED_LABELS["help_title"][1] in english


def test_voorzieningen_carry_address_and_opening_hours(client: TestClient) -> None:
    """From a file's adres/openingstijden columns, and from OSM's addr:* tags."""
    vocabulary = Settings().vocabulary
    body = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "id": "a-1",
                    "naam": "Apotheek Markt",
                    "categorie": "apotheek",
                    "adres": "Markt 1, 2611 GP Delft",
                    "openingstijden": "Mo-Fr 08:00-17:30",
                },
                "geometry": {"type": "Point", "coordinates": [4.3609, 52.0116]},
            }
        ],
    }
    frame = read_voorzieningen(json.dumps(body).encode(), vocabulary)
    assert frame.iloc[0][["address", "opening_hours"]].tolist() == [
        "Markt 1, 2611 GP Delft",
        "Mo-Fr 08:00-17:30",
    ]
    osm = read_voorzieningen(SHARED_DATA / "osm" / "delft_tu_campus_2014.osm", vocabulary)
    shop = osm.set_index("name").loc["Hans Meijer"]
    assert shop["address"] == "Rotterdamseweg 97, 2628 AK Delft"
    assert pd.isna(shop["opening_hours"])  # the extract has no opening_hours tag
    served = client.get("/voorzieningen").json()["features"][0]["properties"]
    assert {"address", "opening_hours"} <= set(served)


# --------------------------------------------------------------------------- real browser


def chromium_path() -> str:
    path = os.environ.get("WSZ_CHROMIUM") or shutil.which("chromium")
    if path is None:
        pytest.fail("Debian's chromium is needed: run scripts/ensure-chromium")
    return path


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `make browser` (scripts/ensure-axe, npm ci)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield launched
        launched.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe-results.json").write_text(json.dumps(AXE_RESULTS, indent=2, sort_keys=True))


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


class Visit:
    """A page in its own browser context: requests leaving 127.0.0.1 are blocked and counted,
    console errors collected."""

    def __init__(
        self,
        browser: Browser,
        url: str,
        viewport: tuple[int, int],
        csp: str | None = None,
        json_edits: Mapping[str, Callable[[Any], None]] | None = None,
    ) -> None:
        """``csp`` replaces the page's Content-Security-Policy; ``json_edits`` change the JSON
        answers of the API paths they name before the page sees them."""
        self.csp = csp
        self.json_edits = dict(json_edits or {})
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context: BrowserContext = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}
        )
        self.context.route("**/*", self._route)
        self.page: Page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)

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
        assert self.errors == []
        assert self.blocked == []  # zero requests left the machine (tiles are off)
        assert self.context.cookies() == []
        self.context.close()


def check_axe(page: Page, axe_source: str, name: str, viewport: str) -> None:
    """Run axe-core; record the violations by impact and refuse serious or critical ones."""
    page.add_script_tag(content=axe_source)
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
    assert "Voorzieningen en wegennet" in warning.inner_text()
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
    # A click in the zone answers by straight line (no network) with a dashed line to draw.
    page.locator("#wsz-centre").click()
    page.wait_for_selector(".wsz-nearest li")
    assert "Afstanden zijn hemelsbreed" in page.locator("#wsz-measure").inner_text()
    page.locator(".wsz-route-button").first.click()
    page.wait_for_selector("path.wsz-route-straight")
    no_sideways_scroll(page)
    check_axe(page, axe_source, "embed-zone-zuid", viewport)
    shoot(page, f"embed-zone-zuid-{viewport}")
    visit.close()


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


@pytest.mark.browser
@pytest.mark.e2e
@pytest.mark.parametrize("path", ["/embed/", "/embed/help"])
def test_pages_work_without_inline_script(browser: Browser, live_server: str, path: str) -> None:
    """Under ``script-src 'self'`` (no 'unsafe-inline') the page loads, draws and answers, and
    the browser reports no violation (Visit.close refuses console errors)."""
    visit = Visit(browser, f"{live_server}{path}", VIEWPORTS["desktop"], csp=STRICT_SCRIPTS)
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
    # A marker by keyboard: Enter opens its popup, with the address OSM gives.
    page.locator(".wsz-voorziening[aria-label='Hans Meijer (Supermarkt)']").focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Adres: Rotterdamseweg 97, 2628 AK Delft")
    assert "Supermarkt" in popup.inner_text()
    page.keyboard.press("Escape")
    # The map itself takes the keyboard: Enter on it looks up its centre.
    page.focus(".leaflet-container")
    page.keyboard.press("Enter")
    expect(page.locator("#wsz-answer-title")).to_be_focused()
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
