"""What-if questions over HTTP (read-only: nothing is stored): ``POST /whatif/placements``
(where would k new voorzieningen help most), ``GET /whatif/closures`` (every voorziening
of a category ranked by the residents who would fall beyond the norm without it),
``POST /whatif/closures`` (who loses coverage if these close, and how far they walk then) and
``GET /whatif/norms`` (the presence norms checked per wijk and zone).

Limits come first: the body's size (:data:`MAX_BODY_BYTES`, against ``Content-Length`` and
again while it streams in), then k (:data:`MAX_K`) and the number of candidates
(:data:`geo.whatif.candidates.MAX_CANDIDATES`), before any walking is measured. Candidates
come in WGS84 lon/lat and are worked on in RD New; the chosen sites go out in WGS84.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

import geopandas as gpd
import pandas as pd
import shapely
from fastapi import APIRouter, Query, Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from geo import pipeline
from geo.analysis import Analysis
from geo.ask.filters import check_category, check_zone
from geo.ask.geojson import feature_collection
from geo.crs import EDGE_CRS, to_edge_crs, to_working_crs
from geo.errors import QueryError, TooLargeError, TooManyFeaturesError
from geo.whatif.candidates import MAX_CANDIDATES
from geo.whatif.median import MedianPlacement
from geo.whatif.report import Placement, PlaceOptions
from service.deps import PublishedDep, SettingsDep
from service.geojson import GEOJSON_MEDIA_TYPE, GeoJSONResponse
from service.params import CategoryQuery
from service.routes.addresses import served_index
from service.routes.imports import PROBLEM
from service.schemas.whatif import (
    MAX_BODY_BYTES,
    MAX_K,
    MAX_NORM_M,
    CandidateArea,
    CandidateCollection,
    ClosureAnswer,
    ClosureRanking,
    ClosureRequest,
    MedianAnswer,
    NormsAnswer,
    PlacementAnswer,
    PlacementRequest,
)


class _ReadBody(Request):
    """A request whose body has been read already (under the limit)."""

    def __init__(self, request: Request, body: bytes) -> None:
        super().__init__(request.scope, request.receive)
        self._body = body


async def limited_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, refused (:class:`TooLargeError`, 413) beyond ``limit`` bytes: by its
    ``Content-Length`` before a byte is read, and while it streams in."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise _too_large(len(data), limit)
    return bytes(data)


def _too_large(n_bytes: int, limit: int) -> TooLargeError:
    return TooLargeError(
        f"request body: {n_bytes:,} bytes is more than the {limit:,} bytes a what-if "
        "question takes; send fewer candidates or generate them in an area",
        limit=limit,
        actual=n_bytes,
    )


#: Methods of each what-if path (GET and POST /whatif/closures share one), for a 405's Allow.
_METHODS: dict[str, set[str]] = {}


class LimitedBodyRoute(APIRoute):
    """A route whose JSON body is read under :data:`MAX_BODY_BYTES` before it is parsed, and
    whose 405 lists every method of its path (Starlette's lists the first route's only)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _METHODS.setdefault(self.path, set()).update(self.methods or ())

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            if request.method == "POST":
                request = _ReadBody(request, await limited_body(request))
            return await handler(request)

        return limited

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            allowed = ", ".join(sorted(_METHODS.get(self.path, self.methods)))
            raise HTTPException(status_code=405, headers={"Allow": allowed})
        await super().handle(scope, receive, send)


router = APIRouter(tags=["whatif"], route_class=LimitedBodyRoute)
RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "k or the norm out of range, k above the candidates.", **PROBLEM},
    404: {"description": "Unknown category, zone or buurt.", **PROBLEM},
    413: {"description": "Body or candidates beyond a limit.", **PROBLEM},
    422: {"description": "A malformed body or parameter, candidates outside NL.", **PROBLEM},
    503: {"description": "No buurten imported yet, or no street network.", **PROBLEM},
}


def check_limits(k: int, n_candidates: int) -> None:
    """Refuse k above :data:`MAX_K` (400) and more than ``MAX_CANDIDATES`` candidates (413)."""
    if k > MAX_K:
        raise QueryError(f"k = {k} is more than the {MAX_K} new sites one placement chooses")
    if n_candidates > MAX_CANDIDATES:
        raise TooManyFeaturesError(
            f"candidates: {n_candidates:,} is more than the {MAX_CANDIDATES:,} one placement "
            "considers; thin them (a larger spacing_m) or choose a smaller area",
            limit=MAX_CANDIDATES,
            actual=n_candidates,
        )


