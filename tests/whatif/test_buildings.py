"""Candidates generated from the OSM extract's buildings (every building, residential or not)
inside a zone or buurt of the real delft-tu sample; the Nieuwegein sample's synthetic network
has no buildings, which is said, not silently answered."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient

from geo.analysis import Analysis
from geo.errors import NotFoundError, QueryError
from geo.pipeline import whatif_candidates
from geo.whatif.candidates import building_sites
from service.cli import main


def test_every_building_in_the_zone_is_a_candidate(delft_analysis: Analysis) -> None:
    assert delft_analysis.network is not None
    buildings = delft_analysis.network.buildings
    buurten = delft_analysis.dataset.buurten
    campus = shapely.union_all(buurten.geometry[buurten["zone_code"] == "campus"].values)
    found = whatif_candidates(delft_analysis, "campus", source="buildings")
    inside = shapely.contains_xy(campus, *shapely.get_coordinates(
        shapely.point_on_surface(buildings.geometry.values)).T)  # fmt: skip
    assert len(found) == int(inside.sum()) > 0
    assert found["id"].str.startswith("building-").all()
    assert found["name"].str.startswith("building (").all()
    assert shapely.contains_xy(campus, *shapely.get_coordinates(found.geometry.values).T).all()
    thinned = whatif_candidates(delft_analysis, "campus", 200.0, source="buildings")
    assert 0 < len(thinned) < len(found)
    cells = np.floor(shapely.get_coordinates(thinned.geometry.values) / 200.0)
    assert len(np.unique(cells, axis=0)) == len(thinned)
    buurt = whatif_candidates(delft_analysis, "BU05032805", source="buildings")
    assert 0 < len(buurt) <= len(found)
    with pytest.raises(NotFoundError, match="no zone or buurt 'XX'"):
        whatif_candidates(delft_analysis, "XX", source="buildings")
    with pytest.raises(QueryError, match="spacing must be more than 0"):
        building_sites(buildings, campus, 0.0)


def test_no_buildings_is_said(sample_analysis: Analysis, client: TestClient) -> None:
    with pytest.raises(QueryError, match="has no buildings"):
        whatif_candidates(sample_analysis, None, source="buildings")
    body = {"category": "huisarts", "k": 1, "candidates": {"source": "buildings"}}
    response = client.post("/whatif/placements", json=body)
    assert response.status_code == 400, response.text
    assert "has no buildings" in response.json()["detail"]


def test_cli_places_on_buildings(delft_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--store", str(delft_folder / "store.gpkg"), "whatif", "place", "huisarts", "1"]
    assert main([*argv, "--from", "buildings", "--area", "campus"]) == 0
    assert "building-" in capsys.readouterr().out


def test_api_places_on_buildings(delft_client: TestClient) -> None:
    body = {"category": "huisarts", "k": 2, "candidates": {"area": "campus", "source": "buildings"}}
    answer = delft_client.post("/whatif/placements", json=body).json()
    assert all(f["properties"]["id"].startswith("building-") for f in answer["features"])
    assert {f["properties"]["zone_code"] for f in answer["features"]} == {"campus"}
    bad = {**body, "candidates": {"source": "trees"}}
    assert delft_client.post("/whatif/placements", json=bad).status_code == 422
