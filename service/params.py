"""Query parameters several routes take, declared once so that the OpenAPI document says
exactly what is accepted: a request the document allows is answered (not refused with 400),
and one it does not is refused with a problem naming the parameter and what it takes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from geo.errors import QueryError
from service.auth import is_key_parameter

#: A walking time in minutes above 0 and at most 60 (decimals allowed).
_MINUTE = r"(?:0\.[0-9]*[1-9][0-9]*|[1-9](?:\.[0-9]+)?|[1-5][0-9](?:\.[0-9]+)?|60(?:\.0+)?)"
MINUTES_PATTERN = rf"^{_MINUTE}(?:,{_MINUTE}){{0,4}}$"

LonQuery = Annotated[
    float, Query(ge=-180, le=180, description="Longitude, WGS84 degrees (e.g. 5.09).")
]
LatQuery = Annotated[
    float, Query(ge=-90, le=90, description="Latitude, WGS84 degrees (e.g. 52.03).")
]
CategoryQuery = Annotated[
    str, Query(min_length=1, max_length=100, description="Category code or alias, e.g. `huisarts`.")
]
MinutesQuery = Annotated[
    str,
    Query(
        pattern=MINUTES_PATTERN,
        description="1–5 walking times in minutes, each above 0 and at most 60, e.g. `5,10,15`.",
    ),
]
_LON = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[0-9]{1,2})(?:\.[0-9]+)?)"
_LAT = r"-?(?:90(?:\.0+)?|[0-8]?[0-9](?:\.[0-9]+)?)"
#: Two corners of a WGS84 box, lon,lat,lon,lat (in either order).
WGS84_BBOX_PATTERN = rf"^{_LON},{_LAT},{_LON},{_LAT}$"
#: A search text with at least one letter or digit (punctuation alone finds nothing).
SEARCH_PATTERN = r"[0-9A-Za-z]"

#: What the refusal of an invalid parameter adds, so that it says how to fix it.
HINTS = {
    "lon": "WGS84 degrees, lon −180..180; note the order: lon first, then lat",
    "lat": "WGS84 degrees, lat −90..90; note the order: lon first, then lat",
    "minutes": "1 to 5 walking times in minutes, each above 0 and at most 60, e.g. 5,10,15",
    "category": "a category code or alias: see /categories",
    "q": "a postcode and house number, or a street and number",
    "bbox": "four numbers minlon,minlat,maxlon,maxlat in WGS84 degrees, e.g. 5.05,52.00,5.13,52.05",
}


def check_parameters(request: Request, allowed: Iterable[str]) -> None:
    """Refuse query parameters the endpoint does not know (:class:`QueryError`, HTTP 400),
    naming them and the ones it takes: a misspelt filter (``categorie=``) would otherwise be
    ignored and answer everything."""
    known = set(allowed)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        accepted = ", ".join(sorted(known)) if known else "no query parameters"
        raise QueryError(
            f"unknown query parameter(s) {', '.join(unknown)}; this endpoint accepts {accepted}"
        )


def declared_parameters(route: APIRoute) -> frozenset[str]:
    """The query parameters ``route`` declares (its own and its dependencies'), by the name a
    client sends (the alias)."""
    known = _DECLARED.get(route.unique_id)
    if known is None:
        known = _DECLARED[route.unique_id] = frozenset(_query_aliases(route.dependant))
    return known


#: Declared query parameters by route id (routes themselves are not hashable).
_DECLARED: dict[str, frozenset[str]] = {}


def _query_aliases(dependant: Dependant) -> Iterable[str]:
    yield from (field.alias for field in dependant.query_params)
    for dependency in dependant.dependencies:
        yield from _query_aliases(dependency)


async def refuse_unknown_parameters(request: Request) -> None:
    """Router dependency: a query parameter the route does not declare is a 400. A key sent
    in the URL is not "unknown" here: reads need no key, and the access log redacts it."""
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        keys = {name for name in request.query_params if is_key_parameter(name)}
        check_parameters(request, declared_parameters(route) | keys)
