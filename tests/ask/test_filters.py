"""Query parameters and voorzieningen filters (geo.ask.filters): bbox parsing, category and
zone checks that name the accepted values, and filters by category, zone and bbox combined.

The voorzieningen are five hand-made points in WGS84 (the frame the API filters), around
Nieuwegein; expected selections are written beside them.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.ask.filters import BBox, check_category, check_zone, filter_voorzieningen, parse_bbox
from geo.crs import EDGE_CRS
from geo.errors import NotFoundError, QueryError
from tests.conftest import VOCABULARY

#: (id, category, zone, lon, lat): one without a zone (across the border), one without a
#: category (as an unresolved upload would leave it).
POINTS = (
    ("h1", "huisarts", "noord", 5.08, 52.04),
    ("h2", "huisarts", "zuid", 5.10, 52.01),
    ("a1", "apotheek", "noord", 5.09, 52.05),
    ("s1", "supermarkt", None, 5.13, 52.00),
    ("x1", None, "zuid", 5.09, 52.02),
)


Point = tuple[str, str | None, str | None, float, float]


def voorzieningen(points: tuple[Point, ...] = POINTS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [p[0] for p in points],
            "category": [p[1] for p in points],
            "zone_code": pd.array([p[2] for p in points], dtype="string"),
        },
        geometry=[shapely.Point(p[3], p[4]) for p in points],
        crs=EDGE_CRS,
    )


def ids(frame: gpd.GeoDataFrame) -> list[str]:
    return list(frame["id"])


# --------------------------------------------------------------------------- bbox


@pytest.mark.parametrize(
    ("text", "box"),
    [
        ("5.05,52.00,5.13,52.05", BBox(5.05, 52.0, 5.13, 52.05)),
        (" 5 , 52 , 5.1 , 52.1 ", BBox(5.0, 52.0, 5.1, 52.1)),
        ("-180,-90,180,90", BBox(-180.0, -90.0, 180.0, 90.0)),
        ("5.1,52,5.1,52", BBox(5.1, 52.0, 5.1, 52.0)),  # a point is a box too
    ],
)
def test_parse_bbox(text: str, box: BBox) -> None:
    assert parse_bbox(text) == box


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5.05,52.00,5.13", "expected four numbers minlon,minlat,maxlon,maxlat"),
        ("5.05,52.00,5.13,52.05,1", "expected four numbers"),
        ("a,b,c,d", "expected four numbers"),
        ("", "expected four numbers"),
        ("190,52,191,53", "is not a WGS84 position"),
        ("5,-91,6,52", "is not a WGS84 position"),
        ("nan,52,5.1,52.1", "is not a WGS84 position"),
        ("5,52,inf,52.1", "is not a WGS84 position"),
    ],
)
def test_malformed_bbox_is_refused_with_an_example(text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message) as info:
        parse_bbox(text)
    if "WGS84" not in message:  # the position itself is named otherwise
        assert str(info.value).startswith(f"bbox={text!r}: ")


@pytest.mark.parametrize("text", ["5.1,52.0,5.0,52.1", "5.0,52.1,5.1,52.0", "5.1,52.1,5.0,52.0"])
def test_a_bbox_may_give_its_corners_in_either_order(text: str) -> None:
    assert parse_bbox(text) == BBox(5.0, 52.0, 5.1, 52.1)


def test_a_position_out_of_range_reminds_of_the_order() -> None:
    with pytest.raises(QueryError, match=r"lon=5.0, lat=95.0 .*note the order: lon first"):
        parse_bbox("5,95,6,96")


# --------------------------------------------------------------------------- codes


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("huisarts", "huisarts"),
        ("Dokter", "huisarts"),
        ("Medisch-Centrum", "gezondheidscentrum"),
        ("BUURTHUIS", "ontmoetingsplek"),
        ("amenity=pharmacy", "apotheek"),
    ],
)
def test_check_category_accepts_codes_aliases_and_tags(given: str, code: str) -> None:
    assert check_category(given, VOCABULARY) == code


@pytest.mark.parametrize("given", ["bakker", "", "  "])
def test_unknown_category_lists_the_known_ones(given: str) -> None:
    with pytest.raises(
        NotFoundError, match=r"unknown category .*; known: ontmoetingsplek, "
    ) as info:
        check_category(given, VOCABULARY)
    assert all(code in str(info.value) for code in VOCABULARY.codes)


def test_check_zone_returns_a_stored_zone_and_lists_them_otherwise() -> None:
    zones = gpd.GeoDataFrame({"zone_code": ["noord", "zuid"]}, geometry=[None, None])
    assert check_zone("zuid", zones) == "zuid"
    with pytest.raises(NotFoundError, match="no woonservicezone 'west'; known zones: noord, zuid"):
        check_zone("west", zones)
    with pytest.raises(NotFoundError, match="known zones: none defined yet"):
        check_zone("noord", zones.iloc[:0])


# --------------------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, ["h1", "h2", "a1", "s1"]),  # never the one without a category
        ({"category": "huisarts"}, ["h1", "h2"]),
        ({"zone_code": "noord"}, ["h1", "a1"]),
        ({"zone_code": "zuid"}, ["h2"]),
        ({"zone_code": "west"}, []),
        ({"bbox": BBox(5.07, 52.03, 5.095, 52.06)}, ["h1", "a1"]),
        ({"bbox": BBox(5.08, 52.04, 5.08, 52.04)}, ["h1"]),  # edges count as inside
        ({"category": "huisarts", "zone_code": "noord"}, ["h1"]),
        ({"category": "apotheek", "zone_code": "zuid"}, []),
        ({"category": "huisarts", "bbox": BBox(5.0, 52.0, 5.2, 52.02)}, ["h2"]),
        ({"category": "bakker"}, []),  # codes are not checked here
    ],
)
def test_filter_voorzieningen(options: dict[str, object], expected: list[str]) -> None:
    frame = voorzieningen()
    chosen = filter_voorzieningen(frame, **options)  # type: ignore[arg-type]
    assert ids(chosen) == expected
    assert chosen.crs == EDGE_CRS
    assert list(chosen.columns) == list(frame.columns)


def test_a_zone_column_of_objects_with_none_filters_too() -> None:
    frame = voorzieningen().astype({"zone_code": object})
    frame.loc[3, "zone_code"] = None
    assert ids(filter_voorzieningen(frame, zone_code="noord")) == ["h1", "a1"]


@st.composite
def boxes(draw: st.DrawFn) -> BBox:
    lons = sorted(draw(st.tuples(st.floats(5.0, 5.2), st.floats(5.0, 5.2))))
    lats = sorted(draw(st.tuples(st.floats(51.98, 52.07), st.floats(51.98, 52.07))))
    return BBox(lons[0], lats[0], lons[1], lats[1])


@settings(max_examples=100, deadline=None)
@given(
    box=boxes(),
    category=st.sampled_from([None, "huisarts", "apotheek", "supermarkt"]),
    zone=st.sampled_from([None, "noord", "zuid"]),
)
def test_a_bbox_selection_is_the_subset_inside_the_box(
    box: BBox, category: str | None, zone: str | None
) -> None:
    """Filtering by a bbox keeps exactly the points inside it, and combined filters select the
    intersection of the filters one at a time."""
    frame = voorzieningen()
    everything = ids(filter_voorzieningen(frame))
    inside = ids(filter_voorzieningen(frame, bbox=box))
    assert set(inside) <= set(everything)
    expected = [
        p[0]
        for p in POINTS
        if p[1] is not None
        and box.min_lon <= p[3] <= box.max_lon
        and box.min_lat <= p[4] <= box.max_lat
    ]
    assert inside == expected
    combined = ids(filter_voorzieningen(frame, category=category, zone_code=zone, bbox=box))
    alone = [
        set(ids(filter_voorzieningen(frame, category=category))),
        set(ids(filter_voorzieningen(frame, zone_code=zone))),
        set(inside),
    ]
    assert set(combined) == set.intersection(*alone)
    assert combined == [i for i in everything if i in set(combined)]  # input order kept
