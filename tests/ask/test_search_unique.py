"""One search result per address (issue 12, item 13): the Delft extract tags "Jaffalaan 9" on
three OSM nodes; a search lists it once, and the other results keep their order."""

from __future__ import annotations

import geopandas as gpd

from geo.ask.search import SAME_ADDRESS_KEYS, build_index
from geo.network.osm import read_osm
from geo.read.addresses import osm_addresses
from tests.conftest import DELFT_OSM, requires_shared_data


@requires_shared_data(DELFT_OSM)
def test_an_address_tagged_on_several_nodes_is_found_once() -> None:
    addresses = osm_addresses(read_osm(DELFT_OSM).addresses)
    empty = gpd.GeoDataFrame({"bu_code": [], "bu_naam": [], "zone_code": []}, geometry=[])
    index = build_index([addresses], empty.set_crs(28992))
    assert (index.frame["street_key"] + index.frame["number"].astype(str)).eq(
        "jaffalaan9"
    ).sum() == 3  # the extract's three nodes stay in the index
    found = index.search("Jaffalaan 9")
    assert list(found["address"]) == ["Jaffalaan 9"]
    assert list(found["match"]) == ["exact"]
    street = index.search("Jaffalaan", limit=50)
    assert not street.duplicated(list(SAME_ADDRESS_KEYS)).any()
    assert street["address"].is_unique
    assert len(street) == len(set(street["address"]))
