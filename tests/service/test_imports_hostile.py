"""Hostile import bodies over HTTP: each is a problem+json 4xx, logged as refused, with the
store byte for byte as it was; and no unexpected exception ever answers text/plain.

The app runs in-process over a private copy of the sample store (real GeoPackage, real
readers).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bench.hostile_bench import view_bomb
from geo.store.geopackage import GeoPackageStore
from service.errors import PROBLEM_MEDIA_TYPE
from tests.conftest import fingerprint, make_app, make_settings
from tests.servers import AUTH
from tests.service.imports_support import GEOJSON

#: JSON nested 1,500 levels deep (the parser gives up at about 1,000).
DEEP_JSON = b'{"a": ' * 1500 + b"1" + b"}" * 1500
#: "Billion laughs": nine anchors, each listing the previous one nine times (9⁹ nodes).
LAUGHS = (
    b"a0: &a0 [lol]\n"
    + b"".join(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n".encode() for n in range(1, 10))
    + b"zones: *a9\n"
)


def _voorziening(**properties: object) -> dict[str, object]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "v1", "name": "Praktijk", **properties},
                "geometry": {"type": "Point", "coordinates": [5.0868, 52.0345]},
            }
        ],
    }


HOSTILE: dict[str, tuple[str, str, bytes, str]] = {
    "deep JSON voorzieningen": (
        "voorzieningen",
        "application/geo+json",
        DEEP_JSON,
        "nested too deeply",
    ),
    "deep JSON zones": ("zones", "application/json", DEEP_JSON, "nested too deeply"),
    "deep YAML zones": (
        "zones",
        "application/yaml",
        b"zones: " + b"[" * 1500 + b"]" * 1500,
        "nested too deeply",
    ),
    "billion laughs zones": ("zones", "application/yaml", LAUGHS, "expand to more than"),
    # A list of category names is accepted (issue 12, item 14); an object is not a category.
    "an object as category": (
        "voorzieningen",
        "application/geo+json",
        json.dumps(_voorziening(category={"huisarts": True, "apotheek": True})).encode(),
        "several separated by ';'",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_bodies_are_refused_as_problems_and_logged(
    keyed_client: TestClient, sample_store: GeoPackageStore, case: str
) -> None:
    kind, media, body, text = HOSTILE[case]
    before = fingerprint(sample_store.path)
    response = keyed_client.post(
        f"/imports/{kind}", content=body, headers={**AUTH, "Content-Type": media}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert text in response.json()["detail"]
    assert fingerprint(sample_store.path) == before
    entry = keyed_client.get("/imports?limit=1", headers=AUTH).json()["imports"][0]
    assert entry["outcome"] == "refused"
    assert text in entry["error"]["detail"]


def test_an_unexpected_exception_is_a_logged_problem_not_text(
    sample_store: GeoPackageStore, caplog: pytest.LogCaptureFixture
) -> None:
    """The real app with one extra route that fails as a bug would (a plain RuntimeError)."""
    app = make_app(make_settings(sample_store.path), reload_interval_s=0)

    def broken() -> None:
        raise RuntimeError("secret internals /srv/wsz/store.gpkg")

    app.add_api_route("/broken", broken)
    with (
        TestClient(app, raise_server_exceptions=False) as client,
        caplog.at_level(logging.ERROR, logger="woonservicezones.errors"),
    ):
        response = client.get("/broken")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert "internals" not in response.text
    assert body["incident"] in body["detail"]
    assert any(body["incident"] in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_geopackage_whose_layer_is_a_view_is_refused_over_http(
    keyed_client: TestClient, sample_store: GeoPackageStore, tmp_path: Path
) -> None:
    """A 100 KB upload of 12 rows × 6.25 M-vertex lines (a view): 422 before GDAL reads it."""
    bomb = view_bomb(tmp_path / "bomb.gpkg")
    before = fingerprint(sample_store.path)
    response = keyed_client.post(
        "/imports/voorzieningen",
        files={"file": ("praktijken.gpkg", bomb.read_bytes())},
        data={"category": "huisarts", "layer": "bomb"},
        headers=AUTH,
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert "'bomb' (a view)" in response.json()["detail"]
    assert fingerprint(sample_store.path) == before


def test_property_values_are_bounded_by_type_length_and_range(
    keyed_client: TestClient, sample_store: GeoPackageStore
) -> None:
    """The sample's own buurten, exported and sent back with a negative residents count, a code
    given as an object and a 600-character name: each refused, with its row."""
    document = keyed_client.get("/export/buurten", params={"format": "geojson"}).json()
    features = document["features"]
    features[0]["properties"]["residents"] = -3
    features[1]["properties"]["bu_code"] = {"code": "BU03560101"}
    features[2]["properties"]["bu_naam"] = "x" * 600
    before = fingerprint(sample_store.path)
    response = keyed_client.post(
        "/imports/buurten", content=json.dumps(document).encode(), headers=GEOJSON
    )
    assert response.status_code == 422, response.text
    body = response.json()
    reasons: dict[int, str] = {}
    for error in body["errors"]:
        reasons[error["index"]] = reasons.get(error["index"], "") + error["reason"]
    assert "-3" in reasons[0]
    assert "≥ 0" in reasons[0]
    assert "an object in column 'bu_code'" in reasons[1]
    assert "600 characters; at most 500" in reasons[2]
    assert "rows 2" in body["detail"]
    assert fingerprint(sample_store.path) == before
