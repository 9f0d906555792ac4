"""Resident points, the spatial join, distances and coverage, including property tests."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from geo.analysis import Analysis
from geo.coverage.distance import Nearest, StraightLineDistance
from geo.coverage.figures import compute_coverage
from geo.coverage.population import resident_points
from geo.crs import WORKING_CRS
from geo.errors import DataQualityWarning
from geo.join import join_voorzieningen
from geo.vocabulary import Category, Vocabulary


def square_buurten(*specs: tuple[str, float, float, float, float | None]) -> gpd.GeoDataFrame:
    """Square buurten (code, x0, y0, side in metres, residents) in RD New."""
    return gpd.GeoDataFrame(
        {
            "bu_code": [s[0] for s in specs],
            "residents": [np.nan if s[4] is None else s[4] for s in specs],
            "residents_65plus": [np.nan if s[4] is None else s[4] / 4 for s in specs],
            "zone_code": pd.array(["z"] * len(specs), dtype="string"),
        },
        geometry=[shapely.box(s[1], s[2], s[1] + s[3], s[2] + s[3]) for s in specs],
        crs=WORKING_CRS,
    )


def vocabulary_of(**thresholds: float) -> Vocabulary:
    return Vocabulary(
        categories=tuple(
            Category(
                code=code,
                label_nl=code,
                label_en=code,
                threshold_m=metres,
                norm_source="test",
                colour="#000000",
                symbol=code[0].upper(),
            )
            for code, metres in thresholds.items()
        )
    )


def points(category: str, *xy: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"{category}-{i}" for i in range(len(xy))], "category": category},
        geometry=[shapely.Point(x, y) for x, y in xy],
        crs=WORKING_CRS,
    )


X0, Y0 = 130_000.0, 445_000.0


# --------------------------------------------------------------------------- population


def test_resident_points_fill_a_buurt_on_the_grid() -> None:
    buurten = square_buurten(("BU00000001", X0, Y0, 1000, 1000.0))
    placed = resident_points(buurten, spacing_m=100)
    assert len(placed) == 100
    assert placed["residents"].sum() == pytest.approx(1000)
    assert placed.within(buurten.geometry.iloc[0]).all()


def test_tiny_buurt_gets_one_point_and_unknown_residents_weigh_nothing() -> None:
    buurten = square_buurten(
        ("BU00000001", X0 + 10, Y0 + 10, 30, 50.0), ("BU00000002", X0 + 500, Y0, 500, None)
    )
    placed = resident_points(buurten, spacing_m=100).groupby("bu_code")
    assert placed.size()["BU00000001"] == 1
    assert placed["residents"].sum()["BU00000001"] == 50
    assert placed["residents"].sum()["BU00000002"] == 0


@settings(max_examples=40, deadline=None)
@given(
    sides=st.lists(st.floats(20, 1500), min_size=1, max_size=4),
    residents=st.lists(st.floats(0, 20_000), min_size=4, max_size=4),
    spacing=st.sampled_from([50.0, 100.0, 250.0]),
)
def test_point_weights_sum_to_each_buurts_residents(
    sides: list[float], residents: list[float], spacing: float
) -> None:
    specs = [(f"BU{i:08d}", X0 + 2000 * i, Y0, side, residents[i]) for i, side in enumerate(sides)]
    buurten = square_buurten(*specs)
    placed = resident_points(buurten, spacing_m=spacing)
    sums = placed.groupby("bu_code")["residents"].sum()
    for code, _x, _y, _side, count in specs:
        assert sums[code] == pytest.approx(count, abs=1e-6)
    assert placed.geometry.intersects(buurten.union_all()).all()


# --------------------------------------------------------------------------- distances


def brute_force(origins: NDArray[np.object_], targets: NDArray[np.object_]) -> NDArray[np.float64]:
    return np.array([min(o.distance(t) for t in targets) for o in origins])


coordinates = st.tuples(st.floats(0, 5000), st.floats(0, 5000))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(coordinates, min_size=1, max_size=30), st.lists(coordinates, min_size=1, max_size=10)
)
def test_straight_line_nearest_is_the_true_minimum(
    origin_xy: list[tuple[float, float]], target_xy: list[tuple[float, float]]
) -> None:
    origins = shapely.points(np.array(origin_xy))
    targets = shapely.points(np.array(target_xy))
    found = StraightLineDistance().nearest(origins, targets)
    np.testing.assert_allclose(found.distance_m, brute_force(origins, targets), atol=1e-6)
    chosen = shapely.distance(origins, targets[found.target])
    np.testing.assert_allclose(chosen, found.distance_m, atol=1e-6)


def test_no_targets_means_unreachable() -> None:
    found = StraightLineDistance().nearest(shapely.points([[0, 0]]), np.array([], dtype=object))
    assert np.isinf(found.distance_m[0])
    assert found.target[0] == -1


# --------------------------------------------------------------------------- coverage


def test_coverage_by_hand() -> None:
    """Two 200 m buurten (4 grid points each); a supermarket at the west one's corner."""
    buurten = square_buurten(
        ("BU00000001", X0, Y0, 200, 400.0), ("BU00000002", X0 + 1000, Y0, 200, 100.0)
    )
    placed = resident_points(buurten, spacing_m=100)
    shops = points("supermarkt", (X0, Y0))
    result = compute_coverage(
        placed, buurten, shops, vocabulary_of(supermarkt=200, apotheek=500), StraightLineDistance()
    )
    per_buurt = result.buurten.set_index(["bu_code", "category"])
    # West: points at 50√2≈71, 158, 158, 212 m → one of four beyond 200 m.
    assert per_buurt.loc[("BU00000001", "supermarkt"), "share_beyond"] == pytest.approx(0.25)
    assert per_buurt.loc[("BU00000001", "supermarkt"), "residents_beyond"] == pytest.approx(100)
    assert per_buurt.loc[("BU00000002", "supermarkt"), "share_beyond"] == 1.0
    # No pharmacy anywhere: everyone beyond, and no mean distance pretending otherwise.
    zone = result.zones.set_index("category")
    assert zone.loc["apotheek", "share_beyond"] == 1.0
    assert np.isnan(zone.loc["apotheek", "mean_distance_m"])
    assert zone.loc["supermarkt", "residents_beyond"] == pytest.approx(200)
    assert zone.loc["supermarkt", "share_beyond"] == pytest.approx(200 / 500)
    assert result.source == "straight_line"


