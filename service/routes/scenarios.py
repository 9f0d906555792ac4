"""Named what-if scenarios over HTTP, and the click on the planners' map.

* ``POST /whatif/scenarios`` (API key): run a placement or closure and keep the answer as a
  named scenario, beside (never mixed with) the real voorzieningen; 409 when the name is
  taken (unless ``replace``) or the store changed since the planner's answer;
* ``GET /whatif/scenarios``, ``GET /whatif/scenarios/{name}``: list, show;
* ``GET /whatif/scenarios/{name}/compare?with=NAME2``: residents and 65+ beyond the norm per
  zone, today and in each scenario (and the mean walking distance, for placements by
  distance; 409 for a stale one, 400 for a placement by distance beside one by coverage or a
  closure);
* ``GET /whatif/scenarios/{name}/export?format=``: GeoJSON, GeoPackage or CSV;
* ``DELETE /whatif/scenarios/{name}`` (API key);
* ``POST /whatif/evaluate``: "a new voorziening here" — residents newly covered, in total and
  per zone (read-only; what the planners' map asks on a click).

Scenario answers change without the store changing, so they carry no ETag
(:data:`service.caching.UNTAGGED_PREFIXES`). Every write is logged (import kind ``scenario``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import geopandas as gpd
import shapely
from fastapi import APIRouter, Path, Query, Response

from geo import pipeline
from geo.ask.export import MEDIA_TYPE, ExportCrs, ExportFormat
from geo.ask.geojson import feature_collection
from geo.crs import EDGE_CRS, to_edge_crs, to_working_crs
from geo.errors import WszError
from geo.store.log import Caller as LogCaller
from geo.store.scenarios import refuse_taken
from geo.whatif.scenario_export import ScenarioLayer, scenario_bytes, scenario_file_name
from geo.whatif.scenarios import (
    MAX_NAME_LENGTH,
    MEAN_AFTER,
    MEAN_BEFORE,
    NAME,
    SITE_COLUMNS,
    Scenario,
    StaleScenarioError,
    check_comparable,
    check_name,
    closure_parts,
    median_parts,
    placement_parts,
    records,
)
from service.auth import CallerDep
from service.deps import LiveDep, PublishedDep, StateDep
from service.routes.imports import PROBLEM
from service.routes.whatif import (
    RESPONSES,
    LimitedBodyRoute,
    _candidates,
    check_objective,
    place_options,
)
from service.schemas.scenarios import (
    CompareAnswer,
    DeletedScenario,
    EvaluateAnswer,
    EvaluateRequest,
    SaveScenario,
    ScenarioAnswer,
    ScenarioList,
)
from service.schemas.whatif import CandidateArea
from service.state import StoreState

router = APIRouter(tags=["whatif"], route_class=LimitedBodyRoute)
NameDep = Annotated[
    str,
    Path(
        description="The scenario's name: 1-64 letters, digits, '.', '_' or '-', starting with "
        "a letter or digit.",
        max_length=MAX_NAME_LENGTH,
        pattern=f"^{NAME.pattern}$",
    ),
]
SCENARIO_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "A bad scenario name.", **PROBLEM},
    404: {"description": "No scenario of that name.", **PROBLEM},
    409: {"description": "The scenario is stale: the store changed since.", **PROBLEM},
}
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **RESPONSES,
    401: {"description": "No API key.", **PROBLEM},
    403: {"description": "A wrong API key, or HTTP writes switched off.", **PROBLEM},
    409: {"description": "The name is taken, or the store changed since.", **PROBLEM},
}


def scenario_answer(
    scenario: Scenario, version: str | None, import_id: str | None = None
) -> dict[str, Any]:
    """A scenario as JSON-ready data: its brief, request, figures and sites (WGS84)."""
    sites = to_edge_crs(scenario.sites)
    sites = sites.assign(rank=sites["rank"].astype("Int64").astype(object))
    features = json.loads(feature_collection(sites, list(SITE_COLUMNS)))
    return {
        **scenario.brief(version),
        "request": scenario.request,
        "by_zone": records(scenario.by_zone),
        "by_buurt": records(scenario.by_buurt),
        "site_features": features,
        "import_id": import_id,
    }


@router.post(
    "/whatif/scenarios",
    status_code=201,
    response_model=ScenarioAnswer,
    responses=WRITE_RESPONSES,
    summary="Save a what-if answer as a named scenario (API key)",
)
def post_scenario(
    state: StateDep,
    published: PublishedDep,
    live: LiveDep,
    caller: CallerDep,
    body: SaveScenario,
) -> dict[str, Any]:
    """Run the placement (by coverage or by mean walking distance) or closure of the body and
    keep its answer as the scenario ``name``, beside the real voorzieningen (which it never
    changes)."""
    who = LogCaller(via="http", key=caller.key_name)
    try:  # before the work; logged like every refused write
        name = check_name(body.name)
        if body.store_version is not None and body.store_version != state.version:
            raise StaleScenarioError(name, body.store_version, state.version)
        refuse_taken(live.store.scenarios, name, body.replace)
    except WszError as exc:
        pipeline.refuse_scenario(live.store, body.name, exc, replace=body.replace, caller=who)
        raise
    analysis = published.analysis
    solution = None
    zone_means = None
    if body.placement is not None:
        question = body.placement
        check_objective(question)
        candidates = _candidates(analysis, question)
        options = place_options(question)  # presence too: the answer the planner asked for
        described: dict[str, Any] = (
            question.candidates.model_dump()
            if isinstance(question.candidates, CandidateArea)
            else {"points": len(question.candidates.features)}
        )
        if question.objective == "distance":
            median = pipeline.whatif_median(
                analysis, question.category, candidates, question.k, options=options
            )
            request, sites, solution = median_parts(median, candidates, described)
            zone_means = median.by_zone
        else:
            placement = pipeline.whatif_place(
                analysis, question.category, candidates, question.k, options=options
            )
            request, sites, solution = placement_parts(placement, candidates, described)
        parts: Any = ("placement", request, sites)
    else:
        assert body.closure is not None  # the model requires one of the two
        impact = pipeline.whatif_closure(analysis, body.closure.ids, norm_m=body.closure.norm_m)
        parts = ("closure", *closure_parts(impact, analysis.dataset.voorzieningen))
    scenario = pipeline.whatif_scenario(
        analysis, name, parts, version=state.version, solution=solution, zone_means=zone_means
    )
    report = pipeline.save_scenario(live.store, scenario, replace=body.replace, caller=who)
    return scenario_answer(scenario, state.version, report.id)


@router.get(
    "/whatif/scenarios",
    response_model=ScenarioList,
    summary="The saved what-if scenarios",
)
def get_scenarios(state: StateDep, live: LiveDep) -> dict[str, Any]:
    """Every saved scenario, oldest first, with whether the store changed since (stale)."""
    return {
        "store_version": state.version,
        "scenarios": [s.brief(state.version) for s in live.store.scenarios.all()],
    }


def _found(live: LiveDep, name: str) -> Scenario:
    return pipeline.find_scenario(live.store, name)


@router.get(
    "/whatif/scenarios/{name}",
    response_model=ScenarioAnswer,
    responses=SCENARIO_RESPONSES,
    summary="One saved scenario",
)
def get_scenario(state: StateDep, live: LiveDep, name: NameDep) -> dict[str, Any]:
    """A scenario: what was asked, its sites (WGS84) and its figures per zone and buurt."""
    return scenario_answer(_found(live, name), state.version)


@router.get(
    "/whatif/scenarios/{name}/compare",
    response_model=CompareAnswer,
    responses=SCENARIO_RESPONSES,
    summary="Scenarios side by side with today, per zone",
)
def compare_scenarios(
    state: StateDep,
    live: LiveDep,
    name: NameDep,
    other: Annotated[
        str | None,
        Query(alias="with", max_length=200, description="A second scenario to compare."),
    ] = None,
) -> dict[str, Any]:
    """Residents and 65+ beyond the norm per zone: today, in ``name`` (and in ``with``)."""
    scenarios = [_found(live, n) for n in (name, other) if n]
    check_comparable(scenarios, state.version)
    return compare_answer(scenarios, state)


def compare_answer(scenarios: list[Scenario], state: StoreState) -> dict[str, Any]:
    """The comparison as JSON-ready data."""
    first = scenarios[0]
    zones = []
    for row in records(first.by_zone):
        code = row["zone_code"]
        entry = {
            "zone_code": code,
            "residents": row["residents"],
            "residents_65plus": row["residents_65plus"],
            "today": {
                "residents_beyond": row["residents_beyond_before"],
                "residents_65plus_beyond": row["residents_65plus_beyond_before"],
                "mean_walk_m": row.get(MEAN_BEFORE),
            },
            "scenarios": {},
        }
        for scenario in scenarios:
            match = scenario.by_zone[scenario.by_zone["zone_code"] == code]
            found = records(match)[0] if len(match) else {}
            entry["scenarios"][scenario.name] = {
                "residents_beyond": found.get("residents_beyond_after"),
                "residents_65plus_beyond": found.get("residents_65plus_beyond_after"),
                "mean_walk_m": found.get(MEAN_AFTER),
            }
        zones.append(entry)
    return {
        "category": first.category,
        "norm_m": first.norm_m,
        "store_version": state.version,
        "scenarios": [s.name for s in scenarios],
        "zones": zones,
    }


@router.get(
    "/whatif/scenarios/{name}/export",
    response_class=Response,
    responses={
        200: {
            "description": "The scenario as a file (Content-Disposition names it).",
            "content": {media: {} for media in MEDIA_TYPE.values()},
        },
        **SCENARIO_RESPONSES,
    },
    summary="Download a scenario (GeoJSON, GeoPackage, CSV)",
)
def export_scenario(
    published: PublishedDep,
    live: LiveDep,
    name: NameDep,
    format: Annotated[
        ExportFormat, Query(description="geojson, gpkg (both layers) or csv.")
    ] = "geojson",
    layer: Annotated[
        ScenarioLayer, Query(description="sites (chosen, closed, candidates) or zones.")
    ] = "sites",
    crs: Annotated[
        ExportCrs, Query(description="EPSG:4326 (WGS84) or EPSG:28992 (RD New).")
    ] = "EPSG:4326",
) -> Response:
    """The scenario's sites (or zones with its figures) as a file; CSV cells that start like
    a formula are neutralised."""
    scenario = _found(live, name)
    body = scenario_bytes(scenario, published.analysis.dataset.zones, format, crs=crs, layer=layer)
    file_name = scenario_file_name(scenario.name, format, layer)
    return Response(
        body,
        media_type=MEDIA_TYPE[format],
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )


@router.delete(
    "/whatif/scenarios/{name}",
    response_model=DeletedScenario,
    responses={**SCENARIO_RESPONSES, 401: WRITE_RESPONSES[401], 403: WRITE_RESPONSES[403]},
    summary="Delete a saved scenario (API key)",
)
def delete_scenario(live: LiveDep, caller: CallerDep, name: NameDep) -> dict[str, str]:
    """Remove the scenario ``name``; the real data is never touched."""
    report = pipeline.delete_scenario(
        live.store, check_name(name), caller=LogCaller(via="http", key=caller.key_name)
    )
    return {"deleted": name, "import_id": report.id}


@router.post(
    "/whatif/evaluate",
    response_model=EvaluateAnswer,
    responses=RESPONSES,
    summary="A new voorziening here: how many residents would it bring within the norm?",
)
def post_evaluate(published: PublishedDep, body: EvaluateRequest) -> dict[str, Any]:
    """Residents and 65+ a new voorziening of ``category`` at (lon, lat) would newly bring
    within the norm by walking, in total and per zone. Read-only: nothing is stored."""
    clicked = gpd.GeoDataFrame(geometry=[shapely.Point(body.lon, body.lat)], crs=EDGE_CRS)
    site = to_working_crs(clicked, where="the point (WGS84 lon/lat)").geometry.iloc[0]
    value = pipeline.whatif_evaluate(published.analysis, body.category, site, norm_m=body.norm_m)
    return {
        "category": value.category,
        "norm_m": value.norm_m,
        "residents": value.residents,
        "residents_65plus": value.residents_65plus,
        "by_zone": records(value.by_zone),
        "on_network": value.on_network,
    }
