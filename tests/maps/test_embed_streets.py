"""The walking network's streets for the residents' map without tiles (issue 12, item 16):
``GET /embed/streets.geojson``, one MultiLineString in WGS84 from the loaded graph, bounded,
cached per state (ETag), gzip; empty without a network."""

from __future__ import annotations

import numpy as np
import shapely
from fastapi.testclient import TestClient

from geo.analysis import Analysis
from geo.ask.streets import street_lines
from geo.crs import WORKING_CRS


def test_streets_of_the_sample_network_as_one_light_geojson(
    client: TestClient, sample_analysis: Analysis
) -> None:
    response = client.get("/embed/streets.geojson", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["etag"].startswith('W/"')
    body = response.json()
    graph = sample_analysis.network.graph("walk")  # type: ignore[union-attr]
    assert body["edges"] == graph.n_edges
    assert body["truncated"] is False
    [feature] = body["features"]
    assert feature["properties"] == {}
    assert feature["geometry"]["type"] == "MultiLineString"
    lines = feature["geometry"]["coordinates"]
    coords = np.array([point for line in lines for point in line])
    assert ((coords[:, 0] > 4.9) & (coords[:, 0] < 5.2)).all()  # lon, lat (WGS84), Nieuwegein
    assert ((coords[:, 1] > 51.9) & (coords[:, 1] < 52.1)).all()
    assert np.allclose(coords, np.round(coords, 5))  # about a metre
    assert len(response.content) < 150_000  # bounded; gzip makes it about a fifth
    again = client.get(
        "/embed/streets.geojson", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304
    zone = client.get("/embed/streets.geojson", params={"zone": "zuid"}).json()
    assert 0 < zone["edges"] < body["edges"]
    assert client.get("/embed/streets.geojson", params={"zone": "atlantis"}).status_code == 404


def test_street_lines_are_bounded_before_they_are_merged(sample_analysis: Analysis) -> None:
    graph = sample_analysis.network.graph("walk")  # type: ignore[union-attr]
    kept = street_lines(graph, max_edges=100)
    assert (kept.edges, kept.truncated) == (100, True)
    drawn = shapely.get_parts(kept.lines.to_crs(WORKING_CRS).geometry.iloc[0])
    shortest_kept = np.sort(graph.edge_length)[-100]
    assert shapely.length(drawn).sum() >= 100 * shortest_kept * 0.95
    nowhere = street_lines(graph, shapely.box(0, 0, 10, 10))
    assert (nowhere.edges, len(nowhere.lines)) == (0, 0)
