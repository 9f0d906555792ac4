"""Point lookup (geo.ask.locate): WGS84 positions checked and converted to RD New, the buurt
and zone a position lies in (the first buurt on a shared border), and the nearest
voorziening of every category with its distance and whether it lies within the norm.

Tiny hand-made buurten and voorzieningen in RD New near Nieuwegein; positions are given in
RD New and converted to lon/lat as a client would send them.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.ask.locate import (
    Location,
    NearestVoorziening,
    check_lonlat,
    locate,
    locate_index,
    rd_point,
)
from geo.coverage.distance import StraightLineDistance, WalkingDistance
from geo.crs import WORKING_CRS, rd_to_lonlat
from geo.errors import QueryError
from geo.network.graph import build_graph
from geo.network.osm import read_osm
from tests.conftest import VOCABULARY
from tests.osm_builder import ORIGIN, write_osm

X0, Y0 = ORIGIN


def buurten(split_x: float = 200.0, *, reverse: bool = False) -> gpd.GeoDataFrame:
    """Two buurten side by side (relative to the origin): Noord x 0..split_x in zone noord, Rand
    split_x..400 in no zone, both 200 m high."""
    frame = gpd.GeoDataFrame(
        {
            "bu_code": ["BU03560001", "BU03560002"],
            "bu_naam": ["Noord", "Rand"],
            "zone_code": pd.array(["noord", None], dtype="string"),
        },
        geometry=[
            shapely.box(X0, Y0, X0 + split_x, Y0 + 200),
            shapely.box(X0 + split_x, Y0, X0 + 400, Y0 + 200),
        ],
        crs=WORKING_CRS,
    )
    return frame.iloc[::-1].reset_index(drop=True) if reverse else frame


#: (id, name, category, x, y relative to the origin); no apotheek at all.
VOORZIENINGEN = (
    ("h1", "Huisarts Noord", "huisarts", 100.0, 100.0),
    ("h2", "Huisarts Rand", "huisarts", 380.0, 100.0),
    ("s1", "Supermarkt Over De Grens", "supermarkt", 700.0, 100.0),
)


def voorzieningen() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [v[0] for v in VOORZIENINGEN],
            "name": [v[1] for v in VOORZIENINGEN],
            "category": [v[2] for v in VOORZIENINGEN],
        },
        geometry=[shapely.Point(X0 + v[3], Y0 + v[4]) for v in VOORZIENINGEN],
        crs=WORKING_CRS,
    )


def lonlat(x: float, y: float) -> tuple[float, float]:
    """The WGS84 position of a point given relative to the origin (RD New metres)."""
    lon, lat = rd_to_lonlat(X0 + x, Y0 + y)
    return float(lon), float(lat)


def at(x: float, y: float, frame: gpd.GeoDataFrame | None = None) -> Location:
    lon, lat = lonlat(x, y)
    frame = buurten() if frame is None else frame
    return locate(
        lon, lat, locate_index(frame, voorzieningen(), VOCABULARY), StraightLineDistance()
    )


def nearest(location: Location) -> dict[str, NearestVoorziening]:
    return {n.category: n for n in location.nearest}


# --------------------------------------------------------------------------- positions


@pytest.mark.parametrize(("lon", "lat"), [(5.1, 52.0), (-180.0, -90.0), (180.0, 90.0), (0.0, 0.0)])
def test_check_lonlat_accepts_wgs84_degrees(lon: float, lat: float) -> None:
    check_lonlat(lon, lat)


@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        (180.01, 52.0),
        (5.1, -90.5),
        (134000.0, 448000.0),  # RD New metres
        (float("nan"), 52.0),
        (5.1, float("inf")),
    ],
)
def test_check_lonlat_refuses_anything_else_and_names_the_order(lon: float, lat: float) -> None:
    with pytest.raises(QueryError, match=r"is not a WGS84 position .*note the order: lon first"):
        check_lonlat(lon, lat)
    with pytest.raises(QueryError):
        rd_point(lon, lat)


def test_rd_point_converts_to_rd_new_metres() -> None:
    """RD New's origin, the tower of Amersfoort: (155 000, 463 000) to within a metre."""
    point = rd_point(5.38720621, 52.15517440)
    assert isinstance(point, shapely.Point)
    assert point.x == pytest.approx(155_000, abs=1)
    assert point.y == pytest.approx(463_000, abs=1)
    there = rd_point(*lonlat(150, 50))
    assert (there.x, there.y) == pytest.approx((X0 + 150, Y0 + 50), abs=0.001)


# --------------------------------------------------------------------------- locate


def test_a_point_in_a_zoned_buurt() -> None:
    location = at(150, 100)
    assert (location.lon, location.lat) == lonlat(150, 100)
    assert (location.bu_code, location.bu_naam, location.zone_code) == (
        "BU03560001",
        "Noord",
        "noord",
    )
    assert [n.category for n in location.nearest] == list(VOCABULARY.codes)
    found = nearest(location)
    huisarts = found["huisarts"]
    assert (huisarts.id, huisarts.name, huisarts.position) == ("h1", "Huisarts Noord", 0)
    assert huisarts.distance_m == pytest.approx(50, abs=0.01)
    assert huisarts.threshold_m == VOCABULARY["huisarts"].threshold_m == 500
    assert huisarts.within_threshold is True
    # All voorzieningen count, also across the border: the supermarkt 550 m away.
    supermarkt = found["supermarkt"]
    assert (supermarkt.id, supermarkt.position) == ("s1", 2)
    assert supermarkt.distance_m == pytest.approx(550, abs=0.01)
    assert supermarkt.within_threshold is True  # 800 m
    apotheek = found["apotheek"]
    assert (apotheek.id, apotheek.name, apotheek.distance_m, apotheek.position) == (
        None,
        None,
        None,
        None,
    )
    assert apotheek.within_threshold is None
    assert apotheek.threshold_m == 500