def candidate_frame(collection: CandidateCollection) -> gpd.GeoDataFrame:
    """The candidates of a body in RD New, with ``id`` (feature id, ``properties.id`` or
    ``c<n>``); refused (422) when they do not lie in the Netherlands as WGS84 lon/lat."""
    ids, xy = [], []
    for n, item in enumerate(collection.features):
        given = item.id if item.id is not None else (item.properties or {}).get("id")
        ids.append(str(given) if given is not None else f"c{n}")
        xy.append(item.geometry.coordinates[:2])
    frame = gpd.GeoDataFrame({"id": ids}, geometry=shapely.points(xy), crs=EDGE_CRS)
    return to_working_crs(frame, where="candidates (GeoJSON, WGS84 lon/lat)")


def _candidates(analysis: Analysis, body: PlacementRequest) -> gpd.GeoDataFrame:
    if isinstance(body.candidates, CandidateArea):
        check_limits(body.k, 0)
        area = body.candidates
        found = pipeline.whatif_candidates(analysis, area.area, area.spacing_m, source=area.source)
        check_limits(body.k, len(found))
        return found
    check_limits(body.k, len(body.candidates.features))
    return candidate_frame(body.candidates)


def check_objective(body: PlacementRequest) -> None:
    """Refuse ``norm_m`` or ``presence`` with objective ``distance`` (400): they constrain
    the coverage objective only."""
    if body.objective == "distance" and (body.presence or body.norm_m is not None):
        raise QueryError("norm_m and presence apply to objective coverage, not distance")


SITE_COLUMNS = ["id", "rank", "gain", "bu_code", "bu_naam", "wk_code", "zone_code", "address",
                "address_m"]  # fmt: skip
MEDIAN_SITE_COLUMNS = ["id", "rank", "served", "saved_m", *SITE_COLUMNS[3:]]


def placement_geojson(placement: Placement) -> str:
    """The chosen sites (WGS84) with the solution's figures as top-level members."""
    s = placement.solution
    members = {
        "category": placement.category,
        "norm_m": placement.norm_m,
        "weight": placement.weight,
        "method": s.method,
        "status": s.status,
        "objective": round(s.objective, 3),
        "bound": round(s.bound, 3),
        "gap": round(s.gap, 6),
        "share_beyond_before": round(placement.beyond_before, 6),
        "share_beyond_after": round(placement.beyond_after, 6),
        "by_zone": placement.by_zone.round(3).to_dict("records"),
        "by_buurt": placement.by_buurt.round(3).to_dict("records"),
        "off_network": list(placement.off_network),
        "objective_kind": "coverage",
        "curve": _records(placement.curve),
        "presence": _records(placement.presence),
        "addresses": placement.addresses,
    }
    sites = placement.sites.round({"gain": 3, "address_m": 1})
    return feature_collection(to_edge_crs(sites), SITE_COLUMNS, members)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def median_geojson(placement: MedianPlacement) -> str:
    """The sites of a distance placement (WGS84) with its figures as top-level members."""
    s = placement.solution
    members = {
        "category": placement.category,
        "weight": placement.weight,
        "objective_kind": "distance",
        "method": s.method,
        "status": s.status,
        "objective": round(s.saving, 1),
        "bound": round(s.bound, 1),
        "gap": round(s.gap, 6),
        "limit_m": placement.limit_m,
        "mean_before_m": _rounded(placement.mean_before_m),
        "mean_after_m": _rounded(placement.mean_after_m),
        "mean_after_bound_m": _rounded(placement.mean_after_bound_m),
        "unreachable_before": round(placement.unreachable_before, 3),
        "unreachable_after": round(placement.unreachable_after, 3),
        "by_zone": _records(placement.by_zone.round(1)),
        "off_network": list(placement.off_network),
        "addresses": placement.addresses,
    }
    sites = placement.sites.round({"served": 3, "saved_m": 1, "address_m": 1})
    sites = sites.astype({"saved_m": object}).where(sites.notna(), None)
    return feature_collection(to_edge_crs(sites), MEDIAN_SITE_COLUMNS, members)


def place_options(body: PlacementRequest) -> PlaceOptions:
    """The placement's choices as the solver takes them (the presence levels once each)."""
    return PlaceOptions(
        norm_m=body.norm_m,
        weight=body.weight,
        method=body.method,
        presence=tuple(dict.fromkeys(body.presence)),
    )


