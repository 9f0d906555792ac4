"""Imports over HTTP that are refused leave the store byte for byte as it was (bad bodies,
zone definitions that do not fit, wrong media types and options, limits), and the import log
lists every import, over HTTP and from the CLI.

The app runs in-process over a private copy of the sample store (real GeoPackage, real
readers).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from geo.store.geopackage import GeoPackageStore
from geo.store.log import log_file
from service.cli import main as wsz
from tests.conftest import SAMPLE_VOORZIENINGEN, fingerprint
from tests.servers import AUTH, KEY, KEY_NAME
from tests.service.imports_support import GEOJSON, N_CSV, make_client, post_geojson, sample_document


@pytest.fixture
def client(keyed_client: TestClient) -> TestClient:
    """This module's client: the app over a private copy of the sample store, with the key."""
    return keyed_client


# --------------------------------------------------------------------------- refusals


def _feature(lon: float, lat: float, **properties: object) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


BAD_VOORZIENINGEN: dict[str, tuple[bytes, int, str]] = {
    "not json": (b'{"type": "FeatureCollection", "features": [', 422, "not valid JSON"),
    "empty": (b'{"type": "FeatureCollection", "features": []}', 422, "holds no features"),
    "rd as lon/lat": (
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [_feature(134000, 449000, id="a", categorie="huisarts")],
            }
        ).encode(),
        422,
        "are lon/lat swapped",
    ),
    "unknown category and duplicate id": (
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    _feature(5.08, 52.03, id="a", categorie="kapper"),
                    _feature(5.09, 52.03, id="a", categorie="huisarts"),
                    {"type": "Feature", "properties": {"id": "b"}, "geometry": None},
                ],
            }
        ).encode(),
        422,
        "feature(s) refused",
    ),
}


@pytest.mark.parametrize("case", list(BAD_VOORZIENINGEN))
def test_refused_imports_leave_the_store_byte_for_byte(
    client: TestClient, sample_store: GeoPackageStore, case: str
) -> None:
    body, status, text = BAD_VOORZIENINGEN[case]
    before = fingerprint(sample_store.path)
    version = client.get("/health").json()["store_version"]
    response = post_geojson(client, "voorzieningen", body, mode="upsert")
    assert response.status_code == status, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert text in problem["detail"]
    assert fingerprint(sample_store.path) == before
    assert client.get("/health").json()["store_version"] == version
    entry = client.get("/imports?limit=1", headers=AUTH).json()["imports"][0]
    assert entry["outcome"] == "refused"
    assert entry["refused"] == problem.get("total", 0)
    assert entry["store_version"] == version


def test_per_feature_errors_are_listed(client: TestClient) -> None:
    body = BAD_VOORZIENINGEN["unknown category and duplicate id"][0]
    problem = post_geojson(client, "voorzieningen", body).json()
    reasons = [(p["index"], p["id"], p["reason"]) for p in problem["errors"]]
    assert problem["total"] == len(reasons) == 4, reasons
    assert any(i == 0 and "kapper" in r for i, _, r in reasons)
    assert (1, "a", "id a occurs twice (also feature 0)") in reasons
    assert (2, "b", "no geometry (null or empty)") in reasons
    rd = json.loads(BAD_VOORZIENINGEN["rd as lon/lat"][0])
    (only,) = post_geojson(client, "voorzieningen", rd).json()["errors"]
    assert "RD New" in only["reason"]


