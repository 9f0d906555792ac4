"""Walking distances end to end on the real `delft-tu` sample: pipeline, CLI, API, real server.

The Delft extract is real OSM data (TU Delft and the east of Delft, 2014), the buurten real CBS
data; nothing here is synthetic.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import httpx
import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient

from geo.analysis import Analysis
from geo.coverage.distance import WalkingDistance
from geo.crs import lonlat_to_rd, rd_to_lonlat
from geo.errors import DataQualityWarning
from geo.network.osm import read_osm
from geo.pipeline import analyse, build_network, load_network
from geo.settings import SAMPLE_DIR, Settings
from geo.store.geopackage import GeoPackageStore
from service.cli import main
from service.schemas.answers import CoverageResponse, LocationOut
from service.schemas.features import (
    Feature,
    FeatureCollection,
    GapProperties,
    IsochroneProperties,
    RouteProperties,
)
from service.state import Published, publish
from tests.conftest import (
    DELFT_OSM,
    SAMPLE_SHARED_FILES,
    SHARED_DATA,
    fingerprint,
    make_app,
    make_settings,
    requires_shared_data,
)
from tests.imports import load_sample
from tests.osm_builder import write_osm

#: The delft-tu sample read from ../shared/data (its CBS buurten and OSM extract).
requires_delft = requires_shared_data(*SAMPLE_SHARED_FILES["delft-tu"])
#: Either bank of the Schie near the TU campus (RD New): 117 m apart, a long walk round.
SCHIE_EAST = (85104.0, 445664.0)
SCHIE_WEST = (84989.0, 445687.0)


def delft_settings(folder: Path) -> Settings:
    return make_settings(folder / "store.gpkg")


@pytest.fixture(scope="module")
def delft_client(delft_folder: Path, delft_published: Published) -> Iterator[TestClient]:
    app = make_app(delft_settings(delft_folder), delft_published)
    with TestClient(app) as client:
        yield client


def lonlat(xy: tuple[float, float]) -> tuple[float, float]:
    lon, lat = rd_to_lonlat(*xy)
    return float(lon), float(lat)


# --------------------------------------------------------------------------- analysis


def test_walking_is_the_default_measure_with_straight_lines_beside(
    delft_analysis: Analysis,
) -> None:
    coverage = delft_analysis.coverage
    assert coverage.source == "walking"
    assert coverage.compared == "straight_line"
    rows = coverage.gemeente.set_index("category")
    # Supermarkets exist in the extract: walking is longer than the straight line on average.
    assert rows.loc["supermarkt", "detour_factor"] > 1.0
    assert rows.loc["supermarkt", "share_beyond"] >= rows.loc["supermarkt", "share_beyond_straight"]
    # No ontmoetingsplek in this real extract: every resident is beyond, and the notes say so.
    assert rows.loc["ontmoetingsplek", "share_beyond"] == 1.0
    assert any("no voorzieningen of ontmoetingsplek" in note for note in delft_analysis.notes)


def test_walking_never_beats_the_straight_line_per_point(delft_analysis: Analysis) -> None:
    walking = delft_analysis.coverage.point_distances
    assert delft_analysis.straight is not None
    straight = delft_analysis.straight.point_distances
    both = walking.notna() & straight.notna()
    assert both.to_numpy().sum() > 100
    assert (walking[both] >= straight[both] - 1e-6).to_numpy()[both.to_numpy()].all()


def test_buurten_say_how_residents_were_placed_and_carry_cbs_figures(
    delft_analysis: Analysis,
) -> None:
    rows = delft_analysis.coverage.buurten
    placement = rows.groupby("bu_code")["placement"].first()
    assert set(placement) == {"buildings", "grid"}
    # TU-Campus lies wholly inside the extract, which maps its residential buildings.
    assert placement["BU05032805"] == "buildings"
    huisarts = rows[rows["category"] == "huisarts"].set_index("bu_code")
    # CBS nabijheid, km over roads: Wippolder-Zuid 0.4 km (kwb2024_buurten_GM0503.csv).
    assert huisarts.loc["BU05032803", "cbs_distance_m"] == pytest.approx(400.0)
    assert rows[rows["category"] == "ontmoetingsplek"]["cbs_distance_m"].isna().all()


def test_gap_polygons_hold_the_residents_beyond(delft_analysis: Analysis) -> None:
    gaps = delft_analysis.gaps
    assert gaps is not None
    supermarkt = gaps[gaps["category"] == "supermarkt"].set_index("zone_code")
    zones = delft_analysis.coverage.zones
    expected = zones[zones["category"] == "supermarkt"].set_index("zone_code")["residents_beyond"]
    for zone_code, beyond in expected.items():
        if beyond > 0:
            assert supermarkt.loc[zone_code, "residents_beyond"] == pytest.approx(beyond, abs=0.1)
            assert supermarkt.loc[zone_code, "geometry"].area > 0
    assert gaps.geometry.is_valid.all()


@requires_delft
def test_an_extract_that_misses_the_buurten_gives_straight_lines_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One rule for the CLI, the exports and the API (it used to be: `wsz coverage` exited 1
    with a NetworkError while `wsz export coverage` and the API served straight lines)."""
    settings = delft_settings(tmp_path)
    load_sample(GeoPackageStore(settings.store_path), settings, "delft-tu")
    # A tiny network in Nieuwegein, 50 km from Delft.
    far = write_osm(
        tmp_path / "far.osm",
        {1: (0, 0), 2: (300, 0)},
        [(1, [1, 2], {"highway": "residential"})],
    )
    network = build_network(settings, far)
    with pytest.warns(DataQualityWarning, match="does not cover the buurten"):
        analysis = analyse(GeoPackageStore(settings.store_path).read(), settings, network=network)
    assert analysis.coverage.source == "straight_line"
    assert analysis.network is None
    assert any("straight lines until a network" in note for note in analysis.notes)
    store = ["--store", str(settings.store_path)]
    assert main([*store, "coverage"]) == 0
    printed = capsys.readouterr()
    assert "straight line" in printed.out
    assert "does not cover the buurten" in printed.err + printed.out
    exported = tmp_path / "coverage.csv"
    assert main([*store, "export", "coverage", "-o", str(exported)]) == 0
    assert "straight_line" in exported.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- CLI


