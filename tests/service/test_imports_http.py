"""Imports over HTTP: GeoJSON bodies and uploads in every format, replace / upsert / dry run,
zone definitions and buurten with CBS tables.

The app runs in-process over a private copy of the sample store (real GeoPackage, real
readers); refusals, limits and the import log are in ``test_imports_http_refusals.py``,
end-to-end runs over a real server in ``test_live*.py``.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
import yaml
from fastapi.testclient import TestClient

from geo.common.files import sha256_file
from geo.store.geopackage import GeoPackageStore
from tests.conftest import (
    SAMPLE_HUISARTSEN,
    SAMPLE_VOORZIENINGEN,
    SAMPLE_ZONES,
    fingerprint,
    requires_shared_data,
)
from tests.servers import AUTH, KEY_NAME
from tests.service.imports_support import (
    N_CSV,
    N_GEOJSON,
    NIEUWEGEIN_CSV,
    NIEUWEGEIN_GPKG,
    PDOK_GEOJSON,
    make_client,
    post_geojson,
    sample_document,
    served_names,
)


@pytest.fixture
def client(keyed_client: TestClient) -> TestClient:
    """This module's client: the app over a private copy of the sample store, with the key."""
    return keyed_client


# --------------------------------------------------------------------------- GeoJSON bodies


def test_geojson_body_replaces_and_is_served_at_once(
    client: TestClient, sample_store: GeoPackageStore
) -> None:
    before = client.get("/health").json()
    response = post_geojson(client, "voorzieningen", SAMPLE_VOORZIENINGEN.read_bytes())
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["outcome"] == "applied"
    assert (report["added"], report["updated"], report["removed"]) == (0, 0, N_CSV)
    assert report["unchanged"] == N_GEOJSON
    assert report["changes"]["buurten"] == {"added": 0, "updated": 0, "removed": 0, "unchanged": 39}
    assert report["key"] == KEY_NAME
    assert report["via"] == "http"
    assert report["sha256"] == sha256_file(SAMPLE_VOORZIENINGEN)
    # Served at once: the API, the health version (the store file's SHA-256) and generation.
    assert len(served_names(client)) == N_GEOJSON
    health = client.get("/health").json()
    assert health["voorzieningen"] == N_GEOJSON
    assert health["store_version"] == report["store_version"] == sha256_file(sample_store.path)
    assert report["previous_version"] == before["store_version"] != health["store_version"]
    assert health["generation"] == before["generation"] + 1
    assert health["store_changed"].endswith("Z")


def test_upsert_replaces_by_id_adds_new_and_keeps_the_rest(client: TestClient) -> None:
    document = sample_document()
    renamed = copy.deepcopy(document["features"][0])
    renamed["properties"]["naam"] = "Buurthuis De Nieuwe Schakel"
    added = copy.deepcopy(document["features"][1])
    added["properties"]["id"] = "gis-1"
    added["properties"]["naam"] = "Ontmoetingsplek Nieuw"
    before = served_names(client)
    response = post_geojson(
        client, "voorzieningen", {**document, "features": [renamed, added]}, mode="upsert"
    )
    report = response.json()
    assert (report["added"], report["updated"], report["removed"]) == (1, 1, 0)
    assert report["unchanged"] == len(before) - 1
    after = served_names(client)
    assert after == {
        **before,
        "wsz-o-1": "Buurthuis De Nieuwe Schakel",
        "gis-1": "Ontmoetingsplek Nieuw",
    }
    assert list(after)[: len(before)] == list(before)  # replaced in place, new ones after


@pytest.mark.parametrize("mode", ["replace", "upsert"])
def test_the_same_import_twice_gives_the_same_store(
    client: TestClient, sample_store: GeoPackageStore, mode: str
) -> None:
    document = sample_document()
    document["features"][0]["properties"]["naam"] = "Buurthuis Twee Keer"
    first = post_geojson(client, "voorzieningen", document, mode=mode).json()
    assert first["outcome"] == "applied"
    written = fingerprint(sample_store.path)
    generation = client.get("/health").json()["generation"]
    second = post_geojson(client, "voorzieningen", document, mode=mode).json()
    assert second["outcome"] == "unchanged"
    assert (second["added"], second["updated"], second["removed"]) == (0, 0, 0)
    assert second["store_version"] == first["store_version"]
    assert fingerprint(sample_store.path) == written  # not even rewritten
    assert client.get("/health").json()["generation"] == generation


