"""The planners' maps (/maps/*.html) and the API documentation (/docs, /redoc) in headless
Chromium, served by a real ``wsz serve`` over a store whose buurten, zones and voorzieningen
are named with markup: nothing runs, the names show as text in tooltips and popups, the map
still draws its layers, and the pages' Content-Security-Policy (scripts from this service only,
no inline script) is met without a single violation. Every request leaving 127.0.0.1 is
blocked and counted (tests/maps/embed_support.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from geo.store.geopackage import GeoPackageStore
from tests.conftest import make_settings, running_server
from tests.maps.embed_support import VIEWPORTS, Visit, shoot

#: Markup a name must never turn into: each would set window.wszInjected if it ran.
MARKUP = (
    '<img src=x onerror="window.wszInjected=1">'
    "<script>window.wszInjected=2</script>"
    '"\'><svg onload="window.wszInjected=3">'
)
#: Records every Content-Security-Policy violation (Playwright's init scripts run whatever
#: the page's policy says).
WATCH_VIOLATIONS = """
window.wszViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.wszViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
#: A zone of the sample with ontmoetingsplekken and gezondheidscentra (isochrones drawn).
ZONE = "zuid"


@pytest.fixture(scope="module")
def hostile_server(
    sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The sample with markup before every buurt, zone and voorziening name, walking over the
    session's street network."""
    folder = tmp_path_factory.mktemp("maps-hostile")
    store = folder / "store.gpkg"
    shutil.copy(sample_store_file, store)
    dataset = GeoPackageStore(store).read()
    dataset.buurten["bu_naam"] = MARKUP + dataset.buurten["bu_naam"].astype(str)
    dataset.zones["zone_name"] = MARKUP + dataset.zones["zone_name"].astype(str)
    dataset.voorzieningen["name"] = MARKUP + dataset.voorzieningen["name"].astype(str)
    GeoPackageStore(store).write(dataset)
    env = {
        "WSZ_STORE_PATH": str(store),
        "WSZ_NETWORK_CACHE_DIR": str(make_settings(sample_store_file).network_cache),
    }
    with running_server(env, folder / "server.log") as base:
        yield base


def _visit(browser: Browser, url: str) -> Visit:
    """``url`` in its own context (Visit), watched for policy violations from the start."""
    visit = Visit(browser, "about:blank", VIEWPORTS["desktop"])
    visit.page.add_init_script(WATCH_VIOLATIONS)
    visit.page.goto(url)
    return visit


#: ReDoc's bundle always asks for its maker's logo from their CDN (no option turns it off):
#: the policy refuses it, the only violation allowed, and nothing leaves the machine.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def _finish(visit: Visit, *, allowed: tuple[str, ...] = ()) -> None:
    page = visit.page
    assert page.evaluate("window.wszInjected") is None
    violations = page.evaluate("window.wszViolations")
    assert [v for v in violations if v.split(" ", 1)[1] not in allowed] == []
    visit.errors = [e for e in visit.errors if not any(url in e for url in allowed)]
    visit.violations = [v for v in visit.violations if not any(url in v for url in allowed)]
    visit.close()  # no console error (a blocked script is one), no request off the machine


def _open_card(page: Page, selector: str, *, click: bool = False) -> str:
    """Hover (or click) the first element of ``selector``; the tooltip's (popup's) text."""
    page.locator(selector).first.dispatch_event("click" if click else "mouseover")
    card = page.locator(".leaflet-popup-content .wsz-card" if click else ".leaflet-tooltip")
    card.first.wait_for(timeout=5_000)
    assert card.locator("img, script, svg").count() == 0
    text = card.first.inner_text()
    if not click:
        page.locator(selector).first.dispatch_event("mouseout")
    return text


@pytest.mark.browser
@pytest.mark.e2e
@pytest.mark.parametrize("name", ["index", ZONE])
def test_hostile_names_are_text_on_the_maps(
    browser: Browser, hostile_server: str, name: str
) -> None:
    visit = _visit(browser, f"{hostile_server}/maps/{name}.html")
    page = visit.page
    page.wait_for_selector(".leaflet-marker-icon", timeout=15_000)
    assert page.locator("path.wsz-buurt").count() > 0
    assert page.locator("path.wsz-zone").count() >= 1
    assert page.locator(".leaflet-control-layers").is_visible()
    assert page.locator(".wsz-legend").is_visible()
    assert page.locator("h1").inner_text().count("<img") == (1 if name == ZONE else 0)
    for selector in ("path.wsz-buurt", "path.wsz-zone", ".leaflet-marker-icon"):
        assert MARKUP in _open_card(page, selector), selector
    if name == ZONE:
        assert page.locator("path.wsz-isochrone").count() > 0
        assert MARKUP in _open_card(page, "path.wsz-isochrone")
    shoot(page, f"maps-hostile-{name}")
    _finish(visit)


@pytest.mark.browser
@pytest.mark.e2e
def test_map_pages_carry_a_strict_script_policy(hostile_server: str) -> None:
    for path in ("/maps/index.html", f"/maps/{ZONE}.html", "/docs", "/redoc"):
        policy = httpx.get(f"{hostile_server}{path}").headers["content-security-policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'", path
        assert directives["frame-ancestors"] == "'none'", path
    script = httpx.get(f"{hostile_server}/maps/{ZONE}.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "bindTooltip" in script.text


@pytest.mark.browser
@pytest.mark.e2e
def test_swagger_ui_runs_under_the_policy(browser: Browser, hostile_server: str) -> None:
    visit = _visit(browser, f"{hostile_server}/docs")
    page = visit.page
    page.wait_for_selector(".opblock", timeout=45_000)
    assert page.locator(".opblock").count() > 10
    page.locator(".opblock-summary", has_text="/zones").first.click()
    page.locator("button.try-out__btn").first.click()
    page.locator("button.execute").first.click()
    page.wait_for_selector(".response .microlight", timeout=10_000)
    _finish(visit)


@pytest.mark.browser
@pytest.mark.e2e
def test_redoc_runs_under_the_policy(browser: Browser, hostile_server: str) -> None:
    visit = _visit(browser, f"{hostile_server}/redoc")
    page = visit.page
    page.wait_for_selector("h1", timeout=20_000)
    assert "Woonservicezones" in page.locator("h1").first.inner_text()
    assert page.locator("[data-section-id]").count() > 10
    _finish(visit, allowed=(REDOC_LOGO,))
