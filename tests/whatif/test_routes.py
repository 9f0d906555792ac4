"""``/whatif/*`` over the real delft-tu sample (CBS buurten, OSM extract of TU Delft) through
FastAPI's TestClient: a placement, its refusals (problem+json), the closure ranking."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient

from geo.analysis import Analysis
from geo.crs import rd_to_lonlat
from geo.pipeline import whatif_closure, whatif_closure_ranking
from geo.whatif.candidates import MAX_CANDIDATES
from service.cli import main
from service.schemas.whatif import MAX_BODY_BYTES, MAX_K


def _points(analysis: Analysis, n: int, seed: int = 5) -> dict[str, Any]:
    """SYNTHETIC candidates: resident points of the sample a few metres off, WGS84."""
    rng = np.random.default_rng(seed)
    picked = analysis.points.geometry.iloc[rng.choice(len(analysis.points), n, replace=False)]
    xy = shapely.get_coordinates(picked.values) + rng.uniform(-5, 5, (n, 2))
    lon, lat = rd_to_lonlat(xy[:, 0], xy[:, 1])
    features = [
        {"type": "Feature", "id": f"p{i}", "geometry": {"type": "Point", "coordinates": [x, y]}}
        for i, (x, y) in enumerate(zip(lon.tolist(), lat.tolist(), strict=True))
    ]
    return {"type": "FeatureCollection", "features": features}


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


def test_placement_of_points_and_generated(
    delft_client: TestClient, delft_analysis: Analysis
) -> None:
    body = {"category": "huisarts", "k": 2, "candidates": _points(delft_analysis, 30)}
    response = delft_client.post("/whatif/placements", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    answer = response.json()
    assert answer["method"] == "exact"
    assert answer["status"].startswith("optimal")
    assert len(answer["features"]) == 2
    assert [f["properties"]["rank"] for f in answer["features"]] == [1, 2]
    gains = sum(f["properties"]["gain"] for f in answer["features"])
    assert gains == pytest.approx(answer["objective"], abs=0.01)
    assert sum(z["newly"] for z in answer["by_zone"]) == pytest.approx(gains, abs=0.01)
    assert answer["share_beyond_after"] <= answer["share_beyond_before"]
    lon, lat = answer["features"][0]["geometry"]["coordinates"]
    assert 4.3 < lon < 4.4
    assert 51.9 < lat < 52.1
    assert {f["properties"]["id"] for f in answer["features"]} <= {f"p{i}" for i in range(30)}
    generated = {
        "category": "huisarts",
        "k": 1,
        "weight": "residents_65plus",
        "method": "greedy",
        "candidates": {"spacing_m": 200},
    }
    answer = delft_client.post("/whatif/placements", json=generated).json()
    assert answer["method"] == "greedy"
    assert answer["weight"] == "residents_65plus"
    assert answer["features"][0]["properties"]["id"].startswith("node-")
    assert answer["bound"] >= answer["objective"]


def test_placement_refusals(delft_client: TestClient, delft_analysis: Analysis) -> None:
    points = _points(delft_analysis, 3)
    post = delft_client.post
    too_many_k = _problem(
        post("/whatif/placements", json={"category": "huisarts", "k": MAX_K + 1}), 400
    )
    assert f"more than the {MAX_K}" in too_many_k["detail"]
    above = _problem(
        post("/whatif/placements", json={"category": "huisarts", "k": 4, "candidates": points}), 400
    )
    assert "between 1 and the 3" in above["detail"]
    unknown = _problem(
        post("/whatif/placements", json={"category": "kapper", "k": 1, "candidates": points}), 404
    )
    assert "unknown category 'kapper'" in unknown["detail"]
    feature = points["features"][0]
    crowd = {"type": "FeatureCollection", "features": [feature] * (MAX_CANDIDATES + 1)}
    many = _problem(
        post("/whatif/placements", json={"category": "huisarts", "k": 1, "candidates": crowd}), 413
    )
    assert many["limit"] == MAX_CANDIDATES
    assert many["actual"] == MAX_CANDIDATES + 1
    huge = b'{"category": "huisarts", "k": 1, "x": "' + b"x" * MAX_BODY_BYTES + b'"}'
    big = _problem(
        post("/whatif/placements", content=huge, headers={"content-type": "application/json"}), 413
    )
    assert big["limit"] == MAX_BODY_BYTES
    swapped = {
        **feature,
        "geometry": {"type": "Point", "coordinates": feature["geometry"]["coordinates"][::-1]},
    }
    crs = {"type": "FeatureCollection", "features": [swapped]}
    assert (
        "outside the Netherlands"
        in _problem(
            post("/whatif/placements", json={"category": "huisarts", "k": 1, "candidates": crs}),
            422,
        )["detail"]
    )
    _problem(post("/whatif/placements", json={"category": "huisarts", "k": 1, "extra": 1}), 422)
    _problem(post("/whatif/placements?k=1", json={"category": "huisarts", "k": 1}), 400)


def test_closure_ranking_equals_the_cli(
    delft_client: TestClient,
    delft_analysis: Analysis,
    delft_folder: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    answer = delft_client.get("/whatif/closures", params={"category": "supermarkt"}).json()
    expected = whatif_closure_ranking(delft_analysis, "supermarkt")
    assert [v["id"] for v in answer["voorzieningen"]] == expected["id"].tolist()
    assert [v["residents_beyond_without"] for v in answer["voorzieningen"]] == pytest.approx(
        expected["residents_beyond_without"].tolist()
    )
    assert (
        main(["--store", str(delft_folder / "store.gpkg"), "whatif", "closure", "supermarkt"]) == 0
    )
    rows = capsys.readouterr().out.splitlines()[1:]
    assert [row.split()[1] for row in rows] == [v["id"] for v in answer["voorzieningen"]]
    assert answer["norm_m"] == delft_analysis.vocabulary["supermarkt"].threshold_m
    _problem(delft_client.get("/whatif/closures", params={"category": "kapper"}), 404)
    _problem(delft_client.get("/whatif/closures", params={"category": "supermarkt", "x": 1}), 400)


def test_post_closures_equals_the_chain(delft_client: TestClient, delft_analysis: Analysis) -> None:
    ids = whatif_closure_ranking(delft_analysis, "supermarkt")["id"].tolist()
    response = delft_client.post("/whatif/closures", json={"ids": ids[:1]})
    assert response.status_code == 200, response.text
    answer = response.json()
    expected = whatif_closure(delft_analysis, ids[:1])
    assert answer["closed"] == ids[:1]
    assert answer["residents_losing"] == pytest.approx(expected.residents_losing)
    assert [z["zone_code"] for z in answer["by_zone"]] == expected.by_zone["zone_code"].tolist()
    assert answer["by_buurt"][0]["mean_new_distance_m"] > answer["norm_m"]
    every = delft_client.post("/whatif/closures", json={"ids": ids}).json()
    assert every["by_zone"][0]["mean_new_distance_m"] is None  # nothing left open to walk to
    _problem(delft_client.post("/whatif/closures", json={"ids": ["nope"]}), 404)
    _problem(delft_client.post("/whatif/closures", json={"ids": []}), 422)


def test_wrong_method_lists_both(delft_client: TestClient) -> None:
    response = delft_client.put("/whatif/closures")
    _problem(response, 405)
    assert response.headers["allow"] == "GET, POST"
