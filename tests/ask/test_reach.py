"""Walking queries on an analysis (geo.ask.reach): the route to the nearest voorziening of a
category, isochrones around a point and around voorzieningen, and the minutes a request names.

The network is a tiny hand-made canal (tests/osm_builder.py) read by the real OSM reader and
built into the real walking network: two streets 40 m apart along either bank, 500 m long, a
road bridge at the north end and halfway a footbridge with steps, which the rollator profile
cannot take. Every distance is known by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis import Analysis
from geo.ask.reach import (
    DEFAULT_MINUTES,
    isochrones_at,
    parse_minutes,
    route_to_nearest,
    voorziening_isochrones,
)
from geo.crs import WORKING_CRS, rd_to_lonlat
from geo.errors import NetworkError, NoNetworkError, NotFoundError, QueryError
from geo.network.build import build_network
from geo.network.cache import NetworkCache
from geo.pipeline import analyse, assemble
from geo.read.buurten import read_buurten
from geo.read.voorzieningen import read_voorzieningen
from geo.read.zones import ZoneDefinition
from geo.store.dataset import Dataset
from tests.conftest import make_settings
from tests.osm_builder import ORIGIN, write_osm

X0, Y0 = ORIGIN
#: (id, name, category, x, y) relative to the origin: a huisarts on the east bank, a meeting
#: place on the west bank, an apotheek 1.5 km beyond the streets (beyond the snap limit).
VOORZIENINGEN = (
    ("h-oost", "Huisarts Oostoever", "huisarts", 40.0, 100.0),
    ("o-west", "Buurthuis Westoever", "ontmoetingsplek", 0.0, 400.0),
    ("a-ver", "Apotheek Ver Weg", "apotheek", 40.0, 2000.0),
)
SNAP_LIMIT_M = 100.0


def lonlat(x: float, y: float) -> tuple[float, float]:
    """The WGS84 position of a point given relative to the origin (RD New metres)."""
    lon, lat = rd_to_lonlat(X0 + x, Y0 + y)
    return float(lon), float(lat)


def canal_dataset() -> Dataset:
    """One buurt between the banks in one zone, and the voorzieningen, through the readers."""
    vocabulary = make_settings(Path("unused.gpkg")).vocabulary
    square = shapely.box(X0, Y0, X0 + 40, Y0 + 500)
    buurten = read_buurten(
        {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
            "features": [
                {
                    "type": "Feature",
                    "properties": {"statcode": "BU03560001", "statnaam": "Oever", "AANT_INW": 100},
                    "geometry": shapely.geometry.mapping(square),
                }
            ],
        },
        vocabulary=vocabulary,
    )
    points = read_voorzieningen(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"id": v[0], "naam": v[1], "categorie": v[2]},
                    "geometry": {"type": "Point", "coordinates": list(lonlat(v[3], v[4]))},
                }
                for v in VOORZIENINGEN
            ],
        },
        vocabulary,
    )
    zones = {"code": "oever", "name": "Oever", "buurten": ["BU03560001"]}
    definition = ZoneDefinition.model_validate({"gemeente": "GM0356", "zones": [zones]})
    return assemble(buurten, definition, points)


@pytest.fixture(scope="module")
def canal(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    """The canal analysed by walking, as the service does."""
    folder = tmp_path_factory.mktemp("reach")
    nodes = {1: (0, 0), 2: (0, 250), 3: (0, 500), 4: (40, 0), 5: (40, 250), 6: (40, 500)}
    street = {"highway": "residential"}
    ways = [
        (100, [1, 2, 3], street),
        (101, [4, 5, 6], street),
        (102, [3, 6], {"highway": "residential", "bridge": "yes"}),
        (103, [2, 5], {"highway": "steps", "bridge": "yes"}),
    ]
    network = build_network(
        write_osm(folder / "canal.osm", nodes, ways), NetworkCache(folder / "network")
    )
    settings = make_settings(folder / "store.gpkg", network_snap_limit_m=SNAP_LIMIT_M)
    return analyse(canal_dataset(), settings, network=network)


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    """The same buurt and voorzieningen without a street network."""
    folder = tmp_path_factory.mktemp("reach-straight")
    return analyse(canal_dataset(), make_settings(folder / "store.gpkg"))


def walked(y: float) -> float:
    """Walking distance from the west street at height ``y`` to the huisarts at (40, 100): over
    the footbridge at y = 250 (never longer than over the road bridge at y = 500)."""
    return abs(y - 250) + 40 + 150


# --------------------------------------------------------------------------- minutes


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("5,10,15", (5.0, 10.0, 15.0)),
        (" 5 , 7.5 ", (5.0, 7.5)),
        ("5,,10,", (5.0, 10.0)),  # empty parts are skipped
        ("60", (60.0,)),
        ("0.5,1,2,3,4", (0.5, 1.0, 2.0, 3.0, 4.0)),
    ],
)
def test_parse_minutes(text: str, minutes: tuple[float, ...]) -> None:
    assert parse_minutes(text) == minutes


@pytest.mark.parametrize("text", ["", ",", "vijf", "0", "-5", "60.5", "1,2,3,4,5,6", "nan", "inf"])
def test_minutes_out_of_range_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(QueryError, match=r"give 1 to 5 walking times .* e\.g\. minutes=5,10,15"):
        parse_minutes(text)


def test_default_minutes() -> None:
    assert parse_minutes(",".join(f"{m:g}" for m in DEFAULT_MINUTES)) == DEFAULT_MINUTES


# --------------------------------------------------------------------------- routes


def test_the_route_over_the_footbridge(canal: Analysis) -> None:
    """40 m across the canal in a straight line; 340 m on foot, over the footbridge."""
    lon, lat = lonlat(0, 100)
    answer = route_to_nearest(canal, lon, lat, "huisarts")
    assert answer.category == "huisarts"
    assert answer.profile == "walk"
    assert answer.voorziening_id == "h-oost"
    assert answer.voorziening_name == "Huisarts Oostoever"
    assert answer.distance_m == pytest.approx(340, abs=0.5)
    assert isinstance(answer.geometry, shapely.LineString)
    assert answer.geometry.length == pytest.approx(answer.distance_m, abs=0.01)
    start, end = shapely.get_point(answer.geometry, 0), shapely.get_point(answer.geometry, -1)
    assert start.distance(shapely.Point(X0, Y0 + 100)) < 0.01
    assert end.distance(shapely.Point(X0 + 40, Y0 + 100)) < 0.01
    assert answer.geometry.distance(shapely.Point(X0 + 20, Y0 + 250)) < 0.01  # the footbridge


def test_the_rollator_goes_round_by_the_road_bridge(canal: Analysis) -> None:
    answer = route_to_nearest(canal, *lonlat(0, 100), "dokter", profile="rollator")
    assert (answer.category, answer.profile) == ("huisarts", "rollator")
    assert answer.distance_m == pytest.approx(400 + 40 + 400, abs=0.5)
    assert answer.geometry.length == pytest.approx(answer.distance_m, abs=0.01)
    assert answer.geometry.distance(shapely.Point(X0 + 20, Y0 + 250)) > 5


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (((0, 100), "bakker"), NotFoundError, "unknown category 'bakker'"),
        (((0, 100), "supermarkt"), NotFoundError, "no voorziening of category 'supermarkt'"),
        (((0, 100), "apotheek"), NotFoundError, "no apotheek can be reached on foot"),
        (((300, 100), "huisarts"), NotFoundError, "more than 100 m from every walkable way"),
    ],
    ids=["unknown category", "none of it", "beyond the snap limit", "origin off the network"],
)
def test_routes_that_cannot_be_walked(
    canal: Analysis, args: tuple[tuple[float, float], str], error: type[Exception], message: str
) -> None:
    (x, y), category = args
    with pytest.raises(error, match=message):
        route_to_nearest(canal, *lonlat(x, y), category)


def test_a_bad_position_or_profile_is_refused(canal: Analysis) -> None:
    with pytest.raises(QueryError, match="is not a WGS84 position"):
        route_to_nearest(canal, 134_000, 448_000, "huisarts")
    with pytest.raises(NetworkError, match="unknown profile 'fiets'; known: walk, rollator"):
        route_to_nearest(canal, *lonlat(0, 100), "huisarts", profile="fiets")


def test_without_a_network_nothing_is_walked(straight: Analysis) -> None:
    lon, lat = lonlat(0, 100)
    with pytest.raises(NoNetworkError, match="wsz network build"):
        route_to_nearest(straight, lon, lat, "huisarts")
    with pytest.raises(NoNetworkError):
        isochrones_at(straight, lon, lat, (5.0,), speed_m_per_s=1.0, buffer_m=10.0)
    with pytest.raises(NoNetworkError):
        voorziening_isochrones(
            straight, straight.dataset.voorzieningen, (5.0,), speed_m_per_s=1.0, buffer_m=10.0
        )


@settings(max_examples=25, deadline=None)
@given(y=st.floats(0, 500))
def test_every_route_is_as_long_as_its_distance_and_never_shorter_than_a_line(
    canal: Analysis, y: float
) -> None:
    """From anywhere on the west street: the distance known by hand, a line of that length,
    and never less than the straight line across."""
    answer = route_to_nearest(canal, *lonlat(0, y), "huisarts")
    assert answer.distance_m == pytest.approx(walked(y), abs=0.5)
    assert answer.geometry.length == pytest.approx(answer.distance_m, abs=0.01)
    assert answer.distance_m >= float(shapely.Point(0, y).distance(shapely.Point(40, 100)))


# --------------------------------------------------------------------------- isochrones


def test_isochrones_at_a_point_respect_the_canal(canal: Analysis) -> None:
    """At 1 m/s: in 2 minutes (120 m) the east bank is out of reach, 40 m away across the
    water; in 6 minutes (360 m) the footbridge brings the huisarts (340 m) within it."""
    frame = isochrones_at(canal, *lonlat(0, 100), (2.0, 6.0), speed_m_per_s=1.0, buffer_m=10.0)
    assert list(frame.columns) == ["minutes", "distance_m", "profile", "geometry"]
    assert frame.crs == WORKING_CRS
    assert frame["minutes"].tolist() == [2.0, 6.0]
    assert frame["distance_m"].tolist() == [120.0, 360.0]
    assert frame["profile"].tolist() == ["walk", "walk"]
    two, six = frame.geometry
    origin, huisarts = shapely.Point(X0, Y0 + 100), shapely.Point(X0 + 40, Y0 + 100)
    assert two.contains(origin)
    assert not two.contains(huisarts)
    assert six.contains(huisarts)
    assert 0 < two.area < six.area
    assert six.buffer(1e-6).contains(two)


def test_isochrones_of_the_rollator_are_smaller(canal: Analysis) -> None:
    minutes = (6.0,)
    walk = isochrones_at(canal, *lonlat(0, 100), minutes, speed_m_per_s=1.0, buffer_m=10.0)
    rollator = isochrones_at(
        canal, *lonlat(0, 100), minutes, speed_m_per_s=1.0, buffer_m=10.0, profile="rollator"
    )
    assert rollator["profile"].tolist() == ["rollator"]
    assert not rollator.geometry.iloc[0].contains(shapely.Point(X0 + 40, Y0 + 100))
    assert rollator.geometry.iloc[0].area < walk.geometry.iloc[0].area


def test_isochrones_off_the_network_are_not_found(canal: Analysis) -> None:
    with pytest.raises(NotFoundError, match="more than 100 m from every walkable way"):
        isochrones_at(canal, *lonlat(300, 100), (5.0,), speed_m_per_s=1.0, buffer_m=10.0)


def test_isochrones_around_voorzieningen_largest_first(canal: Analysis) -> None:
    """One row per voorziening and cut-off, largest first for drawing; the apotheek beyond
    the snap limit is left out."""
    voorzieningen: gpd.GeoDataFrame = canal.dataset.voorzieningen
    frame = voorziening_isochrones(
        canal, voorzieningen, (1.0, 3.0), speed_m_per_s=1.0, buffer_m=10.0
    )
    assert list(frame.columns) == ["id", "name", "category", "minutes", "distance_m", "geometry"]
    assert frame.crs == WORKING_CRS
    rows: list[tuple[Any, ...]] = list(
        frame[["id", "category", "minutes", "distance_m"]].itertuples(index=False, name=None)
    )
    assert rows == [
        ("h-oost", "huisarts", 3.0, 180.0),
        ("o-west", "ontmoetingsplek", 3.0, 180.0),
        ("h-oost", "huisarts", 1.0, 60.0),
        ("o-west", "ontmoetingsplek", 1.0, 60.0),
    ]
    by_id = frame.set_index(["id", "minutes"]).geometry
    assert by_id.loc[("h-oost", 3.0)].contains(shapely.Point(X0 + 40, Y0 + 100))
    assert by_id.loc[("h-oost", 3.0)].buffer(1e-6).contains(by_id.loc[("h-oost", 1.0)])
    assert not by_id.loc[("o-west", 3.0)].intersects(shapely.Point(X0 + 40, Y0 + 400))


def test_no_voorzieningen_no_isochrones(canal: Analysis) -> None:
    none = canal.dataset.voorzieningen.iloc[:0]
    frame = voorziening_isochrones(canal, none, (5.0,), speed_m_per_s=1.0, buffer_m=10.0)
    assert frame.empty
    assert list(frame.columns) == ["id", "name", "category", "minutes", "distance_m", "geometry"]
