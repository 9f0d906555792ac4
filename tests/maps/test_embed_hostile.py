"""Hostile names on the residents' map, in headless Chromium (issue 12, item 1: stored XSS).

A store whose buurten, zones, voorzieningen (name, address, opening hours) and gemeente carry
markup that runs script if it is ever parsed as HTML (an ``onerror`` image, an ``onload`` SVG,
a ``</script>`` that would close the configuration block) is served by a real ``wsz serve``.
The pages /embed/, /embed/{zone} and /embed/help, in Dutch and English, are opened with
tooltips, popups, the answer and a route shown: every name is shown as text, no element of
the markup exists, no script of it ran, and the browser reports no violation of the page's
Content-Security-Policy (``script-src 'self'``, ``style-src 'self'``, no 'unsafe-inline').
One visit runs with the policy bypassed: the escaping alone keeps the markup inert.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from geo.settings import Settings
from geo.store.geopackage import GeoPackageStore
from tests.conftest import make_settings, running_server
from tests.maps.embed_support import VIEWPORTS, Visit

#: Markup that runs ``window.wszInjected`` if parsed as HTML (each a different way in).
HOSTILE = (
    '<img src=x onerror="window.wszInjected=(window.wszInjected||0)+1">',
    '"><svg onload="window.wszInjected=1"></svg>',
    "</script><script>window.wszInjected=1</script>",
)
#: What a hostile element would look like in the page (none may exist).
INJECTED = "img[src='x'], svg[onload], script:not([src]):not([type='application/json'])"


def _hostile(name: str, position: int) -> str:
    return HOSTILE[position % len(HOSTILE)] + str(name)


@pytest.fixture(scope="module")
def hostile_server(
    sample_store_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``wsz serve`` on a copy of the sample whose names (buurten, zones, voorzieningen with
    their addresses and opening hours, the gemeente) all begin with hostile markup, walking
    over the sample's network."""
    folder = tmp_path_factory.mktemp("embed-hostile")
    store = GeoPackageStore(folder / "store.gpkg")
    shutil.copy(sample_store_file, store.path)
    dataset = store.read()
    buurten = dataset.buurten.copy()
    buurten["bu_naam"] = [_hostile(n, i) for i, n in enumerate(buurten["bu_naam"])]
    buurten["gm_naam"] = [_hostile(n, 0) for n in buurten["gm_naam"]]
    zones = dataset.zones.copy()
    zones["zone_name"] = [_hostile(n, i) for i, n in enumerate(zones["zone_name"])]
    voorzieningen = dataset.voorzieningen.copy()
    for column in ("name", "address", "opening_hours"):
        voorzieningen[column] = [
            _hostile(n if isinstance(n, str) else "", i)
            for i, n in enumerate(voorzieningen[column])
        ]
    definition = dataset.definition
    if definition is not None:
        specs = tuple(
            spec.model_copy(update={"name": _hostile(spec.name, i)})
            for i, spec in enumerate(definition.zones)
        )
        definition = definition.model_copy(update={"zones": specs})
    store.write(
        replace(
            dataset,
            buurten=buurten,
            zones=zones,
            voorzieningen=voorzieningen,
            definition=definition,
        )
    )
    settings: Settings = make_settings(sample_store_file)
    env = {"WSZ_STORE_PATH": str(store.path), "WSZ_NETWORK_CACHE_DIR": str(settings.network_cache)}
    with running_server(env, folder / "server.log") as base:
        yield base


def _nothing_ran(page: Page) -> None:
    assert page.evaluate("window.wszInjected") is None
    assert page.locator(INJECTED).count() == 0


def _open_everything(page: Page) -> None:
    """Hover a buurt (its tooltip), open a marker's popup from the list, look up a place and
    draw a route: every place a name is shown."""
    buurt = page.locator("path.wsz-buurt").first
    buurt.dispatch_event("mouseover")
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text(HOSTILE[0])
    assert tooltip.locator("img").count() == 0
    marker = page.locator(".wsz-voorziening").first
    assert (marker.get_attribute("aria-label") or "").startswith(HOSTILE[0][:10])
    page.locator("#wsz-list-title").click()
    page.locator("#wsz-list button").first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("<")
    assert popup.locator("img, svg, script").count() == 0
    page.keyboard.press("Escape")
    page.locator("#wsz-centre").click()
    page.wait_for_selector(".wsz-nearest li .wsz-route-button")
    answer = page.locator("#wsz-answer").inner_text()
    assert "<img src=x" in answer or "<svg" in answer or "</script>" in answer
    page.locator(".wsz-route-button").first.click()
    page.wait_for_selector("path.wsz-route")
    expect(page.locator("#wsz-route-status")).to_contain_text("<")
    _nothing_ran(page)


@pytest.mark.browser
@pytest.mark.e2e
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_hostile_names_never_run_on_the_map(
    browser: Browser, hostile_server: str, lang: str
) -> None:
    """/embed/ and /embed/{zone} in ``lang``: names are text, nothing runs, no violation
    (Visit.close refuses console errors and reported violations)."""
    query = "?lang=en" if lang == "en" else ""
    visit = Visit(browser, f"{hostile_server}/embed/{query}", VIEWPORTS["desktop"])
    page = visit.loaded()
    assert HOSTILE[0] in page.title()
    _open_everything(page)
    visit.close()
    visit = Visit(browser, f"{hostile_server}/embed/zuid{query}", VIEWPORTS["phone"])
    page = visit.loaded()
    assert "Zuid" in page.title()
    assert any(h in page.title() for h in HOSTILE)
    page.locator("path.wsz-buurt").first.dispatch_event("mouseover")
    expect(page.locator(".leaflet-tooltip")).to_contain_text("<")
    _nothing_ran(page)
    visit.close()


@pytest.mark.browser
@pytest.mark.e2e
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_hostile_names_never_run_on_the_help_page(
    browser: Browser, hostile_server: str, lang: str
) -> None:
    query = "?lang=en" if lang == "en" else ""
    visit = Visit(browser, f"{hostile_server}/embed/help{query}", VIEWPORTS["desktop"])
    page = visit.page
    page.wait_for_load_state("load")
    zones = page.locator("main ul li a")
    assert zones.count() >= 1
    assert any(h in zones.first.inner_text() for h in HOSTILE)
    page.locator("#wsz-copy").click()
    _nothing_ran(page)
    visit.close()


@pytest.mark.browser
@pytest.mark.e2e
def test_names_stay_inert_without_the_policy(browser: Browser, hostile_server: str) -> None:
    """With the Content-Security-Policy bypassed, the escaping alone keeps every name text."""
    visit = Visit(browser, f"{hostile_server}/embed/", VIEWPORTS["desktop"], bypass_csp=True)
    page = visit.loaded()
    _open_everything(page)
    visit.close()
