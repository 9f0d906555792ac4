"""Feature selection for the OGC API (geo.ask.features): bbox in CRS84 or RD New, equality
filters, pages and extents, as positions into a layer frame.

The layer is four hand-made features in RD New (two squares, a line and a point near
Nieuwegein) with the same rows in WGS84, as the frames of one layer share their row order.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.ask.features import MAX_LIMIT, Box, check_page, extent, page, parse_box, select
from geo.crs import EDGE_CRS, WORKING_CRS, to_edge_crs
from geo.errors import QueryError

X0, Y0 = 134_000.0, 448_000.0


def layer() -> gpd.GeoDataFrame:
    """Four features in RD New: two 100 m squares side by side, a line above them, a point."""
    return gpd.GeoDataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "zone_code": pd.array(["noord", "zuid", None, "noord"], dtype="string"),
            "residents": [10, 20, 5, 10],
        },
        geometry=[
            shapely.box(X0, Y0, X0 + 100, Y0 + 100),
            shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100),
            shapely.LineString([(X0, Y0 + 300), (X0 + 500, Y0 + 300)]),
            shapely.Point(X0 + 1000, Y0 + 1000),
        ],
        crs=WORKING_CRS,
    )


def rd_box(x0: float, y0: float, x1: float, y1: float) -> Box:
    return Box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1, "EPSG:28992")


# --------------------------------------------------------------------------- parse_box


@pytest.mark.parametrize(
    ("text", "crs", "box"),
    [
        ("5.0,52.0,5.1,52.1", "EPSG:4326", Box(5.0, 52.0, 5.1, 52.1, "EPSG:4326")),
        ("5.0,52.0,-10,5.1,52.1,100", "EPSG:4326", Box(5.0, 52.0, 5.1, 52.1, "EPSG:4326")),
        (
            "130000,445000,140000,455000",
            "EPSG:28992",
            Box(130_000.0, 445_000.0, 140_000.0, 455_000.0, "EPSG:28992"),
        ),
        (
            " 130000 , 445000 , 0 , 140000 , 455000 , 9 ",
            "EPSG:28992",
            Box(130_000.0, 445_000.0, 140_000.0, 455_000.0, "EPSG:28992"),
        ),
        # RD New metres are not checked against WGS84's ranges.
        ("-5000,300000,290000,620000", "EPSG:28992", Box(-5e3, 3e5, 2.9e5, 6.2e5, "EPSG:28992")),
    ],
)
def test_parse_box(text: str, crs: str, box: Box) -> None:
    assert parse_box(text, crs=crs) == box  # type: ignore[arg-type]


def test_parse_box_is_in_crs84_by_default() -> None:
    assert parse_box("5.0,52.0,5.1,52.1").crs == "EPSG:4326"


@pytest.mark.parametrize(
    ("text", "crs", "message"),
    [
        ("5.0,52.0,5.1", "EPSG:4326", "expected four numbers minlon,minlat,maxlon,maxlat"),
        ("130000,445000,140000", "EPSG:28992", "expected four numbers minx,miny,maxx,maxy"),
        ("a,b,c,d", "EPSG:28992", "in RD New metres"),
        ("130000,445000,inf,455000", "EPSG:28992", "in RD New metres"),
        ("130000,nan,140000,455000", "EPSG:28992", "in RD New metres"),
        ("140000,445000,130000,455000", "EPSG:28992", "the minimum must come before"),
        ("5.1,52.0,5.0,52.1", "EPSG:4326", "the minimum must come before"),
        ("130000,445000,140000,455000", "EPSG:4326", "is not a WGS84 position"),
    ],
)
def test_malformed_boxes_are_refused(text: str, crs: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_box(text, crs=crs)  # type: ignore[arg-type]


def test_a_box_is_a_polygon_in_its_crs() -> None:
    polygon = rd_box(0, 0, 100, 50).polygon()
    assert polygon.equals(shapely.box(X0, Y0, X0 + 100, Y0 + 50))
    assert polygon.area == pytest.approx(5000)


# --------------------------------------------------------------------------- select


@pytest.mark.parametrize(
    ("box", "equals", "expected"),
    [
        (None, None, [0, 1, 2, 3]),
        (rd_box(10, 10, 20, 20), None, [0]),
        (rd_box(90, 10, 110, 20), None, [0, 1]),  # both squares reach into it
        (rd_box(100, 200, 101, 400), None, [2]),  # the line crosses it, no vertex inside
        (rd_box(200, 150, 400, 250), None, []),
        (rd_box(1000, 1000, 1000, 1000), None, [3]),  # a point on a degenerate box
        (rd_box(-10, -10, 2000, 2000), None, [0, 1, 2, 3]),
        (None, {"zone_code": "noord"}, [0, 3]),
        (None, {"zone_code": "oost"}, []),
        (None, {"residents": "10"}, [0, 3]),  # values compare as text
        (None, {"residents": "10.0"}, []),
        (None, {"zone_code": "noord", "residents": "10"}, [0, 3]),
        (rd_box(-10, -10, 150, 150), {"zone_code": "noord"}, [0]),
    ],
)
def test_select(box: Box | None, equals: dict[str, str] | None, expected: list[int]) -> None:
    positions = select(layer(), box=box, equals=equals)
    assert positions.tolist() == expected
    assert positions.dtype.kind == "i"


def test_missing_values_never_match() -> None:
    frame = layer()
    assert select(frame, equals={"zone_code": "<NA>"}).tolist() == []
    assert select(frame, equals={"zone_code": ""}).tolist() == []


def test_the_same_positions_from_the_frame_in_wgs84() -> None:
    """A box in CRS84 selects the same rows of the layer's WGS84 frame as its RD New twin."""
    rd, lonlat = layer(), to_edge_crs(layer())
    lon0, lat0, lon1, lat1 = to_edge_crs(
        gpd.GeoDataFrame(geometry=[shapely.box(X0 + 10, Y0 + 10, X0 + 150, Y0 + 350)], crs=28992)
    ).total_bounds
    box84 = parse_box(f"{lon0},{lat0},{lon1},{lat1}")
    assert select(lonlat, box=box84).tolist() == [0, 1, 2]
    assert select(rd, box=rd_box(10, 10, 150, 350)).tolist() == [0, 1, 2]
    assert lonlat.crs == EDGE_CRS


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize(("limit", "offset"), [(1, 0), (MAX_LIMIT, 0), (10, 1_000_000)])
def test_pages_within_the_limits_are_accepted(limit: int, offset: int) -> None:
    check_page(limit, offset)