@router.post(
    "/whatif/placements",
    response_class=GeoJSONResponse,
    responses={
        200: {"model": PlacementAnswer | MedianAnswer, "content": {GEOJSON_MEDIA_TYPE: {}}},
        **RESPONSES,
    },
    summary="Where would k new voorzieningen bring the most residents within the norm?",
)
def post_placements(
    request: Request, published: PublishedDep, settings: SettingsDep, body: PlacementRequest
) -> GeoJSONResponse:
    """Choose ``k`` of the candidates (a FeatureCollection of WGS84 points, or generated in
    a zone or buurt) bringing the most residents (or 65+) within the norm by walking
    (``objective: coverage``; with ``presence``, a site in every wijk or zone without one),
    or shortening their weighted mean walking distance most (``objective: distance``), the
    existing voorzieningen kept. The coverage answer has the gain curve for k = 1…K; each
    site its buurt, wijk, zone and nearest address. Read-only: nothing is stored."""
    analysis = published.analysis
    check_objective(body)
    candidates = _candidates(analysis, body)
    options = place_options(body)
    addresses = served_index(request, published, settings)
    if body.objective == "distance":
        median = pipeline.whatif_median(
            analysis, body.category, candidates, body.k, options=options, addresses=addresses
        )
        return GeoJSONResponse(median_geojson(median))
    placement = pipeline.whatif_place(
        analysis, body.category, candidates, body.k, options=options, addresses=addresses
    )
    return GeoJSONResponse(placement_geojson(placement))


@router.get(
    "/whatif/closures",
    response_model=ClosureRanking,
    responses=RESPONSES,
    summary="Which voorziening of a category matters most (what if it closed)?",
)
def get_closures(
    published: PublishedDep,
    category: CategoryQuery,
    norm_m: Annotated[
        float | None,
        Query(gt=0, le=MAX_NORM_M, allow_inf_nan=False, description="Metres; default: threshold."),
    ] = None,
) -> ClosureRanking:
    """Every voorziening of ``category`` ranked by the residents (and 65+) who would fall
    beyond the norm without it: those it alone covers."""
    analysis = published.analysis
    ranking = pipeline.whatif_closure_ranking(analysis, category, norm_m=norm_m)
    norm = analysis.vocabulary[category].threshold_m if norm_m is None else norm_m
    return ClosureRanking.model_validate(
        {"category": category, "norm_m": norm, "voorzieningen": ranking.to_dict("records")}
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, NaN as None (JSON null)."""
    rounded = frame.round(3).astype(object)
    records: list[dict[str, Any]] = rounded.where(rounded.notna(), None).to_dict("records")
    return records


@router.post(
    "/whatif/closures",
    response_model=ClosureAnswer,
    responses=RESPONSES,
    summary="What if these voorzieningen close: who loses coverage, how far then?",
)
def post_closures(published: PublishedDep, body: ClosureRequest) -> ClosureAnswer:
    """The residents and 65+ who lose coverage if the voorzieningen ``ids`` (one category)
    close, per zone and buurt, with their new walking distance (m) to the nearest that stays
    open. Read-only: nothing is stored."""
    impact = pipeline.whatif_closure(published.analysis, body.ids, norm_m=body.norm_m)
    return ClosureAnswer.model_validate(
        {
            **{k: getattr(impact, k) for k in ClosureAnswer.model_fields if k[:3] != "by_"},
            "closed": list(impact.closed),
            "by_zone": _records(impact.by_zone),
            "by_buurt": _records(impact.by_buurt),
        }
    )


@router.get(
    "/whatif/norms",
    response_model=NormsAnswer,
    responses=RESPONSES,
    summary="Presence norms: which wijk (or zone) has no ontmoetingsplek, steunpunt, …?",
)
def get_norms(
    published: PublishedDep,
    category: CategoryQuery | None = None,
    level: Annotated[
        Literal["wijk", "zone"] | None,
        Query(description="Check this level for `category` (default: the declared norms)."),
    ] = None,
    zone: Annotated[str | None, Query(description="Only this zone and its wijken.")] = None,
    gaps_only: Annotated[bool, Query(description="List only the areas without one.")] = False,
) -> NormsAnswer:
    """The presence norms of the vocabulary ("at least one ontmoetingsplek in every wijk",
    "a steunpunt in every zone"), or ``category`` checked per ``level``: per norm the areas
    checked, met and without one, and every area with its residents and voorzieningen."""
    analysis = published.analysis
    code = None if category is None else check_category(category, analysis.vocabulary)
    zone_code = None if zone is None else check_zone(zone, published.zones)
    check = pipeline.whatif_norms(
        analysis,
        None if code is None else [code],
        None if level is None else [level],
        zone_code=zone_code,
    )
    norms = [
        {
            "category": category_code,
            "level": level_name,
            "areas": len(areas),
            "met": int(areas["met"].sum()),
            "without": areas.loc[~areas["met"].astype(bool), "area_code"].tolist(),
        }
        for (category_code, level_name), areas in check.groupby(["category", "level"], sort=False)
    ]
    shown = check[~check["met"].astype(bool)] if gaps_only else check
    return NormsAnswer.model_validate({"norms": norms, "areas": _records(shown)})