def test_dry_run_reports_and_writes_nothing(
    client: TestClient, sample_store: GeoPackageStore
) -> None:
    before = fingerprint(sample_store.path)
    names = served_names(client)
    response = post_geojson(
        client, "voorzieningen", SAMPLE_VOORZIENINGEN.read_bytes(), dry_run="true"
    )
    report = response.json()
    assert report["outcome"] == "dry_run"
    assert report["dry_run"] is True
    assert report["removed"] == N_CSV  # what a real run would do
    assert fingerprint(sample_store.path) == before
    assert served_names(client) == names


@requires_shared_data(PDOK_GEOJSON)
def test_legacy_rd_new_crs_member_is_honoured(client: TestClient) -> None:
    document = json.loads(PDOK_GEOJSON.read_text(encoding="utf-8"))
    response = client.post(
        "/imports/buurten",
        params={"dry_run": "true"},
        files={"file": ("pdok.geojson", json.dumps(document).encode())},
        data={},
        headers=AUTH,
    )
    # Geometry alone lacks the residents: the refusal says to send the CBS table with it.
    assert response.status_code == 422
    assert "statistics" in response.json()["detail"]


# --------------------------------------------------------------------------- uploads


def _gpkg(frame: gpd.GeoDataFrame) -> bytes:
    buffer = io.BytesIO()
    pyogrio.write_dataframe(frame, buffer, driver="GPKG", layer="voorzieningen")
    return buffer.getvalue()


def _zipped_shapefile(frame: gpd.GeoDataFrame, folder: Path) -> bytes:
    shp = folder / "shp" / "voorzieningen.shp"
    shp.parent.mkdir()
    pyogrio.write_dataframe(frame, shp, driver="ESRI Shapefile")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in sorted(shp.parent.iterdir()):
            archive.write(part, f"voorzieningen/{part.name}")
    return buffer.getvalue()