@pytest.mark.parametrize(
    ("limit", "offset", "message"),
    [
        (0, 0, "limit=0: give a number from 1 to 10000"),
        (MAX_LIMIT + 1, 0, "limit=10001: give a number from 1 to 10000"),
        (-3, 0, "limit=-3"),
        (10, -1, "offset=-1: give a number of 0 or more"),
    ],
)
def test_pages_beyond_the_limits_are_refused(limit: int, offset: int, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        check_page(limit, offset)
    with pytest.raises(QueryError, match=message):
        page(np.arange(5), limit=limit, offset=offset)


def test_page_by_hand() -> None:
    positions = np.array([2, 3, 5, 7, 11])
    assert page(positions, limit=2, offset=0).tolist() == [2, 3]
    assert page(positions, limit=2, offset=4).tolist() == [11]  # fewer at the end
    assert page(positions, limit=2, offset=5).tolist() == []
    assert page(positions, limit=10, offset=0).tolist() == positions.tolist()


@settings(max_examples=200, deadline=None)
@given(
    positions=st.lists(st.integers(0, 10_000), max_size=60, unique=True).map(sorted),
    limit=st.integers(1, 25),
)
def test_pages_concatenate_to_the_whole(positions: list[int], limit: int) -> None:
    """Paging with ``offset`` stepping by ``limit`` returns every position once, in order; each
    page holds ``limit`` except the last, and paging past the end returns nothing."""
    selected = np.array(positions, dtype=np.intp)
    pages = []
    offset = 0
    while len(chunk := page(selected, limit=limit, offset=offset)):
        pages.append(chunk.tolist())
        offset += limit
    assert [p for chunk in pages for p in chunk] == positions
    assert all(len(chunk) == limit for chunk in pages[:-1])
    assert len(pages) == -(-len(positions) // limit)  # ceiling division
    assert page(selected, limit=limit, offset=offset).tolist() == []


# --------------------------------------------------------------------------- extent


def test_extent_in_the_frame_crs() -> None:
    assert extent(layer()) == (X0, Y0, X0 + 1000, Y0 + 1000)
    lon0, lat0, lon1, lat1 = extent(to_edge_crs(layer())) or (0.0, 0.0, 0.0, 0.0)
    assert 5.0 < lon0 < lon1 < 5.2
    assert 51.9 < lat0 < lat1 < 52.1
    assert all(isinstance(v, float) for v in extent(layer()) or ())


def test_no_extent_for_an_empty_frame() -> None:
    assert extent(layer().iloc[:0]) is None