class DetourDistance:
    """A real alternative source: straight line times a detour factor (walking ≥ straight)."""

    name = "detour"

    def __init__(self, factor: float) -> None:
        self.factor = factor

    def nearest(self, origins: NDArray[np.object_], targets: NDArray[np.object_]) -> Nearest:
        straight = StraightLineDistance().nearest(origins, targets)
        return Nearest(straight.distance_m * self.factor, straight.target)


def test_distance_source_can_be_swapped(straight_analysis: Analysis) -> None:
    dataset = straight_analysis.dataset
    longer = compute_coverage(
        straight_analysis.points,
        dataset.buurten,
        dataset.voorzieningen,
        straight_analysis.vocabulary,
        DetourDistance(1.4),
    )
    base = straight_analysis.coverage.zones.set_index(["zone_code", "category"])
    detour = longer.zones.set_index(["zone_code", "category"])
    assert longer.source == "detour"
    assert (detour["share_beyond"] >= base["share_beyond"] - 1e-12).all()
    assert (detour["share_beyond"] > base["share_beyond"]).any()


def test_sample_coverage_shares_are_fractions_and_totals_match(sample_analysis: Analysis) -> None:
    coverage = sample_analysis.coverage
    for frame in (coverage.buurten, coverage.zones, coverage.gemeente):
        shares = frame[["share_beyond", "share_65plus_beyond"]].stack().dropna()
        assert ((shares >= 0) & (shares <= 1)).all()
    zones = sample_analysis.dataset.zones.set_index("zone_code")
    per_zone = coverage.zones[coverage.zones["category"] == "huisarts"].set_index("zone_code")
    np.testing.assert_allclose(per_zone["residents"], zones.loc[per_zone.index, "residents"])
    assert coverage.gemeente["residents"].iloc[0] == pytest.approx(zones["residents"].sum())
    n_categories = len(sample_analysis.vocabulary.codes)
    assert len(coverage.zones) == len(zones) * n_categories


# --------------------------------------------------------------------------- join


def test_join_keeps_points_outside_every_zone_and_reports_them() -> None:
    buurten = square_buurten(("BU00000001", X0, Y0, 200, 10.0))
    shops = points("supermarkt", (X0 + 50, Y0 + 50), (X0 + 5000, Y0))
    with pytest.warns(DataQualityWarning, match=r"1 voorziening\(en\) outside .*supermarkt-1"):
        joined = join_voorzieningen(shops.assign(name=["in", "out"]), buurten)
    assert len(joined) == 2
    assert joined["bu_code"].tolist()[0] == "BU00000001"
    assert pd.isna(joined["zone_code"].iloc[1])


def test_sample_join(sample_analysis: Analysis) -> None:
    voorzieningen = sample_analysis.dataset.voorzieningen.set_index("id")
    assert len(voorzieningen) == 48
    assert pd.isna(voorzieningen.loc["wsz-s-12", "bu_code"])  # across the border (IJsselstein)
    assert pd.isna(voorzieningen.loc["wsz-s-12", "zone_code"])
    assert voorzieningen["zone_code"].notna().sum() == 47