def test_a_zone_definition_that_does_not_fit_is_refused(
    client: TestClient, sample_store: GeoPackageStore
) -> None:
    before = fingerprint(sample_store.path)
    bad = {"zones": [{"code": "x", "name": "X", "wijken": ["WK999999"]}]}
    response = client.post(
        "/imports/zones",
        content=json.dumps(bad).encode(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "WK999999" in response.json()["detail"]
    assert fingerprint(sample_store.path) == before


@pytest.mark.parametrize(
    ("headers", "files", "status", "text"),
    [
        ({"Content-Type": "text/plain"}, None, 415, "is not read here"),
        ({}, {"file": ("buurten.shp", b"\x00\x00\x27\x0a")}, 415, "zip the .shp"),
        ({}, {"file": ("a.exe", b"MZ\x90\x00")}, 415, "not a GeoPackage"),
        ({}, {"other": ("a.gpkg", b"x")}, 422, "exactly one file"),
    ],
    ids=["text/plain", "lone .shp", "binary", "no file field"],
)
def test_wrong_types_are_refused(
    client: TestClient,
    sample_store: GeoPackageStore,
    headers: dict[str, str],
    files: dict[str, tuple[str, bytes]] | None,
    status: int,
    text: str,
) -> None:
    before = fingerprint(sample_store.path)
    if files is None:
        response = client.post("/imports/voorzieningen", content=b"x", headers={**AUTH, **headers})
    else:
        response = client.post("/imports/voorzieningen", files=files, headers=AUTH)
    assert response.status_code == status, response.text
    assert text in response.json()["detail"]
    assert fingerprint(sample_store.path) == before
    assert client.get("/imports?limit=1", headers=AUTH).json()["imports"][0]["outcome"] == "refused"


def test_bad_options_are_refused(client: TestClient) -> None:
    body = SAMPLE_VOORZIENINGEN.read_bytes()
    assert post_geojson(client, "voorzieningen", body, mode="merge").status_code == 422
    response = client.post(
        "/imports/voorzieningen",
        files={"file": ("v.geojson", body)},
        data={"gemeente": "GM0356"},
        headers=AUTH,
    )
    assert response.status_code == 422
    assert "gemeente" in response.json()["detail"]


def test_body_limits(sample_store: GeoPackageStore) -> None:
    body = SAMPLE_VOORZIENINGEN.read_bytes()
    with make_client(sample_store.path, max_upload_bytes=len(body) - 1) as client:
        before = fingerprint(sample_store.path)
        declared = post_geojson(client, "voorzieningen", body)
        assert declared.status_code == 413
        assert declared.json()["limit"] == len(body) - 1

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
            for start in range(0, len(body), 1000):
                yield body[start : start + 1000]

        streamed = client.post("/imports/voorzieningen", content=chunks(), headers=GEOJSON)
        assert streamed.status_code == 413
        assert "more than the" in streamed.json()["detail"]
        assert fingerprint(sample_store.path) == before


def test_feature_count_limit(sample_store: GeoPackageStore) -> None:
    with make_client(sample_store.path, max_features=5) as client:
        response = post_geojson(client, "voorzieningen", SAMPLE_VOORZIENINGEN.read_bytes())
    assert response.status_code == 413
    assert response.json()["limit"] == 5


# --------------------------------------------------------------------------- the log


def test_the_log_lists_every_import_newest_first(
    client: TestClient, sample_store: GeoPackageStore
) -> None:
    document = sample_document()
    post_geojson(client, "voorzieningen", document, dry_run="true")
    post_geojson(client, "voorzieningen", b"{", mode="upsert")
    post_geojson(client, "voorzieningen", document, mode="upsert")
    entries = client.get("/imports", headers=AUTH).json()["imports"]
    assert [e["outcome"] for e in entries[:3]] == ["unchanged", "refused", "dry_run"]
    assert {e["key"] for e in entries[:3]} == {KEY_NAME}
    assert entries[0]["sha256"] == entries[2]["sha256"]
    assert client.get("/imports?limit=1", headers=AUTH).json()["imports"] == entries[:1]
    text = log_file(sample_store.path).read_text()
    assert KEY not in text
    assert len(text.splitlines()) == 3


def test_cli_imports_are_logged_and_locked(
    sample_store: GeoPackageStore, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(sample_store.path)
    before = fingerprint(sample_store.path)
    args = ["--store", store, "import", "voorzieningen", str(SAMPLE_VOORZIENINGEN)]
    assert wsz([*args, "--dry-run"]) == 0
    assert "Dry run of voorzieningen (replace)" in capsys.readouterr().out
    assert fingerprint(sample_store.path) == before
    assert wsz([*args, "--upsert"]) == 0
    assert "Nothing to change" in capsys.readouterr().out
    assert fingerprint(sample_store.path) == before
    assert wsz(args) == 0
    assert f"0 added, 0 updated, {N_CSV} removed" in capsys.readouterr().out
    with make_client(sample_store.path) as client:
        entries = client.get("/imports", headers=AUTH).json()["imports"]
    assert [e["outcome"] for e in entries] == ["applied", "unchanged", "dry_run"]
    assert {e["via"] for e in entries} == {"cli"}
    assert all(e["user"] and e["key"] is None for e in entries)


def test_an_edit_of_any_attribute_counts_and_is_kept(
    client: TestClient, sample_store: GeoPackageStore
) -> None:
    """Not only name and category: an address or opening hours edited in QGIS is an update."""
    feature = sample_document()["features"][0]
    feature["properties"]["adres"] = "Schakelplein 1, 3431 AB Nieuwegein"
    report = post_geojson(
        client, "voorzieningen", {"type": "FeatureCollection", "features": [feature]}, mode="upsert"
    ).json()
    assert (report["added"], report["updated"], report["removed"]) == (0, 1, 0), report
    stored = sample_store.read().voorzieningen.set_index("id")
    assert stored.loc["wsz-o-1", "address"] == "Schakelplein 1, 3431 AB Nieuwegein"
