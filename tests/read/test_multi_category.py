"""One voorziening, several categories (issue 12, item 14): a category cell may list several
(``huisarts;apotheek`` or a JSON list), every known OSM tag counts, and the vocabulary's
``also`` rules add a category by name or tag; each (voorziening, category) is one row, the
first keeping the id, the others ``<id>~<category>``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from fastapi.testclient import TestClient

from geo.crs import WORKING_CRS, lonlat_to_rd
from geo.errors import UnknownCategoryError
from geo.pipeline import analyse_store
from geo.read.voorzieningen import osm_voorzieningen, read_voorzieningen
from service.state import publish
from tests.conftest import (
    DELFT_OSM,
    SAMPLE_SHARED_FILES,
    VOCABULARY,
    make_app,
    make_settings,
    requires_shared_data,
)

WIPPOLDER = "Gezondheidscentrum Wippolder"


def _body(*categories: object) -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {"id": f"v{n}", "naam": f"Centrum {n}", "categorie": category},
            "geometry": {"type": "Point", "coordinates": [5.08, 52.03 + n / 1000]},
        }
        for n, category in enumerate(categories)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def test_a_category_cell_may_list_several_as_text_or_json_list() -> None:
    frame = read_voorzieningen(
        _body("huisarts; Apotheker", ["gezondheidscentrum", "huisarts"], "supermarkt"),
        VOCABULARY,
    )
    assert list(zip(frame["id"], frame["category"], strict=True)) == [
        ("v0", "huisarts"),
        ("v0~apotheek", "apotheek"),
        ("v1", "gezondheidscentrum"),
        ("v1~huisarts", "huisarts"),
        ("v2", "supermarkt"),
    ]
    assert frame.loc[frame["id"] == "v0~apotheek", "name"].item() == "Centrum 0"
    same = frame.geometry.iloc[0].equals(frame.geometry.iloc[1])
    assert same  # one place, counted for each of its categories


def test_an_unknown_part_of_a_list_is_refused_by_name() -> None:
    with pytest.raises(UnknownCategoryError, match="'huisarts;bakker'"):
        read_voorzieningen(_body("huisarts;bakker"), VOCABULARY)


def test_every_known_osm_tag_and_the_also_rules_give_a_category() -> None:
    x, y = lonlat_to_rd(5.08, 52.03)
    pois = gpd.GeoDataFrame(
        {
            "osm_id": ["node/1", "node/2", "node/3"],
            "name": ["Zorgcentrum Noord", "Medisch Centrum Zuid", None],
            "amenity": ["doctors", "pharmacy", None],
            "healthcare": ["centre", None, "centre"],
            "healthcare:speciality": [None, None, "general"],
        },
        geometry=[shapely.Point(float(x), float(y))] * 3,
        crs=WORKING_CRS,
    )
    frame = osm_voorzieningen(pois, VOCABULARY, source="test.osm")
    assert list(zip(frame["id"], frame["category"], strict=True)) == [
        ("node/1", "huisarts"),  # amenity=doctors
        ("node/1~gezondheidscentrum", "gezondheidscentrum"),  # healthcare=centre
        ("node/2", "apotheek"),
        ("node/2~gezondheidscentrum", "gezondheidscentrum"),  # also: its name
        ("node/3", "gezondheidscentrum"),
        ("node/3~huisarts", "huisarts"),  # also: healthcare:speciality=general
    ]


@pytest.fixture(scope="module")
def delft_lookup(delft_folder: Path) -> Iterator[TestClient]:
    settings = make_settings(delft_folder / "store.gpkg")
    with TestClient(make_app(settings, publish(analyse_store(settings)))) as client:
        yield client


@requires_shared_data(*SAMPLE_SHARED_FILES["delft-tu"])
def test_wippolder_is_a_huisarts_and_a_gezondheidscentrum_in_lookup(
    delft_lookup: TestClient,
) -> None:
    """The real delft-tu extract: an ``amenity=doctors`` named "Gezondheidscentrum
    Wippolder". /lookup beside it used to say "Gezondheidscentrum: geen gevonden" next to
    "Huisarts: Gezondheidscentrum Wippolder"."""
    read = read_voorzieningen(DELFT_OSM, VOCABULARY)
    rows = read[read["name"] == WIPPOLDER]
    assert sorted(rows["category"]) == ["gezondheidscentrum", "huisarts"]
    point = rows.to_crs("EPSG:4326").geometry.iloc[0]
    answer = delft_lookup.get("/lookup", params={"lon": point.x, "lat": point.y}).json()
    nearest = {n["category"]: n for n in answer["nearest"]}
    for category in ("huisarts", "gezondheidscentrum"):
        assert nearest[category]["name"] == WIPPOLDER, nearest[category]
    assert nearest["huisarts"]["distance_m"] == nearest["gezondheidscentrum"]["distance_m"]
    listed = delft_lookup.get("/voorzieningen", params={"category": "gezondheidscentrum"})
    assert [f["properties"]["name"] for f in listed.json()["features"]] == [WIPPOLDER]