@requires_shared_data(DELFT_OSM)
def test_cli_network_build_and_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store.gpkg"
    assert main(["--store", str(store), "network", "build", str(DELFT_OSM)]) == 0
    out = capsys.readouterr().out
    assert "1,322 nodes" in out
    assert "excluded highway=motorway|motorway_link: 21 ways" in out
    assert "rollator (0.7 m/s)" in out
    assert main(["--store", str(store), "network", "status"]) == 0
    assert "Walking network from" in capsys.readouterr().out


@requires_shared_data(DELFT_OSM)
def test_cli_bad_extract_leaves_the_network_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store.gpkg"
    assert main(["--store", str(store), "network", "build", str(DELFT_OSM)]) == 0
    active = tmp_path / "network" / "active.json"
    before = fingerprint(active)
    truncated = tmp_path / "cut.osm"
    truncated.write_bytes(DELFT_OSM.read_bytes()[:50_000])
    capsys.readouterr()
    assert main(["--store", str(store), "network", "build", str(truncated)]) == 1
    assert "not a readable OSM extract" in capsys.readouterr().err
    assert fingerprint(active) == before


def test_cli_coverage_prints_walking_and_straight_side_by_side(
    delft_folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WSZ_DATA_PATH", os.pathsep.join([str(SHARED_DATA), str(SAMPLE_DIR)]))
    store = delft_folder / "store.gpkg"
    assert main(["--store", str(store), "coverage"]) == 0
    out = capsys.readouterr().out
    assert "Coverage by walking distance (straight line beside it)" in out
    assert "detour" in out
    assert "supermarkt" in out


@requires_delft
def test_cli_imports_voorzieningen_from_an_osm_extract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = delft_settings(tmp_path)
    load_sample(GeoPackageStore(settings.store_path), settings, "delft-tu")
    store = str(settings.store_path)
    assert main(["--store", store, "import", "voorzieningen", str(DELFT_OSM)]) == 0
    stored = GeoPackageStore(settings.store_path).read().voorzieningen
    assert stored["category"].value_counts().to_dict() == {
        "supermarkt": 2,
        "apotheek": 1,
        "huisarts": 1,
        "gezondheidscentrum": 1,  # Gezondheidscentrum Wippolder: a huisarts and by name this
    }
    # the doctors' practice is a building, stored once per category it serves
    assert set(stored["id"]) >= {"way/44382857", "way/44382857~gezondheidscentrum"}


# --------------------------------------------------------------------------- API


def test_lookup_walks_by_default_and_straight_on_request(delft_client: TestClient) -> None:
    lon, lat = lonlat((85500.0, 446300.0))
    walking = LocationOut.model_validate(delft_client.get(f"/lookup?lon={lon}&lat={lat}").json())
    assert walking.source == "walking"
    assert walking.profile == "walk"
    assert walking.speed_m_per_s == 0.8
    straight = LocationOut.model_validate(
        delft_client.get(f"/lookup?lon={lon}&lat={lat}&distance=straight_line").json()
    )
    assert straight.source == "straight_line"
    by_category = {n.category: n for n in straight.nearest}
    for nearest in walking.nearest:
        other = by_category[nearest.category]
        if nearest.distance_m is not None and other.distance_m is not None:
            assert nearest.distance_m >= other.distance_m - 0.1
    rollator = LocationOut.model_validate(
        delft_client.get(f"/lookup?lon={lon}&lat={lat}&profile=rollator").json()
    )
    assert rollator.speed_m_per_s == 0.7


def test_route_is_a_linestring_as_long_as_its_distance(delft_client: TestClient) -> None:
    lon, lat = lonlat((85500.0, 446300.0))
    response = delft_client.get(f"/route?lon={lon}&lat={lat}&category=supermarkt")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    route = Feature[RouteProperties].model_validate(response.json())
    assert route.geometry is not None
    assert route.geometry.type == "LineString"
    lons, lats = np.array(route.geometry.coordinates).T
    x, y = lonlat_to_rd(lons, lats)
    length = shapely.LineString(np.column_stack([x, y])).length
    assert length == pytest.approx(route.properties.distance_m, rel=0.002, abs=0.5)
    assert route.properties.minutes == pytest.approx(route.properties.distance_m / 0.8 / 60, 0.01)
    assert route.geometry.coordinates[-1] == pytest.approx(
        [route.properties.voorziening_lon, route.properties.voorziening_lat], abs=1e-6
    )


def test_isochrones_nest_over_the_api(delft_client: TestClient) -> None:
    lon, lat = lonlat((85600.0, 446000.0))
    response = delft_client.get(f"/isochrone?lon={lon}&lat={lat}&minutes=5,10,15")
    assert response.status_code == 200, response.text
    collection = FeatureCollection[IsochroneProperties].model_validate(response.json())
    assert [f.properties.minutes for f in collection.features] == [5, 10, 15]
    frame = gpd.GeoDataFrame.from_features(response.json()["features"], crs=4326).to_crs(28992)
    five, ten, fifteen = frame.geometry
    assert five.area < ten.area < fifteen.area
    assert ten.buffer(0.5).contains(five)
    assert fifteen.buffer(0.5).contains(ten)


@pytest.mark.parametrize(
    ("query", "status", "needle"),
    [
        ("/isochrone?lon=4.37&lat=52.0&minutes=0", 422, "each above 0 and at most 60"),
        ("/isochrone?lon=4.37&lat=52.0&minutes=5,abc", 422, "1 to 5 walking times"),
        ("/route?lon=4.37&lat=52.0&category=bakker", 404, "unknown category 'bakker'"),
        ("/route?lon=4.37&lat=52.0&category=huisarts&profile=skates", 422, "profile"),
        ("/route?lon=5.5&lat=52.5&category=huisarts", 404, "more than 250 m"),
        ("/route?lon=4.37&lat=52.0&category=ontmoetingsplek", 404, "no voorziening of"),
        ("/coverage?distance=crow", 422, "distance"),
    ],
)
def test_walking_queries_refuse_bad_input(
    delft_client: TestClient, query: str, status: int, needle: str
) -> None:
    response = delft_client.get(query)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert needle in response.text


def test_coverage_and_gaps_over_the_api(delft_client: TestClient) -> None:
    walking = CoverageResponse.model_validate(delft_client.get("/coverage").json())
    assert walking.source == "walking"
    assert walking.compared == "straight_line"
    assert all(row.detour_factor is None or row.detour_factor >= 1 for row in walking.gemeente)
    straight = CoverageResponse.model_validate(
        delft_client.get("/coverage?distance=straight_line").json()
    )
    assert straight.source == "straight_line"
    gaps = delft_client.get("/coverage/gaps?category=supermarkt")
    assert gaps.headers["content-type"] == "application/geo+json"
    collection = FeatureCollection[GapProperties].model_validate(gaps.json())
    assert {f.properties.category for f in collection.features} == {"supermarkt"}
    assert all(f.properties.source == "walking" for f in collection.features)


def test_without_a_network_walking_queries_answer_503(
    straight_analysis: Analysis, sample_store_file: Path
) -> None:
    app = make_app(make_settings(sample_store_file), publish(straight_analysis))
    with TestClient(app) as client:
        response = client.get("/route?lon=5.09&lat=52.03&category=huisarts")
        assert response.status_code == 503
        assert "wsz network build" in response.json()["detail"]
        assert client.get("/coverage").json()["source"] == "straight_line"


# --------------------------------------------------------------------------- real server


@pytest.mark.e2e
def test_real_barrier_over_http(delft_server: str, delft_folder: Path) -> None:
    """A voorziening on the far bank of the Schie: 117 m away, a long walk round the water."""
    settings = delft_settings(delft_folder)
    with httpx.Client(base_url=delft_server, timeout=30) as http:
        health = http.get("/health").json()
        assert health["status"] == "ok"
        east_lon, east_lat = lonlat(SCHIE_EAST)
        west_lon, west_lat = lonlat(SCHIE_WEST)
        straight = float(shapely.distance(shapely.Point(SCHIE_EAST), shapely.Point(SCHIE_WEST)))
        isochrone = http.get(f"/isochrone?lon={east_lon}&lat={east_lat}&minutes=5")
        assert isochrone.status_code == 200
        area = gpd.GeoDataFrame.from_features(isochrone.json()["features"], crs=4326)
        # Five minutes at 0.8 m/s is 240 m: the far bank, 117 m away, is out of reach.
        assert not area.geometry.iloc[0].contains(shapely.Point(west_lon, west_lat))
        assert straight < 120
    # The same pair through the service's walking source: the walk is over 5x the hop.
    network = load_network(settings)
    assert network is not None
    source = WalkingDistance(network.graph("walk"), snap_limit_m=250.0)
    nearest = source.nearest(
        np.array([shapely.Point(SCHIE_EAST)]), np.array([shapely.Point(SCHIE_WEST)])
    )
    assert nearest.distance_m[0] > 5 * straight


@pytest.mark.e2e
def test_served_lookup_and_route_over_http(delft_server: str) -> None:
    lon, lat = lonlat((85500.0, 446300.0))
    with httpx.Client(base_url=delft_server, timeout=30) as http:
        location = LocationOut.model_validate(http.get(f"/lookup?lon={lon}&lat={lat}").json())
        assert location.source == "walking"
        route = http.get(f"/route?lon={lon}&lat={lat}&category=huisarts")
        assert route.status_code == 200
        feature = json.loads(route.text)
        assert feature["properties"]["voorziening_id"] == "way/44382857"
        by_category = {n.category: n for n in location.nearest}
        assert feature["properties"]["distance_m"] == pytest.approx(
            by_category["huisarts"].distance_m, abs=0.2
        )


@requires_shared_data(DELFT_OSM)
def test_read_osm_counts_the_delft_extract() -> None:
    counts = read_osm(DELFT_OSM).counts
    assert counts["highway_ways"] == 990
    assert counts["buildings"] == 519
