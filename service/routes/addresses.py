"""Address search: postcode + house number or street + number → points (GeoJSON, WGS84)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from geo.ask.geojson import feature_collection
from geo.ask.search import AddressIndex
from geo.crs import to_edge_crs
from geo.pipeline import address_index
from geo.settings import Settings
from geo.store.addresses import address_file
from service.deps import PublishedDep, SettingsDep
from service.geojson import GEOJSON_MEDIA_TYPE, GeoJSONResponse
from service.params import SEARCH_PATTERN
from service.schemas.features import AddressCollection, AddressProperties
from service.state import Published

router = APIRouter(tags=["addresses"])

ADDRESS_FIELDS = list(AddressProperties.model_fields)


def served_index(request: Request, published: Published, settings: Settings) -> AddressIndex:
    """The address index of the served analysis, built on first use and kept with the state;
    built again when the imported BAG table changes."""
    del request
    table = address_file(settings.store_path)
    version = table.stat().st_mtime_ns if table.exists() else None
    return published.cache.get(
        ("addresses", version), lambda: address_index(published.analysis, settings)
    )


@router.get(
    "/addresses",
    response_class=GeoJSONResponse,
    responses={200: {"model": AddressCollection, "content": {GEOJSON_MEDIA_TYPE: {}}}},
    summary="Find an address (postcode + number, or street + number)",
)
def search_addresses(
    request: Request,
    published: PublishedDep,
    settings: SettingsDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            pattern=SEARCH_PATTERN,
            description='"3431 AB 12", "3431ab12", "Mekelweg 5", "mekelweg 5 delft"; case, '
            "spacing and accents do not matter.",
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=50, description="Most matches, 1–50.")] = 10,
) -> GeoJSONResponse:
    """Addresses from the imported BAG table and the OSM extract's ``addr:*`` tags, best match
    first, each with its buurt and zone. No external geocoder is asked. ``indexed`` says how
    many addresses can be searched (0: import a BAG table or build a street network)."""
    index = served_index(request, published, settings)
    found = index.search(q, limit=limit)
    members = {"indexed": len(index), "sources": index.counts}
    return GeoJSONResponse(feature_collection(to_edge_crs(found), ADDRESS_FIELDS, members))