def test_a_point_in_a_buurt_outside_every_zone() -> None:
    location = at(300, 150)
    assert (location.bu_code, location.bu_naam, location.zone_code) == ("BU03560002", "Rand", None)
    huisarts = nearest(location)["huisarts"]
    assert huisarts.id == "h2"
    assert huisarts.distance_m == pytest.approx(float(np.hypot(80, 50)), abs=0.01)


def test_a_point_outside_the_buurten_still_gets_its_nearest() -> None:
    location = at(1200, 100)
    assert (location.bu_code, location.bu_naam, location.zone_code) == (None, None, None)
    supermarkt = nearest(location)["supermarkt"]
    assert supermarkt.distance_m == pytest.approx(500, abs=0.01)
    assert nearest(location)["huisarts"].within_threshold is False  # h2 is 820 m away


@pytest.mark.parametrize("reverse", [False, True])
def test_a_point_on_a_shared_border_goes_to_the_first_buurt(reverse: bool) -> None:
    """The border is drawn through the point itself, so the point lies on both buurten."""
    lon, lat = lonlat(200, 100)
    split = rd_point(lon, lat).x - X0
    frame = buurten(split, reverse=reverse)
    location = locate(
        lon, lat, locate_index(frame, voorzieningen(), VOCABULARY), StraightLineDistance()
    )
    assert location.bu_code == str(frame["bu_code"].iloc[0])


def test_within_threshold_includes_the_threshold() -> None:
    def one(distance: float | None) -> NearestVoorziening:
        return NearestVoorziening("huisarts", 500.0, "h", "H", distance, 0)

    assert one(500.0).within_threshold is True
    assert one(500.01).within_threshold is False
    assert one(0.0).within_threshold is True
    assert one(None).within_threshold is None


def test_beyond_the_snap_limit_of_a_walking_network_nothing_is_near(tmp_path: Path) -> None:
    """Walking: a street along y = 100 from x = 0 to 400; a point on it reaches the huisarts
    at (100, 100) in 50 m, a point 150 m from the street (snap limit 60 m) reaches nothing."""
    osm = write_osm(
        tmp_path / "street.osm",
        {1: (0, 100), 2: (200, 100), 3: (400, 100)},
        [(10, [1, 2, 3], {"highway": "residential"})],
    )
    extract = read_osm(osm)
    walking = WalkingDistance(build_graph(extract.ways, extract.node_tags, "walk"), snap_limit_m=60)
    frame, points = buurten(), voorzieningen()
    on_street = locate(*lonlat(150, 100), locate_index(frame, points, VOCABULARY), walking)
    assert nearest(on_street)["huisarts"].distance_m == pytest.approx(50, abs=0.05)
    assert nearest(on_street)["huisarts"].id == "h1"
    away = locate(*lonlat(150, 250), locate_index(frame, points, VOCABULARY), walking)
    assert away.bu_code is None
    assert all(n.distance_m is None and n.id is None for n in away.nearest)
    assert all(n.within_threshold is None for n in away.nearest)
    assert on_street.note is None
    assert away.note is not None
    assert "more than 60 m from every walkable way" in away.note


def test_swapped_lon_lat_is_named() -> None:
    """Issue 12 item 23: lat/lon given in the wrong order is said, with the likely meaning."""
    location = locate(
        52.03, 5.08, locate_index(buurten(), voorzieningen(), VOCABULARY), StraightLineDistance()
    )
    assert location.note is not None
    assert "outside the Netherlands" in location.note
    assert "did you mean lon=5.08, lat=52.03" in location.note


@settings(max_examples=60, deadline=None)
@given(
    x=st.floats(0.05, 399.95).filter(lambda x: abs(x - 200) > 0.05),
    y=st.floats(0.05, 199.95),
)
def test_a_point_inside_a_buurt_gets_that_buurt(x: float, y: float) -> None:
    """Any position inside a buurt (5 cm from its edges) gets that buurt and its zone, and the
    nearest voorziening of each category at its straight-line distance."""
    location = at(x, y)
    inside = "BU03560001" if x < 200 else "BU03560002"
    assert location.bu_code == inside
    assert location.zone_code == ("noord" if x < 200 else None)
    origin = shapely.Point(X0 + x, Y0 + y)
    points = voorzieningen()
    for found in location.nearest:
        chosen = points[points["category"] == found.category]
        if chosen.empty:
            assert found.distance_m is None
            continue
        distances = chosen.distance(origin)
        assert found.distance_m == pytest.approx(distances.min(), abs=0.01)
        assert found.id == chosen["id"].iloc[int(np.argmin(distances.to_numpy()))]
