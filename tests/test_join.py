"""The one point-in-buurt rule, and the join of voorzieningen to buurten and zones."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from geo.errors import CrsError, DataQualityWarning
from geo.join import buurt_positions, join_voorzieningen

SQUARES = gpd.GeoDataFrame(
    {"bu_code": ["BU00000001", "BU00000002"], "zone_code": ["a", None]},
    geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
    crs="EPSG:28992",
)


def test_a_point_on_a_shared_border_goes_to_the_first_buurt() -> None:
    points = np.array(
        [
            shapely.Point(50, 50),
            shapely.Point(100, 50),
            shapely.Point(150, 50),
            shapely.Point(500, 5),
        ],
        dtype=object,
    )
    assert buurt_positions(points, SQUARES).tolist() == [0, 0, 1, -1]


@given(st.floats(-50, 250), st.floats(-50, 150))
def test_positions_agree_with_covers(x: float, y: float) -> None:
    (position,) = buurt_positions(np.array([shapely.Point(x, y)], dtype=object), SQUARES)
    covering = [i for i, g in enumerate(SQUARES.geometry) if g.covers(shapely.Point(x, y))]
    assert position == (covering[0] if covering else -1)


def test_voorzieningen_get_their_buurt_and_zone_and_the_rest_is_reported() -> None:
    voorzieningen = gpd.GeoDataFrame(
        {"id": ["v1", "v2", "v3"], "name": ["A", "B", "C"]},
        geometry=[shapely.Point(10, 10), shapely.Point(150, 10), shapely.Point(900, 900)],
        crs="EPSG:28992",
    )
    with pytest.warns(DataQualityWarning, match="2 voorziening"):
        joined = join_voorzieningen(voorzieningen, SQUARES)
    assert joined["bu_code"].tolist()[:2] == ["BU00000001", "BU00000002"]
    assert joined["bu_code"].isna().tolist() == [False, False, True]
    assert joined["zone_code"].isna().tolist() == [False, True, True]


def test_a_crs_mismatch_is_an_input_error_not_a_crash() -> None:
    """It used to be a bare ValueError: a 500 in the API, a traceback in the CLI."""
    lonlat = gpd.GeoDataFrame(
        {"id": ["v"], "name": ["A"]}, geometry=[shapely.Point(5, 52)], crs=4326
    )
    with pytest.raises(CrsError, match="CRS mismatch"):
        join_voorzieningen(lonlat, SQUARES)