@pytest.mark.parametrize("form", ["gpkg", "zip", "csv", "geojson"])
def test_uploads_in_every_format(
    client: TestClient, sample_store: GeoPackageStore, tmp_path: Path, form: str
) -> None:
    """The stored layer (RD New) with one feature renamed, sent back in each format."""
    frame = sample_store.read().voorzieningen[["id", "name", "category", "geometry"]].copy()
    frame.loc[0, "name"] = f"Buurthuis via {form}"
    if form == "gpkg":
        name, body = "voorzieningen.gpkg", _gpkg(frame)
    elif form == "zip":
        name, body = "voorzieningen.zip", _zipped_shapefile(frame, tmp_path)
    elif form == "csv":
        table = frame.assign(x=frame.geometry.x, y=frame.geometry.y).drop(columns="geometry")
        name, body = "voorzieningen.csv", table.to_csv(index=False).encode()
    else:
        name, body = "voorzieningen.geojson", frame.to_crs("EPSG:4326").to_json().encode()
    data = {"mode": "upsert"}  # as a form field
    response = client.post(
        "/imports/voorzieningen", files={"file": (name, body)}, data=data, headers=AUTH
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["mode"] == "upsert"
    assert report["file_name"] == name
    assert (report["added"], report["updated"], report["removed"]) == (0, 1, 0), report
    assert served_names(client)[frame.loc[0, "id"]] == f"Buurthuis via {form}"


def test_csv_with_one_category_for_all(client: TestClient, sample_store: GeoPackageStore) -> None:
    stored = sample_store.read().voorzieningen
    huisartsen = stored[stored["source"] == SAMPLE_HUISARTSEN.name]
    others = int((huisartsen["category"] != "huisarts").sum())  # gezondheidscentra
    response = client.post(
        "/imports/voorzieningen?mode=upsert&category=huisarts",
        files={"file": ("huisartsen.csv", SAMPLE_HUISARTSEN.read_bytes())},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert others == 3
    # The gezondheidscentra become huisartsen and, by their names (vocabulary: also), stay
    # gezondheidscentra too: one more row each, <id>~gezondheidscentrum (issue 12, item 14).
    assert (report["added"], report["updated"], report["removed"]) == (others, others, 0)
    categories = sample_store.read().voorzieningen.set_index("id")["category"]
    assert set(categories[huisartsen["id"]]) == {"huisarts"}


def test_a_name_without_a_known_suffix_is_sniffed(client: TestClient) -> None:
    frame = gpd.read_file(SAMPLE_VOORZIENINGEN)
    response = client.post(
        "/imports/voorzieningen?mode=upsert&dry_run=true",
        files={"file": ("export", _gpkg(frame))},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    assert response.json()["file_name"] == "export"  # as the user sent it (read as .gpkg)


@requires_shared_data(PDOK_GEOJSON, NIEUWEGEIN_CSV)
def test_pdok_geometry_with_kerncijfers_over_http(
    client: TestClient, sample_store: GeoPackageStore
) -> None:
    """PDOK's gebiedsindelingen (statcode) joined by code to CBS Kerncijfers sent beside it."""
    response = client.post(
        "/imports/buurten",
        files=[
            ("file", (PDOK_GEOJSON.name, PDOK_GEOJSON.read_bytes())),
            ("statistics", (NIEUWEGEIN_CSV.name, NIEUWEGEIN_CSV.read_bytes())),
        ],
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["statistics"] == [
        {
            "file_name": NIEUWEGEIN_CSV.name,
            "sha256": sha256_file(NIEUWEGEIN_CSV),
            "size": NIEUWEGEIN_CSV.stat().st_size,
        }
    ]
    assert report["changes"]["buurten"]["added"] == 0
    assert report["changes"]["buurten"]["removed"] == 0
    stored = sample_store.read().buurten
    assert len(stored) == 39
    assert stored["residents"].sum() == 65_955


@requires_shared_data(NIEUWEGEIN_GPKG)
def test_buurten_geopackage_upload(client: TestClient) -> None:
    response = client.post(
        "/imports/buurten?mode=upsert",
        files={"file": (NIEUWEGEIN_GPKG.name, NIEUWEGEIN_GPKG.read_bytes())},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "unchanged"  # the sample's own buurten


@pytest.mark.parametrize("form", ["json-body", "yaml-body", "yaml-file"])
def test_zone_definitions(client: TestClient, form: str) -> None:
    definition = yaml.safe_load(SAMPLE_ZONES.read_text(encoding="utf-8"))
    definition["zones"][0]["name"] = f"Noord ({form})"
    if form == "json-body":
        kwargs: dict[str, Any] = {
            "content": json.dumps(definition).encode(),
            "headers": {**AUTH, "Content-Type": "application/json"},
        }
    elif form == "yaml-body":
        kwargs = {
            "content": yaml.safe_dump(definition).encode(),
            "headers": {**AUTH, "Content-Type": "application/yaml"},
        }
    else:
        kwargs = {
            "files": {"file": ("zones.yaml", yaml.safe_dump(definition).encode())},
            "headers": AUTH,
        }
    response = client.post("/imports/zones", **kwargs)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["added"], report["updated"], report["removed"]) == (0, 1, 0)
    zones = client.get("/zones").json()["features"]
    assert zones[0]["properties"]["zone_name"] == f"Noord ({form})"


def test_zones_upsert_keeps_the_other_zones(client: TestClient) -> None:
    definition = yaml.safe_load(SAMPLE_ZONES.read_text(encoding="utf-8"))
    only = {"gemeente": "GM0356", "zones": [{**definition["zones"][1], "name": "West"}]}
    response = client.post(
        "/imports/zones?mode=upsert",
        content=json.dumps(only).encode(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    report = response.json()
    assert (report["added"], report["updated"], report["removed"]) == (0, 1, 0), report
    assert report["unchanged"] == len(definition["zones"]) - 1


@requires_shared_data(NIEUWEGEIN_GPKG)
def test_into_an_empty_store(tmp_path: Path) -> None:
    with make_client(tmp_path / "store.gpkg") as client:
        assert client.get("/health").json()["status"] == "empty"
        assert client.get("/zones").status_code == 503
        response = client.post(
            "/imports/buurten",
            files={"file": (NIEUWEGEIN_GPKG.name, NIEUWEGEIN_GPKG.read_bytes())},
            headers=AUTH,
        )
        assert response.status_code == 200, response.text
        assert response.json()["added"] == 39
        assert response.json()["previous_version"] is None
        health = client.get("/health").json()
        assert health["status"] == "ok"
        assert health["buurten"] == 39
