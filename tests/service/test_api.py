"""The HTTP API in process: GeoJSON bodies validated against the response models, errors as
RFC 9457 problem+json."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from maps.assets import VENDOR_SUBDIR
from service.schemas.answers import CategoryOut, CoverageResponse, Health, LocationOut, ZoneDetail
from service.schemas.features import (
    BuurtProperties,
    FeatureCollection,
    VoorzieningProperties,
    ZoneProperties,
)
from tests.conftest import make_app

GEOJSON = "application/geo+json"
#: The example zone "zuid" (wijken Hoogzandveld, Lekboulevard, Vreeswijk, Zandveld).
ZUID = ["BU03561101", "BU03561102", "BU03561200", "BU03561301", "BU03561302", "BU03561600"]
PROBLEM = "application/problem+json"


def coordinates(node: Any) -> list[tuple[float, float]]:
    if isinstance(node, list) and node and isinstance(node[0], (int, float)):
        return [(float(node[0]), float(node[1]))]
    return [xy for child in node for xy in coordinates(child)] if isinstance(node, list) else []


def assert_rfc7946(body: dict[str, Any], model: type[BaseModel]) -> None:
    """Valid against ``model``, no crs member, lon/lat in the Netherlands, ≤ 7 decimals."""
    model.model_validate(body)
    assert "crs" not in body
    for item in body["features"]:
        for lon, lat in coordinates(item["geometry"]["coordinates"]):
            assert 3 < lon < 8
            assert 50 < lat < 54
            assert len(repr(lon).split(".")[-1]) <= 7


def test_zones_are_rfc7946_geojson(client: TestClient) -> None:
    response = client.get("/zones")
    assert response.status_code == 200
    assert response.headers["content-type"] == GEOJSON
    body = response.json()
    assert_rfc7946(body, FeatureCollection[ZoneProperties])
    zones = {f["properties"]["zone_code"]: f["properties"] for f in body["features"]}
    assert list(zones) == ["noord", "west", "centrum", "oost", "zuid"]
    assert zones["zuid"]["residents"] == 10_435  # CBS 2024: Hoogzandveld, Lekboulevard, ...
    assert zones["zuid"]["buurt_codes"] == ZUID


def test_zone_detail(client: TestClient) -> None:
    response = client.get("/zones/zuid")
    assert response.status_code == 200
    detail = ZoneDetail.model_validate(response.json())
    assert detail.zone.properties.zone_name == (
        "Zuid (Vreeswijk, Zandveld, Hoogzandveld, Lekboulevard)"
    )
    assert len(detail.buurten.features) == 6
    assert {f.properties.zone_code for f in detail.voorzieningen.features} == {"zuid"}
    assert [row.category for row in detail.coverage] == [
        "ontmoetingsplek",
        "steunpunt",
        "huisarts",
        "gezondheidscentrum",
        "apotheek",
        "supermarkt",
    ]
    assert all(0 <= (row.share_beyond or 0) <= 1 for row in detail.coverage)
    assert detail.map == "/maps/zuid.html"


def test_zone_buurten(client: TestClient) -> None:
    response = client.get("/zones/noord/buurten")
    assert response.headers["content-type"] == GEOJSON
    assert_rfc7946(response.json(), FeatureCollection[BuurtProperties])
    # Galecop 4, Zuilenstein 2, Blokhoeve and Huis de Geer.
    assert len(response.json()["features"]) == 8


# The synthetic voorzieningen (data/sample/make_synthetic.py): 34 in the GeoJSON, 14 in the CSV.
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 48),
        ("?category=huisarts", 11),
        ("?category=Huisartsenpraktijk", 11),  # an alias
        ("?zone=zuid", 9),
        ("?category=supermarkt&zone=centrum", 4),
        ("?bbox=5.0,51.9,5.2,52.1", 48),
        ("?bbox=4.0,51.0,4.1,51.1", 0),
    ],
)
def test_voorzieningen_filters(client: TestClient, query: str, expected: int) -> None:
    response = client.get(f"/voorzieningen{query}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert_rfc7946(body, FeatureCollection[VoorzieningProperties])
    assert len(body["features"]) == expected


def test_voorzieningen_filters_are_consistent(client: TestClient) -> None:
    everything = client.get("/voorzieningen").json()["features"]
    by_category = sum(
        len(client.get(f"/voorzieningen?category={c['code']}").json()["features"])
        for c in client.get("/categories").json()
    )
    assert by_category == len(everything)


def test_coverage(client: TestClient) -> None:
    body = CoverageResponse.model_validate(client.get("/coverage").json())
    assert body.source == "walking"  # the sample has a (synthetic) street network
    assert body.compared == "straight_line"
    assert any("synthetic" in note for note in body.notes)  # Nieuwegein's sample says so
    assert len(body.zones) == 5 * 6
    assert len(body.gemeente) == 6
    one = client.get("/coverage?zone=noord&category=supermarkt").json()
    assert len(one["zones"]) == 1
    assert one["zones"][0]["zone_code"] == "noord"
    buurten = client.get("/coverage/buurten?zone=zuid").json()
    assert {row["bu_code"] for row in buurten} == set(ZUID)


def test_lookup_names_buurt_zone_and_nearest(client: TestClient) -> None:
    response = client.get("/lookup", params={"lon": 5.09, "lat": 52.03})
    assert response.status_code == 200
    location = LocationOut.model_validate(response.json())
    assert location.bu_code == "BU03561400"  # Merwestein, in the example zone "oost"
    assert location.zone_code == "oost"
    assert len(location.nearest) == 6
    for nearest in location.nearest:
        assert nearest.distance_m is not None
        assert nearest.distance_m >= 0
        assert nearest.walking_minutes == pytest.approx(nearest.distance_m / 0.8 / 60, abs=0.1)
        assert nearest.within_threshold == (nearest.distance_m <= nearest.threshold_m)


def test_lookup_outside_every_buurt(client: TestClient) -> None:
    location = client.get("/lookup", params={"lon": 4.9, "lat": 52.37}).json()  # Amsterdam
    assert location["bu_code"] is None
    assert location["zone_code"] is None
    # Far off Nieuwegein's street network: no walk at all, but a straight line of 30+ km.
    assert location["source"] == "walking"
    assert all(n["distance_m"] is None for n in location["nearest"])
    straight = client.get(
        "/lookup", params={"lon": 4.9, "lat": 52.37, "distance": "straight_line"}
    ).json()
    assert all(n["distance_m"] > 20_000 for n in straight["nearest"])


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/zones/atlantis", 404, "no woonservicezone 'atlantis'; known zones: noord, west"),
        ("/zones/atlantis/buurten", 404, "known zones"),
        ("/maps/atlantis.html", 404, "known zones"),
        ("/voorzieningen?zone=atlantis", 404, "known zones"),
        ("/voorzieningen?category=bakker", 404, "unknown category 'bakker'; known: ontmoeting"),
        ("/voorzieningen?bbox=5,52,5.1", 422, "four numbers minlon,minlat,maxlon,maxlat"),
        ("/lookup?lon=52.03&lat=95", 422, "lat −90..90; note the order: lon first"),
        ("/lookup?lon=abc&lat=52", 422, "query parameter 'lon'"),
        ("/lookup?lat=52", 422, "query parameter 'lon': Field required"),
        ("/nowhere", 404, "no resource at /nowhere"),
    ],
)
def test_errors_are_problem_json(client: TestClient, path: str, status: int, detail: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["type"]
    assert detail in body["detail"]
    assert body["instance"] == path.split("?")[0]


def test_empty_store_answers_503_and_health_says_empty(tmp_path: Any) -> None:
    from tests.conftest import make_settings

    with TestClient(make_app(make_settings(tmp_path / "empty.gpkg"))) as empty:
        assert Health.model_validate(empty.get("/health").json()).status == "empty"
        response = empty.get("/zones")
        assert response.status_code == 503
        assert "wsz import buurten" in response.json()["detail"]


def test_meta_endpoints(client: TestClient) -> None:
    health = Health.model_validate(client.get("/health").json())
    assert health.buurten == 39
    assert health.sample == "nieuwegein"
    assert health.synthetic == ["voorzieningen", "network", "addresses"]
    sources = {s.layer: s for s in health.sources}
    assert not sources["buurten"].synthetic
    assert "© CBS / Kadaster, CC BY 4.0" in sources["buurten"].text
    assert sources["network"].source == "nieuwegein_synthetic.osm.pbf"
    categories = [CategoryOut.model_validate(c) for c in client.get("/categories").json()]
    assert {c.code: c.threshold_m for c in categories}["supermarkt"] == 800
    assert client.get("/").json()["links"]["map"] == "/maps/index.html"


def test_openapi_and_docs_work_offline(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/zones", "/zones/{zone_code}", "/voorzieningen", "/lookup", "/coverage"} <= set(
        spec["paths"]
    )
    docs = client.get("/docs").text
    assert not re.search(r"(src|href)=\"https?://", docs), "docs must not load from a CDN"
    script = re.search(r'src="([^"]+swagger-ui-bundle.js)"', docs)
    assert script is not None
    assert client.get(script.group(1)).status_code == 200


def test_map_pages_load_leaflet_from_this_service(client: TestClient) -> None:
    page = client.get("/maps/index.html")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert f"/static/vendor/{VENDOR_SUBDIR}/leaflet.js" in sources
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources)
    for source in (s for s in sources if not s.startswith("data:")):
        assert client.get(source).status_code == 200
    assert client.get("/maps/zuid.html").status_code == 200
