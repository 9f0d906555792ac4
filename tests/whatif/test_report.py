"""Placement answers on the real delft-tu sample: the presence constraint ("a site in every
wijk without one"), the gain curve for k = 1…K, each site's area and nearest address, and the
mean-walking-distance objective (p-median) — in the chain, the terminal and over HTTP."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient

from geo.analysis import Analysis
from geo.crs import WORKING_CRS
from geo.errors import QueryError
from geo.pipeline import address_index, whatif_candidates, whatif_median, whatif_place
from geo.whatif.report import NO_ADDRESS_INDEX, PlaceOptions
from service.cli import main
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def generated(delft_analysis: Analysis) -> gpd.GeoDataFrame:
    """Network nodes of the whole sample, one per 150 m square."""
    return whatif_candidates(delft_analysis, None, 150.0)


def test_every_wijk_without_one_gets_a_site(
    delft_analysis: Analysis, generated: gpd.GeoDataFrame
) -> None:
    free = whatif_place(delft_analysis, "ontmoetingsplek", generated, 2)
    placed = whatif_place(
        delft_analysis, "ontmoetingsplek", generated, 2, options=PlaceOptions(presence=("wijk",))
    )
    # The sample has no ontmoetingsplek: both wijken lack one and each gets a site.
    assert set(placed.presence["area_code"]) == {"WK050327", "WK050328"}
    assert set(placed.sites["wk_code"]) == {"WK050327", "WK050328"}
    assert placed.presence["site"].notna().all()
    assert placed.solution.objective <= free.solution.objective + 1e-6  # a constraint costs
    assert placed.curve["k"].tolist() == [2]  # fewer than 2 sites cannot fill 2 wijken
    with pytest.raises(QueryError, match="2 areas lack one and need a new site each"):
        whatif_place(
            delft_analysis,
            "ontmoetingsplek",
            generated,
            1,
            options=PlaceOptions(presence=("wijk",)),
        )
    buurten = delft_analysis.dataset.buurten
    wijk_28 = shapely.union_all(buurten.geometry[buurten["wk_code"] == "WK050328"].values)
    only_28 = generated[generated.geometry.within(wijk_28)]
    with pytest.raises(QueryError, match=r"no candidate site .* inside wijk Wijk 27 Schieweg"):
        whatif_place(
            delft_analysis, "ontmoetingsplek", only_28, 2, options=PlaceOptions(presence=("wijk",))
        )


def test_gain_curve_is_the_best_k_for_each_k(
    delft_analysis: Analysis, generated: gpd.GeoDataFrame
) -> None:
    options = PlaceOptions(weight="residents_65plus")
    placement = whatif_place(delft_analysis, "huisarts", generated, 3, options=options)
    curve = placement.curve
    assert curve["k"].tolist() == [1, 2, 3]
    assert curve["newly"].is_monotonic_increasing
    assert curve["newly"].iloc[-1] == pytest.approx(placement.solution.objective)
    assert curve["added"].sum() == pytest.approx(placement.solution.objective)
    one = whatif_place(delft_analysis, "huisarts", generated, 1, options=options)
    assert curve["newly"].iloc[0] == pytest.approx(one.solution.objective)
    assert curve["share_beyond_after"].iloc[-1] == pytest.approx(placement.beyond_after)
    assert placement.by_buurt["newly"].sum() == pytest.approx(placement.solution.objective)
    assert (placement.sites["address"] == NO_ADDRESS_INDEX).all()
    assert not placement.addresses


def test_sites_carry_their_nearest_address(
    delft_analysis: Analysis, delft_folder: Path, generated: gpd.GeoDataFrame
) -> None:
    index = address_index(delft_analysis, make_settings(delft_folder / "store.gpkg"))
    placement = whatif_place(delft_analysis, "huisarts", generated, 2, addresses=index)
    assert placement.addresses
    assert (placement.sites["address"].str.len() > 0).all()
    assert placement.sites["address"].str.contains(r"\w+ \d").all()  # street and number
    xy = shapely.get_coordinates(index.frame.geometry.values)
    for site, metres in zip(placement.sites.geometry, placement.sites["address_m"], strict=True):
        assert metres == pytest.approx(np.hypot(*(xy - [site.x, site.y]).T).min())


def test_mean_walking_distance_objective(
    delft_analysis: Analysis, generated: gpd.GeoDataFrame
) -> None:
    exact = whatif_median(delft_analysis, "huisarts", generated, 2)
    heuristic = whatif_median(
        delft_analysis, "huisarts", generated, 2, options=PlaceOptions(method="greedy")
    )
    assert exact.solution.method == "exact"
    assert exact.solution.status == "optimal"
    assert heuristic.solution.method == "heuristic"
    assert heuristic.solution.saving <= exact.solution.saving + 1e-6
    assert heuristic.solution.bound >= exact.solution.saving - 1e-6
    assert exact.mean_after_m is not None
    assert exact.mean_before_m is not None
    assert exact.mean_after_m < exact.mean_before_m
    assert exact.mean_after_bound_m == pytest.approx(exact.mean_after_m)  # proven optimal
    assert exact.unreachable_after <= exact.unreachable_before
    assert exact.sites["served"].is_monotonic_decreasing
    assert (exact.sites["saved_m"] > 0).all()
    assert set(exact.by_zone["zone_code"]) >= {"campus", "wippolder"}
    with pytest.raises(QueryError, match="presence norms constrain the coverage objective"):
        whatif_median(
            delft_analysis, "huisarts", generated, 2, options=PlaceOptions(presence=("wijk",))
        )


def test_adding_sites_never_lengthens_a_walk(delft_analysis: Analysis) -> None:
    few = gpd.GeoDataFrame(
        {"id": ["a", "b"]},
        geometry=delft_analysis.points.geometry.iloc[[0, 100]].values,
        crs=WORKING_CRS,
    )
    answer = whatif_median(delft_analysis, "apotheek", few, 2)
    for before, after in answer.by_zone[["mean_before_m", "mean_after_m"]].itertuples(index=False):
        assert np.isnan(before) or after <= before + 1e-9


def test_cli_place_with_presence_and_distance(
    delft_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--store", str(delft_folder / "store.gpkg"), "whatif", "place"]
    assert main([*store, "ontmoetingsplek", "2", "--presence", "wijk", "--spacing", "150"]) == 0
    out = capsys.readouterr().out
    assert "presence norm: a site in every area without one:" in out
    assert "gain curve (the best k sites, k = 1…K):" in out
    assert "sites (nearest address: address index):" in out
    assert "newly covered per buurt:" in out
    argv = [*store, "huisarts", "2", "--objective", "distance", "--spacing", "150"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "new site(s) for the shortest mean walk" in out
    assert "method exact (optimal)" in out
    assert "mean walking distance:" in out
    assert main([*store, "huisarts", "1", "--presence", "wijk", "--spacing", "150"]) == 1
    assert "2 areas lack one" in capsys.readouterr().err


def test_api_presence_and_distance(delft_client: TestClient) -> None:
    generated = {"spacing_m": 150}
    body = {"category": "ontmoetingsplek", "k": 2, "candidates": generated, "presence": ["wijk"]}
    answer = delft_client.post("/whatif/placements", json=body).json()
    assert answer["objective_kind"] == "coverage"
    assert {p["area_code"] for p in answer["presence"]} == {"WK050327", "WK050328"}
    assert [c["k"] for c in answer["curve"]] == [2]
    assert answer["addresses"] is True
    assert all(f["properties"]["address"] for f in answer["features"])
    body = {"category": "huisarts", "k": 2, "candidates": generated, "objective": "distance"}
    response = delft_client.post("/whatif/placements", json=body)
    assert response.status_code == 200, response.text
    median = response.json()
    assert median["objective_kind"] == "distance"
    assert median["method"] == "exact"
    assert median["mean_after_m"] < median["mean_before_m"]
    assert median["bound"] >= median["objective"]
    assert [f["properties"]["rank"] for f in median["features"]] == [1, 2]
    for bad, status in (
        ({**body, "presence": ["wijk"]}, 400),
        ({**body, "norm_m": 400}, 400),
        ({**body, "objective": "nearest"}, 422),
        ({**body, "objective": "coverage", "presence": ["buurt"]}, 422),
        ({**body, "objective": "coverage", "k": 1, "presence": ["wijk"]}, 400),
    ):
        response = delft_client.post("/whatif/placements", json=bad)
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
