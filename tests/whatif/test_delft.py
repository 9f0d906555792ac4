"""The what-if chain on the real delft-tu sample (CBS buurten, OSM extract of TU Delft)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.analysis import Analysis
from geo.crs import WORKING_CRS
from geo.errors import NotFoundError, QueryError
from geo.pipeline import whatif_closure_ranking, whatif_place, whatif_reach
from geo.whatif.report import PlaceOptions


def _candidates(analysis: Analysis, n: int, seed: int = 3) -> gpd.GeoDataFrame:
    """SYNTHETIC candidate sites: resident points of the sample, a few metres off."""
    rng = np.random.default_rng(seed)
    picked = analysis.points.geometry.iloc[rng.choice(len(analysis.points), n, replace=False)]
    xy = shapely.get_coordinates(picked.values) + rng.uniform(-5, 5, (n, 2))
    return gpd.GeoDataFrame(
        {"id": [f"c{i}" for i in range(n)]}, geometry=shapely.points(xy), crs=WORKING_CRS
    )


def test_walking_reach_agrees_with_the_walking_distance(delft_analysis: Analysis) -> None:
    sites = _candidates(delft_analysis, 6)
    reach = whatif_reach(delft_analysis, sites.geometry, 600.0)
    walking = delft_analysis.walking()
    origins = np.asarray(delft_analysis.points.geometry.values, dtype=object)
    for j in range(len(sites)):
        one = np.asarray(sites.geometry.values[j : j + 1], dtype=object)
        expected = walking.nearest(origins, one).distance_m
        mine = reach.site == j
        assert set(reach.demand[mine]) == set(np.flatnonzero(expected <= 600.0))
        np.testing.assert_allclose(reach.distance_m[mine], expected[reach.demand[mine]])


def test_placement_exact_and_greedy_on_delft(delft_analysis: Analysis) -> None:
    candidates = _candidates(delft_analysis, 40)
    exact = whatif_place(delft_analysis, "huisarts", candidates, 2)
    greedy = whatif_place(
        delft_analysis, "huisarts", candidates, 2, options=PlaceOptions(method="greedy")
    )
    assert exact.solution.status.startswith("optimal")
    assert greedy.solution.objective <= exact.solution.objective + 1e-6
    assert len(exact.sites) == 2
    assert exact.sites["gain"].sum() == pytest.approx(exact.solution.objective)
    assert exact.by_zone["newly"].sum() == pytest.approx(exact.solution.objective)
    assert exact.beyond_after <= exact.beyond_before
    older = whatif_place(
        delft_analysis,
        "huisarts",
        candidates,
        2,
        options=PlaceOptions(weight="residents_65plus", norm_m=300),
    )
    assert older.norm_m == 300


def test_placement_refusals(delft_analysis: Analysis) -> None:
    candidates = _candidates(delft_analysis, 3)
    with pytest.raises(QueryError, match="between 1 and the 3"):
        whatif_place(delft_analysis, "huisarts", candidates, 4)
    with pytest.raises(QueryError, match="more than 0"):
        whatif_place(delft_analysis, "huisarts", candidates, 1, options=PlaceOptions(norm_m=0))
    with pytest.raises(NotFoundError, match="unknown category"):
        whatif_place(delft_analysis, "kapper", candidates, 1)


def test_closure_ranking_counts_sole_coverage(delft_analysis: Analysis) -> None:
    ranking = whatif_closure_ranking(delft_analysis, "supermarkt")
    assert ranking["residents_beyond_without"].is_monotonic_decreasing
    norm = delft_analysis.vocabulary["supermarkt"].threshold_m
    covered = delft_analysis.coverage.point_distances["supermarkt"] <= norm
    assert ranking["residents_beyond_without"].sum() <= (
        delft_analysis.points["residents"][covered].sum() + 1e-6
    )
