"""A saved scenario on the planners' map: ``/maps/scenario/{name}.html`` and its script.

The page shows the scenario's candidates, chosen (or closed) sites and the gap polygons of
its category and norm today and after it (:mod:`maps.scenario`); a click on the map asks
``POST /whatif/evaluate`` what a new voorziening there would bring. Like every planners'
map it runs no inline script (``script-src 'self'``). A stale scenario (the store changed
since it was computed) is refused (409): its gaps would mix two versions of the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from geo import pipeline
from geo.whatif.scenarios import StaleScenarioError, check_name
from service.deps import LiveDep, PublishedDep, ServiceSettingsDep, StateDep
from service.routes.maps import _html, _script
from service.routes.scenarios import NameDep

if TYPE_CHECKING:  # branca and Jinja with the first map asked for (render), not at start
    from maps.page import MapPage

router = APIRouter(prefix="/maps/scenario", tags=["maps"])


def _page(
    state: StateDep, published: PublishedDep, live: LiveDep, name: str, request: Request,
    settings: ServiceSettingsDep,
) -> MapPage:  # fmt: skip
    scenario = pipeline.find_scenario(live.store, check_name(name))
    if scenario.is_stale(state.version):
        raise StaleScenarioError(scenario.name, scenario.store_version, state.version)
    root = request.scope.get("root_path", "")
    base = f"{root}/static/vendor"
    tiles = settings.tile_layer()

    def render() -> MapPage:
        # Folium is imported with the first map asked for, not at start (as service/routes/maps.py).
        from maps.build import render_page
        from maps.evaluate import served
        from maps.scenario import scenario_map

        analysis = published.analysis
        gaps = pipeline.scenario_gaps(analysis, scenario)
        fmap = scenario_map(
            analysis, scenario, gaps, tiles=tiles, asset_base=base,
            evaluate=served(root),
        )  # fmt: skip
        return render_page(fmap, f"{root}/maps/scenario/{scenario.name}.js?v={{digest}}")

    key = ("scenario-map", scenario.name, scenario.created, base, tiles)
    page: MapPage = published.cache.get(key, render)
    return page


@router.get("/{name}.html", response_class=HTMLResponse, summary="A saved scenario on the map")
def scenario_map_page(
    state: StateDep, published: PublishedDep, live: LiveDep, settings: ServiceSettingsDep,
    request: Request, name: NameDep,
) -> HTMLResponse:  # fmt: skip
    """The scenario's candidates, chosen or closed sites and the gaps today and after it; a
    click evaluates a new voorziening there."""
    return _html(_page(state, published, live, name, request, settings), settings.tile_layer())


@router.get("/{name}.js", summary="Script of a scenario's map", include_in_schema=False)
def scenario_map_script(
    state: StateDep, published: PublishedDep, live: LiveDep, settings: ServiceSettingsDep,
    request: Request, name: NameDep,
) -> Response:  # fmt: skip
    """The scenario map's script (layers, cards, the click)."""
    return _script(_page(state, published, live, name, request, settings))
